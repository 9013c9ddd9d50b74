import {
  checkInvariants,
  type InvariantResult,
  totalViolations,
} from '../chaos/core/invariants.ts';
import { type LoadGenerator, startLoadGenerator } from '../chaos/core/load/load-generator.ts';
import { RequestLog } from '../chaos/core/load/request-log.ts';
import { seededRandom } from '../chaos/core/random.ts';
import { type Audit, MAX_EVENTS_PER_CALL } from '../shared/admin-api.ts';
import type { AdminClient } from '../shared/admin-client.ts';
import { type LiveStats, liveStats } from './live-stats.ts';

/** The least user success a session may show and still pass, as the chaos scenarios ask. */
export const MIN_SUCCESS = 0.99;

export type SessionVerdict = 'pass' | 'fail' | 'inconclusive';

export interface SessionResult {
  verdict: SessionVerdict;
  reasons: string[];
  stats: LiveStats;
  invariants: InvariantResult;
  auditedEvents: number;
}

/** An invariant check and how many events its audit covered. */
export interface InvariantCheck {
  invariants: InvariantResult;
  auditedEvents: number;
}

/** What an invariant check audits: the events the buyers touched, or the whole catalog. */
export type AuditScope = 'touched' | 'catalog';

/**
 * The audit of these events, however many: logic answers at most MAX_EVENTS_PER_CALL per call,
 * so the list goes in slices, one after the other, merged into one audit. Each slice is read
 * after the request log was, so a confirmation in the log is in its slice's snapshot.
 */
export async function auditOf(admin: AdminClient, eventIds: readonly string[]): Promise<Audit> {
  const audit: Audit = { events: [], orders: [] };
  for (let i = 0; i < eventIds.length; i += MAX_EVENTS_PER_CALL) {
    const slice = await admin.getAudit(eventIds.slice(i, i + MAX_EVENTS_PER_CALL));
    audit.events.push(...slice.events);
    audit.orders.push(...slice.orders);
  }
  return audit;
}

/**
 * One run of virtual buyers in the page: the chaos runner's own buyers (one Idempotency-Key
 * per purchase attempt, retried with the same key), its own request log and its own invariant
 * checker, against the shop this page came from.
 */
export class BuyerSession {
  readonly log = new RequestLog();
  readonly seed = Math.floor(Math.random() * 2 ** 31);
  readonly buyers: number;
  readonly #admin: AdminClient;
  readonly #generator: LoadGenerator;

  constructor(admin: AdminClient, buyers: number) {
    this.#admin = admin;
    this.buyers = buyers;
    const { seed } = this;
    this.log.scenario = 'console';
    this.#generator = startLoadGenerator({
      shopUrl: '',
      buyers,
      log: this.log,
      random: seededRandom(seed),
      requestTimeoutMs: 15_000,
      clientRetries: 2,
      retryAfterCapMs: 2000,
      thinkMs: [100, 300],
      catalogShare: 0.2,
      browsers: 0,
      keyPrefix: `console-${seed.toString(36)}`,
    });
  }

  stats(): LiveStats {
    return liveStats(this.log);
  }

  /**
   * The invariants now. The log is read before the audit, so every confirmation in it was
   * committed before the audit's snapshot: a purchase confirmed while the audit was being read
   * is left for the next check instead of looking lost.
   */
  async checkInvariants(scope: AuditScope = 'touched'): Promise<InvariantCheck> {
    const seen = this.log.requests.filter((r) => r.end >= 0).map((r) => ({ ...r }));
    const events = [...new Set(seen.flatMap((r) => (r.eventId ? [r.eventId] : [])))];
    const audit =
      scope === 'catalog' ? await this.#admin.getAudit() : await auditOf(this.#admin, events);
    return { invariants: checkInvariants(audit, seen), auditedEvents: audit.events.length };
  }

  /** Stops the buyers, waits for their last answers, and judges the session. */
  async stop(scope: AuditScope = 'touched'): Promise<SessionResult> {
    await this.#generator.stop();
    const { invariants, auditedEvents } = await this.checkInvariants(scope);
    const stats = this.stats();
    return { ...judgeSession(stats, invariants), stats, invariants, auditedEvents };
  }
}

/** Like a chaos scenario: inconclusive without confirmed purchases, else every check must hold. */
export function judgeSession(
  stats: LiveStats,
  invariants: InvariantResult,
): { verdict: SessionVerdict; reasons: string[] } {
  if (stats.purchasesConfirmed === 0) {
    return { verdict: 'inconclusive', reasons: ['no purchase was confirmed: nothing was tested'] };
  }
  const reasons: string[] = [];
  const violations = totalViolations(invariants);
  if (violations > 0) reasons.push(`${violations} invariant violation(s)`);
  const success = stats.successRate ?? 0;
  if (success < MIN_SUCCESS) {
    reasons.push(`user success ${(success * 100).toFixed(2)}% is below ${MIN_SUCCESS * 100}%`);
  }
  return reasons.length > 0 ? { verdict: 'fail', reasons } : { verdict: 'pass', reasons: [] };
}
