import { z } from 'zod';
import { mulberry32 } from '../shared/mulberry32.ts';
import { FAULT_MODES } from './config.ts';

export const faultSettingsSchema = z.strictObject({
  /** Share of requests hit, 0-1. */
  rate: z.number().min(0).max(1),
  /** Delay before a hit request goes on (or fails). */
  latencyMs: z.number().int().min(0).max(120_000).default(0),
  /**
   * before: fail with 500 before any work (the classic random 500);
   * after-commit: do the work (commit the order), then fail the response;
   * delay: only the latency, then serve normally.
   */
  mode: z.enum(FAULT_MODES).default('before'),
  /** Makes the sequence of hits reproducible. */
  seed: z.number().int().optional(),
});

export type FaultSettings = z.infer<typeof faultSettingsSchema>;
export type FaultMode = FaultSettings['mode'];

export interface FaultDecision {
  hit: boolean;
  latencyMs: number;
  mode: FaultMode;
}

/** Which requests a fault landed on: orders (POST /orders) are what the chaos proofs need. */
export type FaultTarget = 'orders' | 'other';

/**
 * Faults that really happened since the settings last changed, per mode: `before` and `delay`
 * count hits, `after-commit` counts responses failed after the work was done (a hit whose
 * handler answered an error, such as sold out, lost nothing and is not counted).
 */
export type InjectedCounts = Record<FaultMode, Record<FaultTarget, number>>;

const zeroCounts = (): InjectedCounts => ({
  before: { orders: 0, other: 0 },
  'after-commit': { orders: 0, other: 0 },
  delay: { orders: 0, other: 0 },
});

/** Decides, request by request, whether a fault hits. Settings change at run time. */
export class FaultInjector {
  #settings: FaultSettings;
  #random: () => number;
  #injected = zeroCounts();
  #since = new Date();

  constructor(settings: FaultSettings = { rate: 0, latencyMs: 0, mode: 'before' }) {
    this.#settings = settings;
    this.#random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
  }

  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  /** Counts since `since`, when the settings last changed (or the process started). */
  get injected(): { counts: InjectedCounts; since: string } {
    return { counts: structuredClone(this.#injected), since: this.#since.toISOString() };
  }

  update(settings: FaultSettings): void {
    this.#settings = settings;
    this.#random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
    this.#injected = zeroCounts();
    this.#since = new Date();
  }

  /** Draws one request's fate; a hit in `before` or `delay` mode is counted at once. */
  decide(target: FaultTarget = 'other'): FaultDecision {
    const { rate, latencyMs, mode } = this.#settings;
    const hit = rate > 0 && this.#random() < rate;
    if (hit && mode !== 'after-commit') this.#injected[mode][target]++;
    return { hit, latencyMs: hit ? latencyMs : 0, mode };
  }

  /** An after-commit hit whose work was done and whose response is now failed. */
  countLostResponse(target: FaultTarget): void {
    this.#injected['after-commit'][target]++;
  }
}
