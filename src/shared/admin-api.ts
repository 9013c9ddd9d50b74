/**
 * The logic admin API, one contract for every side of it: logic validates requests with the
 * schemas in admin-schemas.ts (which must satisfy these types), and the chaos runner, the
 * benchmarks and the console (in the browser, so no zod here) send and read these shapes. All
 * routes need `Authorization: Bearer <ADMIN_TOKEN>`; without a configured token they do not
 * exist.
 */
export const ADMIN_ROUTES = {
  faults: '/admin/faults',
  audit: '/admin/audit',
  events: '/admin/events',
  archive: '/admin/events/archive',
  crash: '/admin/crash',
} as const;

export const FAULT_MODES = ['before', 'after-commit', 'delay'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSettings {
  /** Share of requests hit, 0-1. */
  rate: number;
  /** Delay before a hit request goes on (or fails). */
  latencyMs: number;
  /**
   * before: fail with 500 before any work (the classic random 500);
   * after-commit: do the work (commit the order), then fail the response;
   * delay: only the latency, then serve normally.
   */
  mode: FaultMode;
  /** Makes each replica's sequence of hits reproducible (mixed with the replica's name). */
  seed?: number | undefined;
}

/** PUT /admin/faults: settings for every replica, or for the one named. */
export interface FaultUpdate extends FaultSettings {
  replica?: string | undefined;
}

export const NO_FAULTS: FaultSettings = Object.freeze({ rate: 0, latencyMs: 0, mode: 'before' });

/** Which requests a fault landed on: orders (POST /orders) are what the chaos proofs need. */
export type FaultTarget = 'orders' | 'other';
export type FaultCounts = Record<FaultMode, Record<FaultTarget, number>>;

/** Where a replica's settings came from: the row for every replica, its own, or its env. */
export type FaultSource = 'all' | 'replica' | 'environment';

/** GET and PUT /admin/faults answer, for the replica that answered. */
export interface FaultsAnswer {
  replica: string;
  faults: FaultSettings;
  source: FaultSource;
  /** Faults injected since the settings last changed on this replica. */
  injected: { counts: FaultCounts; since: string };
}

/** GET /admin/audit[?events=a,b]: raw database state for the invariant checker. */
export interface AuditEvent {
  id: string;
  capacity: number;
  available: number;
  /** Sum of order quantities; must equal capacity - available. */
  orderedQuantity: number;
  orderCount: number;
  archived?: boolean;
}
export interface AuditOrder {
  id: string;
  idempotencyKey: string;
  eventId: string;
  quantity: number;
}
export interface Audit {
  events: AuditEvent[];
  orders: AuditOrder[];
}

/** The most events one call creates or archives: a chaos scenario needs a handful. */
export const MAX_EVENTS_PER_CALL = 100;

/** POST /admin/events {events} → 201 {events}. */
export interface NewEvent {
  id: string;
  name: string;
  venue: string;
  startsAt: string;
  priceCents: number;
  capacity: number;
}

/** POST /admin/crash → 202, then the replica that answered dies abruptly. */
export interface CrashAnswer {
  crashing: string;
}
