import { INVARIANT_KINDS, type ViolationKind } from '../invariants.ts';
import type { Threshold } from '../model.ts';
import type { ChaosReport, ScenarioResult } from '../result.ts';
import { percent } from '../statistics.ts';
import { escapeHtml as h } from './escape.ts';
import { REPORT_CSS } from './report-css.ts';
import { formatMs, timelineSvg } from './timeline-svg.ts';

const INVARIANT_LABELS: Record<ViolationKind, string> = {
  oversold: 'oversold events',
  quantityMismatch: 'ledger mismatches',
  duplicateKeys: 'duplicate orders',
  lostConfirmed: 'lost confirmations',
  orderedRejected: 'orders for rejections',
  outcomeChanged: 'changed answers',
  falseSoldOut: 'false sold-outs',
  successWithoutOrder: '2xx without an order',
};

const NOTE_LABELS: Record<string, string> = {
  killed: 'killed',
  replacementReadySeconds: 'back ready in',
  injectedLatencyMs: 'injected latency',
  restored: 'put back after a failed step',
  frontendFailedOrderAttempts5xx: 'frontend saw 5xx on orders',
  frontendOrderAttemptTimeouts: 'frontend order timeouts',
  frontendRetries: 'frontend retries',
};

function noteValue(key: string, value: string | number): string {
  if (typeof value !== 'number') return value;
  if (key.endsWith('Seconds')) return `${value.toFixed(1)}s`;
  if (key.endsWith('Ms')) return formatMs(value);
  return String(value);
}

const VERDICT_TEXT = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'inconclusive — tested nothing',
  skipped: 'skipped',
} as const;

