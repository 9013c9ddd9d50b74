import type { Audit, FaultCounts, FaultSettings, NewEvent } from '../../shared/admin-api.ts';
import type {
  ContainerView,
  FrontendCounts,
  ProbeResult,
  ReplicaIdentity,
  TargetName,
} from '../core/model.ts';

export type { ContainerView, ProbeResult };

/** Kill and restore the database; `reachable` is the runner's own probe connection to it. */
export interface DatabaseControl {
  kill(): Promise<void>;
  /** Seconds until the database, and logic on it, were ready again. */
  restore(): Promise<number>;
  /** True when a fresh connection of the runner's own answers `SELECT 1` within a second. */
  reachable(): Promise<boolean>;
}

/** Delete one frontend process or pod, and wait for its replacement. */
export interface FrontendControl {
  /** The name of what was deleted. */
  kill(): Promise<string>;
  /** Seconds until the replacement was ready. */
  restore(): Promise<number>;
}

/**
 * A Docker-level fault on one container (docker target): freeze (`docker pause`: alive but
 * silent) or partition (`docker network disconnect`, then connect again). Each step returns
 * Docker's view of the container, the evidence that the fault was there and was undone.
 */
export interface ContainerFault {
  /** The container it acts on. */
  readonly name: string;
  /** Applies the fault; Docker's view right after. */
  inject(): Promise<ContainerView>;
  /** Undoes it and waits until the shop is ready again. */
  undo(): Promise<{ seconds: number; after: ContainerView }>;
}

export interface NetworkPolicyControl {
  probe(): Promise<ProbeResult[]>;
}

/**
 * How a node is taken away (kind: through the Docker engine that runs its container):
 * freeze (`docker pause`: alive but silent), loss (`docker stop`) or partition (`docker network
 * disconnect` from the nodes' network).
 */
export type NodeFault = 'freeze' | 'loss' | 'partition';

/** The node a scenario took away, and what ran on it then, as kubectl listed it. */
export interface TakenNode {
  node: string;
  fault: NodeFault;
  /** Its logic pods' names: what buyers see in x-served-by. */
  logicPods: string[];
  frontendPods: string[];
  /** Seconds from when the Docker action returned until kubectl showed the node not Ready. */
  notReadySeconds: number;
}

export interface ReturnedNode {
  /** Seconds from taking the node until logic and the frontend were Ready without its pods. */
  replacedSeconds: number;
  /** Seconds from giving the node back until kubectl showed it Ready. */
  nodeReadySeconds: number;
  /** The Ready logic pods that were not there when the node was taken: its replacements. */
  replacementPods: string[];
}

/** Take a worker node away while the shop runs on the others, and give it back. */
export interface NodeControl {
  /** Takes a worker that runs a logic replica (not postgres' node) and waits until it is not Ready. */
  take(fault: NodeFault): Promise<TakenNode>;
  /** Waits until its pods are replaced elsewhere, gives it back and waits until it is Ready. */
  giveBack(): Promise<ReturnedNode>;
}

/**
 * What only some targets can do. A scenario names the control it needs; a target without it
 * skips the scenario, with the reason it gives in `whyNot` (or a generic one).
 */
export interface TargetControls {
  database?: DatabaseControl;
  frontend?: FrontendControl;
  networkPolicy?: NetworkPolicyControl;
  nodes?: NodeControl;
  /** docker pause / unpause of one logic replica. */
  freezeReplica?: ContainerFault;
  /** docker network disconnect / connect of one logic replica. */
  partitionReplica?: ContainerFault;
  /** docker pause / unpause of postgres. */
  freezeDatabase?: ContainerFault;
}
export type ControlName = keyof TargetControls;

/**
 * What a scenario may do to a running shop, and what the runner can observe of it from
 * outside: the local target does it to processes it started, the kind target through
 * kubectl. Every wait inside has a timeout, and so has each attempt within it (waitFor aborts
 * it) and each kubectl call (Cluster.run).
 */
export interface ChaosTarget {
  readonly name: TargetName;
  /** Where the load generator sends its requests (the public API). */
  readonly shopUrl: string;
  readonly controls: TargetControls;
  /** Why a control is missing on this target, when there is more to say than "it has none". */
  readonly whyNot: Partial<Record<ControlName, string>>;

  /** Sets the same fault settings on every logic replica (each with its own seed). */
  setFaults(settings: FaultSettings): Promise<void>;
  /** Logic's own claim: faults injected since they were last set, summed over the replicas. */
  faultCounts(): Promise<FaultCounts>;
  /** Raw database state through the logic admin API; with ids, of those events only. */
  audit(eventIds?: readonly string[]): Promise<Audit>;
  /** Adds events to the catalog (a scenario's stock) through the logic admin API. */
  createEvents(events: readonly NewEvent[]): Promise<void>;
  /** Takes events out of the catalog; their orders stay for the audit. */
  archiveEvents(ids: readonly string[]): Promise<void>;

  /** Each serving logic replica's identity, as it reports itself on GET /healthz. */
  logicIdentities(): Promise<ReplicaIdentity[]>;
  /** The frontend's counts of failed attempts and retries to logic, from its /metrics. */
  frontendCounts(): Promise<FrontendCounts>;
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

  /**
   * Puts back what a run may have changed, whatever step it stopped at (an interrupt, a
   * failed step): faults cleared on every replica, logic scaled back, the probe removed,
   * every node running and connected.
   * Returns one line per thing it restored; safe to call when nothing needs it.
   */
  restore(): Promise<string[]>;
  /**
   * Lets go of the target at the end of the run; returns one line per thing it did. kind and
   * docker: restore(), the shop stays up. local: clears the fault settings through a replica
   * still up, then stops everything it started (no restore()).
   */
  close(): Promise<string[]>;
}

/** Why `target` cannot run a scenario that needs `control`, or undefined when it can. */
export function missingControl(
  target: Pick<ChaosTarget, 'name' | 'controls' | 'whyNot'>,
  control: ControlName | undefined,
): string | undefined {
  if (control === undefined || target.controls[control]) return undefined;
  return target.whyNot[control] ?? `the ${target.name} target has no ${control} control`;
}
