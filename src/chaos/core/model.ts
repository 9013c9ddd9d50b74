// The shapes the chaos judging pipeline shares: what the buyers recorded, what the runner
// observed from outside the shop, the checks and verdicts made of them. Every other file of
// the pipeline imports from here, never from each other's middle, so there is no cycle.
import { FAULT_MODES, type FaultCounts, type NewEvent } from '../../shared/admin-api.ts';
import type { Observations } from './observations.ts';

/** Where a run takes place: the local processes, the kind cluster, containers on one engine. */
export type TargetName = 'local' | 'kind' | 'docker';

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

// The admin API's shapes (Audit, FaultCounts, FaultSettings, NO_FAULTS …) are imported from
// their one contract, src/shared/admin-api.ts, not through here.

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

export type {
  ContainerFaultObservation,
  ContainerView,
  DatabaseProbes,
  FrontendCounts,
  KillObservation,
  NodeObservation,
  Observations,
  ProbeResult,
  ReplicaIdentity,
} from './observations.ts';

/** One scenario's own events: large ones that cannot sell out, small ones that must (stock.ts). */
export interface Stock {
  /** Every id starts with it, so buyers find the scenario's events in the public catalog. */
  prefix: string;
  large: NewEvent[];
  /** Released when the fault starts (empty until then, and for scenarios without purchases). */
  small: NewEvent[];
}

/** How a scenario's user-facing outcome is judged. */
export type Threshold =
  /** At least `min` of user operations (purchases with their client retries, catalog reads) succeed. */
  | { kind: 'successRate'; min: number }
  /**
   * Failures allowed only as 503 with the friendly message; the catalog is always served.
   * mayWait: the fault makes requests wait rather than fail (a frozen database), so neither a
   * 503 nor a stale catalog read is required of the load; the scenario's proof shows the wait.
   */
  | { kind: 'friendly503'; mayWait?: boolean }
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
