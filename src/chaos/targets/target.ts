import type { Audit, FaultSettings } from '../types.ts';

export type TargetName = 'local' | 'kind';

/** One expected-vs-seen connection of the network-policy probe. */
export interface ProbeResult {
  from: string;
  to: string;
  expected: 'blocked' | 'reachable';
  seen: 'blocked' | 'reachable' | 'unknown';
  detail: string;
}

/**
 * What a scenario may do to a running shop. The local target does it to processes it
 * started; the kind target through kubectl. Every wait inside has a timeout.
 */
export interface ChaosTarget {
  readonly name: TargetName;
  /** Where the load generator sends its requests (the public API). */
  readonly shopUrl: string;
  /** Why this target cannot run a scenario here, or undefined when it can. */
  cannotRun(scenario: string): string | undefined;
  /** Sets the same fault settings on every logic replica (each with its own seed). */
  setFaults(settings: FaultSettings): Promise<void>;
  /** Raw database state through the logic admin API. */
  audit(): Promise<Audit>;
  /** Undefined when every part answers ready, otherwise what is not. */
  unhealthy(): Promise<string | undefined>;
  /** Changes whenever a frontend process or pod restarts (pid, pod names, restart counts). */
  frontendIdentity(): Promise<string>;

  /** Kills one logic replica hard (SIGKILL / pod delete with grace 0). */
  killLogicReplica(): Promise<string>;
  /** Seconds until the killed replica's replacement was ready. */
  restoreLogicReplica(): Promise<number>;
  /** Replaces every logic replica gracefully, one by one. */
  rollingRestartLogic(): Promise<void>;
  stopAllLogic(): Promise<void>;
  /** Seconds until every logic replica was ready again. */
  startAllLogic(): Promise<number>;
  killDatabase(): Promise<void>;
  restoreDatabase(): Promise<number>;
  killFrontend(): Promise<string>;
  restoreFrontend(): Promise<number>;
  probeNetworkPolicy(): Promise<ProbeResult[]>;

  /** Leaves the shop as it found it (local: stops everything it started). */
  close(): Promise<void>;
}

/** Thrown when a verb makes no sense on a target (the scenario list prevents it). */
export class UnsupportedOnTarget extends Error {
  constructor(target: TargetName, verb: string) {
    super(`${verb} is not supported on the ${target} target`);
    this.name = 'UnsupportedOnTarget';
  }
}
