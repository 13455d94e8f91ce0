import { describe, expect, it } from 'vitest';
import {
  backSolve,
  CholeskyFactor,
  choleskyInPlace,
  expectedImprovement,
  extendFactor,
  fitHyper,
  forwardSolve,
  GaussianProcess,
  matern52,
} from '../../../src/lib/search/gaussian-process';
import { makeRng } from '../../../src/lib/search/rng';
import type { Dimension } from '../../../src/lib/search/types';

const two: Dimension[] = [
  { name: 'dropout', spec: { type: 'float', low: 0, high: 1, log: false } },
  { name: 'l2', spec: { type: 'float', low: 0, high: 1, log: false } },
];

describe('linear algebra', () => {
  it('factorises an SPD matrix (L Lᵀ = A) and solves with it', () => {
    const a = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3];
    const l = Float64Array.from(a);
    expect(choleskyInPlace(l, 3)).toBe(true);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k <= Math.min(i, j); k++) s += l[i * 3 + k] * l[j * 3 + k];
        expect(s).toBeCloseTo(a[i * 3 + j], 12);
      }
    }
    const x = backSolve(l, 3, forwardSolve(l, 3, [1, 2, 3]));
    const ax = [0, 1, 2].map((i) => a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2]);
    ax.forEach((v, i) => expect(v).toBeCloseTo(i + 1, 12));
  });

  it('rejects a matrix that is not positive definite', () => {
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });
});

/** A random SPD matrix B Bᵀ + n I (row-major n×n) from a seeded generator. */
function spd(n: number, seed: number): Float64Array {
  const rng = makeRng(seed, 'spd');
  const b = Array.from({ length: n * n }, () => rng() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

describe('incremental Cholesky', () => {
  it.each([1, 2, 7, 40])('grown one row at a time, it equals the full factorisation (n = %i)', (n) => {
    const a = spd(n, n);
    const full = Float64Array.from(a);
    expect(choleskyInPlace(full, n)).toBe(true);
    // start small so that the factor has to grow its storage on the way
    const f = new CholeskyFactor(1);
    for (let i = 0; i < n; i++) {
      expect(f.append(a.subarray(i * n, i * n + i), a[i * n + i])).toBe(true);
    }
    expect(f.n).toBe(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) expect(f.at(i, j)).toBeCloseTo(j <= i ? full[i * n + j] : 0, 12);
    }
    // and solves like it
    const b = Array.from({ length: n }, (_, i) => i + 1);
    const x = f.solveUpper(f.solveLower(b));
    const y = backSolve(full, n, forwardSolve(full, n, b));
    x.forEach((v, i) => expect(v).toBeCloseTo(y[i], 10));
  });

  it('refuses a row that makes the matrix indefinite, and stays as it was', () => {
    const f = new CholeskyFactor();
    expect(f.append([], 1)).toBe(true);
    expect(f.append([2], 1)).toBe(false); // [[1, 2], [2, 1]] is indefinite
    expect(f.n).toBe(1);
    expect(f.append([0.5], 1)).toBe(true);
    expect(f.at(1, 0)).toBeCloseTo(0.5, 15);
    expect(f.at(1, 1)).toBeCloseTo(Math.sqrt(0.75), 15);
  });

  it('extends a GP by new points exactly as a GP fitted on all of them', () => {
    const rng = makeRng(3, 'extend');
    const xs = Array.from({ length: 30 }, () => [rng(), rng()]);
    const ys = xs.map((x) => Math.sin(5 * x[0]) + x[1]);
    const hyper = { lengthscales: [0.3, 0.5], signalVariance: 1.2, noiseVariance: 1e-3 };
    const first = new GaussianProcess(two, xs.slice(0, 20), ys.slice(0, 20), hyper);
    const factor = extendFactor(first, two, xs.slice(20));
    expect(factor).not.toBeNull();
    const grown = new GaussianProcess(two, xs, ys, hyper, undefined, factor!);
    const whole = new GaussianProcess(two, xs, ys, hyper);
    expect(grown.logMarginalLikelihood).toBeCloseTo(whole.logMarginalLikelihood, 9);
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j <= i; j++) expect(factor!.factor.at(i, j)).toBeCloseTo(whole.factor.factor.at(i, j), 12);
    }
    for (let t = 0; t < 20; t++) {
      const x = [rng(), rng()];
      const [a, b] = [grown.predict(x), whole.predict(x)];
      expect(a.mean).toBeCloseTo(b.mean, 9);
      expect(a.variance).toBeCloseTo(b.variance, 9);
      // the cheap bound used to skip candidates is never below the exact variance
      expect(whole.varianceBound(whole.covariances(x))).toBeGreaterThanOrEqual(b.variance - 1e-12);
    }
  });
});

describe('Gaussian process', () => {
  it('uses the Matérn 5/2 correlation', () => {
    expect(matern52(0)).toBe(1);
    expect(matern52(1)).toBeCloseTo((1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5)), 12);
  });

  it('interpolates its data when noise is tiny, and is uncertain far from it', () => {
    const xs = [[0.1, 0.1], [0.5, 0.5], [0.9, 0.2]];
    const ys = [1, -1, 0.5];
    const gp = new GaussianProcess(two, xs, ys, { lengthscales: [0.3, 0.3], signalVariance: 1, noiseVariance: 1e-8 });
    xs.forEach((x, i) => {
      const p = gp.predict(x);
      expect(p.mean).toBeCloseTo(ys[i], 4);
      expect(p.variance).toBeLessThan(1e-4);
    });
    expect(gp.predict([0.1, 0.95]).variance).toBeGreaterThan(0.5);
  });

  it('fits a long lengthscale to a dimension the objective ignores (ARD)', () => {
    const rng = makeRng(1, 'test');
    const xs = Array.from({ length: 25 }, () => [rng(), rng()]);
    const ys = xs.map((x) => Math.sin(6 * x[0]));
    const m = ys.reduce((a, b) => a + b) / ys.length;
    const sd = Math.sqrt(ys.reduce((a, b) => a + (b - m) ** 2, 0) / ys.length);
    const { hyper } = fitHyper(two, xs, ys.map((y) => (y - m) / sd));
    expect(hyper.lengthscales[1]).toBeGreaterThan(3 * hyper.lengthscales[0]);
  });
});

describe('expected improvement', () => {
  it('is the plain improvement without uncertainty, σφ(0) at the incumbent, ~0 far above it', () => {
    expect(expectedImprovement(-1, 0, 0)).toBe(1);
    expect(expectedImprovement(1, 0, 0)).toBe(0);
    expect(expectedImprovement(0, 4, 0)).toBeCloseTo(2 / Math.sqrt(2 * Math.PI), 6);
    expect(expectedImprovement(10, 1, 0)).toBeLessThan(1e-20);
    expect(expectedImprovement(0, 1, 0)).toBeGreaterThan(expectedImprovement(0, 0.25, 0));
  });
});
