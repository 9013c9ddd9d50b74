import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, raceSkip } from '../support/database.ts';
import { createTestEvent } from '../support/events.ts';
import { type ErrorBody, newKey, type OrderBody, request } from '../support/http.ts';
import { type RunningLogic, startLogic } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

const db = await createTestDatabase();
/** Set on the embedded engine, where the two requests cannot overlap: the suite is skipped. */
const cannotRace = raceSkip(db);
after(() => db.drop());

/**
 * Races two requests under one key, and makes sure they really overlap: the test holds the
 * event's row lock in a transaction of its own, sends both requests, waits until both are
 * stuck behind it, and only then lets go. On PostgreSQL both statements then run at once and
 * meet at the key's unique index. On the embedded engine (one Postgres session, taken in turn)
 * they could only run one after the other, so the suite is skipped there, saying why.
 */
describe(`one key raced by two requests on the ${db.engine} database`, { skip: cannotRace }, () => {
  let logic: RunningLogic;
  let observer: pg.Client | undefined;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url, replica: 'logic-race' });
    observer = new pg.Client({ connectionString: db.url });
    await observer.connect();
  });
  after(async () => {
    await observer?.end();
    await logic.close();
  });

  const createEvent = (capacity: number) =>
    createTestEvent(logic.pool, { capacity, prefix: 'race', name: 'Race' });

  function order(body: { eventId: string; quantity: number; email?: string }, key: string) {
    return request<OrderBody & ErrorBody>(`${logic.url}/orders`, {
      method: 'POST',
      body,
      headers: { 'idempotency-key': key },
    });
  }

  /** Both order statements are waiting behind the test's lock: the overlap is real. */
  async function bothWaiting(): Promise<void> {
    const client = observer;
    if (!client) throw new Error('no observer connection');
    await waitFor('both order statements to wait for the row lock', async () => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'flame-logic'
            AND wait_event_type = 'Lock'`,
      );
      return rows[0]?.n === 2;
    });
  }

  async function race(
    eventId: string,
    bodies: [Parameters<typeof order>[0], Parameters<typeof order>[0]],
  ) {
    const key = newKey();
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE', [eventId]);
      const answers = Promise.all(bodies.map((body) => order(body, key)));
      await bothWaiting();
      await holder.query('COMMIT');
      return { key, answers: await answers };
    } finally {
      await holder.end();
    }
  }

  async function ordersFor(key: string): Promise<{ quantity: number }[]> {
    const { rows } = await logic.pool.query(
      'SELECT quantity FROM orders WHERE idempotency_key = $1',
      [key],
    );
    return rows;
  }

  it('gives a different body 422 — never a 409 or a second order — when two bodies race for the last seat', async () => {
    for (let trial = 0; trial < 4; trial++) {
      const eventId = await createEvent(1);
      const { key, answers } = await race(eventId, [
        { eventId, quantity: 1, email: 'first@example.com' },
        { eventId, quantity: 2, email: 'second@example.com' },
      ]);
      const statuses = answers.map((a) => a.status);
      // Whoever ran first decided the key's outcome: the one seat (201) or not enough (409).
      const winner = statuses[0] === 422 ? 1 : 0;
      assert.equal(statuses[1 - winner], 422, `trial ${trial}: ${statuses}`);
      assert.ok(
        winner === 0 ? statuses[0] === 201 : statuses[1] === 409,
        `trial ${trial}: ${statuses}`,
      );
      const stored = await ordersFor(key);
      assert.equal(stored.length, winner === 0 ? 1 : 0);
      const { rows } = await logic.pool.query('SELECT available FROM events WHERE id = $1', [
        eventId,
      ]);
      assert.equal(rows[0].available, winner === 0 ? 0 : 1, 'seats match the one outcome');
    }
  });

  it('gives the same body the one order, replayed, when it races with itself', async () => {
    const eventId = await createEvent(5);
    const body = { eventId, quantity: 2 };
    const { key, answers } = await race(eventId, [body, body]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [201, 201],
    );
    assert.equal(answers[0]?.body.order.id, answers[1]?.body.order.id);
    const replays = answers.filter((a) => a.headers.get('idempotent-replayed') === 'true');
    assert.equal(replays.length, 1, 'exactly one of the two was answered from the record');
    assert.equal((await ordersFor(key)).length, 1);
  });
});
