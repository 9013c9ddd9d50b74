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

/** Decides, request by request, whether a fault hits. Settings change at run time. */
export class FaultInjector {
  #settings: FaultSettings;
  #random: () => number;
  /** Called once per hit, with its mode: metrics count injected faults here. */
  onHit: ((mode: FaultMode) => void) | undefined;

  constructor(settings: FaultSettings = { rate: 0, latencyMs: 0, mode: 'before' }) {
    this.#settings = settings;
    this.#random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
  }

  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  update(settings: FaultSettings): void {
    this.#settings = settings;
    this.#random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
  }

  decide(): FaultDecision {
    const { rate, latencyMs, mode } = this.#settings;
    const hit = rate > 0 && this.#random() < rate;
    if (hit) this.onHit?.(mode);
    return { hit, latencyMs: hit ? latencyMs : 0, mode };
  }
}
