import { type LoadSample, type LoadTarget, runLoad } from './load.ts';
import type { BenchProfile } from './profiles.ts';

/** One thing measured in a comparison, with what must be switched on around its runs. */
export interface Variant {
  name: string;
  target: LoadTarget;
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

export type OnProgress = (line: string) => void;

async function runVariant(
  variant: Variant,
  connections: number,
  durationS: number,
): Promise<LoadSample> {
  await variant.before?.();
  try {
    return await runLoad(variant.target, { connections, durationS });
  } finally {
    await variant.after?.();
  }
}

/**
 * Measures variants side by side: round after round, each variant once per round, so a slow
 * patch of the machine hits all of them alike and their ratios stay comparable.
 */
export async function measureGroup(
  title: string,
  variants: readonly Variant[],
  connections: number,
  profile: BenchProfile,
  progress: OnProgress,
): Promise<LoadSample[][]> {
  if (profile.warmupS > 0) {
    progress(`${title} @${connections} conns: warming up`);
    for (const variant of variants) await runVariant(variant, connections, profile.warmupS);
  }
  const samples: LoadSample[][] = variants.map(() => []);
  for (let round = 1; round <= profile.runs; round++) {
    for (const [i, variant] of variants.entries()) {
      const sample = await runVariant(variant, connections, profile.durationS);
      samples[i]?.push(sample);
      progress(
        `${title} @${connections} conns, run ${round}/${profile.runs}: ${variant.name} ` +
          `${Math.round(sample.reqPerSec)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms, ` +
          `ok ${(sample.successRate * 100).toFixed(1)}%`,
      );
    }
  }
  return samples;
}
