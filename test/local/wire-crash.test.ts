import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  assertLedger,
  killShop,
  purchase,
  type Shop,
  startShop,
  stopShop,
} from '../support/shop-process.ts';
import { waitFor } from '../support/wait.ts';

describe('the embedded database after a kill -9 of the whole shop', () => {
  let dataDir: string;
  const shops: Shop[] = [];
  after(async () => {
    for (const shop of shops) await stopShop(shop).catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('loses no order it confirmed during a burst of purchases', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flame-crash-'));
    const shop = await startShop(dataDir);
    shops.push(shop);
    const confirmed: string[] = [];
    let killed = false;
    // Six buyers in a loop; a buyer's request cut off by the kill is simply not confirmed.
    const buyers = Array.from({ length: 6 }, async () => {
      while (!killed) {
        const order = await purchase(shop, 10_000).catch(() => undefined);
        if (order) confirmed.push(order.id);
      }
    });
    try {
      await waitFor('20 confirmed purchases', () => confirmed.length >= 20, { timeoutMs: 60_000 });
      await killShop(shop);
    } finally {
      killed = true;
      await Promise.all(buyers);
    }
    process.stdout.write(`# confirmed before kill -9: ${confirmed.length}\n`);

    const again = await startShop(dataDir);
    shops.push(again);
    await assertLedger(again, confirmed);
    assert.ok(confirmed.length >= 20);
  });
});