const ms = (value: number | null) => (value === null ? '—' : formatMs(value));
const seconds = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)}s`);

function thresholdText(threshold: Threshold): string {
  if (threshold.kind === 'successRate') return `≥ ${percent(threshold.min)} succeed`;
  if (threshold.kind === 'friendly503') return 'only friendly 503s, catalog served';
  return 'probe results as expected';
}

function violations(s: ScenarioResult): number {
  return INVARIANT_KINDS.reduce((sum, kind) => sum + s.invariants[kind], 0);
}

function chip(verdict: ScenarioResult['verdict']): string {
  return `<span class="chip ${verdict}">${VERDICT_TEXT[verdict]}</span>`;
}

function verdictTable(report: ChaosReport): string {
  const rows = report.scenarios.map((s) => {
    const skipped = s.verdict === 'skipped';
    const cell = (text: string) => `<td>${skipped ? '—' : text}</td>`;
    return `<tr>
      <th scope="row"><a href="#${h(s.name)}">${h(s.name)}</a></th>
      <td>${chip(s.verdict)}</td>
      ${cell(`${percent(s.successRate)}<div class="sub">${h(thresholdText(s.thresholds))}</div>`)}
      ${cell(String(s.evidence?.purchasesConfirmed.fault ?? 0))}
      ${cell(`${ms(s.latencyMs.before.p50)} → ${ms(s.latencyMs.fault.p50)}`)}
      ${cell(`${ms(s.latencyMs.before.p99)} → ${ms(s.latencyMs.fault.p99)}`)}
      ${cell(seconds(s.recoverySeconds))}
      ${cell(seconds(s.replacementReadySeconds))}
      ${cell(violations(s) === 0 ? '<span class="zero">0</span>' : `<span class="bad">${violations(s)}</span>`)}
    </tr>`;
  });
  return `<table class="verdicts">
    <thead><tr><th scope="col">scenario</th><th scope="col">verdict</th><th scope="col">user success</th><th scope="col">confirmed in fault</th>
    <th scope="col">p50 before → fault</th><th scope="col">p99 before → fault</th>
    <th scope="col">recovery</th><th scope="col">replacement ready</th><th scope="col">violations</th></tr></thead>
    <tbody>${rows.join('')}</tbody></table>`;
}

function invariantTiles(s: ScenarioResult): string {
  const tiles = INVARIANT_KINDS.map((kind) => {
    const count = s.invariants[kind];
    return `<div class="tile ${count === 0 ? 'good' : 'bad'}"><div class="n">${count}</div><div>${INVARIANT_LABELS[kind]}</div></div>`;
  });
  tiles.push(
    `<div class="tile info"><div class="n">${s.invariants.committedUnconfirmed}</div><div>failed for the user, yet committed</div></div>`,
  );
  return `<div class="tiles">${tiles.join('')}</div>`;
}

function checksList(s: ScenarioResult): string {
  const items = s.checks.map((c) => {
    const mark = c.ok ? '✓' : c.evidence ? '?' : '✗';
    const said = c.ok ? 'passed' : c.evidence ? 'no evidence' : 'failed';
    return `<li class="${c.ok ? 'ok' : 'no'}${c.evidence ? ' evidence' : ''}"><span class="mark" aria-hidden="true">${mark}</span><span class="sr">${said}: </span><strong>${h(c.name)}</strong> <span class="detail">${h(c.detail)}</span></li>`;
  });
  return `<ul class="checks">${items.join('')}</ul>`;
}

const FAULT_LABELS: Record<string, string> = {
  injectedBeforeOnOrders: '500s injected on orders (logic)',
  injectedAfterCommitOnOrders: 'answers lost after commit (logic)',
  injectedDelayOnOrders: 'delays injected on orders (logic)',
  injectedOnOtherCalls: 'faults on other calls (logic)',
};

/** What the scenario shows it tested: purchases per phase, small events, fault counts. */
function evidenceTable(s: ScenarioResult): string {
  const e = s.evidence;
  if (!e) return '';
  const c = e.purchasesConfirmed;
  const rows = [
    [
      'purchases confirmed',
      `<strong>${c.fault}</strong> during the fault · ${c.before} before · ${c.after} after`,
    ],
    ['503 answers during the fault', String(e.unavailableDuringFault)],
    ...e.smallEvents.map((x) => [
      `small event ${h(x.id)} (${x.capacity} seats)`,
      x.soldOutAt === null
        ? `${x.available ?? '?'} seats left`
        : `sold out at ${(x.soldOutAt / 1000).toFixed(1)}s${x.soldOutDuringFault ? ' — during the fault' : ''}, ${x.buyersAtTheEnd} buyers on it in its last 2 s, ${x.soldOutAnswersDuringFault} turned away in the fault`,
    ]),
    ...Object.entries(e.fault).map(([k, v]) => [h(FAULT_LABELS[k] ?? k), String(v)]),
  ];
  if (e.largeEventsSoldOut.length > 0) {
    rows.push(['large events sold out', h(e.largeEventsSoldOut.join(', '))]);
  }
  return `<h3>Evidence</h3><table class="evidence"><tbody>${rows
    .map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`)
    .join('')}</tbody></table>`;
}

function statusChips(s: ScenarioResult): string {
  const entries = Object.entries(s.requests.byStatus).sort(([a], [b]) => Number(a) - Number(b));
  return entries
    .map(([status, count]) => {
      const code = Number(status);
      const kind = code >= 200 && code < 300 ? 'ok' : code === 409 ? 'warn' : 'bad';
      return `<span class="status ${kind}">${status === '0' ? 'no answer' : status} × ${count}</span>`;
    })
    .join(' ');
}

