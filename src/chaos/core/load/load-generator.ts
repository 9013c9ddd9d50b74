import type { Random } from '../random.ts';
import { type BuyerSettings, runBuyer } from './buyer.ts';
import { KnownEvents } from './known-events.ts';
import type { RequestLog } from './request-log.ts';

export interface LoadGeneratorOptions extends BuyerSettings {
  buyers: number;
  log: RequestLog;
  random: Random;
}

export interface LoadGenerator {
  /** Stops the buyers and resolves when every request in flight has ended and been recorded. */
  stop(): Promise<void>;
}

/**
 * Concurrent virtual buyers against the shop's public API. Each buyer has its own seeded random
 * stream, so one seed gives the same sequence of choices per buyer.
 */
export function startLoadGenerator(options: LoadGeneratorOptions): LoadGenerator {
  let stopped = false;
  const known = new KnownEvents(options.eventPrefix);
  const buyers = Array.from({ length: options.buyers }, (_, i) =>
    runBuyer({
      id: i + 1,
      settings: options,
      log: options.log,
      known,
      random: options.random.fork(`buyer-${i + 1}`),
      stopped: () => stopped,
    }),
  );
  return {
    async stop() {
      stopped = true;
      await Promise.all(buyers);
    },
  };
}
