// The control room (/console): start virtual buyers, break logic on purpose, and watch the
// promise hold — with the chaos runner's own load generator and invariant checker.
import { AdminClient } from '../shared/admin-client.ts';
import { applyFaults, CrashWatch } from './admin-actions.ts';
import { LiveCharts } from './charts.ts';
import { byId, countsText, millis, percent, setText } from './dom.ts';
import { explain } from './explain.ts';
import { drawTiles, showInvariants } from './invariant-tiles.ts';
import { clockTime, Marks } from './marks.ts';
import { perSecond } from './series.ts';
import { type AuditScope, BuyerSession, type SessionResult } from './session.ts';
import { offerDownloads, sessionReport, targetOfReplicas } from './session-report.ts';

const TOKEN_KEY = 'flametickets.admin-token';
/** Every few ticks (seconds) the invariants are checked against the database. */
const INVARIANT_EVERY_TICKS = 3;
/** The charts show the last few minutes. */
const CHART_WINDOW_MS = 5 * 60_000;
/** Longer than the frontend's own deadline for admin calls, so its answer says what failed. */
const ADMIN_TIMEOUT_MS = 15_000;

let admin: AdminClient | undefined;
/** The running session, or the last one after Stop (its charts stay on screen). */
let session: BuyerSession | undefined;
let running = false;
let stoppedAt: number | undefined;
let ticks = 0;
const replicas = new Set<string>();
const marks = new Marks();
const crashes = new CrashWatch();
let charts: LiveCharts | undefined;

async function unlock(token: string): Promise<boolean> {
  const candidate = new AdminClient('/api', token, { timeoutMs: ADMIN_TIMEOUT_MS });
  try {
    noteReplica((await candidate.getFaults()).replica);
  } catch (error) {
    setText('unlock-status', explain(error));
    return false;
  }
  admin = candidate;
  sessionStorage.setItem(TOKEN_KEY, token);
  byId('unlock').hidden = true;
  byId('room').hidden = false;
  charts = new LiveCharts();
  byId<HTMLInputElement>('buyer-count').focus();
  return true;
}

function noteReplica(name: string): void {
  if (replicas.has(name)) return;
  replicas.add(name);
  byId<HTMLSelectElement>('fault-target').append(new Option(`only ${name}`, name));
}

const auditScope = (): AuditScope =>
  byId<HTMLInputElement>('audit-catalog').checked ? 'catalog' : 'touched';

function startBuyers(): void {
  if (!admin || running) return;
  const count = Math.min(6, Math.max(1, Number(byId<HTMLInputElement>('buyer-count').value)));
  session = new BuyerSession(admin, count);
  running = true;
  stoppedAt = undefined;
  marks.add('buyers', `${count} buyers started`, `${count} buyers`, session.log.startedAt);
  byId<HTMLButtonElement>('start-buyers').disabled = true;
  byId<HTMLButtonElement>('stop-buyers').disabled = false;
  byId('report-links').replaceChildren();
  setText('buyers-status', `${count} buyers shopping.`);
  setText('verdict', 'Stop the buyers for a verdict.');
}

async function stopBuyers(): Promise<void> {
  const stopping = session;
  if (!stopping || !running) return;
  byId<HTMLButtonElement>('stop-buyers').disabled = true;
  setText('buyers-status', 'Stopping: waiting for the last answers…');
  let result: SessionResult | undefined;
  try {
    result = await stopping.stop(auditScope());
  } catch (error) {
    setText('verdict', `No verdict: the audit could not be read. ${explain(error)}`);
  }
  running = false;
  stoppedAt = Date.now();
  marks.add('buyers', 'buyers stopped', 'stop', stoppedAt);
  byId<HTMLButtonElement>('start-buyers').disabled = false;
  setText('buyers-status', 'Buyers stopped.');
  showStats(stopping);
  if (!result) return;
  showVerdict(result);
  const target = targetOfReplicas(replicas);
  const from = stopping.log.startedAt;
  offerDownloads(
    sessionReport({ session: stopping, result, marks: marks.since(from), target, stoppedAt }),
  );
}

function showVerdict(result: SessionResult): void {
  showInvariants(result.invariants);
  setText('invariants-status', `${result.auditedEvents} events audited at the end.`);
  const verdict = byId('verdict');
  verdict.className = `verdict ${result.verdict}`;
  const { stats } = result;
  verdict.textContent =
    `Verdict: ${result.verdict} — ${percent(stats.successRate)} user success over ` +
    `${stats.finished} operations, ${stats.purchasesConfirmed} purchases confirmed` +
    (result.reasons.length > 0 ? `; ${result.reasons.join('; ')}` : '; every invariant held.');
}

function showStats(of: BuyerSession): void {
  const stats = of.stats();
  setText('ops-per-second', String(stats.operationsPerSecond));
  setText('user-success', percent(stats.successRate));
  setText('latency', `${millis(stats.p50Ms)} / ${millis(stats.p99Ms)}`);
  setText('by-status', countsText(stats.byStatus));
  setText('served-by', countsText(stats.servedBy));
  setText('stale-reads', String(stats.staleCatalogReads));
  setText('confirmed', String(stats.purchasesConfirmed));
  for (const name of Object.keys(stats.servedBy)) noteReplica(name);
  crashes.watch(of.log, marks);
  const end = stoppedAt ?? Date.now();
  const from = Math.max(of.log.startedAt, end - CHART_WINDOW_MS);
  charts?.show(perSecond(of.log, from, end), marks.since(from), from, end);
}

let ticking = false;
async function tick(): Promise<void> {
  if (!admin || ticking) return;
  ticking = true;
  try {
    await refresh();
  } finally {
    ticking = false;
  }
}

async function refresh(): Promise<void> {
  ticks++;
  try {
    const status = (await (
      await fetch('/api/admin/status', {
        headers: { authorization: `Bearer ${tokenNow()}` },
        signal: AbortSignal.timeout(2000),
      })
    ).json()) as { breaker?: string };
    setText('breaker', status.breaker ?? '—');
  } catch {
    setText('breaker', 'unknown (frontend unreachable)');
  }
  if (!session || !running) return;
  showStats(session);
  if (ticks % INVARIANT_EVERY_TICKS === 0) void checkNow(session);
}

/** An audit can take seconds: the charts go on moving meanwhile, one check at a time. */
let checking = false;
async function checkNow(of: BuyerSession): Promise<void> {
  if (checking) return;
  checking = true;
  try {
    const { invariants, auditedEvents } = await of.checkInvariants(auditScope());
    if (of !== session || !running) return;
    showInvariants(invariants);
    setText('invariants-status', `${auditedEvents} events audited at ${clockTime(Date.now())}.`);
  } catch (error) {
    if (of === session && running) {
      setText('invariants-status', `Not checked this time: ${explain(error)}`);
    }
  } finally {
    checking = false;
  }
}

const tokenNow = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

function wire(): void {
  drawTiles();
  byId('unlock-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void unlock(byId<HTMLInputElement>('token').value.trim());
  });
  byId('buyers-form').addEventListener('submit', (e) => {
    e.preventDefault();
    startBuyers();
  });
  byId('stop-buyers').addEventListener('click', () => void stopBuyers());
  byId('faults-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (admin) void applyFaults(admin, marks, false);
  });
  byId('clear-faults').addEventListener('click', () => {
    if (admin) void applyFaults(admin, marks, true);
  });
  byId('crash').addEventListener('click', () => {
    if (admin) void crashes.crash(admin, marks);
  });
  setInterval(() => void tick(), 1000);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) void unlock(saved);
}

wire();
