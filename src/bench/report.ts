import type { FlashReport } from './flash.ts';
import type { LoadSample } from './load.ts';
import type { MachineDescription } from './machine.ts';
import { median, round, type Spread, spread } from './stats.ts';

export interface BenchResult {
  name: string;
  connections: number;
  reqPerSec: Spread;
  /** Medians over the runs; p99Max is the worst run's p99. */
  latencyMs: { p50: number; p99: number; p99Max: number };
  /** 2xx over every request sent, all runs together. */
  successRate: number;
  runs: number;
}

export interface MemoryFigure {
  service: string;
  idleMiB: number | null;
  underLoadMiB: number | null;
}

export interface TargetCheck {
  ratio: string;
  value: number;
  comparison: '>=' | '<=';
  target: number;
  met: boolean;
  note: string;
}

/** The ratios with a target (docs/BENCHMARKS.md, "Targets"). */
export type TargetRatio =
  | 'purchaseVsDirect'
  | 'catalogVsExpress'
  | 'faultP99VsClean'
  | 'faultP99VsClean1Replica';

export interface BenchReport {
  profile: string;
  machine: MachineDescription;
  runs: number;
  durationS: number;
  startedAt: string;
  results: BenchResult[];
  /** The target ratios are there when their group was measured (all, without --only). */
  ratios: Partial<Record<TargetRatio, number>> & { [name: string]: number | undefined };
  targets: TargetCheck[];
  memory: MemoryFigure[];
  /** The flash-sale group, when measured: its figures and its correctness check. */
  flash?: FlashReport;
}

export function toResult(name: string, connections: number, samples: LoadSample[]): BenchResult {
  const ok = samples.reduce((sum, s) => sum + s.ok, 0);
  const sent = samples.reduce((sum, s) => sum + s.sent, 0);
  return {
    name,
    connections,
    reqPerSec: spread(samples.map((s) => s.reqPerSec)),
    latencyMs: {
      p50: round(median(samples.map((s) => s.p50))),
      p99: round(median(samples.map((s) => s.p99))),
      p99Max: round(Math.max(...samples.map((s) => s.p99))),
    },
    successRate: sent === 0 ? 0 : round(ok / sent, 4),
    runs: samples.length,
  };
}

/**
 * A ratio taken round by round (the two runs of a round are minutes apart at most, so they
 * share the machine's mood), then the median of those: steadier than a ratio of medians.
 */
export function pairedRatio(
  top: LoadSample[],
  bottom: LoadSample[],
  pick: (sample: LoadSample) => number,
): number {
  const ratios = top.map((sample, i) => {
    const other = bottom[i];
    return other ? pick(sample) / pick(other) : Number.NaN;
  });
  return round(median(ratios.filter(Number.isFinite)), 3);
}

/** The four targets, for those of them this run measured. */
export function checkTargets(ratios: BenchReport['ratios'], engine: string): TargetCheck[] {
  const check = (
    ratio: TargetRatio,
    comparison: '>=' | '<=',
    target: number,
    note: string,
  ): TargetCheck[] => {
    const value = ratios[ratio];
    if (value === undefined) return [];
    const met = comparison === '>=' ? value >= target : value <= target;
    return [{ ratio, value, comparison, target, met, note }];
  };
  return [
    ...check(
      'purchaseVsDirect',
      '>=',
      0.75,
      engine === 'postgres'
        ? 'on real PostgreSQL'
        : 'judged on real PostgreSQL; this run is embedded',
    ),
    ...check('catalogVsExpress', '>=', 0.8, 'frontend catalog vs a bare Express JSON answer'),
    ...check(
      'faultP99VsClean',
      '<=',
      2,
      'p99, 20% before-faults vs clean, two replicas (npm start)',
    ),
    ...check(
      'faultP99VsClean1Replica',
      '<=',
      2,
      'the same with one logic URL to retry (as kind, one Service URL)',
    ),
  ];
}
