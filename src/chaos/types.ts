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
  orderId: string | null;
  servedBy: string | null;
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
