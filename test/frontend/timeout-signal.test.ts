import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeoutSignal } from '../../src/frontend/timeout-signal.ts';

describe('timeoutSignal', () => {
  it('aborts with a TimeoutError when its time is up', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const limit = timeoutSignal(100);
    t.mock.timers.tick(99);
    assert.equal(limit.signal.aborted, false);
    t.mock.timers.tick(1);
    assert.equal(limit.signal.aborted, true);
    assert.equal((limit.signal.reason as DOMException).name, 'TimeoutError');
  });

  it('never aborts once released', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const parent = new AbortController();
    const limit = timeoutSignal(100, parent.signal);
    limit.release();
    t.mock.timers.tick(1000);
    parent.abort(new Error('late'));
    assert.equal(limit.signal.aborted, false);
  });

  it("follows its parent, with the parent's reason, also when the parent has already aborted", () => {
    const parent = new AbortController();
    const limit = timeoutSignal(10_000, parent.signal);
    const reason = new Error('deadline');
    parent.abort(reason);
    assert.equal(limit.signal.reason, reason);
    limit.release();

    const late = timeoutSignal(10_000, parent.signal);
    assert.equal(late.signal.aborted, true);
    assert.equal(late.signal.reason, reason);
    late.release();
  });
});
