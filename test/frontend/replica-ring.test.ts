import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicaRing } from '../../src/frontend/replica-ring.ts';

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
