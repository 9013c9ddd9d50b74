// The checker against a real database through the logic service's GET /admin/audit: rows
// written straight into the tables, past the constraints that would normally stop them, are
// still found. Runs on the embedded engine, or on the PostgreSQL that DATABASE_URL names.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { checkInvariants } from '../../src/chaos/core/invariants.ts';
import { createStockEvents } from '../../src/chaos/stock.ts';
import { AdminApiError, AdminClient } from '../../src/shared/admin-client.ts';
import { createTestDatabase } from '../support/database.ts';
import { ADMIN_TOKEN, type RunningLogic, startLogic } from '../support/servers.ts';
import { purchase } from './support/records.ts';

describe('checkInvariants on a scratch database read through /admin/audit', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let logic: RunningLogic;
  let sql: pg.Client;
  const admin = () => new AdminClient(logic.url, ADMIN_TOKEN);

  // A database of its own for each test: each forges damage (a dropped constraint, rows
  // changed behind the service's back) that the audit of any later test would find too.
  beforeEach(async () => {
    database = await createTestDatabase();
    logic = await startLogic({ databaseUrl: database.url });
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  });
  afterEach(async () => {
    await sql.end();
    await logic.close();
    await database.drop();
  });

  async function buy(key: string, eventId: string): Promise<string> {
    const response = await fetch(`${logic.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ eventId, quantity: 1 }),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { order: { id: string } }).order.id;
  }

  it('finds no violation in what the service itself wrote', async () => {
    const key = `clean-${randomUUID()}`;
    const orderId = await buy(key, 'rust-conf');
    const result = checkInvariants(await admin().getAudit(), [
      purchase({ key, orderId, eventId: 'rust-conf' }),
    ]);
    assert.deepEqual(result.examples, []);
  });

  it('reports a duplicate order inserted after the unique constraint was dropped', async () => {
    const key = `dup-${randomUUID()}`;
    const orderId = await buy(key, 'chamber-quartet');
    await sql.query('ALTER TABLE orders DROP CONSTRAINT orders_idempotency_key_unique');
    // The seats are taken too, so only the duplicate is wrong: the ledger still adds up.
    await sql.query(
      `INSERT INTO orders (id, idempotency_key, request_hash, event_id, quantity, served_by)
       VALUES ($1, $2, 'forged', 'chamber-quartet', 1, 'sql')`,
      [randomUUID(), key],
    );
    await sql.query(`UPDATE events SET available = available - 1 WHERE id = 'chamber-quartet'`);

    const result = checkInvariants(await admin().getAudit(), [
      purchase({ key, orderId, eventId: 'chamber-quartet' }),
    ]);
    assert.equal(result.duplicateKeys, 1);
    assert.equal(result.quantityMismatch, 0);
    assert.match(result.examples[0]?.message ?? '', new RegExp(`key ${key} has 2 orders`));
  });

  it('reports an oversold event written past the CHECK constraint', async () => {
    await sql.query('ALTER TABLE events DROP CONSTRAINT available_within_capacity');
    await sql.query(`UPDATE events SET available = -3 WHERE id = 'comedy-club'`);
    const result = checkInvariants(await admin().getAudit(), []);
    assert.equal(result.oversold, 1);
    assert.equal(result.quantityMismatch, 1);
  });

  it('reports a confirmed order that was deleted behind the service’s back', async () => {
    const key = `gone-${randomUUID()}`;
    const orderId = await buy(key, 'rust-conf');
    // The key's recorded outcome points at the order: forge its loss with the key row too.
    await sql.query('DELETE FROM idempotency_keys WHERE order_id = $1', [orderId]);
    await sql.query('DELETE FROM orders WHERE id = $1', [orderId]);
    const result = checkInvariants(await admin().getAudit(), [
      purchase({ key, orderId, eventId: 'rust-conf' }),
    ]);
    assert.equal(result.lostConfirmed, 1);
  });

  it("creates a scenario's events once however often the call is retried, checked by the audit, not the error's wording", async () => {
    const event = {
      id: `retried-${randomUUID().slice(0, 8)}`,
      name: 'Retried',
      venue: 'Chaos stock',
      startsAt: '2030-01-01T20:00:00Z',
      priceCents: 100,
      capacity: 7,
    };
    await createStockEvents(admin(), [event]);
    await createStockEvents(admin(), [event]);
    const audit = await admin().getAudit([event.id]);
    assert.deepEqual(
      audit.events.map((e) => [e.id, e.capacity]),
      [[event.id, 7]],
    );
    // The same id with another capacity is not our own earlier try: the 400 stands.
    await assert.rejects(
      createStockEvents(admin(), [{ ...event, capacity: 8 }]),
      (error) => error instanceof AdminApiError && error.status === 400,
    );
  });
});
