import http from 'node:http';

/**
 * The floor for one Node hop: a bare node:http server that streams each request to the target
 * over keep-alive connections and streams the answer back. No parsing, logging or retries, so
 * what the frontend costs above this is what its features cost.
 */
export function createPassThroughGateway(target: string): http.Server {
  const base = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  return http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: base.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
}
