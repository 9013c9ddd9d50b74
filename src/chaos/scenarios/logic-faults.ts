// The faults logic injects into its own answers (PUT /admin/faults). Logic counts what it
// injected, but that count is the faulted component's word: each proof matches it against
// what the frontend (its metrics) and the buyers (their records) saw.
import { NO_FAULTS } from '../../shared/admin-api.ts';
import { type Check, evidenceCheck, type ProofInput } from '../core/model.ts';
import {
  confirmedTakingAtLeast,
  frontendMatchCheck,
  frontendRetriedCheck,
  injectedCheck,
} from './footprint.ts';
import { BOTH_TARGETS, type Scenario, type ScenarioContext } from './scenario.ts';

/** Reads what logic injected before clearing it: the counts start again with new settings. */
async function clearFaults(c: ScenarioContext): Promise<void> {
  c.observed.injected = await c.target.faultCounts();
  await c.target.setFaults(NO_FAULTS);
}

/**
 * flaky-logic: logic failed order calls with 500 before any work; the frontend saw about as
 * many 500s as logic counted, and retried them. Catches a fault that is counted but never
 * served (the frontend sees no 500s).
 */
export function retriedFaultsProof({ observed }: ProofInput): Check[] {
  return [
    injectedCheck(observed.injected, 'before', '500s'),
    frontendMatchCheck(observed, 'before', 'status5xx', '500s'),
    frontendRetriedCheck(observed),
  ];
}

/**
 * lost-responses: orders committed and then their answer failed. The frontend saw the failed
 * answers, and a buyer saw a lost answer's order again (a replay, or an order found for a
 * purchase the buyer saw fail).
 */
export function lostResponsesProof({ requests, observed, invariants }: ProofInput): Check[] {
  const replays = requests.filter((r) => r.replayed && r.orderId !== null).length;
  return [
    injectedCheck(observed.injected, 'after-commit', 'lost answers after commit'),
    frontendMatchCheck(observed, 'after-commit', 'status5xx', 'failed answers'),
    evidenceCheck(
      'a lost answer was replayed or its order found',
      replays + invariants.committedUnconfirmed > 0,
      `${replays} replayed confirmations seen by buyers (Idempotent-Replayed), ${invariants.committedUnconfirmed} orders committed that the buyer saw fail`,
    ),
  ];
}

/**
 * slow-logic: some attempts were held past the frontend's per-attempt timeout, which fired
 * (the frontend's timeouts match the delays logic counted), and buyers saw purchases that
 * took at least that timeout confirmed by a retry. Catches latency counted but never applied.
 */
export function timedOutRetriedProof({ requests, observed, attemptTimeoutMs }: ProofInput) {
  const latency = observed.injectedLatencyMs ?? Number.POSITIVE_INFINITY;
  const slow = confirmedTakingAtLeast(requests, attemptTimeoutMs);
  const retried = slow.filter((r) => r.end - r.start < latency).length;
  return [
    injectedCheck(observed.injected, 'delay', 'delays'),
    frontendMatchCheck(observed, 'delay', 'timeout', 'delays (as attempt timeouts)'),
    evidenceCheck(
      'buyers saw purchases held past the attempt timeout, then confirmed',
      retried > 0,
      `${retried} purchases confirmed after ${attemptTimeoutMs}–${latency} ms (per-attempt timeout, then a retry), measured by the buyers`,
    ),
  ];
}

export const FLAKY_LOGIC: Scenario = {
  name: 'flaky-logic',
  summary: '20% of logic requests fail with 500 before any work',
  targets: BOTH_TARGETS,
  threshold: { kind: 'successRate', min: 0.99 },
  buysDuringFault: true,
  inject: (c) => c.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'before', seed: c.seed }),
  rollback: clearFaults,
  proof: retriedFaultsProof,
};

export const LOST_RESPONSES: Scenario = {
  name: 'lost-responses',
  summary: '20% of logic requests do their work (commit), then the response fails',
  targets: BOTH_TARGETS,
  threshold: { kind: 'successRate', min: 0.99 },
  buysDuringFault: true,
  inject: (c) =>
    c.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'after-commit', seed: c.seed }),
  rollback: clearFaults,
  proof: lostResponsesProof,
};

export const SLOW_LOGIC: Scenario = {
  name: 'slow-logic',
  summary: '20% of logic requests wait longer than the frontend’s per-attempt timeout',
  targets: BOTH_TARGETS,
  threshold: { kind: 'successRate', min: 0.99 },
  buysDuringFault: true,
  async inject(c) {
    const latencyMs = c.attemptTimeoutMs + 1000;
    c.observed.injectedLatencyMs = latencyMs;
    await c.target.setFaults({ rate: 0.2, latencyMs, mode: 'delay', seed: c.seed });
  },
  rollback: clearFaults,
  proof: timedOutRetriedProof,
};
