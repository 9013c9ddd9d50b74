import { textTable } from '../shared/text-table.ts';
import type { FlashReport } from './flash.ts';
import type { BenchReport } from './report.ts';

/** Names the results measured over a different number of runs (the fault group). */
function otherRuns(report: BenchReport): string {
  const other = report.results.filter((r) => r.runs !== report.runs);
  const counts = [...new Set(other.map((r) => r.runs))];
  return counts
    .map(
      (runs) =>
        ` (${runs} runs: ${other
          .filter((r) => r.runs === runs)
          .map((r) => r.name)
          .join(', ')})`,
    )
    .join('');
}

/** The flash sale: sell-out speed per variant, and what the database check found. */
function renderFlash(flash: FlashReport): string {
  const table = textTable(
    ['flash sale', 'buyers', 'seats', 'sold out ms', 'purchases/s', 'seats/s', 'p50', 'p99', 'max'],
    flash.results.map((r) => [
      r.name,
      String(r.buyers),
      String(r.capacity),
      String(Math.round(r.soldOutMs)),
      String(Math.round(r.purchasesPerSec)),
      String(Math.round(r.seatsPerSec)),
      String(r.latencyMs.p50),
      String(r.latencyMs.p99),
      String(r.latencyMs.max),
    ]),
  );
  const names = [...new Set(flash.results.flatMap((r) => Object.keys(r.cpu.msPerPurchase)))];
  const cpu = textTable(
    ['CPU ms per purchase', 'orders/commit', ...names, 'machine busy'],
    flash.results.map((r) => [
      r.name,
      String(r.ordersPerCommit),
      ...names.map((name) => String(r.cpu.msPerPurchase[name] ?? '-')),
      r.cpu.machineBusy === null ? '-' : `${Math.round(r.cpu.machineBusy * 100)}%`,
    ]),
  );
  const c = flash.counts;
  const verdict =
    `flash check (database, ${c.runs} sell-outs): ${flash.correct ? 'correct' : 'WRONG'}; ` +
    `${c.seatsSold}/${c.capacity} seats sold in ${c.orders} orders, ${c.created} 201s, ` +
    `${c.soldOutRefusals} 409 sold out, ${c.shortRefusals} 409 fewer left than asked, ` +
    `${c.wrongRefusals} 409 with seats there, ${c.duplicateKeys} keys with two orders, ` +
    `${c.mismatched} answers unlike their record, ${c.errors} errors`;
  return [table, verdict, ...flash.failures.map((f) => `  ${f}`), '', cpu].join('\n');
}

/** The report as plain-text tables: results, ratios with their targets, memory. */
export function renderReport(report: BenchReport): string {
  const m = report.machine;
  const results = textTable(
    ['scenario', 'conns', 'req/s median (min-max)', 'p50 ms', 'p99 ms', 'success'],
    report.results.map((r) => [
      r.name,
      String(r.connections),
      `${Math.round(r.reqPerSec.median)} (${Math.round(r.reqPerSec.min)}-${Math.round(r.reqPerSec.max)})`,
      String(r.latencyMs.p50),
      String(r.latencyMs.p99),
      `${(r.successRate * 100).toFixed(2)}%`,
    ]),
  );
  const targets = new Map(report.targets.map((t) => [t.ratio, t]));
  const ratios = textTable(
    ['ratio', 'value', 'target'],
    Object.entries(report.ratios).map(([name, value]) => {
      const t = targets.get(name);
      return [
        name,
        String(value),
        t ? `${t.comparison} ${t.target}: ${t.met ? 'met' : 'MISSED'} (${t.note})` : '',
      ];
    }),
  );
  const memory = textTable(
    ['service', 'RSS idle MiB', 'RSS under load MiB'],
    report.memory.map((f) => [
      f.service,
      f.idleMiB === null ? '-' : f.idleMiB.toFixed(1),
      f.underLoadMiB === null ? '-' : f.underLoadMiB.toFixed(1),
    ]),
  );
  return [
    `FlameTickets benchmark (${report.profile}), ${report.startedAt}`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`,
    `database: ${m.database}`,
    `each figure: median of ${report.runs} runs of ${report.durationS} s${otherRuns(report)}`,
    '',
    results,
    '',
    ...(report.flash ? [renderFlash(report.flash), ''] : []),
    ratios,
    '',
    memory,
  ].join('\n');
}
