import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/shared/errors.ts';
import { parseOrderRequest } from '../../src/shared/order-request.ts';

describe('order requests', () => {
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
