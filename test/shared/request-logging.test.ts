import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { completionLevel, requestLogging } from '../../src/shared/http.ts';
import { listen } from '../../src/shared/listen.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { LogCapture } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

describe('completionLevel', () => {
  it('puts failures at error, writes and refusals at info, good reads at debug', () => {
    assert.equal(completionLevel('GET', 200), 'debug');
    assert.equal(completionLevel('HEAD', 304), 'debug');
    assert.equal(completionLevel('GET', 404), 'info');
    assert.equal(completionLevel('POST', 201), 'info');
    assert.equal(completionLevel('POST', 409), 'info');
    assert.equal(completionLevel('POST', 503), 'error');
    assert.equal(completionLevel('GET', 500), 'error');
  });
});

describe('requestLogging (a real Express app on a real port)', () => {
  const logs = new LogCapture();
  let reachedHang: () => void = () => undefined;
  const hangReached = new Promise<void>((resolve) => {
    reachedHang = resolve;
  });
  let server: Server;
  let base: string;
  before(async () => {
    const app = express();
    app.use(
      requestLogging(
        createLogger({
          service: 'frontend',
          replica: 't',
          destination: logs.stream,
          level: 'debug',
        }),
      ),
    );
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    app.get('/things', (req, res) => {
      req.log.info('handler line');
      res.json({ ok: true });
    });
    app.post('/things', (_req, res) => void res.status(201).json({ ok: true }));
    // Never answers; tells the test it has the request, so the client can give up on it.
    app.post('/hang', () => reachedHang());
    const bound = await listen(app, 0, '127.0.0.1');
    server = bound.server;
    base = `http://127.0.0.1:${bound.port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const linesFor = (reqId: string) => logs.records.filter((r) => r.reqId === reqId);
  /** The completion line is written when the response closes, just after the client has it. */
  async function completed(reqId: string): Promise<Record<string, unknown>[]> {
    await waitFor(`the completion line of ${reqId}`, () =>
      linesFor(reqId).some((l) => String(l.msg).startsWith('request ')),
    );
    return linesFor(reqId);
  }

  it('keeps a sane x-request-id, tags every line with it, and logs one completion line', async () => {
    const res = await fetch(`${base}/things?x=1`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(res.headers.get('x-request-id'), 'abc-123');
    const lines = await completed('abc-123');
    assert.deepEqual(
      lines.map((l) => [l.msg, l.level]),
      [
        ['handler line', 'info'],
        ['request completed', 'debug'],
      ],
    );
    assert.deepEqual(lines[1]?.req, { method: 'GET', url: '/things?x=1' });
    assert.deepEqual(lines[1]?.res, { statusCode: 200 });
    assert.equal(typeof lines[1]?.responseTime, 'number');
  });

  it('replaces an unsafe request id with a new UUID', async () => {
    const res = await fetch(`${base}/things`, { headers: { 'x-request-id': 'a b<script>' } });
    const id = res.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal((await completed(id)).length, 2);
  });

  it('logs writes at info and does not log probes', async () => {
    const probe = await fetch(`${base}/healthz`);
    const write = await fetch(`${base}/things`, { method: 'POST' });
    // The probe closed before the write was even sent: had it a line, it would be there now.
    assert.deepEqual(
      (await completed(write.headers.get('x-request-id') ?? '')).map((l) => [l.msg, l.level]),
      [['request completed', 'info']],
    );
    assert.deepEqual(linesFor(probe.headers.get('x-request-id') ?? ''), []);
  });

  it('logs a write the client gave up on as aborted, at info', async () => {
    const req = httpRequest(`${base}/hang`, {
      method: 'POST',
      headers: { 'x-request-id': 'gave-up' },
    });
    req.on('error', () => undefined);
    req.end();
    await hangReached;
    req.destroy();
    assert.deepEqual(
      (await completed('gave-up')).map((l) => [l.msg, l.level]),
      [['request aborted', 'info']],
    );
  });
});
