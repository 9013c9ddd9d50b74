import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** Listens and resolves with the bound port (useful with port 0). */
export function listen(
  app: Express,
  port: number,
  host: string,
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) return reject(error);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
    // Slow clients must not hold a socket forever; keep-alive longer than typical LB idle timeouts.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  });
}
