import { totalViolations } from '../invariants.ts';
import type { ChaosReport } from '../result.ts';

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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const failedChecks = report.scenarios.flatMap((s) =>
    s.verdict === 'skipped'
      ? [`  ${s.name}: skipped — ${s.reason}`]
      : s.checks.filter((c) => !c.ok).map((c) => `  ${s.name}: ${c.name} — ${c.detail}`),
  );
  return [
    line(header),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map(line),
    ...(failedChecks.length > 0 ? ['', ...failedChecks] : []),
  ].join('\n');
}
