// The control room (/console): start virtual buyers, break logic on purpose, and watch the
// promise hold — with the chaos runner's own load generator and invariant checker.
import { FAULT_MODES, type FaultMode, type FaultUpdate } from '../shared/admin-api.ts';
import { AdminApiError, AdminClient } from '../shared/admin-client.ts';
import { byId, countsText, millis, percent, setText } from './dom.ts';
import { drawTiles, showInvariants } from './invariant-tiles.ts';
import { BuyerSession, type SessionResult } from './session.ts';

const TOKEN_KEY = 'flametickets.admin-token';
/** Every few ticks (seconds) the invariants are checked against the database. */
const INVARIANT_EVERY_TICKS = 3;

let admin: AdminClient | undefined;
let session: BuyerSession | undefined;
let ticks = 0;
const replicas = new Set<string>();
let crashed: { replica: string; at: number } | undefined;

/** What a failed admin call means to the person at the console. */
function explain(error: unknown): string {
  if (error instanceof AdminApiError) {
    if (error.status === 401)
      return 'That admin token was refused: check ADMIN_TOKEN and try again.';
    if (error.status === 404)
      return 'The console is off: this frontend was started without ADMIN_TOKEN.';
    if (error.status === 503) return 'Logic is not answering right now; the shop says it is busy.';
    return `The shop answered ${error.status}.`;
  }
  return 'The shop cannot be reached.';
}

async function unlock(token: string): Promise<boolean> {
  const candidate = new AdminClient('/api', token);
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
  byId<HTMLInputElement>('buyer-count').focus();
  return true;
}

function noteReplica(name: string): void {
  if (replicas.has(name)) return;
  replicas.add(name);
  const select = byId<HTMLSelectElement>('fault-target');
  select.append(new Option(`only ${name}`, name));
}

function startBuyers(): void {
  if (!admin || session) return;
  const count = Math.min(6, Math.max(1, Number(byId<HTMLInputElement>('buyer-count').value)));
  session = new BuyerSession(admin, count);
  byId<HTMLButtonElement>('start-buyers').disabled = true;
  byId<HTMLButtonElement>('stop-buyers').disabled = false;
  setText('buyers-status', `${count} buyers shopping.`);
  setText('verdict', 'Stop the buyers for a verdict.');
}

async function stopBuyers(): Promise<void> {
  const running = session;
  if (!running) return;
  byId<HTMLButtonElement>('stop-buyers').disabled = true;
  setText('buyers-status', 'Stopping: waiting for the last answers…');
  let result: SessionResult | undefined;
  try {
    result = await running.stop();
  } catch (error) {
    setText('verdict', `No verdict: the audit could not be read. ${explain(error)}`);
  }
  session = undefined;
  byId<HTMLButtonElement>('start-buyers').disabled = false;
  setText('buyers-status', 'Buyers stopped.');
  if (!result) return;
  showStats(running);
  showInvariants(result.invariants);
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
  if (crashed) {
    const { replica, at } = crashed;
    const back = of.log.requests.some((r) => r.servedBy === replica && r.start > at);
    if (back) {
      setText('crash-status', `${replica} is back and serving again.`);
      crashed = undefined;
    }
  }
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
      await fetch('/api/admin/status', { headers: { authorization: `Bearer ${tokenNow()}` } })
    ).json()) as { breaker?: string };
    setText('breaker', status.breaker ?? '—');
  } catch {
    setText('breaker', 'unknown (frontend unreachable)');
  }
  if (!session) return;
  showStats(session);
  if (ticks % INVARIANT_EVERY_TICKS === 0) {
    try {
      showInvariants(await session.checkInvariants());
      setText('invariants-status', `Checked at ${new Date().toLocaleTimeString()}.`);
    } catch (error) {
      setText('invariants-status', `Not checked this time: ${explain(error)}`);
    }
  }
}

const tokenNow = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

function faultsFromForm(clear: boolean): FaultUpdate {
  const mode = byId<HTMLSelectElement>('fault-mode').value as FaultMode;
  const target = byId<HTMLSelectElement>('fault-target').value;
  const rate = clear ? 0 : Number(byId<HTMLInputElement>('fault-rate').value) / 100;
  const latencyMs = clear ? 0 : Number(byId<HTMLInputElement>('fault-latency').value);
  return {
    rate,
    latencyMs,
    mode: FAULT_MODES.includes(mode) ? mode : 'before',
    ...(target === 'all' || clear ? {} : { replica: target }),
  };
}

async function applyFaults(clear: boolean): Promise<void> {
  if (!admin) return;
  const update = faultsFromForm(clear);
  try {
    await admin.putFaults(update);
    const where = update.replica ?? 'every logic replica';
    setText(
      'faults-status',
      update.rate === 0
        ? `No faults on ${where}.`
        : `${Math.round(update.rate * 1000) / 10}% of requests on ${where}: ${update.mode}` +
            (update.latencyMs > 0 ? `, ${update.latencyMs} ms` : '') +
            '. Every replica applies it within a second.',
    );
  } catch (error) {
    setText('faults-status', `Not changed: ${explain(error)}`);
  }
}

async function crashReplica(): Promise<void> {
  if (!admin) return;
  try {
    const { crashing } = await admin.crash();
    crashed = { replica: crashing, at: session?.log.now() ?? 0 };
    setText('crash-status', `${crashing} crashed. Watch it restart and serve again.`);
  } catch (error) {
    setText('crash-status', `No crash: ${explain(error)}`);
  }
}

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
    void applyFaults(false);
  });
  byId('clear-faults').addEventListener('click', () => void applyFaults(true));
  byId('crash').addEventListener('click', () => void crashReplica());
  setInterval(() => void tick(), 1000);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) void unlock(saved);
}

wire();
