import { z } from 'zod';
import { AppError } from './errors.ts';

export const MAX_TICKETS_PER_ORDER = 10;

export const eventIdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be an event id such as "jazz-night"');

export const orderRequestSchema = z.strictObject(
  {
    eventId: eventIdSchema,
    quantity: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_TICKETS_PER_ORDER, `must be at most ${MAX_TICKETS_PER_ORDER}`),
    email: z.email('must be an email address').max(254).optional(),
  },
  { error: 'must be a JSON object with eventId, quantity and optionally email' },
);

export type OrderRequest = z.infer<typeof orderRequestSchema>;

/** Printable ASCII, so keys survive logs and headers; long enough for a UUID or a ULID. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{8,128}$/, 'must be 8-128 printable ASCII characters');

/** Turns zod issues into details a client can show next to each field. */
export function invalidRequest(error: z.ZodError, message = 'The request is not valid.'): AppError {
  return new AppError('INVALID_REQUEST', message, {
    details: error.issues.map((issue) => ({
      field: issue.path.join('.') || '(body)',
      problem: issue.message,
    })),
  });
}

export function parseOrderRequest(body: unknown): OrderRequest {
  const result = orderRequestSchema.safeParse(body);
  if (!result.success) throw invalidRequest(result.error);
  return result.data;
}

/** What a client must do, said in every refusal of a missing or bad key. */
export const HOW_TO_SEND_A_KEY =
  'Send an Idempotency-Key header with a new random value (a UUID, say) for each purchase ' +
  'attempt, and the same value again when you retry that attempt.';

export function parseIdempotencyKey(value: unknown): string {
  if (value === undefined || value === '') {
    throw new AppError(
      'INVALID_REQUEST',
      `The Idempotency-Key header is missing. ${HOW_TO_SEND_A_KEY}`,
      {
        details: [{ field: 'Idempotency-Key', problem: 'is required' }],
      },
    );
  }
  const result = idempotencyKeySchema.safeParse(value);
  if (!result.success) {
    throw new AppError(
      'INVALID_REQUEST',
      `The Idempotency-Key header is not valid. ${HOW_TO_SEND_A_KEY}`,
      {
        details: [{ field: 'Idempotency-Key', problem: result.error.issues[0]?.message }],
      },
    );
  }
  return result.data;
}
