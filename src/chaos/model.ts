// The shapes the chaos judging pipeline shares: what the buyers recorded, what the runner
// observed from outside the shop, the checks and verdicts made of them. Every other file of
// the pipeline imports from here, never from each other's middle, so there is no cycle.
import { FAULT_MODES, type FaultCounts } from '../shared/admin-api.ts';

/** The phases of one scenario; every request record names the phase it started in. */
export type Phase = 'before' | 'fault' | 'after';

export type OperationKind = 'purchase' | 'catalog';

/**
 * One HTTP request the load generator sent, as the client saw it. Written before the request
 * leaves and completed in a `finally`, so the record is whole even when the request fails.
 */
export interface RequestRecord {
  /** Order of sending within the run. */
  seq: number;
  scenario: string;
  phase: Phase;
  buyer: number;
  kind: OperationKind;
  /** Which operation (purchase attempt or catalog read) this request belongs to. */
  operation: number;
  /** 1 for the first request of an operation, 2+ for the client's own retries. */
  attempt: number;
  /** Milliseconds since the run started. */
  start: number;
  end: number;
  /** HTTP status, or 0 when no response arrived (network error, timeout). */
  status: number;
  /** Stable error code from the body, or NETWORK / TIMEOUT / BAD_BODY for client-side failures. */
  errorCode: string | null;
  errorMessage: string | null;
  retryAfter: string | null;
  key: string | null;
  eventId: string | null;
  quantity: number | null;
  /** The order the answer confirmed (web/confirmation.js decides), or null. */
  orderId: string | null;
  servedBy: string | null;
  /** The boot id of the logic process that answered (x-boot-id): new at every start. */
  servedBoot: string | null;
  replayed: boolean;
  /** Catalog reads: the frontend served its last good list. */
  stale: boolean | null;
}

/** A purchase attempt or catalog read with all its client retries: what a user felt. */
export interface OperationRecord {
  id: number;
  scenario: string;
  phase: Phase;
  kind: OperationKind;
  start: number;
  end: number;
  /** ok: a definite answer (2xx, or SOLD_OUT for a purchase); failed: anything else. */
  ok: boolean;
  /** Status of the last request (0 = no response). */
  finalStatus: number;
  finalCode: string | null;
  /** A catalog read answered from the frontend's last good list: served, but not healthy. */
  stale: boolean;
  requests: number;
}

// The admin API's shapes come from its one contract (src/shared/admin-api.ts).
export type {
  Audit,
  AuditEvent,
  AuditOrder,
  FaultCounts,
  FaultSettings,
} from '../shared/admin-api.ts';
export { NO_FAULTS } from '../shared/admin-api.ts';

export const zeroFaultCounts = (): FaultCounts => ({
  before: { orders: 0, other: 0 },
  'after-commit': { orders: 0, other: 0 },
  delay: { orders: 0, other: 0 },
});

export function addFaultCounts(a: FaultCounts, b: FaultCounts): FaultCounts {
  const sum = zeroFaultCounts();
  for (const mode of FAULT_MODES) {
    sum[mode].orders = a[mode].orders + b[mode].orders;
    sum[mode].other = a[mode].other + b[mode].other;
  }
  return sum;
}

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

/** How a scenario's user-facing outcome is judged. */
export type Threshold =
  /** At least `min` of user operations (purchases with their client retries, catalog reads) succeed. */
  | { kind: 'successRate'; min: number }
  /** Failures allowed only as 503 with the friendly message; the catalog is always served. */
  | { kind: 'friendly503' }
  /** Judged by the probe's results alone. */
  | { kind: 'probe' };

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /**
   * Evidence that the scenario tested what it claims (purchases during the fault, the
   * fault's footprint). A failed evidence check makes the verdict inconclusive, not fail.
   */
  evidence?: boolean;
}

/**
 * pass: every check held. fail: a correctness check failed. inconclusive: nothing failed,
 * but the scenario could not show it tested what it claims (no purchases during the fault,
 * no sign of the fault): not a pass, and it fails the run. skipped: not run on this target.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'skipped';

/** An evidence check: when it fails the scenario tested nothing and is inconclusive. */
export function evidenceCheck(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail, evidence: true };
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

/** One expected-vs-seen connection of the network-policy probe. */
export interface ProbeResult {
  from: string;
  to: string;
  expected: 'blocked' | 'reachable';
  seen: 'blocked' | 'reachable' | 'unknown';
  detail: string;
}

/** The invariant counts of one scenario (see invariants.ts for what each one catches). */
export interface InvariantResult {
  oversold: number;
  quantityMismatch: number;
  duplicateKeys: number;
  lostConfirmed: number;
  orderedRejected: number;
  /** Keys whose client saw two different definite outcomes (409 then 201, two order ids). */
  outcomeChanged: number;
  /** A 409 SOLD_OUT for q seats on an event that still had ≥ q seats at the end. */
  falseSoldOut: number;
  /** A 2xx to a purchase that confirmed no order (web/confirmation.js: not confirmed). */
  successWithoutOrder: number;
  /** Not violations: purchases the client saw fail (5xx, no answer) that did commit. */
  committedUnconfirmed: number;
  /** Purchases the client saw fail that left no order: the user was told to try again. */
  notCommitted: number;
  /** The first few violations, in words, for the report. */
  examples: Violation[];
}

export type ViolationKind =
  | 'oversold'
  | 'quantityMismatch'
  | 'duplicateKeys'
  | 'lostConfirmed'
  | 'orderedRejected'
  | 'outcomeChanged'
  | 'falseSoldOut'
  | 'successWithoutOrder';

export interface Violation {
  kind: ViolationKind;
  message: string;
}

/** What a scenario's proof looks at once the load has stopped. */
export interface ProofInput {
  requests: readonly RequestRecord[];
  observed: Observations;
  invariants: InvariantResult;
  /** The frontend's per-attempt timeout. */
  attemptTimeoutMs: number;
}

/**
 * A request that showed its client a confirmed order. The order id is only recorded when the
 * answer confirms one by web/confirmation.js, the web UI's own rule (a 2xx with the order).
 */
export function confirmsOrder(r: RequestRecord): boolean {
  return r.kind === 'purchase' && r.orderId !== null;
}
