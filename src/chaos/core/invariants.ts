import type { Audit, AuditOrder } from '../../shared/admin-api.ts';
import type { InvariantResult, RequestRecord, Violation, ViolationKind } from './model.ts';

export type { InvariantResult, Violation, ViolationKind } from './model.ts';

const MAX_EXAMPLES = 20;

/**
 * Checks the business invariants against the raw database state (GET /admin/audit) and the
 * load generator's record of what clients saw. It trusts no schema promise: a duplicate key
 * is found by counting, not by assuming the unique index held.
 */
export function checkInvariants(audit: Audit, requests: readonly RequestRecord[]): InvariantResult {
  const found: Violation[] = [];
  const counts: Record<ViolationKind, number> = { ...EMPTY_INVARIANTS };
  const violate = (kind: ViolationKind, message: string) => {
    counts[kind]++;
    if (found.length < MAX_EXAMPLES) found.push({ kind, message });
  };

  checkLedgers(audit, violate);
  checkSoldOutAnswers(audit, requests, violate);

  const ordersByKey = groupBy(audit.orders, (o) => o.idempotencyKey);
  for (const [key, orders] of ordersByKey) {
    if (orders.length > 1) {
      violate('duplicateKeys', `key ${key} has ${orders.length} orders: ${ids(orders)}`);
    }
  }

  const ordersById = new Map(audit.orders.map((o) => [o.id, o]));
  const purchases = requests.filter((r) => r.kind === 'purchase' && r.key !== null);
  let committedUnconfirmed = 0;
  let notCommitted = 0;
  for (const [key, sent] of groupBy(purchases, (r) => r.key as string)) {
    checkClientView(key, sent, ordersByKey.get(key) ?? [], ordersById, violate);
    checkOutcomeKept(key, sent, violate);
    checkSuccessCarriesOrder(key, sent, violate);
    const confirmed = sent.some((r) => r.orderId !== null);
    const rejected = sent.some((r) => r.status >= 400 && r.status < 500);
    if (!confirmed && !rejected) {
      if ((ordersByKey.get(key) ?? []).length > 0) committedUnconfirmed++;
      else notCommitted++;
    }
  }

  return { ...counts, committedUnconfirmed, notCommitted, examples: found };
}

type Violate = (kind: ViolationKind, message: string) => void;

function checkLedgers(audit: Audit, violate: Violate): void {
  const ordered = new Map<string, number>();
  for (const o of audit.orders) ordered.set(o.eventId, (ordered.get(o.eventId) ?? 0) + o.quantity);
  for (const event of audit.events) {
    const sold = ordered.get(event.id) ?? 0;
    if (event.available < 0 || sold > event.capacity) {
      violate(
        'oversold',
        `event ${event.id}: ${sold} seats ordered of ${event.capacity} (available ${event.available})`,
      );
    }
    if (sold !== event.capacity - event.available || event.orderedQuantity !== sold) {
      violate(
        'quantityMismatch',
        `event ${event.id}: orders hold ${sold} seats but capacity − available = ${event.capacity - event.available}`,
      );
    }
  }
}

/** What one purchase key's client saw, against the orders stored under that key. */
function checkClientView(
  key: string,
  sent: readonly RequestRecord[],
  stored: readonly AuditOrder[],
  ordersById: ReadonlyMap<string, AuditOrder>,
  violate: Violate,
): void {
  const confirmedIds = new Set(sent.flatMap((r) => (r.orderId ? [r.orderId] : [])));
  for (const id of confirmedIds) {
    const order = ordersById.get(id);
    const first = sent.find((r) => r.orderId === id);
    if (
      !order ||
      order.idempotencyKey !== key ||
      order.eventId !== first?.eventId ||
      order.quantity !== first?.quantity
    ) {
      violate(
        'lostConfirmed',
        `order ${id} was confirmed for key ${key} but is not in the database as confirmed`,
      );
    }
  }
  if (confirmedIds.size > 1) {
    violate(
      'duplicateKeys',
      `key ${key} was confirmed as ${confirmedIds.size} different orders: ${[...confirmedIds].join(', ')}`,
    );
  }
  const rejection = sent.find((r) => r.status >= 400 && r.status < 500);
  if (rejection && stored.length > 0) {
    violate(
      'orderedRejected',
      `key ${key} was rejected with ${rejection.status} ${rejection.errorCode ?? ''} but has order ${ids(stored)}`,
    );
  }
}

