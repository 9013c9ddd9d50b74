import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type LineSink = (label: string, line: string) => void;

/** How one run of a child ended, for a supervisor to decide and to say why. */
export interface ChildExit {
  /** Exit code; null when a signal ended it. */
  code: number | null;
  /** The signal that ended it (SIGKILL from an out-of-memory kill), or null. */
  signal: NodeJS.Signals | null;
  /** The runner asked for this exit (stop() or kill()): no restart is due. */
  asked: boolean;
  /** Its last few output lines, oldest first. */
  lastLines: string[];
}

/** How many of a child's last lines its exit keeps, to say why it died. */
const KEPT_LINES = 5;

export interface ChildSpec {
  /** Shown next to every log line, e.g. logic-1. */
  label: string;
  /** TypeScript entry point, relative to the repo root. */
  entry: string;
  env: Record<string, string>;
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * One service run as a real child process (node + tsx), whose stdout/stderr lines go to a
 * sink. It can be stopped gracefully, killed hard, and started again with the same settings.
 */
export class ManagedChild {
  readonly spec: ChildSpec;
  readonly #sink: LineSink;
  readonly #lineWatchers = new Set<(line: string) => void>();
  #child: ChildProcess | undefined;
  #ended: Promise<ChildExit> = Promise.resolve({
    code: null,
    signal: null,
    asked: true,
    lastLines: [],
  });
  #askedToStop = false;
  #recentLines: string[] = [];
  #lastFatal: Record<string, unknown> | undefined;

  constructor(spec: ChildSpec, sink: LineSink) {
    this.spec = spec;
    this.#sink = sink;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return (
      this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
    );
  }

  /** The last record this child logged at level fatal (why it could not start), if any. */
  get lastFatal(): Record<string, unknown> | undefined {
    return this.#lastFatal;
  }

  /** Resolves with the exit code (null when killed by a signal), once its output is read. */
  get exited(): Promise<number | null> {
    return this.#ended.then((exit) => exit.code);
  }

  /** Resolves once this run's output is read: code, signal, whether it was asked, last lines. */
  get ended(): Promise<ChildExit> {
    return this.#ended;
  }

  start(envOverrides: Record<string, string> = {}): void {
    const child = spawn(process.execPath, ['--import', 'tsx', this.spec.entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.spec.env, ...envOverrides },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: a terminal's Ctrl-C reaches only the runner, which then stops
      // the services in order, each once. If the runner dies, the IPC channel closes and the
      // service shuts itself down (see main.ts), so nothing is orphaned.
      detached: true,
    });
    this.#child = child;
    this.#lastFatal = undefined;
    this.#askedToStop = false;
    this.#recentLines = [];
    // 'close', not 'exit': the last lines (a fatal one) are read by then.
    this.#ended = once(child, 'close').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
      asked: this.#askedToStop,
      lastLines: this.#recentLines,
    }));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => this.#onLine(line));
    }
  }

  #onLine(line: string): void {
    if (line.includes('"level":"fatal"')) this.#lastFatal = parseRecord(line);
    this.#recentLines.push(line);
    if (this.#recentLines.length > KEPT_LINES) this.#recentLines.shift();
    this.#sink(this.spec.label, line);
    for (const watch of this.#lineWatchers) watch(line);
  }

  /** Resolves with the first JSON log record for which `match` is true. */
  waitForLog(
    match: (record: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#lineWatchers.delete(watch);
        reject(new Error(`${this.spec.label}: no matching log line within ${timeoutMs} ms`));
      }, timeoutMs);
      const watch = (line: string) => {
        const record = parseRecord(line);
        if (!record || !match(record)) return;
        clearTimeout(timer);
        this.#lineWatchers.delete(watch);
        resolve(record);
      };
      this.#lineWatchers.add(watch);
      void this.exited.then((code) => {
        if (!this.#lineWatchers.has(watch)) return;
        clearTimeout(timer);
        this.#lineWatchers.delete(watch);
        reject(new Error(`${this.spec.label} exited (code ${code}) before it was ready`));
      });
    });
  }

  /** SIGTERM and wait; SIGKILL if it has not exited within timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.#askedToStop = true;
    this.#child?.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Hard kill, as a crash or an OOM kill would, but asked for: no supervisor restarts it. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#askedToStop = true;
    this.#child?.kill('SIGKILL');
    await this.#ended;
  }
}
