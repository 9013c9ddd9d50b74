import { confirmedByPhase } from '../chaos/core/evidence.ts';
import { totalViolations } from '../chaos/core/invariants.ts';
import { type Check, evidenceCheck, type Phase, type TargetName } from '../chaos/core/model.ts';
import { reportFiles } from '../chaos/core/report/report-files.ts';
import type { ChaosReport } from '../chaos/core/result.ts';
import { buildResult } from '../chaos/core/scenario-result.ts';
import { percent, recoverySeconds } from '../chaos/core/statistics.ts';
import { clockTime, type Mark } from './marks.ts';
import { type BuyerSession, MIN_SUCCESS, type SessionResult } from './session.ts';

/**
 * The session's fault window, in the log's time: from the first fault or crash to the last
 * clear or return after it (to the end while something was still broken). No disturbance:
 * an empty window at the end.
 */
export function faultWindow(marks: readonly Mark[], startedAt: number, end: number) {
  const rebase = (m: Mark) => m.at - startedAt;
  const disturbances = marks.filter((m) => m.kind === 'fault' || m.kind === 'crash');
  const first = disturbances[0];
  if (!first) return { start: end, end };
  const lastDisturbance = disturbances.at(-1) as Mark;
  const mends = marks.filter((m) => (m.kind === 'clear' || m.kind === 'back') && m.at > first.at);
  const lastMend = mends.at(-1);
  const over = lastMend !== undefined && lastMend.at >= lastDisturbance.at;
  return {
    start: Math.max(0, rebase(first)),
    end: over ? Math.min(end, rebase(lastMend)) : end,
  };
}

function checksOf(result: SessionResult, confirmed: number): Check[] {
  const violations = totalViolations(result.invariants);
  const success = result.stats.successRate ?? 0;
  return [
    evidenceCheck('purchases confirmed', confirmed > 0, `${confirmed} purchases confirmed`),
    {
      name: 'user success',
      ok: success >= MIN_SUCCESS,
      detail: `${percent(success)} of ${result.stats.finished} operations (at least ${percent(MIN_SUCCESS)})`,
    },
    {
      name: 'invariants hold',
      ok: violations === 0,
      detail: `${violations} violations, ${result.auditedEvents} events audited`,
    },
  ];
}

/**
 * Where the shop runs, read from its replicas' names (x-served-by): `npm start` names them
 * logic-1, logic-2; `npm run containers:up` <project>-logic-1; kind's Deployment gives pods
 * generated names. The page is told nothing else about where it runs.
 */
export function targetOfReplicas(names: Iterable<string>): TargetName {
  const all = [...names];
  if (all.length > 0 && all.every((name) => /^logic-\d+$/.test(name))) return 'local';
  if (all.length > 0 && all.every((name) => /.-logic-\d+$/.test(name))) return 'docker';
  return 'kind';
}

/**
 * A stopped console session as a chaos report (schema of report.json): one scenario named
 * "console", judged as the page judged it, its fault window taken from the marks and the
 * event log kept in its notes, so `npm run chaos`'s report page shows it the same way.
 */
export function sessionReport(input: {
  session: BuyerSession;
  result: SessionResult;
  marks: readonly Mark[];
  target: TargetName;
  stoppedAt: number;
}): ChaosReport {
  const { session, result, target } = input;
  const { log } = session;
  const end = input.stoppedAt - log.startedAt;
  const window = faultWindow(input.marks, log.startedAt, end);
  const phaseAt = (t: number): Phase =>
    t < window.start ? 'before' : t < window.end ? 'fault' : 'after';
  const requests = log.requests.map((r) => ({ ...r, phase: phaseAt(r.start) }));
  const operations = log.operations.map((o) => ({ ...o, phase: phaseAt(o.start) }));
  const confirmed = confirmedByPhase(requests);
  // The event log, by time: two marks in one second keep both ("21:16:40", "21:16:40 #2").
  const notes: Record<string, string | number> = { buyers: session.buyers };
  for (const mark of input.marks) {
    let key = clockTime(mark.at);
    for (let n = 2; key in notes; n++) key = `${clockTime(mark.at)} #${n}`;
    notes[key] = mark.text;
  }
  const built = buildResult({
    scenario: {
      name: 'console',
      summary: `A live session in the control room: ${session.buyers} buyers, faults and crashes set by hand.`,
      threshold: { kind: 'successRate', min: MIN_SUCCESS },
    },
    target,
    verdict: result.verdict,
    reason: null,
    checks: checksOf(result, confirmed.before + confirmed.fault + confirmed.after),
    seed: session.seed,
    startedAt: new Date(log.startedAt),
    times: { t0: 0, faultStart: window.start, faultEnd: window.end, end },
    requests,
    operations,
    invariants: result.invariants,
    recovery: window.start < window.end ? recoverySeconds(operations, window.end) : null,
    evidence: {
      purchasesConfirmed: confirmed,
      unavailableDuringFault: requests.filter(
        (r) => r.kind === 'purchase' && r.phase === 'fault' && r.status === 503,
      ).length,
      smallEvents: [],
      largeEventsSoldOut: [],
      fault: {},
    },
    stock: { prefix: '', measuredSeatsPerSecond: 0, large: [], small: [] },
  });
  const scenario = { ...built, notes };
  return {
    schemaVersion: 2,
    tool: 'flametickets-chaos',
    target,
    seed: session.seed,
    profile: 'live',
    startedAt: scenario.startedAt,
    finishedAt: new Date(input.stoppedAt).toISOString(),
    verdict: result.verdict === 'pass' ? 'pass' : 'fail',
    minPurchases: 1,
    scenarios: [scenario],
  };
}

/** Links that download report.json and report.html, replacing those of an earlier session. */
export function offerDownloads(report: ChaosReport): void {
  const files = reportFiles(report);
  const links = document.getElementById('report-links');
  if (!links) return;
  for (const old of links.querySelectorAll('a')) URL.revokeObjectURL(old.href);
  const link = (name: string, type: string, text: string) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type }));
    a.download = name;
    a.textContent = `Download ${name}`;
    return a;
  };
  links.replaceChildren(
    link('report.json', 'application/json', files.json),
    link('report.html', 'text/html', files.html),
  );
}
