import { parseArgs } from 'node:util';
import type { TargetName } from './core/model.ts';
import { SCENARIO_NAMES } from './scenarios/index.ts';

export interface ChaosOptions {
  target: TargetName;
  /** Scenario names in the fixed order; empty = every scenario the target supports. */
  scenarios: string[];
  seed: number;
  reportDir: string;
  /** Steady state before the fault. */
  beforeMs: number;
  /** How long the fault is held (at least; slow steps like a rolling restart take longer). */
  faultMs: number;
  /** Shortest after phase, and the longest wait for steady state. */
  afterMinMs: number;
  afterMaxMs: number;
  /** How long without a failure counts as steady. */
  steadyWindowMs: number;
  buyers: number;
  quick: boolean;
  /** Purchases each scenario must confirm during its fault (or before and after it). */
  minPurchases: number;
  /** Local target: the embedded database's data folder, kept after the run. */
  dataDir: string | undefined;
  /**
   * Runs every step but the fault itself (inject and rollback skipped): a rehearsal of the
   * judge, in which every scenario must come out inconclusive, never pass.
   */
  withoutFault: boolean;
}

/** Evidence thresholds: purchases a scenario must confirm, per profile (docs/CHAOS.md). */
export const MIN_PURCHASES = { quick: 10, full: 50 } as const;

export const USAGE = `Usage: npm run chaos -- [--target kind|local|docker] [--scenario NAME ...] [--duration S]
                      [--seed N] [--report DIR] [--quick] [--data DIR] [--without-fault]

  --target     kind (default: the cluster \`npm run deploy\` made), local (starts its own shop)
               or docker (the containers \`npm run containers:up\` runs)
  --scenario   run only these, in the fixed order (repeat the flag, or a,b): ${SCENARIO_NAMES.join(', ')}
  --duration   seconds each fault is held (default 30, or 5 with --quick)
  --seed       makes the load and the faults reproducible (default: from the clock)
  --report     folder for report.json, report.html and requests.jsonl
               (default reports/chaos/<timestamp>/)
  --quick      short profile (CI's local run): fewer buyers, short phases
  --data       local target: keep the embedded database in DIR (a second run continues on it)
  --without-fault  rehearse the judge: every step but the fault itself; each scenario must come
               out inconclusive (exit 1), since it has nothing to show

Exit code: 0 every scenario passed; 1 one failed, was inconclusive (showed no evidence of
testing anything) or could not run; 2 none failed but some were skipped; 130 interrupted.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses the command line once; every problem is reported together. */
export function parseChaosArgs(argv: readonly string[], now = new Date()): ChaosOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const problems: string[] = [];
  const target = values.target ?? 'kind';
  if (target !== 'kind' && target !== 'local' && target !== 'docker') {
    problems.push(`--target must be kind, local or docker (got "${target}")`);
  }
  // Repeated or comma-separated, as the bench's --only takes its groups; a flag naming nothing
  // ('' or ',') is a mistake, not a request for every scenario.
  const named = (values.scenario ?? []).flatMap((value) => {
    const names = value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (names.length === 0) problems.push(`--scenario names no scenario (got "${value}")`);
    return names;
  });
  const unknown = named.filter((name) => !SCENARIO_NAMES.includes(name));
  if (unknown.length > 0) {
    problems.push(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`);
  }
  const quick = values.quick ?? false;
  const duration = positive('--duration', values.duration, quick ? 5 : 30, problems);
  const seed = values.seed === undefined ? now.getTime() % 2 ** 31 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) {
    problems.push(`--seed must be a whole number >= 0 (got "${values.seed}")`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));

  const wanted = new Set(named);
  const faultMs = duration * 1000;
  return Object.freeze({
    target: target as TargetName,
    scenarios: SCENARIO_NAMES.filter((name) => wanted.has(name)),
    seed,
    reportDir:
      values.report ?? `reports/chaos/${now.toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`,
    beforeMs: quick ? 2500 : Math.min(10_000, Math.max(3000, faultMs / 3)),
    faultMs,
    afterMinMs: quick ? 2500 : Math.min(15_000, Math.max(3000, faultMs / 2)),
    // Bounded wait for recovery; generous in the quick profile, which CI runs on a loaded 2-core box.
    afterMaxMs: quick ? 40_000 : 60_000,
    steadyWindowMs: quick ? 1500 : 3000,
    buyers: quick ? 6 : 10,
    quick,
    minPurchases: quick ? MIN_PURCHASES.quick : MIN_PURCHASES.full,
    dataDir: values.data,
    withoutFault: values['without-fault'] ?? false,
  });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      duration: { type: 'string' },
      seed: { type: 'string' },
      report: { type: 'string' },
      quick: { type: 'boolean' },
      data: { type: 'string' },
      'without-fault': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function positive(
  flag: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 3600) {
    problems.push(`${flag} must be a number of seconds between 0 and 3600 (got "${raw}")`);
    return fallback;
  }
  return value;
}
