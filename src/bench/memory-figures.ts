import { RssSampler, rssMiB } from './memory.ts';
import type { MemoryFigure } from './report.ts';

/** RSS of each service idle (before any load), then its peak while `work` loads them. */
export async function measureMemory<T>(
  services: ReadonlyMap<string, number | undefined>,
  work: () => Promise<T>,
): Promise<{ value: T; memory: MemoryFigure[] }> {
  const idle = new Map<string, number | undefined>();
  for (const [name, pid] of services) idle.set(name, await rssMiB(pid));
  const sampler = new RssSampler(services);
  sampler.start();
  let peaks = new Map<string, number>();
  let value: T;
  try {
    value = await work();
  } finally {
    peaks = await sampler.stop();
  }
  const memory = [...services.keys()].map((service) => ({
    service,
    idleMiB: roundOrNull(idle.get(service)),
    underLoadMiB: roundOrNull(peaks.get(service)),
  }));
  return { value, memory };
}

function roundOrNull(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}
