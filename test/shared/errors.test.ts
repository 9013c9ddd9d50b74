import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, ERROR_CODES } from '../../src/shared/errors.ts';

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
