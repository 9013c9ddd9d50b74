import { type ChildProcess, spawn } from 'node:child_process';
import psList from 'ps-list';

/** Whether a process with this id still exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Every process ever seen below a root process, with its command line, read with ps-list
 * (Linux and macOS) every 50 ms. A process keeps its entry after its parent dies and it is
 * re-parented, so orphans stay visible.
 */
export class ProcessTree {
  readonly seen = new Map<number, string>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(root: number) {
    this.seen.set(root, 'root');
    this.#timer = setInterval(() => void this.poll(), 50);
  }

  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const processes = await psList();
      let grew = true;
      while (grew) {
        grew = false;
        for (const { pid, ppid, cmd, name } of processes) {
          if (this.seen.has(ppid) && !this.seen.has(pid)) {
            this.seen.set(pid, cmd ?? name);
            grew = true;
          }
        }
      }
    } finally {
      this.#polling = false;
    }
  }

  /** The first process seen whose command line contains `part`. */
  find(part: string): number | undefined {
    for (const [pid, cmd] of this.seen) if (cmd.includes(part)) return pid;
    return undefined;
  }

  /** Processes seen that still run, with their command lines. */
  alive(): string[] {
    return [...this.seen].filter(([pid]) => isAlive(pid)).map(([pid, cmd]) => `${pid} ${cmd}`);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * `npm start` as a user runs it, in its own process group like a shell job. `direct` runs the
 * runner's node process itself, without npm in between (a kill then reaches the runner).
 */
export function spawnNpmStart(
  env: Record<string, string>,
  { direct = false }: { direct?: boolean } = {},
): {
  child: ChildProcess;
  output: () => string;
} {
  // Free metrics ports unless a test names them: runs side by side must not clash on 9464.
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    METRICS_BASE_PORT: '0',
    ...env,
  };
  delete childEnv.DATABASE_URL;
  const [command, args] = direct
    ? [process.execPath, ['--import', 'tsx', 'scripts/start.ts']]
    : ['npm', ['start']];
  const child = spawn(command, args, {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  return { child, output: () => text };
}
