import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createBareExpressApp } from './express-json.ts';
import { createPassThroughGateway } from './gateway.ts';

/**
 * Runs one of the benchmark's reference servers as its own process, so it gets a core the way
 * the real services do: BENCH_SERVER=gateway (BENCH_TARGET=url) or express (BENCH_BODY_FILE).
 * Prints one JSON line with its port, as the services do, for the local runner to wait on.
 */
const kind = process.env.BENCH_SERVER;
let server: Server;
if (kind === 'gateway') {
  server = createPassThroughGateway(String(process.env.BENCH_TARGET));
} else if (kind === 'express') {
  const body: unknown = JSON.parse(readFileSync(String(process.env.BENCH_BODY_FILE), 'utf8'));
  server = createServer(createBareExpressApp(body));
} else {
  throw new Error(`BENCH_SERVER must be gateway or express (got ${kind})`);
}
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: `${kind} listening`, port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
