import { hashSeed, mulberry32 } from '../../shared/mulberry32.ts';

/** A seeded random source, so one --seed gives the same load and the same faults. */
export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A child source with its own stream, stable for the same parent seed and label. */
  fork(label: string): Random;
  readonly seed: number;
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    fork: (label) => seededRandom(hashSeed(seed, label)),
  };
}
