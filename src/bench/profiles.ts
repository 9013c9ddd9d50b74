export interface DataSize {
  events: number;
  orders: number;
}

/** How much to measure: `full` for the figures in docs/BENCHMARKS.md, `quick` for CI. */
export interface BenchProfile {
  name: 'full' | 'quick';
  /** Rounds per comparison; each figure is the median over them. */
  runs: number;
  /** Rounds for the fault comparison: a ratio of two p99s is the noisiest figure here. */
  faultRuns: number;
  durationS: number;
  /** Unrecorded run before each comparison, so JIT and pools are warm. */
  warmupS: number;
  purchaseConnections: number[];
  /** The level the targets are judged at. */
  targetConnections: number;
  /** Growth runs use fewer connections: a 10,000-event catalog is megabytes per answer. */
  growthConnections: number;
  growthSteps: DataSize[];
  /** The flash sale: one event sold out by a crowd, `runs` times per variant. */
  flash: FlashShape;
}

export const PROFILES: Record<BenchProfile['name'], BenchProfile> = {
  full: {
    name: 'full',
    runs: 3,
    faultRuns: 5,
    durationS: 5,
    warmupS: 1,
    purchaseConnections: [1, 10, 50, 100],
    targetConnections: 50,
    growthConnections: 10,
    growthSteps: [
      { events: 10, orders: 0 },
      { events: 1_000, orders: 10_000 },
      { events: 10_000, orders: 100_000 },
    ],
    flash: { capacity: 5_000, buyers: 200, statementConnections: 10, runs: 3 },
  },
  quick: {
    name: 'quick',
    runs: 2,
    faultRuns: 2,
    durationS: 1,
    warmupS: 0,
    purchaseConnections: [10],
    targetConnections: 10,
    growthConnections: 5,
    growthSteps: [
      { events: 10, orders: 0 },
      { events: 200, orders: 2_000 },
    ],
    flash: { capacity: 300, buyers: 40, statementConnections: 10, runs: 2 },
  },
};

/** How big a flash sale: seats, buyers at once, and the statement reference's connections. */
export interface FlashShape {
  capacity: number;
  buyers: number;
  /** The reference's pool: as many connections as the logic replica it is compared with. */
  statementConnections: number;
  runs: number;
}
