import { makeRng } from './rng';

/** Feistel rounds: 4 already give a pseudo-random permutation (Luby–Rackoff); 8 mix small
 *  domains well too. */
const ROUNDS = 8;
const MASK32 = 0xffffffffn;

/** Number of bits of a non-negative BigInt (0 for 0). */
function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Keyed hash of `x` (any size) to `outBits` bits: the Feistel round function. */
function roundFunction(x: bigint, key: number, outBits: number): bigint {
  if (outBits === 0) return 0n;
  // absorb x 32 bits at a time, murmur3-style
  let h = key >>> 0;
  let rest = x;
  do {
    let k = Math.imul(Number(rest & MASK32), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) >>> 0;
    rest >>= 32n;
  } while (rest > 0n);
  // squeeze as many 32-bit words as the output needs
  let out = 0n;
  for (let w = 0; w * 32 < outBits; w++) out = (out << 32n) | BigInt(fmix32(h ^ Math.imul(w + 1, 0x9e3779b9)));
  return out & ((1n << BigInt(outBits)) - 1n);
}

/**
 * A seeded bijection of the integers [0, n) onto themselves, for any n >= 0, exact at any size
 * (BigInt): a Feistel network on the k-bit integers, k the bit length of n - 1 (so 2^k < 2n),
 * made into a permutation of [0, n) by cycle walking (apply it again until the result is
 * below n; fewer than 2 steps on average). Costs O(k) per index and O(1) memory: nothing is
 * ever materialised, so a grid of 10^20 points starts as fast as one of 10.
 */
export class IndexPermutation {
  /** size of the domain. */
  readonly n: bigint;
  private readonly bits: number;
  private readonly keys: number[];

  /** n: domain size, >= 0; seed and stream: the seeded order (see makeRng). */
  constructor(n: bigint, seed: number, stream = 'permutation') {
    if (n < 0n) throw new RangeError('IndexPermutation: n must be >= 0');
    this.n = n;
    // at least 2 bits, so that both halves of the network have a bit to mix
    this.bits = Math.max(2, bitLength(n - 1n));
    const rng = makeRng(seed, stream);
    this.keys = Array.from({ length: ROUNDS }, () => Math.floor(rng() * 2 ** 32) >>> 0);
  }

  /** the image of index i in [0, n). */
  at(i: bigint): bigint {
    if (i < 0n || i >= this.n) throw new RangeError(`IndexPermutation: index ${i} outside [0, ${this.n})`);
    let x = this.feistel(i);
    while (x >= this.n) x = this.feistel(x);
    return x;
  }

  /** one pass of the network: a bijection of the k-bit integers. */
  private feistel(x: bigint): bigint {
    // unbalanced halves (ceil(k/2), floor(k/2)) that swap sizes every round
    let leftBits = Math.ceil(this.bits / 2);
    let rightBits = this.bits - leftBits;
    let v = x;
    for (const key of this.keys) {
      const rb = BigInt(rightBits);
      const left = v >> rb;
      const right = v & ((1n << rb) - 1n);
      const mixed = left ^ roundFunction(right, key, leftBits);
      v = (right << BigInt(leftBits)) | mixed;
      [leftBits, rightBits] = [rightBits, leftBits];
    }
    return v;
  }
}
