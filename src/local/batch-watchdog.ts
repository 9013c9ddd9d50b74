import { Worker } from 'node:worker_threads';

// Runs on its own thread, because the main thread is the one stuck inside PGlite. It can only
// write with writeSync (a worker's process.stderr goes through the blocked main thread) and
// end the whole process with a signal.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeFileSync, writeSync } = require('node:fs');
const started = new Int32Array(workerData.shared);
// Not unref'd: this interval is what keeps the thread alive (the Worker is unref'd instead).
setInterval(() => {
  const at = Atomics.load(started, 0);
  if (at === 0) return;
  const ranMs = Date.now() - workerData.base - at;
  if (ranMs <= workerData.limitMs) return;
  const msg = 'a batch ran ' + ranMs + ' ms, past the embedded database batch limit (' +
    workerData.limitMs + ' ms); ending the database process so the runner restarts it';
  writeSync(2, JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service: 'embedded-db',
    replica: 'embedded-db', fatal: true, msg }) + '\\n');
  if (workerData.fatalFile) writeFileSync(workerData.fatalFile, msg + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, Math.min(250, workerData.limitMs));
`;

/**
 * Enforces the per-batch time limit of the embedded database (see wire-limits.ts). Only for
 * the database's own process: it kills the process it runs in.
 */
export class BatchWatchdog {
  readonly #started = new Int32Array(new SharedArrayBuffer(4));
  readonly #base = Date.now() - 1;
  readonly #worker: Worker;

  constructor(limitMs: number, fatalFile?: string) {
    this.#worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { shared: this.#started.buffer, base: this.#base, limitMs, fatalFile },
    });
    this.#worker.unref();
  }

  batchStarted(): void {
    Atomics.store(this.#started, 0, Date.now() - this.#base);
  }

  batchEnded(): void {
    Atomics.store(this.#started, 0, 0);
  }

  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}
