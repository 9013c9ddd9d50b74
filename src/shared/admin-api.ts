import { z } from 'zod';
import { eventIdSchema } from './order-request.ts';

/**
 * The logic admin API, one contract for every side of it: logic validates with these schemas,
 * and the chaos runner, the benchmarks and the console (in the browser) send and read these
 * shapes. All routes need `Authorization: Bearer <ADMIN_TOKEN>`; without a configured token
 * they do not exist.
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

/** A replica's name as Kubernetes gives pods theirs (and `npm start` its logic-N). */
export const replicaNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'must be a replica (pod) name');

export const faultSettingsSchema = z.strictObject({
  /** Share of requests hit, 0-1. */
  rate: z.number().min(0).max(1),
  /** Delay before a hit request goes on (or fails). */
  latencyMs: z.number().int().min(0).max(120_000).default(0),
  /**
   * before: fail with 500 before any work (the classic random 500);
   * after-commit: do the work (commit the order), then fail the response;
   * delay: only the latency, then serve normally.
   */
  mode: z.enum(FAULT_MODES).default('before'),
  /** Makes each replica's sequence of hits reproducible (mixed with the replica's name). */
  seed: z.number().int().optional(),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

/** PUT /admin/faults: settings for every replica, or for the one named. */
export const faultUpdateSchema = faultSettingsSchema.extend({
  replica: replicaNameSchema.optional(),
});
export type FaultUpdate = z.infer<typeof faultUpdateSchema>;

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

export const newEventSchema = z.strictObject({
  id: eventIdSchema,
  name: z.string().min(1).max(200),
  venue: z.string().min(1).max(200),
  startsAt: z.iso.datetime({ offset: true }),
  priceCents: z.number().int().min(0).max(100_000_000),
  capacity: z.number().int().min(1).max(10_000_000),
});
export type NewEvent = z.infer<typeof newEventSchema>;

/** POST /admin/events → 201 {events}. */
export const newEventsSchema = z.strictObject({
  events: z
    .array(newEventSchema)
    .min(1)
    .max(MAX_EVENTS_PER_CALL)
    .refine((events) => new Set(events.map((e) => e.id)).size === events.length, {
      message: 'must not name one id twice',
    }),
});

/** POST /admin/events/archive → 200 {archived: ids archived now}. */
export const archiveSchema = z.strictObject({
  ids: z.array(eventIdSchema).min(1).max(MAX_EVENTS_PER_CALL),
});

/** POST /admin/crash → 202, then the replica that answered dies abruptly. */
export interface CrashAnswer {
  crashing: string;
}
