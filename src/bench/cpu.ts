import { readdir, readFile } from 'node:fs/promises';
import pidusage from 'pidusage';

/** CPU time (ms, user + system) of a process so far; undefined when it is gone. */
async function cpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    return (await pidusage(pid)).ctime;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_S = 100;

/**
 * CPU time of every PostgreSQL server process (postmaster and backends) from /proc, in ms.
 * The whole server: on a shared machine other clients' work is in it too. Empty off Linux.
 */
async function postgresCpu(): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const close = stat.lastIndexOf(')');
    if (!stat.slice(0, close).includes('(postgres')) continue;
    const fields = stat.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    found.set(Number(entry), (ticks / CLOCK_TICKS_PER_S) * 1000);
  }
  return found;
}

/** Busy and total CPU time of the whole machine so far (all cores), from /proc/stat. */
async function machineTicks(): Promise<{ busy: number; total: number } | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const line = stat?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const values = line.split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuSpent {
  /** CPU ms per named process (the load generator is `bench`). */
  processes: Record<string, number>;
  /** Share of all cores busy during the measurement, whoever was busy. */
  machineBusy: number | undefined;
}

/**
 * Measures the CPU each process spends between start and stop: where a benchmark's time goes
 * on a machine with few cores, where every process takes from the same budget.
 */
export async function startCpuMeter(
  pids: ReadonlyMap<string, number | undefined>,
  withPostgres: boolean,
): Promise<() => Promise<CpuSpent>> {
  const before = new Map<string, number | undefined>();
  for (const [name, pid] of pids) before.set(name, await cpuMs(pid));
  const pgBefore = withPostgres ? await postgresCpu() : new Map<number, number>();
  const machineBefore = await machineTicks();
  const benchBefore = process.cpuUsage();
  return async () => {
    const bench = process.cpuUsage(benchBefore);
    const processes: Record<string, number> = { bench: (bench.user + bench.system) / 1000 };
    for (const [name, pid] of pids) {
      const [start, end] = [before.get(name), await cpuMs(pid)];
      if (start !== undefined && end !== undefined) processes[name] = end - start;
    }
    if (withPostgres) {
      let spent = 0;
      for (const [pid, ms] of await postgresCpu()) spent += ms - (pgBefore.get(pid) ?? 0);
      processes['postgres (whole server)'] = spent;
    }
    const machineAfter = await machineTicks();
    const machineBusy =
      machineBefore && machineAfter
        ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)
        : undefined;
    return { processes, machineBusy };
  };
}
