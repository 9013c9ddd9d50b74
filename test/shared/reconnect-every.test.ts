import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import express from 'express';
import { listen } from '../../src/shared/listen.ts';
import { reconnectEvery } from '../../src/shared/reconnect-every.ts';

async function serverReconnectingEvery(t: TestContext, max: number): Promise<number> {
  const app = express();
  app.use(reconnectEvery(max));
  app.get('/', (_req, res) => void res.send('ok'));
  const { server, port } = await listen(app, 0, '127.0.0.1');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return port;
}

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

describe('reconnectEvery', () => {
  it('asks a keep-alive client to reconnect every max requests (restarted replicas get traffic again)', async (t) => {
    const port = await serverReconnectingEvery(t, 2);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get(`http://127.0.0.1:${port}/`, agent));
    assert.deepEqual(
      answers.map((a) => a.connection),
      ['keep-alive', 'close', 'keep-alive', 'close'],
    );
    assert.equal(answers[0]?.port, answers[1]?.port, 'the first two share a connection');
    assert.notEqual(answers[1]?.port, answers[2]?.port, 'the third comes on a new one');
  });

  it('closes the connection of a client that sends on regardless, instead of answering 503', async (t) => {
    const port = await serverReconnectingEvery(t, 2);
    const socket = net.connect(port, '127.0.0.1');
    const request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    socket.write(request.repeat(3));
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    await new Promise((resolve) => socket.on('close', resolve));
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200']);
  });
});
