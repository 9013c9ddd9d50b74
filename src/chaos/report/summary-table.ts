import { textTable } from '../../shared/text-table.ts';
import { totalViolations } from '../core/invariants.ts';
import type { ChaosReport } from '../core/result.ts';

const MARK = {
  pass: '✔ pass',
  fail: '✖ FAIL',
  inconclusive: '? INCONCLUSIVE',
  skipped: '○ skipped',
} as const;

/** The table printed at the end of a run: one line per scenario. */
export function summaryTable(report: ChaosReport): string {
  const rows = report.scenarios.map((s) => [
    s.name,
    MARK[s.verdict],
    s.verdict === 'skipped' ? '—' : `${(s.successRate * 100).toFixed(2)}%`,
    s.verdict === 'skipped' ? '—' : String(s.operations.total),
    s.evidence ? String(s.evidence.purchasesConfirmed.fault) : '—',
    s.recoverySeconds === null ? '—' : `${s.recoverySeconds}s`,
    s.latencyMs.before.p99 === null
      ? '—'
      : `${s.latencyMs.before.p99}/${s.latencyMs.fault.p99 ?? '—'}`,
    s.verdict === 'skipped' ? '—' : String(totalViolations(s.invariants)),
  ]);
  const header = [
    'scenario',
    'verdict',
    'success',
    'ops',
    'confirmed in fault',
    'recovery',
    'p99 ms before/fault',
    'violations',
  ];
  const failedChecks = report.scenarios.flatMap((s) =>
    s.verdict === 'skipped'
      ? [`  ${s.name}: skipped — ${s.reason}`]
      : s.checks.filter((c) => !c.ok).map((c) => `  ${s.name}: ${c.name} — ${c.detail}`),
  );
  return [
    textTable(header, rows, '─'),
    ...(failedChecks.length > 0 ? ['', ...failedChecks] : []),
  ].join('\n');
}
