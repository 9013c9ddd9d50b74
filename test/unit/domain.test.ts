import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicaRing } from '../../src/frontend/replica-ring.ts';
import { isDatabaseUnavailable } from '../../src/logic/database.ts';
import { FaultInjector } from '../../src/logic/faults.ts';
import { hashOrderRequest } from '../../src/logic/orders.ts';
import { AppError, ERROR_CODES } from '../../src/shared/errors.ts';
import { parseOrderRequest } from '../../src/shared/order-request.ts';

describe('error registry', () => {
  it('pins every code to its status (codes are a contract: never rename or reuse one)', () => {
    const statuses = Object.fromEntries(
      Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]),
    );
    assert.deepEqual(statuses, {
      INVALID_REQUEST: 400,
      UNAUTHORIZED: 401,
      NOT_FOUND: 404,
      SOLD_OUT: 409,
      IDEMPOTENCY_KEY_REUSED: 422,
      PAYLOAD_TOO_LARGE: 413,
      HEADERS_TOO_LARGE: 431,
      INTERNAL: 500,
      INJECTED_FAULT: 500,
      SERVICE_UNAVAILABLE: 503,
    });
  });

  it('turns an AppError into the public error body', () => {
    const error = new AppError('SOLD_OUT', 'Only 2 left.', { details: { available: 2 } });
    assert.deepEqual(error.toBody(), {
      error: { code: 'SOLD_OUT', message: 'Only 2 left.', details: { available: 2 } },
    });
    assert.equal(error.status, 409);
  });
});

describe('order requests', () => {
  it('hashes the same request the same way whatever the key order', () => {
    const a = parseOrderRequest(JSON.parse('{"eventId":"x","quantity":2,"email":"a@b.io"}'));
    const b = parseOrderRequest(JSON.parse('{"email":"a@b.io","quantity":2,"eventId":"x"}'));
    assert.equal(hashOrderRequest(a), hashOrderRequest(b));
    assert.notEqual(hashOrderRequest(a), hashOrderRequest({ ...a, quantity: 3 }));
  });

  it('explains each bad field', () => {
    try {
      parseOrderRequest({ eventId: 'BAD ID', quantity: 0 });
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'INVALID_REQUEST');
      const fields = (error.details as { field: string }[]).map((d) => d.field).sort();
      assert.deepEqual(fields, ['eventId', 'quantity']);
    }
  });
});

describe('FaultInjector', () => {
  it('hits the same requests for the same seed', () => {
    const draw = () => {
      const faults = new FaultInjector({ rate: 0.3, latencyMs: 0, mode: 'before', seed: 42 });
      return Array.from({ length: 50 }, () => faults.decide().hit);
    };
    assert.deepEqual(draw(), draw());
  });

  it('hits about the configured share of requests', () => {
    const faults = new FaultInjector({ rate: 0.2, latencyMs: 100, mode: 'delay', seed: 7 });
    const decisions = Array.from({ length: 5000 }, () => faults.decide());
    const hits = decisions.filter((d) => d.hit);
    assert.ok(hits.length > 850 && hits.length < 1150, `${hits.length} hits`);
    assert.ok(hits.every((d) => d.latencyMs === 100 && d.mode === 'delay'));
    assert.ok(decisions.filter((d) => !d.hit).every((d) => d.latencyMs === 0));
  });

  it('never hits with rate 0', () => {
    const faults = new FaultInjector();
    assert.ok(Array.from({ length: 1000 }, () => faults.decide()).every((d) => !d.hit));
  });
});

describe('ReplicaRing', () => {
  it('goes round the replicas and skips the one a retry failed on', () => {
    const ring = new ReplicaRing(['a', 'b', 'c']);
    assert.deepEqual([ring.pick(), ring.pick(), ring.pick(), ring.pick()], ['a', 'b', 'c', 'a']);
    assert.equal(ring.pick('b'), 'c');
    assert.notEqual(ring.pick('a'), 'a');
  });

  it('uses the only replica there is', () => {
    const ring = new ReplicaRing(['only']);
    assert.equal(ring.pick('only'), 'only');
  });
});

describe('isDatabaseUnavailable', () => {
  it('recognises connection failures but not SQL errors', () => {
    assert.equal(
      isDatabaseUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })),
      true,
    );
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('admin'), { code: '57P01' })), true);
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('dup'), { code: '23505' })), false);
    assert.equal(isDatabaseUnavailable('nope'), false);
  });
});