/**
 * Seats are never given back during a scenario, so an event's seats only go down: a 409
 * SOLD_OUT for q seats on an event that still has at least q seats at the end was false when
 * it was given (catches a shop that answers "sold out" for its own failures).
 */
function checkSoldOutAnswers(
  audit: Audit,
  requests: readonly RequestRecord[],
  violate: Violate,
): void {
  const left = new Map(audit.events.map((e) => [e.id, e.available]));
  for (const r of requests) {
    if (r.kind !== 'purchase' || r.status !== 409 || r.errorCode !== 'SOLD_OUT') continue;
    const available = r.eventId === null ? undefined : left.get(r.eventId);
    if (available === undefined || r.quantity === null || available < r.quantity) continue;
    violate(
      'falseSoldOut',
      `key ${r.key}: 409 SOLD_OUT for ${r.quantity} seats of ${r.eventId}, which still has ${available} at the end`,
    );
  }
}

/**
 * A 2xx to a purchase tells the buyer it is done: it must confirm an order (the web UI's rule,
 * web/confirmation.js), and lostConfirmed then checks that order in the database. A 2xx
 * whose body never arrived whole (BAD_BODY) told the buyer nothing and is not counted.
 */
function checkSuccessCarriesOrder(
  key: string,
  sent: readonly RequestRecord[],
  violate: Violate,
): void {
  for (const r of sent) {
    if (r.status < 200 || r.status >= 300 || r.errorCode === 'BAD_BODY' || r.orderId !== null)
      continue;
    violate('successWithoutOrder', `key ${key} was answered ${r.status} without an order`);
  }
}

/**
 * The answer a request got, when it is definite: an order (2xx with its id), or a 4xx the
 * shop records under the key (sold out, unknown event, key reused, invalid). Anything else
 * (5xx, no answer, a body cut off) tells the client nothing and may be retried.
 */
export function definiteOutcome(r: RequestRecord): string | undefined {
  if (r.status >= 200 && r.status < 300) return r.orderId ? `order ${r.orderId}` : undefined;
  if (r.status === 409 && r.errorCode === 'SOLD_OUT') return '409 SOLD_OUT';
  if ([400, 404, 422].includes(r.status)) return `${r.status} ${r.errorCode ?? ''}`.trim();
  return undefined;
}

/** One key, one definite outcome: a replay must repeat the first answer, never change it. */
function checkOutcomeKept(key: string, sent: readonly RequestRecord[], violate: Violate): void {
  const outcomes = [...new Set(sent.flatMap((r) => definiteOutcome(r) ?? []))];
  if (outcomes.length > 1) {
    violate('outcomeChanged', `key ${key} was answered ${outcomes.join(', then ')}`);
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

const ids = (orders: readonly AuditOrder[]) => orders.map((o) => o.id).join(', ');

export const INVARIANT_KINDS: readonly ViolationKind[] = [
  'oversold',
  'quantityMismatch',
  'duplicateKeys',
  'lostConfirmed',
  'orderedRejected',
  'outcomeChanged',
  'falseSoldOut',
  'successWithoutOrder',
];

/** The result of a scenario that never got as far as checking invariants. */
export const EMPTY_INVARIANTS: Readonly<InvariantResult> = Object.freeze({
  oversold: 0,
  quantityMismatch: 0,
  duplicateKeys: 0,
  lostConfirmed: 0,
  orderedRejected: 0,
  outcomeChanged: 0,
  falseSoldOut: 0,
  successWithoutOrder: 0,
  committedUnconfirmed: 0,
  notCommitted: 0,
  examples: [],
});

export function totalViolations(result: InvariantResult): number {
  return INVARIANT_KINDS.reduce((sum, kind) => sum + result[kind], 0);
}
