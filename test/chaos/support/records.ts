// Crafted load-generator records and audits for the invariant checker's tests.

import type { RequestRecord } from '../../../src/chaos/core/model.ts';
import type { Audit } from '../../../src/shared/admin-api.ts';

let seq = 0;

/** One purchase request as the client saw it; fields not given are a plain 201. */
export function purchase(fields: Partial<RequestRecord> & { key: string }): RequestRecord {
  seq++;
  return {
    seq,
    scenario: 'crafted',
    phase: 'fault',
    buyer: 1,
    kind: 'purchase',
    operation: seq,
    attempt: 1,
    start: seq * 10,
    end: seq * 10 + 5,
    status: 201,
    errorCode: null,
    errorMessage: null,
    retryAfter: null,
    eventId: 'gig',
    quantity: 1,
    orderId: null,
    servedBy: 'logic-1',
    servedBoot: 'boot-1',
    replayed: false,
    stale: null,
    ...fields,
  };
}

/** A consistent audit: one event of `capacity` seats and the given orders. */
export function audit(
  capacity: number,
  orders: { id: string; key: string; quantity?: number; eventId?: string }[],
): Audit {
  const rows = orders.map((o) => ({
    id: o.id,
    idempotencyKey: o.key,
    eventId: o.eventId ?? 'gig',
    quantity: o.quantity ?? 1,
  }));
  const sold = rows.filter((o) => o.eventId === 'gig').reduce((n, o) => n + o.quantity, 0);
  return {
    events: [
      {
        id: 'gig',
        capacity,
        available: capacity - sold,
        orderedQuantity: sold,
        orderCount: rows.length,
      },
    ],
    orders: rows,
  };
}
