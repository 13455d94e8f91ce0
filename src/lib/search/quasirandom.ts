import type { TrialParams } from '../experiment/types';
import { distinctCapacity, drawDistinct, takenKeys, type DedupeOptions } from './distinct';
import { makeRng, type Rng } from './rng';
import { paramsFromUnit, paramsKey } from './space';
import type { Strategy, StrategyContext } from './types';
import { fmix32 } from './permutation';

/** The first `n` primes (bases of the Halton sequence, one per dimension). */
export function firstPrimes(n: number): number[] {
  const out: number[] = [];
  for (let k = 2; out.length < n; k++) if (out.every((p) => k % p !== 0)) out.push(k);
  return out;
}


/**
 * An Owen-scrambled Halton sequence in `d` dimensions. Dimension j uses the radical inverse in
 * base prime_j, and each digit goes through a seeded random permutation of the digits that
 * depends on the dimension, the digit's position and every digit before it (nested, "Owen"
 * scrambling; the permutations are drawn from a hash when needed, never stored). Scrambling
 * keeps the stratification (the first b^m points of a base-b coordinate fall one in each of
 * b^m equal bins), randomises where in its bin each point falls, and breaks the lattice plain
 * Halton draws, whose points line up with a grid and stripe between neighbouring large bases.
 */
export class ScrambledHalton {
  private readonly bases: number[];
  /** digits per base: enough to reach double precision. */
  private readonly digits: number[];
  /** one 32-bit key per dimension, from the seed. */
  private readonly keys: number[];
  private readonly scratch: Uint16Array;

  /** d: dimensions, >= 0; rng: source of the scrambling keys. */
  constructor(d: number, rng: Rng) {
    this.bases = firstPrimes(d);
    this.digits = this.bases.map((b) => Math.ceil(52 / Math.log2(b)));
    this.keys = this.bases.map(() => Math.floor(rng() * 2 ** 32) >>> 0);
    this.scratch = new Uint16Array(Math.max(2, ...this.bases));
  }

  /** point `i` (an integer, 0 <= i < 2^53) of the sequence, each coordinate in [0, 1). */
  point(i: number): number[] {
    return this.bases.map((b, j) => {
      let k = i;
      // the digits of i below the current one, as a number: they select the permutation
      let prefix = 0;
      let scale = 1;
      let f = 1 / b;
      let x = 0;
      for (let digit = 0; digit < this.digits[j]; digit++) {
        const a = k % b;
        k = Math.floor(k / b);
        x += this.permute(b, this.keys[j], digit, prefix, a) * f;
        prefix += a * scale;
        scale *= b;
        f /= b;
      }
      return Math.min(x, 1 - Number.EPSILON);
    });
  }

  /** image of digit `a` under the permutation of [0, b) for (key, digit position, prefix). */
  private permute(b: number, key: number, digit: number, prefix: number, a: number): number {
    let h = fmix32(key ^ Math.imul(digit + 1, 0x9e3779b9));
    h = fmix32(h ^ (prefix >>> 0));
    h = fmix32(h ^ Math.imul(Math.floor(prefix / 2 ** 32) + 1, 0x85ebca77));
    const perm = this.scratch;
    for (let i = 0; i < b; i++) perm[i] = i;
    // Fisher–Yates driven by mulberry32 seeded with h
    for (let i = b - 1; i > 0; i--) {
      h = (h + 0x6d2b79f5) >>> 0;
      let t = Math.imul(h ^ (h >>> 15), 1 | h);
      t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
      const r = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
      const jj = Math.floor(r * (i + 1));
      const tmp = perm[i];
      perm[i] = perm[jj];
      perm[jj] = tmp;
    }
    return perm[a];
  }
}

/**
 * Quasi-random search: successive points of a seeded, scrambled Halton sequence mapped to the
 * search space. Like random search, but the points spread evenly instead of clumping. A point
 * whose configuration already finished or is running is skipped; in a small discrete space it
 * stops (ask -> null) once every configuration ran.
 */
export function createQuasiRandom(ctx: StrategyContext, options: DedupeOptions = {}): Strategy {
  const dims = ctx.dims;
  const seq = new ScrambledHalton(dims.length, makeRng(ctx.seed, 'quasirandom'));
  // only used once the sequence keeps landing on taken configurations
  const fallback = makeRng(ctx.seed, 'quasirandom:fallback');
  const finished = new Set<string>();
  let next = 0;
  return {
    capacity: distinctCapacity(dims, options.repeats),
    ask: (pending: TrialParams[]) =>
      drawDistinct(dims, fallback, takenKeys(dims, finished, pending, options.repeats), () => paramsFromUnit(dims, seq.point(next++))),
    tell(_id, params) {
      finished.add(paramsKey(dims, params));
    },
  };
}
