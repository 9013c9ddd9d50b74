import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FaultsAnswer } from '../../src/shared/admin-api.ts';
import { createTestDatabase } from '../support/database.ts';
import { request } from '../support/http.ts';
import { ADMIN_TOKEN, type RunningLogic, startLogic } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

const db = await createTestDatabase();
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** What the console and the chaos runner rely on: one PUT, through any replica, reaches all. */
describe(`fault settings kept in the ${db.engine} database`, () => {
  let a: RunningLogic;
  let b: RunningLogic;
  const crashes: string[] = [];

  before(async () => {
    a = await startLogic({ databaseUrl: db.url, replica: 'logic-a' });
    b = await startLogic({
      databaseUrl: db.url,
      replica: 'logic-b',
      crash: () => crashes.push('logic-b'),
    });
  });
  after(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  const put = (through: RunningLogic, body: unknown) =>
    request<FaultsAnswer>(`${through.url}/admin/faults`, { method: 'PUT', body, headers: auth });
  const get = async (of: RunningLogic) =>
    (await request<FaultsAnswer>(`${of.url}/admin/faults`, { headers: auth })).body;

  it('applies settings made through one replica on the other within 2 s', async () => {
    const set = await put(a, { rate: 0.25, latencyMs: 0, mode: 'before', seed: 11 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.faults, { rate: 0.25, latencyMs: 0, mode: 'before', seed: 11 });
    const madeAt = Date.now();
    await waitFor('logic-b to apply the setting made through logic-a', async () => {
      const seen = await get(b);
      return seen.faults.rate === 0.25 && seen.source === 'all';
    });
    const tookMs = Date.now() - madeAt;
    assert.ok(tookMs <= 2000, `logic-b applied it after ${tookMs} ms`);
    assert.equal(b.faults.settings.rate, 0.25, 'the injector itself uses it');
  });

  it('sets one named replica alone, and a setting for all replaces it', async () => {
    const one = await put(b, { rate: 1, latencyMs: 0, mode: 'after-commit', replica: 'logic-a' });
    assert.equal(one.status, 200);
    assert.equal(one.body.replica, 'logic-b');
    await waitFor('logic-a to apply its own row', async () => (await get(a)).source === 'replica');
    assert.equal(a.faults.settings.mode, 'after-commit');
    assert.equal((await get(b)).faults.mode, 'before', 'logic-b keeps the setting for all');

    await put(b, { rate: 0, latencyMs: 0, mode: 'before' });
    await waitFor('logic-a to go back to the setting for all', async () => {
      const seen = await get(a);
      return seen.source === 'all' && seen.faults.rate === 0;
    });
  });

  it('refuses a replica name that no pod could have, and changes nothing', async () => {
    const before = await get(a);
    const bad = await put(a, { rate: 1, latencyMs: 0, mode: 'before', replica: 'Not A Pod!' });
    assert.equal(bad.status, 400);
    assert.equal(
      (bad.body as unknown as { error: { code: string } }).error.code,
      'INVALID_REQUEST',
    );
    assert.deepEqual(await get(a), before);
  });

  it('answers POST /admin/crash with 202 naming the replica, then crashes it', async () => {
    const res = await request<{ crashing: string }>(`${b.url}/admin/crash`, {
      method: 'POST',
      headers: auth,
    });
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { crashing: 'logic-b' });
    await waitFor('the crash to follow the answer', () => crashes.length === 1);
    const noCrashRoute = await request(`${a.url}/admin/crash`, { method: 'POST', headers: auth });
    assert.equal(noCrashRoute.status, 404);
    const noToken = await request(`${b.url}/admin/crash`, { method: 'POST' });
    assert.equal(noToken.status, 401);
    assert.equal(crashes.length, 1);
  });
});
