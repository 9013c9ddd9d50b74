import { evidenceCheck } from './evidence.ts';
import type { InvariantResult } from './invariants.ts';
import {
  killedReplicaProof,
  lostResponsesProof,
  replacedProof,
  retriedFaultsProof,
  timedOutRetriedProof,
} from './proofs.ts';
import type { ChaosTarget, TargetName } from './targets/target.ts';
import type { Audit, FaultCounts, RequestRecord } from './types.ts';
import { NO_FAULTS } from './types.ts';

/** How a scenario's user-facing outcome is judged. */
export type Threshold =
  /** At least `min` of user operations (purchases with their client retries, catalog reads) succeed. */
  | { kind: 'successRate'; min: number }
  /** Failures allowed only as 503 with the friendly message; the catalog is always served. */
  | { kind: 'friendly503' }
  /** Judged by the probe's results alone. */
  | { kind: 'probe' };

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /**
   * Evidence that the scenario tested what it claims (purchases during the fault, the
   * fault's footprint). A failed evidence check makes the verdict inconclusive, not fail.
   */
  evidence?: boolean;
}

/** State a scenario keeps between its steps, for its rollback and its proof. */
export interface ScenarioMemo {
  audit?: Audit;
  /** Faults logic injected while the fault was on, read just before it was cleared. */
  injected?: FaultCounts;
  /** The killed replica's x-served-by name, and when (log time) it was killed. */
  killed?: string;
  killedAt?: number;
  identitiesBefore?: string[];
  identitiesAfter?: string[];
}

/** What a scenario's proof looks at once the load has stopped. */
export interface ProofInput {
  requests: readonly RequestRecord[];
  memo: ScenarioMemo;
  notes: Record<string, string | number>;
  invariants: InvariantResult;
  attemptTimeoutMs: number;
}

export interface ScenarioContext {
  target: ChaosTarget;
  seed: number;
  /** The frontend's per-attempt timeout: slow-logic's latency goes above it. */
  attemptTimeoutMs: number;
  /** Scenario-specific checks, judged with the rest. */
  checks: Check[];
  /** Numbers for the report (replacement ready time, what was killed). */
  notes: Record<string, string | number>;
  memo: ScenarioMemo;
  /** The run's clock (ms since it started), the time axis of every request record. */
  now: () => number;
  /** The events of this scenario's stock: db-down's before/after audit covers them. */
  stockIds: () => string[];
}

export interface Scenario {
  name: string;
  summary: string;
  targets: readonly TargetName[];
  threshold: Threshold;
  /**
   * Purchases can succeed while the fault is on: the scenario must confirm some in its fault
   * window and sell out a small event there. Otherwise (the whole shop down) it must confirm
   * some before and after, and answer friendly 503s during.
   */
  buysDuringFault: boolean;
  inject(context: ScenarioContext): Promise<void>;
  rollback(context: ScenarioContext): Promise<void>;
  /** The fault's own footprint, as evidence checks. */
  proof?(input: ProofInput): Check[];
}

const both: readonly TargetName[] = ['local', 'kind'];
const kindOnly: readonly TargetName[] = ['kind'];
/** Reads what logic injected before clearing it: the counts start again with new settings. */
async function clearFaults(c: ScenarioContext): Promise<void> {
  c.memo.injected = await c.target.faultCounts();
  await c.target.setFaults(NO_FAULTS);
}

