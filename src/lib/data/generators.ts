/**
 * Seeded 2-D classification problems in the style of TensorFlow Playground.
 * Points lie roughly in [-6, 6]²; class 1 is TF Playground's "positive" class.
 *
 * What `noise` (0..0.5) means: it blurs the class boundary in two ways.
 *  - Point jitter, scaled per shape (see JITTER below), so the classes overlap near the boundary.
 *  - Label noise: a fraction `noise * LABEL_FLIP_PER_NOISE` of each class (≤ 10% at 0.5) has its
 *    label swapped with the same number from the other class, so the classes stay balanced.
 * The clean points, the jitter directions, the flip order and the row order each come from their
 * own seeded stream, so moving only the noise slider moves the same points further (and flips more
 * of the same labels) instead of drawing a new cloud.
 */
import { LIMITS } from '../experiment/params';
import { makeRng, normal, shuffle } from '../search/rng';
import type { Rng } from '../search/rng';

/** The 2-D generators, in display order. */
export const GEN2D_KINDS = ['circle', 'xor', 'gauss', 'spiral', 'moons'] as const;
/** Kind of 2-D generator (also its dataset id). */
export type Gen2dKind = (typeof GEN2D_KINDS)[number];

/** Generated points: x [n, 2] row-major, y [n] class 0 | 1 (as float). */
export interface Points2d {
  x: Float32Array;
  y: Float32Array;
}

/** Fraction of each class whose label is flipped per unit of noise (0.2 => 10% at noise 0.5). */
export const LABEL_FLIP_PER_NOISE = 0.2;

/** Inputs one point draw may use: `pos` for the clean shape, `jit` for the jitter, scaled by `noise`. */
interface Draw {
  pos: Rng;
  jit: Rng;
  noise: number;
}

/** One point of class `cls`; `t` in [0, 1) is its rank within the class (for shapes laid out along a path). */
type PointFn = (r: Draw, cls: 0 | 1, t: number) => [number, number];

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();

/**
 * Jitter scales, per unit of noise (so at noise 0.5 the half-width is half of these).
 * circle, xor: TF Playground's uniform ±5·noise. spiral: twice TF's ±1·noise, which is barely
 * visible on its own. gauss: TF's variance 0.5 → 4 over noise 0 → 0.5. moons: Gaussian, as in
 * scikit-learn's make_moons, std 0.6·noise on the unit moons, which are then scaled by 3.5 to span about ±5.
 */
const JITTER = { circle: 5, xor: 5, spiral: 2, moons: 0.6 } as const;

/** xor's padding: clean points stay this far from the axes. */
const XOR_PAD = 0.3;

const POINT_FNS: Record<Gen2dKind, PointFn> = {
  // class 1: disc of radius 2.5; class 0: ring 3.5..5.
  circle: ({ pos, jit, noise }, cls) => {
    const r = cls === 1 ? uniform(pos, 0, 2.5) : uniform(pos, 3.5, 5);
    const a = uniform(pos, 0, 2 * Math.PI);
    const s = JITTER.circle * noise;
    return [r * Math.sin(a) + uniform(jit, -s, s), r * Math.cos(a) + uniform(jit, -s, s)];
  },
  // class 1: quadrants where x·y > 0; class 0: the other two.
  xor: ({ pos, jit, noise }, cls) => {
    const sx = pos() < 0.5 ? -1 : 1;
    const sy = cls === 1 ? sx : -sx;
    const s = JITTER.xor * noise;
    return [
      sx * uniform(pos, XOR_PAD, 5 + XOR_PAD) + uniform(jit, -s, s),
      sy * uniform(pos, XOR_PAD, 5 + XOR_PAD) + uniform(jit, -s, s),
    ];
  },
  // class 1 around (2, 2), class 0 around (-2, -2).
  gauss: ({ pos, noise }, cls) => {
    const c = cls === 1 ? 2 : -2;
    const sd = Math.sqrt(0.5 + (3.5 * noise) / LIMITS.maxNoise);
    return [c + sd * normal(pos), c + sd * normal(pos)];
  },
  // Two arms of 1.75 turns out to radius 5, the second rotated by π.
  spiral: ({ jit, noise }, cls, t) => {
    const r = 5 * t;
    const a = 1.75 * 2 * Math.PI * t + (cls === 1 ? 0 : Math.PI);
    const s = JITTER.spiral * noise;
    return [r * Math.sin(a) + uniform(jit, -s, s), r * Math.cos(a) + uniform(jit, -s, s)];
  },
  // scikit-learn's moons (upper arc centred at 0, lower arc centred at (1, 0.5)), mapped to about ±5.
  moons: ({ pos, jit, noise }, cls) => {
    const a = uniform(pos, 0, Math.PI);
    const [ux, uy] = cls === 1 ? [Math.cos(a), Math.sin(a)] : [1 - Math.cos(a), 0.5 - Math.sin(a)];
    const s = JITTER.moons * noise;
    return [3.5 * (ux - 0.5 + s * normal(jit)), 3.5 * (uy - 0.25 + s * normal(jit))];
  },
};

/**
 * Generate a 2-D two-class problem.
 * kind: the shape; n: points (integer >= 2), split floor(n/2) class 1 and the rest class 0;
 * noise: 0..0.5, see the module comment; seed: any integer. Same arguments => identical arrays.
 * Rows come in a seeded random order.
 */
export function generate2d(kind: Gen2dKind, n: number, noise: number, seed: number): Points2d {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`2-D generator needs an integer number of points >= 2, got ${n}`);
  if (!(noise >= 0 && noise <= LIMITS.maxNoise)) throw new RangeError(`noise must be in 0..${LIMITS.maxNoise}, got ${noise}`);
  const pointFn = POINT_FNS[kind];
  if (!pointFn) throw new RangeError(`unknown 2-D generator '${kind}'`);

  const stream = (name: string) => makeRng(seed, `gen2d:${kind}:${name}`);
  const draw: Draw = { pos: stream('points'), jit: stream('jitter'), noise };
  const counts = [n - Math.floor(n / 2), Math.floor(n / 2)] as const;

  const xs: number[] = [];
  const ys: number[] = [];
  for (const cls of [0, 1] as const) {
    for (let i = 0; i < counts[cls]; i++) {
      xs.push(...pointFn(draw, cls, i / counts[cls]));
      ys.push(cls);
    }
  }

  // Swap labels between equally many points of each class: label noise that keeps the balance.
  const flip = stream('flip');
  const k = Math.round(noise * LABEL_FLIP_PER_NOISE * counts[1]);
  const flipped = ([0, 1] as const).flatMap((cls) =>
    shuffle(flip, ys.flatMap((c, i) => (c === cls ? [i] : []))).slice(0, k),
  );
  for (const i of flipped) ys[i] = 1 - ys[i];

  const order = shuffle(stream('order'), Array.from({ length: n }, (_, i) => i));
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  order.forEach((src, dst) => {
    x[2 * dst] = xs[2 * src];
    x[2 * dst + 1] = xs[2 * src + 1];
    y[dst] = ys[src];
  });
  return { x, y };
}
