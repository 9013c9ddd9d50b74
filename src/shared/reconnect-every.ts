import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';

/**
 * Answers `Connection: close` on every `max`-th request of a client connection (0: never), so
 * the client opens a new one. Behind a Service or a DNS alias, which spread connections and not
 * requests, long-lived keep-alive connections otherwise stay on the replicas that were up first
 * and a replica started later gets no traffic. Node's own `server.maxRequestsPerSocket` is not
 * used: it keeps the socket open and answers 503 to a client that sends on after the limit,
 * which clients that ignore `Connection: close` (load generators) do; here the server closes
 * the connection after the answer.
 */
export function reconnectEvery(max: number): RequestHandler {
  const served = new WeakMap<Socket, number>();
  return (req, res, next) => {
    if (max > 0) {
      const count = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, count);
      if (count % max === 0) res.setHeader('Connection', 'close');
    }
    next();
  };
}
