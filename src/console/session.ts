import { checkInvariants, type InvariantResult, totalViolations } from '../chaos/invariants.ts';
import { type LoadGenerator, startLoadGenerator } from '../chaos/load/load-generator.ts';
import { RequestLog } from '../chaos/load/request-log.ts';
import { seededRandom } from '../chaos/random.ts';
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
}

/**
 * One run of virtual buyers in the page: the chaos runner's own buyers (one Idempotency-Key
 * per purchase attempt, retried with the same key), its own request log and its own invariant
 * checker, against the shop this page came from.
 */
export class BuyerSession {
  readonly log = new RequestLog();
  readonly #admin: AdminClient;
  readonly #generator: LoadGenerator;

  constructor(admin: AdminClient, buyers: number) {
    this.#admin = admin;
    const seed = Math.floor(Math.random() * 2 ** 31);
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
  async checkInvariants(): Promise<InvariantResult> {
    const seen = this.log.requests.filter((r) => r.end >= 0).map((r) => ({ ...r }));
    const events = [...new Set(seen.flatMap((r) => (r.eventId ? [r.eventId] : [])))];
    const audit = await this.#admin.getAudit(events.length > 0 ? events.slice(0, 100) : undefined);
    return checkInvariants(audit, seen);
  }

  /** Stops the buyers, waits for their last answers, and judges the session. */
  async stop(): Promise<SessionResult> {
    await this.#generator.stop();
    const invariants = await this.checkInvariants();
    const stats = this.stats();
    return { ...judgeSession(stats, invariants), stats, invariants };
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
