import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LineSink, ManagedChild } from './child-process.ts';

export interface DatabaseSupervisorOptions {
  child: ManagedChild;
  /** The file the database process writes before a fatal exit (EMBEDDED_DB_FATAL_FILE). */
  fatalFile: string;
  /** Starts the database again on its old port and waits until it is ready. */
  relaunch: () => Promise<void>;
  onLine: LineSink;
  /** First wait before a restart; doubles per crash in a row, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** The fatal message, if the process left one, removed so it is read once. */
function takeFatalNote(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const note = readFileSync(path, 'utf8').trim();
  rmSync(path, { force: true });
  return note || 'fatal error';
}

/**
 * Restarts the embedded database after a fatal error (it exits 1, or its batch watchdog
 * leaves a note and kills it), with a growing backoff; its data folder keeps the orders. An
 * exit the runner asked for (stop, or a chaos kill that restarts it later) is left alone.
 * Call watch() after every start of the database.
 */
export function superviseDatabase(options: DatabaseSupervisorOptions) {
  const { child, fatalFile, relaunch, onLine } = options;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  let stopped = false;
  let crashesInARow = 0;
  const say = (text: string) => onLine('db', text);
  rmSync(fatalFile, { force: true });

  async function restart(reason: string): Promise<void> {
    while (!stopped) {
      crashesInARow += 1;
      const delayMs = Math.min(backoffMs * 2 ** (crashesInARow - 1), maxBackoffMs);
      say(`embedded database stopped (${reason}); restarting it in ${delayMs} ms`);
      await sleep(delayMs);
      if (stopped) return;
      try {
        await relaunch();
        say('embedded database restarted; orders are kept in its data folder');
        watch();
        return;
      } catch (error) {
        reason = `restart failed: ${(error as Error).message}`;
      }
    }
  }

  function watch(): void {
    const startedAt = Date.now();
    void child.exited.then((code) => {
      if (stopped) return;
      const note = takeFatalNote(fatalFile);
      const crashed = note !== undefined || (code !== null && code !== 0);
      if (!crashed) return;
      // A database that stayed up a while crashed anew, not in a loop: start the backoff over.
      if (Date.now() - startedAt > 30_000) crashesInARow = 0;
      void restart(note ?? `exit code ${code}`);
    });
  }

  return {
    watch,
    stop(): void {
      stopped = true;
    },
  };
}
