/**
 * The identity of a dataset's content: every cache of prepared data is keyed by it, so two files
 * that share a name or an id but not their numbers can never share a cache entry.
 *
 * The hash is 64 bits from two independent 32-bit lanes run over the same 32-bit words
 * (MurmurHash3's and xxHash32's word mixing, each finished with MurmurHash3's avalanche). It is fast
 * and not cryptographic: an accidental collision is about 1 in 2^64, which is what a cache needs.
 */
import type { Dataset } from './types';

/** The fields of a Dataset that decide what a model trains on (and so what a cache must tell apart). */
export type DatasetContent = Pick<Dataset, 'task' | 'n' | 'd' | 'x' | 'y' | 'classes' | 'testRange'>;

const rotl = (v: number, r: number): number => (v << r) | (v >>> (32 - r));

/** MurmurHash3's final avalanche of a 32-bit lane. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Streaming 64-bit hash of 32-bit words, fed in order. */
class Hasher {
  private a = 0x9747b28c;
  private b = 0x165667b1;
  private count = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64Words = new Uint32Array(this.f64.buffer);

  /** Feeds 32-bit words. */
  words(w: ArrayLike<number>): this {
    let { a, b } = this;
    for (let i = 0; i < w.length; i++) {
      const v = w[i] | 0;
      let k = Math.imul(v, 0xcc9e2d51);
      k = Math.imul(rotl(k, 15), 0x1b873593);
      a = (Math.imul(rotl(a ^ k, 13), 5) + 0xe6546b64) | 0;
      b = Math.imul(rotl((b + Math.imul(v, 0x85ebca77)) | 0, 13), 0x9e3779b1);
    }
    this.a = a;
    this.b = b;
    this.count += w.length;
    return this;
  }

  /** Feeds a number (its float64 bits, so 1 and 1.5 and NaN all differ). */
  number(v: number): this {
    this.f64[0] = v;
    return this.words(this.f64Words);
  }

  /** Feeds a float32 array's bits, length first (so where one array ends and the next begins is part of the hash). */
  floats(x: Float32Array): this {
    this.number(x.length);
    return this.words(new Uint32Array(x.buffer, x.byteOffset, x.length));
  }

  /** Feeds a string: its length, then its UTF-16 code units. */
  text(s: string): this {
    this.number(s.length);
    const codes = new Uint32Array(s.length);
    for (let i = 0; i < s.length; i++) codes[i] = s.charCodeAt(i);
    return this.words(codes);
  }

  /** 16 lower-case hex digits. */
  digest(): string {
    const hex = (h: number) => fmix(h ^ this.count).toString(16).padStart(8, '0');
    return hex(this.a) + hex(this.b);
  }
}

/**
 * Content hash of a dataset, 16 hex digits: over task, n, d, the bits of x [n, d] and y [n], the
 * class names (classification) and the fixed test range. Same content => same hash; any change to
 * these (one bit of one value, a class renamed, a different test range) => a different hash.
 */
export function datasetHash(c: DatasetContent): string {
  const h = new Hasher().text('mlpg-content-v1').text(c.task).number(c.n).number(c.d).floats(c.x).floats(c.y);
  h.number(c.classes?.length ?? -1);
  for (const name of c.classes ?? []) h.text(name);
  const [start, end] = c.testRange ?? [-1, -1];
  return h.number(start).number(end).digest();
}

/**
 * `fields` as a Dataset, with its content hash computed once, here. Every Dataset is made (or
 * remade, when its rows or test range change) through this function; spreading an existing Dataset
 * into a new one with other content would carry a stale hash.
 */
export function makeDataset(fields: Omit<Dataset, 'hash'>): Dataset {
  return { ...fields, hash: datasetHash(fields) };
}
