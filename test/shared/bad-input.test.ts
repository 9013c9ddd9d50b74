import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../support/database.ts';
import { type ErrorBody, newKey, request } from '../support/http.ts';
import {
  ADMIN_TOKEN,
  type RunningFrontend,
  type RunningLogic,
  startFrontend,
  startLogic,
} from '../support/servers.ts';

const db = await createTestDatabase();

interface BadRequest {
  name: string;
  method?: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const validKey = () => ({ 'idempotency-key': newKey() });
const json = { 'content-type': 'application/json' };

/** The order-body cases both services must refuse the same way. */
function orderCases(path: string): BadRequest[] {
  const order = (
    name: string,
    body: unknown,
    status = 400,
    code = 'INVALID_REQUEST',
  ): BadRequest => ({
    name,
    method: 'POST',
    path,
    body,
    headers: validKey(),
    status,
    code,
  });
  return [
    {
      name: 'malformed JSON',
      method: 'POST',
      path,
      rawBody: '{"eventId": "jazz-night",',
      headers: { ...json, ...validKey() },
      status: 400,
      code: 'INVALID_REQUEST',
    },
    {
      name: 'a body that is not JSON at all',
      method: 'POST',
      path,
      rawBody: 'eventId=jazz-night&quantity=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...validKey() },
      status: 400,
      code: 'INVALID_REQUEST',
    },
    {
      name: 'no body',
      method: 'POST',
      path,
      headers: validKey(),
      status: 400,
      code: 'INVALID_REQUEST',
    },
    order('a JSON array', [{ eventId: 'jazz-night', quantity: 1 }]),
    order('JSON null', null),
    order('a JSON string', 'jazz-night'),
    order('a missing eventId', { quantity: 1 }),
    order('a missing quantity', { eventId: 'jazz-night' }),
    order('quantity as a string', { eventId: 'jazz-night', quantity: '1' }),
    order('eventId as a number', { eventId: 7, quantity: 1 }),
    order('zero quantity', { eventId: 'jazz-night', quantity: 0 }),
    order('negative quantity', { eventId: 'jazz-night', quantity: -2 }),
    order('fractional quantity', { eventId: 'jazz-night', quantity: 1.5 }),
    order('huge quantity', { eventId: 'jazz-night', quantity: 1e12 }),
    order('an invalid email', { eventId: 'jazz-night', quantity: 1, email: 'not-an-email' }),
    order('an unknown field', { eventId: 'jazz-night', quantity: 1, price: 0 }),
    order('an eventId with SQL in it', { eventId: "x'; DROP TABLE orders; --", quantity: 1 }),
    order('an unknown event', { eventId: 'no-such-event', quantity: 1 }, 404, 'NOT_FOUND'),
    {
      name: 'an oversized body',
      method: 'POST',
      path,
      body: { eventId: 'jazz-night', quantity: 1, email: `${'a'.repeat(40_000)}@example.com` },
      headers: validKey(),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'an invalid Idempotency-Key',
      method: 'POST',
      path,
      body: { eventId: 'jazz-night', quantity: 1 },
      headers: { 'idempotency-key': 'short' },
      status: 400,
      code: 'INVALID_REQUEST',
    },
  ];
}

describe(`bad input on the ${db.engine} database`, () => {
  let logic: RunningLogic;
  let frontend: RunningFrontend;

  before(async () => {
    logic = await startLogic({ databaseUrl: db.url });
    frontend = await startFrontend({ logicUrls: [logic.url] });
  });
  after(async () => {
    await frontend.close();
    await logic.close();
    await db.drop();
  });

  async function snapshot() {
    const { rows } = await logic.pool.query(
      'SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT sum(available) FROM events)::int AS seats',
    );
    return rows[0];
  }

  const services = [
    {
      name: 'frontend',
      url: () => frontend.url,
      cases: [
        ...orderCases('/api/orders'),
        { name: 'an unknown API route', path: '/api/nope', status: 404, code: 'NOT_FOUND' },
        {
          name: 'a wrong method',
          method: 'DELETE',
          path: '/api/events',
          status: 404,
          code: 'NOT_FOUND',
        },
        { name: 'an unknown page', path: '/does-not-exist.html', status: 404, code: 'NOT_FOUND' },
        {
          name: 'a path with broken percent-encoding',
          path: '/api/orders/%E0%A4%A',
          status: 400,
          code: 'INVALID_REQUEST',
        },
        {
          name: 'an order id that is not a UUID',
          path: '/api/orders/abc',
          status: 404,
          code: 'NOT_FOUND',
        },
      ] satisfies BadRequest[],
    },
    {
      name: 'logic',
      url: () => logic.url,
      cases: [
        ...orderCases('/orders'),
        {
          name: 'a missing Idempotency-Key',
          method: 'POST',
          path: '/orders',
          body: { eventId: 'jazz-night', quantity: 1 },
          status: 400,
          code: 'INVALID_REQUEST',
        },
        { name: 'an unknown route', path: '/nope', status: 404, code: 'NOT_FOUND' },
        {
          name: 'an event id with broken percent-encoding',
          path: '/events/%E0%A4%A',
          status: 400,
          code: 'INVALID_REQUEST',
        },
        {
          name: 'an event id with odd characters',
          path: '/events/%00%27',
          status: 404,
          code: 'NOT_FOUND',
        },
        {
          name: 'an order lookup without a key',
          path: '/orders',
          status: 400,
          code: 'INVALID_REQUEST',
        },
        { name: 'admin without a token', path: '/admin/faults', status: 401, code: 'UNAUTHORIZED' },
        {
          name: 'admin with a wrong token',
          path: '/admin/faults',
          headers: { authorization: 'Bearer wrong-token-wrong-token' },
          status: 401,
          code: 'UNAUTHORIZED',
        },
        {
          name: 'fault settings out of range',
          method: 'PUT',
          path: '/admin/faults',
          body: { rate: 2, mode: 'sometimes' },
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          status: 400,
          code: 'INVALID_REQUEST',
        },
      ] satisfies BadRequest[],
    },
  ];

  const send = (url: string, bad: BadRequest) =>
    request<ErrorBody>(`${url}${bad.path}`, {
      method: bad.method ?? 'GET',
      ...(bad.body === undefined ? {} : { body: bad.body }),
      ...(bad.rawBody === undefined ? {} : { rawBody: bad.rawBody }),
      headers: bad.headers ?? {},
    });

  for (const service of services) {
    describe(service.name, () => {
      for (const bad of service.cases) {
        it(`answers ${bad.status} ${bad.code} to ${bad.name}, and writes nothing`, async () => {
          const before = await snapshot();
          const res = await send(service.url(), bad);
          assert.equal(res.status, bad.status, JSON.stringify(res.body));
          assert.equal(res.body.error.code, bad.code);
          assert.equal(typeof res.body.error.message, 'string');
          assert.ok(!JSON.stringify(res.body).includes('    at '), 'no stack trace leaks');
          assert.deepEqual(await snapshot(), before);
        });
      }
    });
  }

  it('keeps serving after all of that', async () => {
    // All of it here, at once: the cases above may have run in any order, or not at all.
    for (const service of services) {
      const answers = await Promise.all(service.cases.map((bad) => send(service.url(), bad)));
      assert.deepEqual(
        answers.map((res) => res.status),
        service.cases.map((bad) => bad.status),
      );
    }
    const res = await request(`${frontend.url}/api/orders`, {
      method: 'POST',
      body: { eventId: 'jazz-night', quantity: 1 },
      headers: validKey(),
    });
    assert.equal(res.status, 201);
  });
});