function scenarioSection(s: ScenarioResult): string {
  if (s.verdict === 'skipped') {
    return `<section id="${h(s.name)}" class="scenario skipped"><h2>${h(s.name)} ${chip(s.verdict)}</h2>
      <p class="summary">${h(s.summary)}</p><p class="reason">Skipped: ${h(s.reason ?? '')}</p></section>`;
  }
  const examples = s.invariants.examples.map(
    (v) => `<li><code>${h(v.kind)}</code> ${h(v.message)}</li>`,
  );
  const notes = Object.entries(s.notes).map(
    ([k, v]) =>
      `<span class="note">${h(NOTE_LABELS[k] ?? k)}: <strong>${h(noteValue(k, v))}</strong></span>`,
  );
  return `<section id="${h(s.name)}" class="scenario ${s.verdict}">
    <h2>${h(s.name)} ${chip(s.verdict)}</h2>
    <p class="summary">${h(s.summary)} · threshold: ${h(thresholdText(s.thresholds))}</p>
    <div class="figures">
      <div><span class="big">${percent(s.successRate)}</span>user success<div class="sub">${s.operations.ok} of ${s.operations.total} operations · ${percent(s.requestSuccessRate)} of ${s.requests.total} requests</div></div>
      <div><span class="big">${seconds(s.recoverySeconds)}</span>recovery<div class="sub">fault end → steady state</div></div>
      <div><span class="big">${ms(s.latencyMs.fault.p99)}</span>p99 in the fault<div class="sub">${ms(s.latencyMs.before.p99)} before · ${ms(s.latencyMs.after.p99)} after</div></div>
      <div><span class="big">${seconds((s.phases.fault.end - s.phases.fault.start) / 1000)}</span>fault window<div class="sub">${notes.length > 0 ? notes.join(' · ') : '&nbsp;'}</div></div>
    </div>
    <figure>${timelineSvg(s)}
      <figcaption><span class="key ok"></span>ok requests/s <span class="key failed"></span>failed <span class="key latency"></span>p99 latency <span class="key fault"></span>fault window</figcaption>
    </figure>
    ${evidenceTable(s)}
    <div class="columns">
      <div><h3>Checks</h3>${checksList(s)}</div>
      <div><h3>Invariants</h3>${invariantTiles(s)}
        <h3>Answers</h3><p class="statuses">${statusChips(s)}</p></div>
    </div>
    ${s.reason ? `<p class="reason">${h(s.reason)}</p>` : ''}
    ${examples.length > 0 ? `<h3>Violations found</h3><ul class="examples">${examples.join('')}</ul>` : ''}
  </section>`;
}

function headline(report: ChaosReport): string {
  if (report.verdict === 'pass') return 'No order lost, duplicated or oversold';
  if (report.scenarios.some((s) => s.verdict === 'fail')) return 'Something broke';
  return 'Not proven: a scenario could not show it tested anything';
}

/** One self-contained page: inline CSS and SVG, no script, no network. */
export function renderHtmlReport(report: ChaosReport): string {
  const passed = report.scenarios.filter((s) => s.verdict === 'pass').length;
  const inconclusive = report.scenarios.filter((s) => s.verdict === 'inconclusive').length;
  const ran = report.scenarios.filter((s) => s.verdict !== 'skipped').length;
  const minutes = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 60_000;
  const title = `FlameTickets chaos report — ${report.verdict === 'pass' ? 'passed' : 'failed'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title><style>${REPORT_CSS}</style></head>
<body><main>
<header class="${report.verdict}">
  <div><p class="eyebrow">FlameTickets · chaos report</p>
  <h1>${headline(report)}</h1>
  <p>${passed} of ${ran} scenarios passed${inconclusive > 0 ? `, <strong>${inconclusive} inconclusive</strong> (tested nothing)` : ''}${ran < report.scenarios.length ? `, ${report.scenarios.length - ran} skipped` : ''} on the <strong>${h(report.target)}</strong> target ·
  seed <strong>${report.seed}</strong> · ${h(report.profile)} profile · ${minutes.toFixed(1)} min · ${h(new Date(report.startedAt).toUTCString())}</p></div>
  <div class="overall">${report.verdict === 'pass' ? 'PASS' : 'FAIL'}</div>
</header>
${verdictTable(report)}
<p class="howto">User success counts what a buyer felt: a purchase (with the client's own retries under one Idempotency-Key) or a catalog read that got a definite answer — a confirmation, or "sold out". Recovery is the time from the end of the fault until every request succeeded again. Invariants are checked against the database after each scenario, on the scenario's own events. A scenario is <em>inconclusive</em> when it cannot show it tested anything — too few purchases confirmed during the fault, no small event sold out in it, or no footprint of the fault — and an inconclusive scenario fails the run.</p>
${report.scenarios.map(scenarioSection).join('\n')}
</main></body></html>
`;
}
