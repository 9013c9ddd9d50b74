import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestOk } from '../../src/chaos/core/load/request-log.ts';
import type { RequestRecord } from '../../src/chaos/core/model.ts';

function record(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    seq: 1,
    scenario: 'test',
    phase: 'fault',
    buyer: 1,
    kind: 'purchase',
    operation: 1,
    attempt: 1,
    start: 0,
    end: 10,
    status: 201,
    errorCode: null,
    errorMessage: null,
    retryAfter: null,
    key: 'k-00000001',
    eventId: 'jazz-night',
    quantity: 1,
    orderId: 'o',
    servedBy: 'logic-1',
    servedBoot: 'boot-1',
    replayed: false,
    stale: false,
    ...overrides,
  };
}

describe('what counts as a request the user saw succeed', () => {
  it('is a whole 2xx, or a purchase told the event is sold out', () => {
    assert.equal(requestOk(record({})), true);
    assert.equal(requestOk(record({ status: 409, errorCode: 'SOLD_OUT' })), true);
    assert.equal(requestOk(record({ kind: 'catalog', status: 200 })), true);
  });

  it('is not a 2xx whose body was cut off, a 5xx, or no answer at all', () => {
    assert.equal(requestOk(record({ status: 201, errorCode: 'BAD_BODY' })), false);
    assert.equal(requestOk(record({ status: 503, errorCode: 'SERVICE_UNAVAILABLE' })), false);
    assert.equal(requestOk(record({ status: 0, errorCode: 'TIMEOUT' })), false);
    assert.equal(requestOk(record({ status: 422, errorCode: 'IDEMPOTENCY_KEY_REUSED' })), false);
  });
});
