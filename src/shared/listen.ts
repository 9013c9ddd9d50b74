import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { answerClientErrorsAsJson } from './client-errors.ts';
import type { Logger } from './logger.ts';

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
    answerClientErrorsAsJson(server);
  });
}

/** The stable code of the one log line a service writes when its port is taken. */
export const PORT_IN_USE = 'PORT_IN_USE';

export interface PortSetting {
  port: number;
  /** The environment variable that sets the port, named in the message. */
  variable: string;
  logger: Logger;
}

/**
 * For main.ts, as `.catch()` of a listen: a port that is already taken ends the process with
 * one line saying which port and which variable changes it, not a stack trace. A local
 * runner reads the line's `code` and names its own variable instead. Other errors go on.
 */
export function exitIfPortInUse(error: unknown, { port, variable, logger }: PortSetting): never {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error;
  logger.fatal(
    { code: PORT_IN_USE, port, variable },
    `port ${port} is already in use: stop what runs there, or set ${variable} to another port`,
  );
  process.exit(1);
}
