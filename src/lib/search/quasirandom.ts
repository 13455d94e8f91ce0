import { makeRng, shuffle, type Rng } from './rng';
import { paramsFromUnit } from './space';
import type { Strategy, StrategyContext } from './types';

/** The first `n` primes (bases of the Halton sequence, one per dimension). */
export function firstPrimes(n: number): number[] {
  const out: number[] = [];
  for (let k = 2; out.length < n; k++) if (out.every((p) => k % p !== 0)) out.push(k);
  return out;
}

/**
 * A scrambled Halton sequence in `d` dimensions. Dimension j uses the radical inverse in base
 * prime_j, and every digit position of every base gets its own seeded permutation of the
 * digits (random digit scrambling). Scrambling keeps the stratification (the first b^m points
 * of a base-b coordinate fall one in each of b^m equal bins) and removes the striping plain
 * Halton shows between neighbouring large bases.
 */
export class ScrambledHalton {
  private readonly bases: number[];
  private readonly perms: Uint16Array[][];

  /** d: dimensions, >= 0; rng: source of the digit permutations. */
  constructor(d: number, rng: Rng) {
    this.bases = firstPrimes(d);
    // enough digits to reach double precision in each base
    this.perms = this.bases.map((b) => {
      const digits = Math.ceil(53 / Math.log2(b));
      return Array.from({ length: digits }, () => Uint16Array.from(shuffle(rng, Array.from({ length: b }, (_, i) => i))));
    });
  }

  /** point `i` (>= 0) of the sequence, each coordinate in [0, 1). */
  point(i: number): number[] {
    return this.bases.map((b, j) => {
      const perm = this.perms[j];
      let k = i;
      let f = 1 / b;
      let x = 0;
      for (let digit = 0; digit < perm.length; digit++) {
        x += perm[digit][k % b] * f;
        k = Math.floor(k / b);
        f /= b;
      }
      return Math.min(x, 1 - Number.EPSILON);
    });
  }
}

/**
 * Quasi-random search: successive points of a seeded, scrambled Halton sequence mapped to the
 * search space. Like random search, but the points spread evenly instead of clumping.
 */
export function createQuasiRandom(ctx: StrategyContext): Strategy {
  const seq = new ScrambledHalton(ctx.dims.length, makeRng(ctx.seed, 'quasirandom'));
  let next = 0;
  return {
    capacity: Infinity,
    ask: () => paramsFromUnit(ctx.dims, seq.point(next++)),
    tell() {},
  };
}