/** Every scenario, in the fixed order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'replica-kill',
    summary: 'one logic replica killed hard (SIGKILL / pod delete, grace 0)',
    targets: both,
    threshold: { kind: 'successRate', min: 0.999 },
    buysDuringFault: true,
    async inject(c) {
      c.memo.killedAt = c.now();
      c.memo.killed = await c.target.killLogicReplica();
      c.notes.killed = c.memo.killed;
    },
    async rollback(c) {
      c.notes.replacementReadySeconds = await c.target.restoreLogicReplica();
    },
    proof: killedReplicaProof,
  },
  {
    name: 'rolling-restart',
    summary: 'every logic replica replaced gracefully, one by one',
    targets: both,
    threshold: { kind: 'successRate', min: 0.999 },
    buysDuringFault: true,
    async inject(c) {
      c.memo.identitiesBefore = await c.target.logicIdentities();
      await c.target.rollingRestartLogic();
    },
    async rollback(c) {
      c.memo.identitiesAfter = await c.target.logicIdentities();
    },
    proof: replacedProof,
  },
  {
    name: 'flaky-logic',
    summary: '20% of logic requests fail with 500 before any work',
    targets: both,
    threshold: { kind: 'successRate', min: 0.99 },
    buysDuringFault: true,
    inject: (c) => c.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'before', seed: c.seed }),
    rollback: clearFaults,
    proof: retriedFaultsProof,
  },
  {
    name: 'lost-responses',
    summary: '20% of logic requests do their work (commit), then the response fails',
    targets: both,
    threshold: { kind: 'successRate', min: 0.99 },
    buysDuringFault: true,
    inject: (c) =>
      c.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'after-commit', seed: c.seed }),
    rollback: clearFaults,
    proof: lostResponsesProof,
  },
  {
    name: 'slow-logic',
    summary: '20% of logic requests wait longer than the frontend’s per-attempt timeout',
    targets: both,
    threshold: { kind: 'successRate', min: 0.99 },
    buysDuringFault: true,
    async inject(c) {
      const latencyMs = c.attemptTimeoutMs + 1000;
      c.notes.injectedLatencyMs = latencyMs;
      await c.target.setFaults({ rate: 0.2, latencyMs, mode: 'delay', seed: c.seed });
    },
    rollback: clearFaults,
    proof: timedOutRetriedProof,
  },
  {
    name: 'logic-down',
    summary: 'all logic replicas gone for a while, then back',
    targets: both,
    threshold: { kind: 'friendly503' },
    buysDuringFault: false,
    inject: (c) => c.target.stopAllLogic(),
    async rollback(c) {
      c.notes.replacementReadySeconds = await c.target.startAllLogic();
    },
  },
  {
    name: 'db-down',
    summary: 'the database process / postgres pod killed, then back with its data',
    targets: both,
    threshold: { kind: 'friendly503' },
    buysDuringFault: false,
    async inject(c) {
      c.memo.audit = await c.target.audit(c.stockIds());
      await c.target.killDatabase();
    },
    async rollback(c) {
      c.notes.replacementReadySeconds = await c.target.restoreDatabase();
      const before = c.memo.audit;
      if (!before) return;
      const after = await c.target.audit(c.stockIds());
      const kept = new Set(after.orders.map((o) => o.id));
      const lost = before.orders.filter((o) => !kept.has(o.id));
      c.checks.push({
        name: 'data kept across the restart',
        ok: lost.length === 0,
        detail: `${before.orders.length - lost.length} of ${before.orders.length} orders present before the kill are there after it`,
      });
      c.checks.push(
        evidenceCheck(
          'the database held orders when it was killed',
          before.orders.length > 0,
          `${before.orders.length} orders of this scenario's stock before the kill`,
        ),
      );
    },
  },
  {
    name: 'frontend-kill',
    summary: 'one frontend pod deleted (grace 0)',
    targets: kindOnly,
    threshold: { kind: 'successRate', min: 0.99 },
    buysDuringFault: true,
    async inject(c) {
      c.notes.killed = await c.target.killFrontend();
    },
    async rollback(c) {
      c.notes.replacementReadySeconds = await c.target.restoreFrontend();
    },
  },
  {
    name: 'network-policy',
    summary:
      'a probe pod without the frontend’s labels tries logic and postgres; the frontend tries logic',
    targets: kindOnly,
    threshold: { kind: 'probe' },
    buysDuringFault: false,
    async inject(c) {
      for (const probe of await c.target.probeNetworkPolicy()) {
        c.checks.push({
          name: `${probe.from} → ${probe.to} ${probe.expected}`,
          ok: probe.seen === probe.expected,
          detail: `seen: ${probe.seen}${probe.detail ? ` (${probe.detail})` : ''}`,
        });
      }
    },
    rollback: async () => {},
  },
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
