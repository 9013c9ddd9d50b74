import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { LineSink, ManagedChild } from './child-process.ts';
import { superviseChild } from './crash-restarts.ts';

export interface DatabaseSupervisorOptions {
  child: ManagedChild;
  /** The file the database process writes before a fatal exit (EMBEDDED_DB_FATAL_FILE). */
  fatalFile: string;
  /** Starts the database again on its old port and waits until it is ready. */
  relaunch: () => Promise<void>;
  onLine: LineSink;
  /** First wait before a restart (default 1 s, as every service of `npm start`). */
  backoffMs?: number;
}

/** The fatal message, if the process left one, removed so it is read once. */
function takeFatalNote(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const note = readFileSync(path, 'utf8').trim();
  rmSync(path, { force: true });
  return note || 'fatal error';
}

/**
 * Restarts the embedded database whenever it dies without the runner asking (a fatal error,
 * its batch watchdog, an out-of-memory kill: any signal or code), with the backoff of every
 * service (crash-restarts.ts); its data folder keeps the orders. An exit the runner asked for
 * (stop, or a chaos kill that restarts it later) is left alone. Call watch() after every
 * start of the database made outside the supervisor.
 */
export function superviseDatabase(options: DatabaseSupervisorOptions) {
  const { child, fatalFile, relaunch, onLine } = options;
  let stopped = false;
  rmSync(fatalFile, { force: true });
  const supervisor = superviseChild(child, {
    restart: relaunch,
    say: (text) => onLine('db', text),
    isStopping: () => stopped,
    cause: () => takeFatalNote(fatalFile),
    restartedNote: ' The embedded database restarted; orders are kept in its data folder.',
    ...(options.backoffMs === undefined ? {} : { firstDelayMs: options.backoffMs }),
  });
  return {
    watch: supervisor.watch,
    stop(): void {
      stopped = true;
    },
  };
}
