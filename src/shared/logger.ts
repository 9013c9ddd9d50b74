import { hostname } from 'node:os';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: 'frontend' | 'logic' | 'embedded-db' | 'local';
  /** Pod name in Kubernetes, a label such as logic-1 locally; defaults to the host name. */
  replica?: string | undefined;
  level?: string;
  /** Tests pass a stream to read log lines back as records. */
  destination?: DestinationStream;
}

/** The one root logger of a process; every line carries service and replica. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, replica: options.replica ?? hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
