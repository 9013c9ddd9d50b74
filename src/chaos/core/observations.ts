// What the runner observed of a scenario's fault from outside the faulted part: the identity
// each logic process reports, the frontend's counts, the runner's own database probe. Part of
// the model (model.ts re-exports it), kept apart for size.
import type { FaultCounts } from '../../shared/admin-api.ts';

/** One logic process as it describes itself on GET /healthz (and x-boot-id on every answer). */
export interface ReplicaIdentity {
  /** Its x-served-by name (POD_NAME): the same after a restart on the same slot. */
  replica: string;
  /** Random per process start: a restarted or replaced replica has a new one. */
  bootId: string;
  pid: number;
  /** ISO time the process started. */
  startedAt: string;
}

/**
 * What the frontend saw of its calls to logic, read from its own /metrics (cumulative since it
 * started): the faulted component (logic) is not the one counting.
 */
export interface FrontendCounts {
  /** Attempts to POST /orders that failed: logic answered 5xx, the attempt timed out, or the
   * connection failed. */
  failedOrderAttempts: { status5xx: number; timeout: number; network: number };
  /** Attempts to logic (any call) repeated after a failed one (flame_logic_retries_total). */
  retries: number;
}

export const zeroFrontendCounts = (): FrontendCounts => ({
  failedOrderAttempts: { status5xx: 0, timeout: 0, network: 0 },
  retries: 0,
});

/** The counts of two frontend processes (or pods) together. */
export function addFrontendCounts(a: FrontendCounts, b: FrontendCounts): FrontendCounts {
  const failed = (k: keyof FrontendCounts['failedOrderAttempts']) =>
    a.failedOrderAttempts[k] + b.failedOrderAttempts[k];
  return {
    failedOrderAttempts: {
      status5xx: failed('status5xx'),
      timeout: failed('timeout'),
      network: failed('network'),
    },
    retries: a.retries + b.retries,
  };
}

/** What a frontend saw between two readings (b − a), summed over its processes or pods. */
export function frontendDelta(a: FrontendCounts, b: FrontendCounts): FrontendCounts {
  return {
    failedOrderAttempts: {
      status5xx: b.failedOrderAttempts.status5xx - a.failedOrderAttempts.status5xx,
      timeout: b.failedOrderAttempts.timeout - a.failedOrderAttempts.timeout,
      network: b.failedOrderAttempts.network - a.failedOrderAttempts.network,
    },
    retries: b.retries - a.retries,
  };
}

/** A kill as the runner saw it, in the log's clock (ms since the run started). */
export interface KillObservation {
  /** The killed process's x-served-by name and boot id (read on /healthz before the kill). */
  replica: string;
  bootId: string;
  /** When the kill call returned: the process must answer nothing from then on. */
  killedAt: number;
  /** When the restore began. */
  restoreStartedAt: number | undefined;
}

/** The database as the runner's own probe connection saw it. */
export interface DatabaseProbes {
  /** Probed after the kill, while the fault was held. */
  duringFault: boolean | undefined;
  /** Probed after the restore. */
  afterRestore: boolean | undefined;
}

/**
 * What the runner observed while a scenario's fault was on, each named for who saw it. The
 * scenario's steps fill it; its proof and the result builder read it (typed: no notes read
 * back as strings).
 */
export interface Observations {
  /** Logic's own claim: faults it counted while they were on (read before clearing them). */
  injected?: FaultCounts;
  injectedLatencyMs?: number;
  /** The frontend's counts just before the fault was set, and once the load had stopped. */
  frontendAtInject?: FrontendCounts;
  frontendAtEnd?: FrontendCounts;
  kill?: KillObservation;
  /** Every logic replica's identity before and after a rolling restart or a full stop. */
  replicasBefore?: ReplicaIdentity[];
  replicasAfter?: ReplicaIdentity[];
  database?: DatabaseProbes;
  /** db-down: the scenario's orders before the kill and after the restore. */
  ordersBeforeKill?: string[];
  ordersAfterRestore?: string[];
  /** Seconds until what was killed or stopped was ready again. */
  replacementReadySeconds?: number;
  /** The frontend pod that was deleted (kind). */
  killedFrontend?: string;
  /** network-policy: each connection the probe tried. */
  probes?: ProbeResult[];
  /** Restore after a failed step: what it put back. */
  restored?: string;
  /** node-freeze, node-loss, node-partition: the node taken away and how the cluster took it. */
  node?: NodeObservation;
  /** A Docker-level fault (docker target): Docker's view of the container through it. */
  container?: ContainerFaultObservation;
}

/** Docker's view of one container: its identity and state, read with `docker inspect`. */
export interface ContainerView {
  name: string;
  /** Container id: a replacement has a new one. */
  id: string;
  /** running, paused, exited… */
  status: string;
  pid: number;
  startedAt: string;
  /** The networks it has an address on. */
  networks: string[];
}

/** Freeze or partition of one container, in the log's clock, with Docker's view of it. */
export interface ContainerFaultObservation {
  /** The container (for logic, also its x-served-by name) and the boot id it had before. */
  name: string;
  bootId: string | undefined;
  before: ContainerView;
  /** Right after the fault was applied. */
  during: ContainerView;
  after: ContainerView | undefined;
  /** When the fault was applied and when its undoing began (ms since the run started). */
  from: number;
  to: number | undefined;
}

/** A node scenario's node, as kubectl listed it, with when (run clock) each step happened. */
export interface NodeObservation {
  node: string;
  fault: string;
  /** Its logic pods' names (x-served-by) and its frontend pods' names when it was taken. */
  logicPods: string[];
  frontendPods: string[];
  /** Run clock once the Docker action had returned: nothing there could answer after. */
  takenAt: number;
  notReadySeconds: number;
  replacedSeconds?: number;
  nodeReadySeconds?: number;
  /** The logic pods that replaced the node's (kubectl, before the node was given back). */
  replacementPods?: string[];
}

/** One expected-vs-seen connection of the network-policy probe. */
export interface ProbeResult {
  from: string;
  to: string;
  expected: 'blocked' | 'reachable';
  seen: 'blocked' | 'reachable' | 'unknown';
  detail: string;
}
