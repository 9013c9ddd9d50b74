import type { Audit, FaultCounts, FaultSettings } from '../types.ts';

export type TargetName = 'local' | 'kind';

/** An event as POST /admin/events takes it: every seat available. */
import type { NewEvent } from '../../shared/admin-api.ts';

export type { NewEvent };

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
 * started; the kind target through kubectl. Every wait inside has a timeout, and so has each
 * attempt within it (waitFor aborts it) and each kubectl call (Cluster.run).
 */
export interface ChaosTarget {
  readonly name: TargetName;
  /** Where the load generator sends its requests (the public API). */
  readonly shopUrl: string;
  /** Why this target cannot run a scenario here, or undefined when it can. */
  cannotRun(scenario: string): string | undefined;
  /** Sets the same fault settings on every logic replica (each with its own seed). */
  setFaults(settings: FaultSettings): Promise<void>;
  /** Faults logic injected since they were last set, summed over every logic replica. */
  faultCounts(): Promise<FaultCounts>;
  /** Raw database state through the logic admin API; with ids, of those events only. */
  audit(eventIds?: readonly string[]): Promise<Audit>;
  /** Adds events to the catalog (a scenario's stock) through the logic admin API. */
  createEvents(events: readonly NewEvent[]): Promise<void>;
  /** Takes events out of the catalog; their orders stay for the audit. */
  archiveEvents(ids: readonly string[]): Promise<void>;
  /** One identity per logic replica that changes when it is replaced (pid, pod uid). */
  logicIdentities(): Promise<string[]>;
  /** Undefined when every part answers ready, otherwise what is not. */
  unhealthy(): Promise<string | undefined>;
  /** Changes whenever a frontend process or pod restarts (pid, pod names, restart counts). */
  frontendIdentity(): Promise<string>;

  /** Kills one logic replica hard (SIGKILL / pod delete with grace 0); its x-served-by name. */
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

  /**
   * Puts back what a run may have changed, whatever step it stopped at (an interrupt, a
   * failed step): faults cleared on every replica, logic scaled back, the probe removed.
   * Returns one line per thing it restored; safe to call when nothing needs it.
   */
  restore(): Promise<string[]>;
  /** restore(), then let go (local: stops everything it started). Returns restore's lines. */
  close(): Promise<string[]>;
}

/** Thrown when a verb makes no sense on a target (the scenario list prevents it). */
export class UnsupportedOnTarget extends Error {
  constructor(target: TargetName, verb: string) {
    super(`${verb} is not supported on the ${target} target`);
    this.name = 'UnsupportedOnTarget';
  }
}
