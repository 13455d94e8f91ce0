import { describe, expect, it } from 'vitest';
import { intBinHalfWidth, multivariateBandwidth, neighbourBandwidths, observationWeights, ParzenEstimator } from '../../../src/lib/search/parzen';
import { toUnit } from '../../../src/lib/search/space';
import { makeRng } from '../../../src/lib/search/rng';
import { truncNormLogPdf } from '../../../src/lib/search/stats';
import type { Dimension } from '../../../src/lib/search/types';

describe('Parzen estimator', () => {
  it('weights observations like Optuna (flat below 25, then a ramp for the oldest)', () => {
    expect(observationWeights(3)).toEqual([1, 1, 1]);
    const w = observationWeights(30);
    expect(w.length).toBe(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBeCloseTo(1, 12);
    expect(w.slice(5).every((x) => x === 1)).toBe(true);
  });

  it.each([
    [[0.2, 0.8], [0.3, 0.3]], // the prior centre 0.5 is their neighbour
    [[0.1], [0.4]],
    [[0.5, 0.52, 0.9], [0.2, 0.38, 0.38]], // 0.5 sits on the prior centre: clipped up to 1/(3+2)
  ])('sets bandwidths from neighbour distances: %o -> %o', (mus, sigmas) => {
    neighbourBandwidths(mus).forEach((s, i) => expect(s).toBeCloseTo(sigmas[i], 12));
  });

  it.each([
    // [n, d, width]
    [1, 2, 1 / 3], // 0.2, floored at 1/(n+2) as Optuna's magic clip does
    [10, 4, 0.2 * 10 ** (-1 / 8)],
    [64, 2, 0.2 * 64 ** (-1 / 6)],
    [1e8, 1, 1 / 100], // 0.2 · 10^-1.6 = 0.005, floored at 1/100
    [0, 3, 1 / 2],
  ])('sets the multivariate width like Optuna: n=%i, d=%i -> %f', (n, d, width) => {
    expect(multivariateBandwidth(n, d)).toBeCloseTo(width, 12);
  });

  const dims: Dimension[] = [
    { name: 'dropout', spec: { type: 'float', low: 0, high: 1, log: false } },
    { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] } },
  ];
  const points = [[0.2, 1 / 6], [0.25, 1 / 6], [0.7, 0.5]];
  const pe = new ParzenEstimator(dims, points, [1, 1, 1], 1);

  it('has densities that integrate to 1 and choice probabilities that sum to 1', () => {
    const n = 2000;
    let s = 0;
    for (let i = 0; i < n; i++) s += pe.marginalDensity(0, (i + 0.5) / n);
    expect(s / n).toBeCloseTo(1, 3);
    const probs = pe.marginalChoices(1);
    expect(probs.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(probs[0]).toBeGreaterThan(probs[1]);
    expect(probs[1]).toBeGreaterThan(probs[2]);
  });

  it('samples inside the unit cube, categoricals at bin centres, mostly near the data', () => {
    const rng = makeRng(1, 'test');
    let near = 0;
    for (let i = 0; i < 500; i++) {
      const [x, c] = pe.sample(rng);
      expect(x >= 0 && x <= 1).toBe(true);
      expect([1 / 6, 0.5, 5 / 6].some((v) => Math.abs(v - c) < 1e-12)).toBe(true);
      if (x < 0.4) near++;
    }
    expect(near / 500).toBeGreaterThan(0.45);
  });

  it('independent mode: the density is the product of the marginals, sampled per coordinate', () => {
    const ind = new ParzenEstimator(dims, points, [1, 1, 1], 1, 'independent');
    expect(ind.mode).toBe('independent');
    for (const u of [[0.1, 1 / 6], [0.5, 0.5], [0.9, 5 / 6]]) {
      const c = Math.floor(u[1] * 3);
      expect(ind.logPdf(u)).toBeCloseTo(Math.log(ind.marginalDensity(0, u[0]) * ind.marginalChoices(1)[c]), 10);
    }
    const rng = makeRng(2, 'test');
    for (let i = 0; i < 100; i++) {
      const [x, c] = ind.sample(rng);
      expect(x >= 0 && x <= 1).toBe(true);
      expect([1 / 6, 0.5, 5 / 6].some((v) => Math.abs(v - c) < 1e-12)).toBe(true);
    }
  });

  it('multivariate mode gives every observation the same kernel width, 0.2 · n^(-1/(d+4))', () => {
    const mv = new ParzenEstimator(dims, points, [1, 1, 1], 1, 'multivariate');
    const sigma = multivariateBandwidth(3, 2);
    for (const x of [0.05, 0.3, 0.71, 0.99]) {
      const mixture = (points.reduce((a, p) => a + Math.exp(truncNormLogPdf(x, p[0], sigma)), 0) + Math.exp(truncNormLogPdf(x, 0.5, 1))) / 4;
      expect(mv.marginalDensity(0, x)).toBeCloseTo(mixture, 10);
    }
  });
});

describe('Parzen estimator on ints (Optuna: the mass of the value\'s bin)', () => {
  const depth: Dimension = { name: 'depth', spec: { type: 'int', low: 1, high: 3, log: false } };
  const units: Dimension = { name: 'units', spec: { type: 'int', low: 4, high: 64, log: true } };
  const dropout: Dimension = { name: 'dropout', spec: { type: 'float', low: 0, high: 1, log: false } };

  it.each([
    [depth, 1 / 6],
    [{ name: 'depth', spec: { type: 'int', low: 0, high: 9, log: false } } as Dimension, 0.05],
    [units, 0], // a log int keeps a density, as in Optuna
    [dropout, 0],
  ])('bins %o at half-width %f', (d, half) => {
    expect(intBinHalfWidth(d)).toBeCloseTo(half, 12);
  });

  it.each(['multivariate', 'independent'] as const)('gives a linear int masses that sum to 1 over its values (%s)', (mode) => {
    const pe = new ParzenEstimator([depth, depth], [[0.5, 1 / 6], [5 / 6, 5 / 6]], [1, 1], 1, mode);
    let total = 0;
    for (const a of [1, 2, 3]) for (const b of [1, 2, 3]) total += Math.exp(pe.logPdf([toUnit(depth.spec, a), toUnit(depth.spec, b)]));
    expect(total).toBeCloseTo(1, 6);
  });
});
