import pidusage from 'pidusage';

/**
 * Resident set size of a process in MiB; undefined when it is gone. pidusage reads /proc on
 * Linux and asks `ps` on macOS, so the benchmarks run on both.
 */
export async function rssMiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { memory } = await pidusage(pid);
    return memory / (1024 * 1024);
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
