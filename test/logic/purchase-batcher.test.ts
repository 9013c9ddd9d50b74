import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BatchWork, PurchaseBatcher } from '../../src/logic/purchase-batcher.ts';

/** Work whose single purchases of `stuck` never end on their own, as a commit that hangs. */
function recordingWork(stuck: string) {
  const batches: string[][] = [];
  let unstick: (value: string) => void = () => undefined;
  const work: BatchWork<string, string> = {
    together: async (_group, items) => {
      batches.push([...items]);
      return items.map((item) => ({ status: 'fulfilled', value: `batch:${item}` }) as const);
    },
    alone: (item) => {
      if (item !== stuck) return Promise.resolve(`alone:${item}`);
      return new Promise<string>((resolve) => {
        unstick = resolve;
      });
    },
    retryAlone: () => true,
  };
  return { work, batches, release: () => unstick(`alone:${stuck}`) };
}

/** Lets every pending promise callback run (the mocked clock does not move). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PurchaseBatcher', () => {
  it('sends a purchase stuck in the queue alone after maxWaitMs, not after the stuck batch', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { work, release } = recordingWork('a');
    const batcher = new PurchaseBatcher(work, { maxBatch: 3, maxInFlight: 1, maxWaitMs: 500 });
    const first = batcher.submit('event', 'a');
    const answers: string[] = [];
    const queued = ['b', 'c'].map((item) =>
      batcher.submit('event', item).then((answer) => answers.push(answer)),
    );
    t.mock.timers.tick(499);
    await settle();
    assert.deepEqual(answers, [], 'still waiting for their turn');
    t.mock.timers.tick(1);
    await Promise.all(queued);
    assert.deepEqual(answers, ['alone:b', 'alone:c']);
    release();
    assert.equal(await first, 'alone:a');
  });

  it('gathers the purchases that waited into batches of at most maxBatch, in arrival order', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { work, batches, release } = recordingWork('a');
    const batcher = new PurchaseBatcher(work, { maxBatch: 3, maxInFlight: 1, maxWaitMs: 500 });
    const first = batcher.submit('event', 'a');
    const rest = ['b', 'c', 'd', 'e'].map((item) => batcher.submit('event', item));
    release();
    assert.equal(await first, 'alone:a');
    assert.deepEqual(await Promise.all(rest), ['batch:b', 'batch:c', 'batch:d', 'alone:e']);
    assert.deepEqual(batches, [['b', 'c', 'd']]);
  });
});
