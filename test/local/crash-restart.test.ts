import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import psList from 'ps-list';
import { assertLedger, purchase, type Shop, startShop, stopShop } from '../support/shop-process.ts';
import { waitFor } from '../support/wait.ts';

// `npm start` as a user runs it, its services killed from outside as the system would (an
// out-of-memory kill is a SIGKILL nobody in the shop asked for). The deadlines of the waits
// below only bound a broken run; the time a recovery took is measured and printed.

/** Pids of the runner's children running `entry` (e.g. src/logic/main.ts). */
async function pidsOf(shop: Shop, entry: string): Promise<number[]> {
  return (await psList())
    .filter((p) => p.ppid === shop.child.pid && (p.cmd ?? '').split(' ').includes(entry))
    .map((p) => p.pid);
}

/** True once one purchase through the frontend is confirmed. */
async function purchaseSucceeds(shop: Shop): Promise<boolean> {
  return purchase(shop, 3_000).then(
    () => true,
    () => false,
  );
}

async function answers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
  await response?.body?.cancel();
  return response?.status === 200;
}

/** Seconds since `startedAt`, printed with the test's output. */
function report(t: TestContext, what: string, startedAt: number): void {
  t.diagnostic(`${what}: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

/** Which replica the runner says was killed (its line names it), after the kill of `pid`. */
async function killedReplica(shop: Shop, before: string): Promise<number> {
  let index = -1;
  await waitFor('the runner to name the replica that died', () => {
    const said = /(logic-(\d)) was killed; restarting it/.exec(shop.output().slice(before.length));
    index = said ? Number(said[2]) - 1 : -1;
    return index >= 0;
  });
  return index;
}

describe('npm start restarts a service that the system kills (embedded database)', () => {
  let dataDir: string;
  let shop: Shop;
  const confirmed: string[] = [];
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flame-crash-restart-'));
    shop = await startShop(dataDir);
    confirmed.push((await purchase(shop, 30_000)).id);
  });
  after(async () => {
    if (shop) await stopShop(shop);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('restarts the embedded database after a SIGKILL nobody asked for, saying why, and purchases succeed again', async (t) => {
    const [db] = await pidsOf(shop, 'src/local/embedded-db-main.ts');
    assert.ok(db, 'the runner started the embedded database');
    const killedAt = Date.now();
    process.kill(db, 'SIGKILL');
    await waitFor('purchases to succeed again', () => purchaseSucceeds(shop), {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    report(t, 'database SIGKILL → purchases succeed again', killedAt);
    const said = shop.output();
    assert.match(said, /db was killed; restarting it in 1 s/);
    assert.match(said, /why: signal SIGKILL, not asked for by the runner/);
    assert.match(said, /The embedded database restarted; orders are kept/);
    confirmed.push((await purchase(shop)).id);
    await assertLedger(shop, confirmed);
  });

  it('restarts a logic replica after a SIGKILL, saying why, and it serves again', async (t) => {
    const before = shop.output();
    const [replica] = await pidsOf(shop, 'src/logic/main.ts');
    assert.ok(replica);
    const killedAt = Date.now();
    process.kill(replica, 'SIGKILL');
    const index = await killedReplica(shop, before);
    await waitFor(
      'the killed replica to be ready again',
      () => answers(`${shop.logicUrls[index]}/readyz`),
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    report(t, `logic-${index + 1} SIGKILL → ready again`, killedAt);
    const said = shop.output().slice(before.length);
    assert.match(said, /why: signal SIGKILL, not asked for by the runner/);
    assert.match(said, /its last lines:/);
    confirmed.push((await purchase(shop)).id);
    await assertLedger(shop, confirmed);
  });

  it('restarts a replica again at once when it dies a second time while the runner waits for it to be ready', async (t) => {
    const before = shop.output();
    const [db] = await pidsOf(shop, 'src/local/embedded-db-main.ts');
    const oldReplicas = await pidsOf(shop, 'src/logic/main.ts');
    assert.ok(db && oldReplicas[0]);
    // A paused database keeps the restarted replica from becoming ready (it cannot migrate),
    // so the second kill lands while the runner waits for its /readyz.
    process.kill(db, 'SIGSTOP');
    let paused = true;
    t.after(() => {
      if (paused) process.kill(db, 'SIGCONT');
    });
    process.kill(oldReplicas[0], 'SIGKILL');
    const index = await killedReplica(shop, before);
    const url = shop.logicUrls[index] as string;
    let restarted: number | undefined;
    await waitFor('the restarted replica to listen (not yet ready)', async () => {
      const fresh = (await pidsOf(shop, 'src/logic/main.ts')).filter(
        (pid) => !oldReplicas.includes(pid),
      );
      restarted = fresh[0];
      return restarted !== undefined && (await answers(`${url}/healthz`));
    });
    const secondKillAt = Date.now();
    process.kill(restarted as number, 'SIGKILL');
    process.kill(db, 'SIGCONT');
    paused = false;
    await waitFor('the replica to be ready again', () => answers(`${url}/readyz`), {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    report(t, `second SIGKILL of logic-${index + 1} while starting → ready again`, secondKillAt);
    const said = shop.output().slice(before.length);
    assert.match(said, new RegExp(`logic-${index + 1} did not come back; restarting it in 2 s`));
    assert.match(said, /exited \(signal SIGKILL\) before it was ready/);
    assert.doesNotMatch(said, /was not ready at .* within/);
    confirmed.push((await purchase(shop)).id);
    await assertLedger(shop, confirmed);
  });
});
