import type { ChaosTarget, TargetName } from './targets/target.ts';
import type { Audit } from './types.ts';
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
  /** State a scenario keeps between inject and rollback. */
  memo: { audit?: Audit };
}

export interface Scenario {
  name: string;
  summary: string;
  targets: readonly TargetName[];
  threshold: Threshold;
  inject(context: ScenarioContext): Promise<void>;
  rollback(context: ScenarioContext): Promise<void>;
}

const both: readonly TargetName[] = ['local', 'kind'];
const kindOnly: readonly TargetName[] = ['kind'];
const clearFaults = (c: ScenarioContext) => c.target.setFaults(NO_FAULTS);

/** Every scenario, in the fixed order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'replica-kill',
    summary: 'one logic replica killed hard (SIGKILL / pod delete, grace 0)',
    targets: both,
    threshold: { kind: 'successRate', min: 0.999 },
    async inject(c) {
      c.notes.killed = await c.target.killLogicReplica();
    },
    async rollback(c) {
      c.notes.replacementReadySeconds = await c.target.restoreLogicReplica();
    },
  },
  {
    name: 'rolling-restart',
    summary: 'every logic replica replaced gracefully, one by one',
    targets: both,
    threshold: { kind: 'successRate', min: 0.999 },
    inject: (c) => c.target.rollingRestartLogic(),
    rollback: async () => {},
  },
  {
    name: 'flaky-logic',
    summary: '20% of logic requests fail with 500 before any work',
    targets: both,
    threshold: { kind: 'successRate', min: 0.99 },
    inject: (c) => c.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'before', seed: c.seed }),
    rollback: clearFaults,
  },
  {
    name: 'lost-responses',
    summary: '20% of logic requests do their work (commit), then the response fails',
    targets: both,
    threshold: { kind: 'successRate', min: 0.99 },
    inject: (c) =>
      c.target.setFaults({ rate: 0.2, latencyMs: 0, mode: 'after-commit', seed: c.seed }),
    rollback: clearFaults,
  },
  {
    name: 'slow-logic',
    summary: '20% of logic requests wait longer than the frontend’s per-attempt timeout',
    targets: both,
    threshold: { kind: 'successRate', min: 0.99 },
    async inject(c) {
      const latencyMs = c.attemptTimeoutMs + 1000;
      c.notes.injectedLatencyMs = latencyMs;
      await c.target.setFaults({ rate: 0.2, latencyMs, mode: 'delay', seed: c.seed });
    },
    rollback: clearFaults,
  },
  {
    name: 'logic-down',
    summary: 'all logic replicas gone for a while, then back',
    targets: both,
    threshold: { kind: 'friendly503' },
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
    async inject(c) {
      c.memo.audit = await c.target.audit();
      await c.target.killDatabase();
    },
    async rollback(c) {
      c.notes.replacementReadySeconds = await c.target.restoreDatabase();
      const before = c.memo.audit;
      if (!before) return;
      const after = await c.target.audit();
      const kept = new Set(after.orders.map((o) => o.id));
      const lost = before.orders.filter((o) => !kept.has(o.id));
      c.checks.push({
        name: 'data kept across the restart',
        ok: lost.length === 0,
        detail: `${before.orders.length - lost.length} of ${before.orders.length} orders present before the kill are there after it`,
      });
    },
  },
  {
    name: 'frontend-kill',
    summary: 'one frontend pod deleted (grace 0)',
    targets: kindOnly,
    threshold: { kind: 'successRate', min: 0.99 },
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
