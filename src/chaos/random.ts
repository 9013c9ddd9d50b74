import { mulberry32 } from '../shared/mulberry32.ts';

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

/** FNV-1a over the label, mixed with the seed: a stable, distinct seed per label. */
export function hashSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
