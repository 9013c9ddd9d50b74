import type { RequestLog } from './core/load/request-log.ts';

export interface Progress {
  /** A new scenario or phase; shown at once. */
  phase(scenario: string, phase: string): void;
  /** A line that stays (a verdict, a warning). */
  keep(line: string): void;
  /** Starts showing live counts from the log; stop() ends it. */
  watch(log: RequestLog): void;
  stop(): void;
}

/**
 * Shows what the run is doing: on a terminal one line that updates in place; otherwise (CI
 * logs, pipes) a plain line per phase change and one every few seconds with the counts.
 */
export function createProgress(out: NodeJS.WriteStream = process.stdout): Progress {
  const tty = out.isTTY === true;
  let current = '';
  let log: RequestLog | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastPlain = 0;

  const counts = () => {
    if (!log) return '';
    const live = log.live();
    return `requests ${live.requests} (${live.failedRequests} failed) · operations ${live.operations} (${live.failedOperations} failed) · in flight ${live.inFlight}`;
  };
  const render = () => {
    const line = `${current} · ${counts()}`;
    if (tty) out.write(`\r\x1b[2K${line.slice(0, (out.columns || 120) - 1)}`);
    else if (Date.now() - lastPlain >= 5000) {
      out.write(`  … ${line}\n`);
      lastPlain = Date.now();
    }
  };
  const clear = () => {
    if (tty) out.write('\r\x1b[2K');
  };

  return {
    phase(scenario, phase) {
      current = `▸ ${scenario}: ${phase}`;
      clear();
      if (!tty) {
        out.write(`${current}\n`);
        lastPlain = Date.now();
      } else render();
    },
    keep(line) {
      clear();
      out.write(`${line}\n`);
      if (tty && timer) render();
    },
    watch(next) {
      log = next;
      timer ??= setInterval(render, tty ? 250 : 1000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      clear();
    },
  };
}
