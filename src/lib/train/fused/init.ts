import seedrandom from 'seedrandom';
import type { ModelSpec } from '../../experiment/types';
import type { BlockLayout } from './layout';

/**
 * A trial's initial parameters exactly as `buildModel` (model/build.ts) makes them through
 * tfjs-layers, without tfjs: each dense kernel [fanIn, fanOut] from its initializer seeded with
 * seed·101 + layer index, drawn with tfjs' own generators (seedrandom's alea; Marsaglia's polar
 * method for normals, truncated at 2σ for the variance-scaling ones), biases zero. Returned in
 * `block`'s order (the flattened `model.getWeights()`).
 */
export function initialWeights(init: ModelSpec['init'], block: BlockLayout, seed: number): Float32Array {
  const out = new Float32Array(block.floats);
  block.layers.forEach((l, i) => {
    const w = out.subarray(l.wOff, l.wOff + l.fin * l.fout);
    fillKernel(w, init, l.fin, l.fout, seed * 101 + i);
  });
  return out;
}

/** tfjs-layers' kernel initializers (VarianceScaling and RandomNormal) for a [fanIn, fanOut] kernel. */
function fillKernel(w: Float32Array, init: ModelSpec['init'], fanIn: number, fanOut: number, seed: number): void {
  switch (init) {
    case 'glorotUniform': {
      const limit = Math.sqrt(3 * (1 / Math.max(1, (fanIn + fanOut) / 2)));
      const random = seedrandom.alea(String(seed));
      for (let i = 0; i < w.length; i++) w[i] = -limit + 2 * limit * random();
      return;
    }
    case 'heNormal': return gaussians(w, Math.sqrt(2 / Math.max(1, fanIn)), true, seed);
    case 'leCunNormal': return gaussians(w, Math.sqrt(1 / Math.max(1, fanIn)), true, seed);
    case 'randomNormal': return gaussians(w, 0.05, false, seed);
  }
}

/** tfjs' MPRandGauss with mean 0: pairs from the polar method, the second kept for the next value. */
function gaussians(w: Float32Array, stdDev: number, truncated: boolean, seed: number): void {
  // tfjs seeds with Math.random() when the seed is 0 (falsy): reproduce that, so seed 0 is as
  // (un)repeatable here as in buildModel.
  const random = seedrandom.alea((seed ? seed : Math.random()).toString());
  const ok = (x: number) => !truncated || (x <= 2 * stdDev && x >= -2 * stdDev);
  let next = NaN;
  for (let i = 0; i < w.length; i++) {
    if (!Number.isNaN(next)) {
      w[i] = next;
      next = NaN;
      continue;
    }
    let x = 0;
    let y = 0;
    for (;;) {
      let v1: number;
      let v2: number;
      let s: number;
      do {
        v1 = 2 * random() - 1;
        v2 = 2 * random() - 1;
        s = v1 * v1 + v2 * v2;
      } while (s >= 1 || s === 0);
      const mul = Math.sqrt((-2.0 * Math.log(s)) / s);
      x = stdDev * v1 * mul;
      y = stdDev * v2 * mul;
      if (ok(x)) break;
    }
    if (ok(y)) next = y;
    w[i] = x;
  }
}
