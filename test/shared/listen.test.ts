import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import express from 'express';
import { listen } from '../../src/shared/listen.ts';

/** GETs `url` on `agent` and resolves with the client port and the Connection header. */
function get(url: string, agent: http.Agent): Promise<{ port: number; connection: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const port = res.socket.localPort ?? 0;
        res.resume();
        res.on('end', () => resolve({ port, connection: String(res.headers.connection) }));
      })
      .on('error', reject);
  });
}

describe('listen', () => {
  it('asks a keep-alive client to reconnect after maxRequestsPerSocket requests (rolling restarts spread again)', async (t) => {
    const app = express();
    app.get('/', (_req, res) => void res.send('ok'));
    const { server, port } = await listen(app, 0, '127.0.0.1', { maxRequestsPerSocket: 2 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => {
      agent.destroy();
      server.close();
    });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get(`http://127.0.0.1:${port}/`, agent));
    assert.deepEqual(
      answers.map((a) => a.connection),
      ['keep-alive', 'close', 'keep-alive', 'close'],
    );
    assert.equal(answers[0]?.port, answers[1]?.port, 'the first two share a connection');
    assert.notEqual(answers[1]?.port, answers[2]?.port, 'the third comes on a new one');
  });
});
