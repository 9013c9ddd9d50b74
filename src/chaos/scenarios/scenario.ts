import type { Check, Observations, ProofInput, TargetName, Threshold } from '../core/model.ts';
import type { ChaosTarget, ControlName } from '../targets/target.ts';

/** What a scenario's steps get: the target to act on, and the observations to fill in. */
export interface ScenarioContext {
  target: ChaosTarget;
  seed: number;
  /** The frontend's per-attempt timeout: slow-logic's latency goes above it. */
  attemptTimeoutMs: number;
  /** What the steps saw, for the scenario's proof and the report. */
  observed: Observations;
  /** The run's clock (ms since it started), the time axis of every request record. */
  now: () => number;
  /** The events of this scenario's stock: db-down's before/after audit covers them. */
  stockIds: () => string[];
  /** Purchases the buyers saw this replica answer (x-served-by) so far in this scenario. */
  purchasesAnsweredBy: (replica: string) => number;
}

export interface Scenario {
  name: string;
  summary: string;
  /** The targets a full run takes it on. */
  targets: readonly TargetName[];
  /** A control the target must have, or the scenario is skipped with the target's reason. */
  needs?: ControlName;
  /** It restarts the frontend on purpose: "frontend never restarted" is not checked. */
  restartsFrontend?: boolean;
  threshold: Threshold;
  /**
   * Purchases can succeed while the fault is on: the scenario must confirm some in its fault
   * window and sell out a small event there. Otherwise (the whole shop down) it must confirm
   * some before and after, and answer friendly 503s during.
   */
  buysDuringFault: boolean;
  /**
   * What must hold before the fault goes in, awaited with the buyers running and still in the
   * "before" phase: the replica about to be frozen has answered buyers, say. Bounded: when
   * it does not come, the fault goes in anyway and the proof shows what was missing.
   */
  ready?(context: ScenarioContext): Promise<void>;
  inject(context: ScenarioContext): Promise<void>;
  rollback(context: ScenarioContext): Promise<void>;
  /**
   * The fault's footprint, as checks on what the runner, the frontend and the buyers
   * observed: proof that the fault happened and did what it claims. Evidence checks among
   * them make the scenario inconclusive when they fail.
   */
  proof(input: ProofInput): Check[];
}

/** Every target: the local processes, the kind cluster and the containers on one engine. */
export const BOTH_TARGETS: readonly TargetName[] = ['local', 'kind', 'docker'];
export const KIND_ONLY: readonly TargetName[] = ['kind'];
