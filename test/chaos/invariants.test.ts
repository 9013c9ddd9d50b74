import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInvariants, totalViolations } from '../../src/chaos/core/invariants.ts';
import { audit, purchase } from './support/records.ts';

describe('checkInvariants on crafted records and database states', () => {
  it('finds nothing when every confirmation is stored once and the ledger adds up', () => {
    const result = checkInvariants(audit(10, [{ id: 'o1', key: 'k1', quantity: 2 }]), [
      purchase({ key: 'k1', orderId: 'o1', quantity: 2 }),
      purchase({ key: 'k1', orderId: 'o1', quantity: 2, status: 200, replayed: true }),
      purchase({ key: 'k2', status: 409, errorCode: 'SOLD_OUT', eventId: 'other-gig' }),
    ]);
    assert.equal(totalViolations(result), 0);
    assert.deepEqual(result.examples, []);
  });

  it('reports an oversold event when orders hold more seats than its capacity', () => {
    const state = audit(2, [
      { id: 'o1', key: 'k1', quantity: 2 },
      { id: 'o2', key: 'k2', quantity: 1 },
    ]);
    const result = checkInvariants(state, []);
    assert.equal(result.oversold, 1);
    assert.match(result.examples[0]?.message ?? '', /3 seats ordered of 2/);
  });

  it('reports a ledger mismatch when capacity − available differs from the ordered seats', () => {
    const state = audit(10, [{ id: 'o1', key: 'k1', quantity: 2 }]);
    const event = state.events[0];
    assert.ok(event);
    event.available = 9;
    assert.equal(checkInvariants(state, []).quantityMismatch, 1);
  });

  it('reports two orders stored under one Idempotency-Key', () => {
    const state = audit(10, [
      { id: 'o1', key: 'k1' },
      { id: 'o2', key: 'k1' },
    ]);
    const result = checkInvariants(state, [purchase({ key: 'k1', orderId: 'o1' })]);
    assert.equal(result.duplicateKeys, 1);
    assert.equal(result.quantityMismatch, 0);
  });

  it('reports a key the client saw confirmed as two different orders', () => {
    const state = audit(10, [
      { id: 'o1', key: 'k1' },
      { id: 'o2', key: 'k9' },
    ]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', orderId: 'o1' }),
      purchase({ key: 'k1', orderId: 'o2', status: 200, replayed: true }),
    ]);
    assert.equal(result.duplicateKeys, 1);
  });

  it('reports a confirmed purchase that is missing from the database', () => {
    const result = checkInvariants(audit(10, []), [purchase({ key: 'k1', orderId: 'o1' })]);
    assert.equal(result.lostConfirmed, 1);
  });

  it('reports a confirmed purchase stored with another quantity or key', () => {
    const state = audit(10, [{ id: 'o1', key: 'someone-else', quantity: 1 }]);
    const result = checkInvariants(state, [purchase({ key: 'k1', orderId: 'o1', quantity: 1 })]);
    assert.equal(result.lostConfirmed, 1);
  });

  it('reports an order for a purchase the client saw rejected with a 4xx', () => {
    const state = audit(10, [{ id: 'o1', key: 'k1' }]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', status: 409, errorCode: 'SOLD_OUT' }),
    ]);
    assert.equal(result.orderedRejected, 1);
  });

  it('counts a purchase that failed for the user but committed, without calling it a violation', () => {
    const state = audit(10, [{ id: 'o1', key: 'k1' }]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', status: 503, errorCode: 'SERVICE_UNAVAILABLE' }),
      purchase({ key: 'k2', status: 0, errorCode: 'NETWORK' }),
    ]);
    assert.equal(totalViolations(result), 0);
    assert.equal(result.committedUnconfirmed, 1);
    assert.equal(result.notCommitted, 1);
  });

  // One key, one definite answer: a buyer told sold out must not later get an order
  // for the same key.
  it('reports a key answered sold out and then confirmed (outcomeChanged)', () => {
    const state = audit(10, [{ id: 'o1', key: 'k1' }]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', status: 409, errorCode: 'SOLD_OUT' }),
      purchase({ key: 'k1', orderId: 'o1' }),
    ]);
    assert.equal(result.outcomeChanged, 1);
    assert.ok(
      result.examples.some((v) => /k1 was answered 409 SOLD_OUT, then order o1/.test(v.message)),
    );
  });

  it('reports a key confirmed as two different orders, or answered 422 after a 201', () => {
    const state = audit(10, [
      { id: 'o1', key: 'k1' },
      { id: 'o3', key: 'k2' },
    ]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', orderId: 'o1' }),
      purchase({ key: 'k1', orderId: 'o2', status: 200, replayed: true }),
      purchase({ key: 'k2', orderId: 'o3' }),
      purchase({ key: 'k2', status: 422, errorCode: 'IDEMPOTENCY_KEY_REUSED' }),
    ]);
    assert.equal(result.outcomeChanged, 2);
  });

  it('does not count answers that are not definite as a change of outcome', () => {
    const state = audit(10, [{ id: 'o1', key: 'k1' }]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', status: 503, errorCode: 'SERVICE_UNAVAILABLE' }),
      purchase({ key: 'k1', status: 0, errorCode: 'NETWORK' }),
      purchase({ key: 'k1', status: 201, errorCode: 'BAD_BODY' }),
      purchase({ key: 'k1', orderId: 'o1' }),
      purchase({ key: 'k1', orderId: 'o1', status: 200, replayed: true }),
      purchase({ key: 'k2', status: 409, errorCode: 'SOLD_OUT', eventId: 'other-gig' }),
      purchase({
        key: 'k2',
        status: 409,
        errorCode: 'SOLD_OUT',
        eventId: 'other-gig',
        replayed: true,
      }),
    ]);
    assert.equal(result.outcomeChanged, 0);
    assert.equal(totalViolations(result), 0);
  });

  it('catches a false sold-out: a 409 for q seats on an event that still has ≥ q seats at the end', () => {
    const state = audit(10, [{ id: 'o1', key: 'k1', quantity: 2 }]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', orderId: 'o1', quantity: 2 }),
      purchase({ key: 'k2', status: 409, errorCode: 'SOLD_OUT', quantity: 4 }),
    ]);
    assert.equal(result.falseSoldOut, 1);
    assert.match(
      result.examples[0]?.message ?? '',
      /409 SOLD_OUT for 4 seats of gig, which still has 8/,
    );
  });

  it('accepts a sold-out for more seats than are left at the end (seats only go down)', () => {
    const state = audit(3, [{ id: 'o1', key: 'k1', quantity: 2 }]);
    const result = checkInvariants(state, [
      purchase({ key: 'k1', orderId: 'o1', quantity: 2 }),
      purchase({ key: 'k2', status: 409, errorCode: 'SOLD_OUT', quantity: 2 }),
    ]);
    assert.equal(result.falseSoldOut, 0);
    assert.equal(totalViolations(result), 0);
  });

  it('catches a 2xx without an order (a "pending" the web UI would not call confirmed)', () => {
    const result = checkInvariants(audit(10, []), [purchase({ key: 'k1', status: 202 })]);
    assert.equal(result.successWithoutOrder, 1);
    assert.equal(totalViolations(result), 1);
  });

  it('does not count a 2xx whose body never arrived whole as a success without an order', () => {
    const result = checkInvariants(audit(10, []), [
      purchase({ key: 'k1', status: 201, errorCode: 'BAD_BODY' }),
    ]);
    assert.equal(result.successWithoutOrder, 0);
  });
});
