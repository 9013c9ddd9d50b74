import { z } from 'zod';
import {
  FAULT_MODES,
  type FaultSettings,
  type FaultUpdate,
  MAX_EVENTS_PER_CALL,
  type NewEvent,
} from './admin-api.ts';
import { eventIdSchema } from './order-request.ts';

// Validation of the admin API's requests (src/shared/admin-api.ts has the shapes): logic and
// the frontend's relay check what they are sent with these.

/** A replica's name as Kubernetes gives pods theirs (and `npm start` its logic-N). */
export const replicaNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'must be a replica (pod) name');

export const faultSettingsSchema = z.strictObject({
  rate: z.number().min(0).max(1),
  latencyMs: z.number().int().min(0).max(120_000).default(0),
  mode: z.enum(FAULT_MODES).default('before'),
  seed: z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 32 - 1)
    .optional(),
}) satisfies z.ZodType<FaultSettings, unknown>;

export const faultUpdateSchema = faultSettingsSchema.extend({
  replica: replicaNameSchema.optional(),
}) satisfies z.ZodType<FaultUpdate, unknown>;

export const newEventSchema = z.strictObject({
  id: eventIdSchema,
  name: z.string().min(1).max(200),
  venue: z.string().min(1).max(200),
  startsAt: z.iso.datetime({ offset: true }),
  priceCents: z.number().int().min(0).max(100_000_000),
  capacity: z.number().int().min(1).max(10_000_000),
}) satisfies z.ZodType<NewEvent, unknown>;

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
