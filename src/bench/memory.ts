import { readFile } from 'node:fs/promises';

/** Resident set size of a process in MiB, from /proc (Linux); undefined when it is gone. */
export async function rssMiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the RSS of some processes every interval until stopped, keeping each one's peak. */
export class RssSampler {
  readonly #pids: ReadonlyMap<string, number | undefined>;
  readonly #peaks = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(pids: ReadonlyMap<string, number | undefined>) {
    this.#pids = pids;
  }

  start(intervalMs = 200): void {
    this.#timer = setInterval(() => void this.#sample(), intervalMs);
  }

  async stop(): Promise<Map<string, number>> {
    clearInterval(this.#timer);
    await this.#sample();
    return this.#peaks;
  }

  async #sample(): Promise<void> {
    for (const [name, pid] of this.#pids) {
      const rss = await rssMiB(pid);
      if (rss !== undefined) this.#peaks.set(name, Math.max(rss, this.#peaks.get(name) ?? 0));
    }
  }
}
