import { describe, expect, it } from 'vitest';
import { augmentImages, augmentationOf, type Augmentation } from '../../../src/lib/data/augment';
import { makeRng } from '../../../src/lib/search/rng';
import type { ImageLayout } from '../../../src/lib/train/types';
import type { ModelSpec } from '../../../src/lib/experiment/types';

const W = 6;
const layout = (mean = 0, std = 1): ImageLayout => ({ width: W, height: W, channels: 1, maxValue: 1, mean: new Array(W * W).fill(mean), std: new Array(W * W).fill(std) });
const none: Augmentation = { shift: 0, rotate: 0, noise: 0, flip: false };
/** A 6×6 image with one bright pixel at (row r, column c), standardised with `l`. */
function dot(r: number, c: number, l = layout()): Float32Array {
  const x = new Float32Array(W * W).map((_, j) => (0 - l.mean[j]) / l.std[j]);
  x[r * W + c] = (1 - l.mean[0]) / l.std[0];
  return x;
}
const brightest = (x: Float32Array): [number, number] => {
  const j = x.indexOf(Math.max(...x));
  return [Math.floor(j / W), j % W];
};

describe('image augmentation', () => {
  it('leaves images alone when it does nothing, and never writes into its input', () => {
    const l = layout(0.2, 0.5);
    const x = dot(2, 3, l);
    const copy = Float32Array.from(x);
    const out = augmentImages(x, 1, l, none, makeRng(1, 'a'));
    expect(Array.from(out).map((v) => +v.toFixed(5))).toEqual(Array.from(copy).map((v) => +v.toFixed(5)));
    expect(x).toEqual(copy);
  });

  it('flips horizontally about the centre', () => {
    let flipped = 0;
    for (let s = 0; s < 40; s++) {
      const [r, c] = brightest(augmentImages(dot(1, 0), 1, layout(), { ...none, flip: true }, makeRng(s, 'a')));
      expect(r).toBe(1);
      expect([0, 5]).toContain(c);
      if (c === 5) flipped++;
    }
    expect(flipped).toBeGreaterThan(8); // about half of 40
    expect(flipped).toBeLessThan(32);
  });

  it('shifts by at most `shift` pixels on each axis, and rotates about the centre', () => {
    for (let s = 0; s < 30; s++) {
      const out = augmentImages(dot(3, 3), 1, layout(), { ...none, shift: 1 }, makeRng(s, 'a'));
      const [r, c] = brightest(out);
      expect(Math.abs(r - 3)).toBeLessThanOrEqual(1);
      expect(Math.abs(c - 3)).toBeLessThanOrEqual(1);
    }
    // a small rotation keeps the centre's mass near the centre, and the total ink about the same
    const out = augmentImages(dot(2, 2), 1, layout(), { ...none, rotate: 10 }, makeRng(3, 'a'));
    const ink = out.reduce((a, b) => a + b, 0);
    expect(ink).toBeGreaterThan(0.7);
    expect(ink).toBeLessThan(1.3);
  });

  it('adds noise within the pixel range, the same for the same seed', () => {
    const a = augmentImages(dot(0, 0), 1, layout(), { ...none, noise: 0.3 }, makeRng(5, 'a'));
    const b = augmentImages(dot(0, 0), 1, layout(), { ...none, noise: 0.3 }, makeRng(5, 'a'));
    expect(a).toEqual(b);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    expect(a.filter((v) => v > 0).length).toBeGreaterThan(5);
  });

  it('is read from the model, and absent when every setting is off', () => {
    const m = { layers: [], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 1, batchSize: 1, epochs: 1 } as ModelSpec;
    expect(augmentationOf(m)).toBeNull();
    expect(augmentationOf({ ...m, augRotate: 5, augFlip: 'horizontal' })).toEqual({ shift: 0, rotate: 5, noise: 0, flip: true });
  });
});
