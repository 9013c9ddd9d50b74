import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable } from '../../src/logic/database.ts';

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
