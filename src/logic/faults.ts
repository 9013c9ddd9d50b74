import {
  type FaultCounts,
  type FaultMode,
  type FaultSettings,
  type FaultTarget,
  NO_FAULTS,
} from '../shared/admin-api.ts';
import { hashSeed, mulberry32 } from '../shared/mulberry32.ts';

export type { FaultCounts as InjectedCounts, FaultTarget };

export interface FaultDecision {
  hit: boolean;
  latencyMs: number;
  mode: FaultMode;
}

const zeroCounts = (): FaultCounts => ({
  before: { orders: 0, other: 0 },
  'after-commit': { orders: 0, other: 0 },
  delay: { orders: 0, other: 0 },
});

/**
 * The seed of one replica's dice: the same seed gives every replica a sequence of its own
 * (two replicas with one sequence would hit the same requests in step), and the same one on
 * every run.
 */
export const replicaSeed = (seed: number, replica: string): number => hashSeed(seed, replica);

/**
 * Decides, request by request, whether a fault hits, and counts the faults that really
 * happened since the settings last changed: `before` and `delay` count hits, `after-commit`
 * counts responses failed after the work was done.
 */
export class FaultInjector {
  readonly #replica: string | undefined;
  #settings: FaultSettings = NO_FAULTS;
  #random: () => number = Math.random;
  #injected = zeroCounts();
  #since = new Date();
  /** Told of each fault that really happened, as counted here: metrics count them by mode. */
  onInjected: ((mode: FaultMode) => void) | undefined;

  /** With a replica name, a seed is mixed with it (see replicaSeed). */
  constructor(settings: FaultSettings = NO_FAULTS, options: { replica?: string } = {}) {
    this.#replica = options.replica;
    this.update(settings);
  }

  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  /** Counts since `since`, when the settings last changed (or the process started). */
  get injected(): { counts: FaultCounts; since: string } {
    return { counts: structuredClone(this.#injected), since: this.#since.toISOString() };
  }

  update(settings: FaultSettings): void {
    const { seed } = settings;
    this.#settings = { ...settings };
    this.#random =
      seed === undefined
        ? Math.random
        : mulberry32(this.#replica === undefined ? seed : replicaSeed(seed, this.#replica));
    this.#injected = zeroCounts();
    this.#since = new Date();
  }

  /** Draws one request's fate; a hit in `before` or `delay` mode is counted at once. */
  decide(target: FaultTarget = 'other'): FaultDecision {
    const { rate, latencyMs, mode } = this.#settings;
    const hit = rate > 0 && this.#random() < rate;
    if (hit && mode !== 'after-commit') {
      this.#injected[mode][target]++;
      this.onInjected?.(mode);
    }
    return { hit, latencyMs: hit ? latencyMs : 0, mode };
  }

  /** An after-commit hit whose work was done and whose response is now failed. */
  countLostResponse(target: FaultTarget): void {
    this.#injected['after-commit'][target]++;
    this.onInjected?.('after-commit');
  }
}
