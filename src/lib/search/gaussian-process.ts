import { choiceIndex } from './parzen';
import { normCdf, normPdf } from './stats';
import type { Dimension } from './types';

/** Kernel hyperparameters. Lengthscales are in unit-cube units, one per Dimension (a
 *  categorical's one-hot features share one); variances are of the standardised targets. */
export interface GpHyper {
  lengthscales: number[];
  signalVariance: number;
  noiseVariance: number;
}

/** Matérn 5/2 correlation at scaled distance r >= 0: (1 + √5 r + 5r²/3) e^{-√5 r}. */
export function matern52(r: number): number {
  const s = Math.sqrt(5) * r;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

/**
 * In-place Cholesky factorisation of a symmetric positive-definite n×n matrix (row-major):
 * on success the lower triangle holds L with A = L Lᵀ and the function returns true; it
 * returns false when A is not numerically positive definite. (Own 15 lines rather than a
 * dependency: the matrices here are at most a few hundred rows.)
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L x = b for lower-triangular L (row-major n×n); returns x. */
export function forwardSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Solves Lᵀ x = b for lower-triangular L (row-major n×n); returns x. */
export function backSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/**
 * Squared distance along one dimension between coordinates a and b (choice indices for a
 * categorical; NaN where a conditional dimension is inactive). Unconditional: numeric |Δu|²,
 * categorical 2 when the choices differ (two different one-hot vectors), else 0. Conditional
 * dimensions are embedded so that "inactive" is a point of its own (Swersky et al.'s arc kernel):
 * a numeric u on the unit circle at angle u, a choice as its one-hot vector, inactive at the
 * origin. Two inactive points are at 0, an active and an inactive one at 1, two active numeric
 * ones at 2(1 - cos Δu) ≈ Δu². A Euclidean embedding, so the kernel stays positive definite.
 */
export function dimDistance(cat: boolean, conditional: boolean, a: number, b: number): number {
  if (conditional) {
    const ia = Number.isNaN(a);
    const ib = Number.isNaN(b);
    if (ia || ib) return ia && ib ? 0 : 1;
    if (!cat) return 2 * (1 - Math.cos(a - b));
  }
  return cat ? (a === b ? 0 : 2) : (a - b) * (a - b);
}

/**
 * Points of the unit cube in the form the kernel reads fast: a flat [n][d] array where
 * categorical coordinates are replaced by their choice index, and flags per dimension
 * (categorical; conditional). Per-dimension squared distances: see dimDistance.
 */
class Encoded {
  readonly d: number;
  readonly cat: Uint8Array;
  readonly cond: Uint8Array;
  readonly data: Float64Array;

  constructor(dims: Dimension[], xs: number[][]) {
    this.d = dims.length;
    this.cat = Uint8Array.from(dims.map((dim) => (dim.spec.type === 'categorical' ? 1 : 0)));
    this.cond = Uint8Array.from(dims.map((dim) => (dim.when ? 1 : 0)));
    this.data = new Float64Array(xs.length * this.d);
    xs.forEach((x, i) => this.encodeInto(dims, x, this.data, i * this.d));
  }

  encodeInto(dims: Dimension[], x: number[], out: Float64Array, offset: number): void {
    for (let j = 0; j < this.d; j++) {
      const spec = dims[j].spec;
      out[offset + j] = spec.type === 'categorical' ? choiceIndex(x[j], spec.choices.length) : x[j];
    }
  }

  /** Σ_j dist_j(a, b) · w_j for rows a (of `other`, at offset oa) and b (of this). */
  weighted(other: Float64Array, oa: number, b: number, w: ArrayLike<number>): number {
    const d = this.d;
    const ob = b * d;
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const x = other[oa + j];
      const y = this.data[ob + j];
      if (this.cond[j]) r2 += dimDistance(this.cat[j] === 1, true, x, y) * w[j];
      else if (this.cat[j]) r2 += x === y ? 0 : 2 * w[j];
      else r2 += (x - y) * (x - y) * w[j];
    }
    return r2;
  }
}

/** Jitter added to the diagonal (as a share of the signal variance), grown until the
 *  factorisation succeeds. */
export const JITTERS = [0, 1e-8, 1e-6, 1e-4, 1e-2];

/**
 * The lower-triangular Cholesky factor L of a growing symmetric positive-definite matrix
 * A = L Lᵀ, stored row-major with a stride (its capacity) so that a row can be added without
 * copying: appending row n of A costs O(n²), where refactoring it would cost O(n³). Row i holds
 * L[i][0..i].
 */
export class CholeskyFactor {
  /** rows (and columns) factorised so far. */
  n = 0;
  /** row stride of `data` (the capacity). */
  stride: number;
  /** L, row-major with `stride` columns. */
  data: Float64Array;

  constructor(capacity = 16) {
    this.stride = Math.max(1, capacity);
    this.data = new Float64Array(this.stride * this.stride);
  }

  /** L[i][j] (0 above the diagonal). */
  at(i: number, j: number): number {
    return j > i ? 0 : this.data[i * this.stride + j];
  }

  /** a deep copy (with room for `extra` more rows), so that a copy can grow on its own. */
  clone(extra = 0): CholeskyFactor {
    const c = new CholeskyFactor(Math.max(this.stride, this.n + extra));
    for (let i = 0; i < this.n; i++) c.data.set(this.data.subarray(i * this.stride, i * this.stride + i + 1), i * c.stride);
    c.n = this.n;
    return c;
  }

  /** the factor of a full n×n row-major matrix `a`, or null when it is not numerically
   *  positive definite. */
  static of(a: Float64Array, n: number, capacity = n): CholeskyFactor | null {
    const work = Float64Array.from(a);
    if (!choleskyInPlace(work, n)) return null;
    const c = new CholeskyFactor(Math.max(n, capacity));
    for (let i = 0; i < n; i++) c.data.set(work.subarray(i * n, i * n + i + 1), i * c.stride);
    c.n = n;
    return c;
  }

  /**
   * Adds row n of the matrix: `k` its first n entries (covariances with the rows already in),
   * `kSelf` its diagonal entry. The new row of L is l = L⁻¹ k and √(kSelf - lᵀl). Returns false
   * (and leaves the factor as it was) when the extended matrix is not numerically positive
   * definite.
   */
  append(k: ArrayLike<number>, kSelf: number): boolean {
    const n = this.n;
    if (n + 1 > this.stride) this.grow(Math.max(2 * this.stride, n + 1));
    const l = this.solveLower(k);
    let d = kSelf;
    for (let i = 0; i < n; i++) d -= l[i] * l[i];
    if (!(d > 0)) return false;
    const row = n * this.stride;
    this.data.set(l, row);
    this.data[row + n] = Math.sqrt(d);
    this.n = n + 1;
    return true;
  }

  /** x with L x = b (b: length n). */
  solveLower(b: ArrayLike<number>): Float64Array {
    const { n, stride, data } = this;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i];
      const row = i * stride;
      for (let k = 0; k < i; k++) s -= data[row + k] * x[k];
      x[i] = s / data[row + i];
    }
    return x;
  }

  /** x with Lᵀ x = b (b: length n). */
  solveUpper(b: ArrayLike<number>): Float64Array {
    const { n, stride, data } = this;
    const x = Float64Array.from({ length: n }, (_, i) => b[i]);
    for (let i = n - 1; i >= 0; i--) {
      x[i] /= data[i * stride + i];
      const xi = x[i];
      const row = i * stride;
      for (let k = 0; k < i; k++) x[k] -= data[row + k] * xi;
    }
    return x;
  }

  /** Σ log L[i][i] = ½ log det A. */
  halfLogDet(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += Math.log(this.data[i * this.stride + i]);
    return s;
  }

  private grow(capacity: number): void {
    const next = new Float64Array(capacity * capacity);
    for (let i = 0; i < this.n; i++) next.set(this.data.subarray(i * this.stride, i * this.stride + i + 1), i * capacity);
    this.data = next;
    this.stride = capacity;
  }
}

/** A GaussianProcess's covariance factor, to hand to the next one: L of K(xs) + (noise +
 *  jitter · signal) I, and the jitter share it was built with. */
export interface GpFactor {
  factor: CholeskyFactor;
  jitter: number;
}

/**
 * A Gaussian process with a Matérn 5/2 ARD kernel on the unit cube, conditioned on points `xs`
 * ([n][dims], snapped) with standardised targets `ys` (length n). `distances` (see
 * pairwiseDistances) saves recomputing them; `factor`, the covariance factor of exactly these
 * xs under exactly this `hyper` (see GpFactor and extendFactor), saves the O(n³) factorisation.
 */
export class GaussianProcess {
  readonly n: number;
  /** log marginal likelihood of ys under this GP. */
  readonly logMarginalLikelihood: number;
  /** the covariance factor and its jitter (shared, not copied: extend a clone). */
  readonly factor: GpFactor;
  private readonly alpha: Float64Array;
  private readonly invL2: Float64Array;
  private readonly enc: Encoded;
  private readonly query: Float64Array;
  private readonly kx: Float64Array;
  private readonly v: Float64Array;

  constructor(
    private readonly dims: Dimension[],
    xs: number[][],
    ys: number[],
    readonly hyper: GpHyper,
    distances?: Float64Array[],
    factor?: GpFactor,
  ) {
    const n = (this.n = xs.length);
    this.invL2 = Float64Array.from(hyper.lengthscales, (l) => 1 / (l * l));
    this.enc = new Encoded(dims, xs);
    this.query = new Float64Array(dims.length);
    this.kx = new Float64Array(n);
    this.v = new Float64Array(n);
    if (factor && factor.factor.n !== n) throw new Error(`GP factor has ${factor.factor.n} rows for ${n} points`);
    this.factor = factor ?? this.factorise(distances ?? pairwiseDistances(dims, xs));
    const chol = this.factor.factor;
    this.alpha = chol.solveUpper(chol.solveLower(ys));
    let quad = 0;
    for (let i = 0; i < n; i++) quad += ys[i] * this.alpha[i];
    this.logMarginalLikelihood = -0.5 * quad - chol.halfLogDet() - 0.5 * n * Math.log(2 * Math.PI);
  }

  private factorise(dist: Float64Array[]): GpFactor {
    const n = this.n;
    const { hyper, invL2 } = this;
    const D = this.dims.length;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let r2 = 0;
        for (let d = 0; d < D; d++) r2 += dist[d][i * n + j] * invL2[d];
        const v = hyper.signalVariance * matern52(Math.sqrt(r2));
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    for (const jitter of JITTERS) {
      const a = Float64Array.from(k);
      for (let i = 0; i < n; i++) a[i * n + i] += hyper.noiseVariance + jitter * hyper.signalVariance;
      const factor = CholeskyFactor.of(a, n, n + 8);
      if (factor) return { factor, jitter };
    }
    throw new Error('GP covariance is not positive definite');
  }

  /** prior covariances k(x, xs[i]) of a point x (unit cube, snapped) with every data point,
   *  into `out` (length n). */
  covariances(x: number[], out: Float64Array = new Float64Array(this.n)): Float64Array {
    const s2 = this.hyper.signalVariance;
    this.enc.encodeInto(this.dims, x, this.query, 0);
    for (let i = 0; i < this.n; i++) out[i] = s2 * matern52(Math.sqrt(this.enc.weighted(this.query, 0, i, this.invL2)));
    return out;
  }

  /** weight i of the posterior mean, (K + σ²I)⁻¹ y: mean(x) = Σ_i k(x, x_i) · alphaAt(i). */
  alphaAt(i: number): number {
    return this.alpha[i];
  }

  /**
   * An upper bound on the posterior variance at a point whose covariances with the data are
   * `kx` (from covariances()): the variance given only the `m` data points it covaries with most.
   * Conditioning on every point can only lower it. O(n + m³) instead of predict's O(n²).
   */
  varianceBound(kx: Float64Array, m = 8): number {
    const n = this.n;
    const s2 = this.hyper.signalVariance;
    const top: number[] = [];
    for (let i = 0; i < n; i++) {
      if (top.length < m) top.push(i);
      else if (kx[i] > kx[top[m - 1]]) top[m - 1] = i;
      else continue;
      // keep `top` sorted by kx, largest first (m is small)
      for (let j = top.length - 1; j > 0 && kx[top[j]] > kx[top[j - 1]]; j--) [top[j], top[j - 1]] = [top[j - 1], top[j]];
    }
    const k = top.length;
    if (k === 0) return s2;
    const diag = s2 + this.hyper.noiseVariance + this.factor.jitter * s2;
    const a = new Float64Array(k * k);
    const D = this.dims.length;
    for (let i = 0; i < k; i++) {
      a[i * k + i] = diag;
      for (let j = 0; j < i; j++) {
        const c = s2 * matern52(Math.sqrt(this.enc.weighted(this.enc.data, top[i] * D, top[j], this.invL2)));
        a[i * k + j] = c;
        a[j * k + i] = c;
      }
    }
    // a failed factorisation (nearly equal points) falls back on the nearest point alone
    if (!choleskyInPlace(a, k)) return Math.max(1e-12, s2 - (kx[top[0]] * kx[top[0]]) / diag);
    const v = forwardSolve(a, k, top.map((i) => kx[i]));
    let vv = 0;
    for (let i = 0; i < k; i++) vv += v[i] * v[i];
    return Math.max(1e-12, s2 - vv);
  }

  /** posterior mean and variance of the latent objective at x (standardised units). */
  predict(x: number[]): { mean: number; variance: number } {
    const n = this.n;
    const { kx, v } = this;
    const { data, stride } = this.factor.factor;
    const s2 = this.hyper.signalVariance;
    this.covariances(x, kx);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += kx[i] * this.alpha[i];
    // v = L⁻¹ k(x), var = s² - vᵀv
    let vv = 0;
    for (let i = 0; i < n; i++) {
      let t = kx[i];
      const row = i * stride;
      for (let k = 0; k < i; k++) t -= data[row + k] * v[k];
      v[i] = t / data[row + i];
      vv += v[i] * v[i];
    }
    return { mean, variance: Math.max(1e-12, s2 - vv) };
  }
}

/**
 * The covariance factor of `gp`'s points followed by `more` (unit cube, snapped), under `gp`'s
 * hyperparameters and jitter, built by appending one row per new point (O(n²) each) to a copy of
 * gp's factor instead of refactorising (O(n³)). Null when a row does not fit (the extended matrix
 * is not numerically positive definite at that jitter): refactorise then.
 */
export function extendFactor(gp: GaussianProcess, dims: Dimension[], more: number[][]): GpFactor | null {
  const { factor, jitter } = gp.factor;
  const h = gp.hyper;
  const out = factor.clone(more.length);
  const invL2 = Float64Array.from(h.lengthscales, (l) => 1 / (l * l));
  const extra = new Encoded(dims, more);
  const q = new Float64Array(dims.length);
  for (let m = 0; m < more.length; m++) {
    const row = new Float64Array(gp.n + m);
    gp.covariances(more[m], row);
    extra.encodeInto(dims, more[m], q, 0);
    for (let j = 0; j < m; j++) row[gp.n + j] = h.signalVariance * matern52(Math.sqrt(extra.weighted(q, 0, j, invL2)));
    if (!out.append(row, h.signalVariance + h.noiseVariance + jitter * h.signalVariance)) return null;
  }
  return { factor: out, jitter };
}

/** Per-dimension squared distances between all pairs of xs: [dims] of n×n row-major. */
export function pairwiseDistances(dims: Dimension[], xs: number[][]): Float64Array[] {
  const n = xs.length;
  const enc = new Encoded(dims, xs);
  const out = dims.map(() => new Float64Array(n * n));
  const D = dims.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      for (let d = 0; d < D; d++) {
        const a = enc.data[i * D + d];
        const b = enc.data[j * D + d];
        const v = dimDistance(enc.cat[d] === 1, enc.cond[d] === 1, a, b);
        out[d][i * n + j] = v;
        out[d][j * n + i] = v;
      }
    }
  }
  return out;
}

/**
 * Expected improvement below `best` for a Gaussian prediction (minimisation):
 * E[max(best - ξ - f, 0)] = (best - ξ - μ) Φ(z) + σ φ(z), z = (best - ξ - μ) / σ.
 */
export function expectedImprovement(mean: number, variance: number, best: number, xi = 0): number {
  const sd = Math.sqrt(variance);
  const imp = best - xi - mean;
  if (sd < 1e-12) return Math.max(0, imp);
  const z = imp / sd;
  return Math.max(0, imp * normCdf(z) + sd * normPdf(z));
}

/** Search box of the hyperparameters (natural units). */
export const HYPER_BOUNDS = {
  lengthscale: [0.02, 10],
  signalVariance: [0.05, 20],
  noiseVariance: [1e-6, 1],
} as const;

/** Weak log-normal prior on each lengthscale, log ℓ ~ N(log 0.5, 1.5²): keeps a handful of
 *  points from picking absurd lengthscales, and is overwhelmed by data soon after. */
const LOG_LS_PRIOR = { mean: Math.log(0.5), sd: 1.5 };

/** How fitHyper searches. */
export interface FitOptions {
  /** start from `previous` alone and search only the fine step (see fitHyper). */
  warm?: boolean;
}

/**
 * Fits lengthscales (ARD), signal and noise variance by maximising the log marginal likelihood
 * (plus the weak lengthscale prior) of standardised ys: a coarse grid over a shared
 * lengthscale and the noise, then coordinate search in log space with steps ×3 and ×3^⅓.
 * `previous` (the last fit) joins the grid so that fits are stable from one ask to the next;
 * with `options.warm` it is the only start and only the fine step is searched (a refit that
 * follows the previous one, about 3 times cheaper). Deterministic: no randomness.
 */
export function fitHyper(dims: Dimension[], xs: number[][], ys: number[], previous?: GpHyper, options: FitOptions = {}): { hyper: GpHyper; gp: GaussianProcess } {
  const d = dims.length;
  const dist = pairwiseDistances(dims, xs);
  const B = HYPER_BOUNDS;
  const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(Math.log(hi), Math.max(Math.log(lo), v));
  // θ = [log ℓ_1..ℓ_d, log signal, log noise]
  const toHyper = (t: number[]): GpHyper => ({
    lengthscales: t.slice(0, d).map(Math.exp),
    signalVariance: Math.exp(t[d]),
    noiseVariance: Math.exp(t[d + 1]),
  });
  const score = (t: number[]): { value: number; gp: GaussianProcess | null } => {
    let gp: GaussianProcess;
    try {
      gp = new GaussianProcess(dims, xs, ys, toHyper(t), dist);
    } catch {
      return { value: -Infinity, gp: null };
    }
    let prior = 0;
    for (let j = 0; j < d; j++) prior -= 0.5 * ((t[j] - LOG_LS_PRIOR.mean) / LOG_LS_PRIOR.sd) ** 2;
    const value = gp.logMarginalLikelihood + prior;
    return { value: Number.isFinite(value) ? value : -Infinity, gp };
  };

  const starts: number[][] = [];
  const warm = options.warm === true && previous !== undefined;
  for (const ls of warm ? [] : [0.15, 0.4, 1]) {
    for (const noise of [1e-4, 1e-2]) starts.push([...new Array<number>(d).fill(Math.log(ls)), 0, Math.log(noise)]);
  }
  if (previous) starts.push([...previous.lengthscales.map(Math.log), Math.log(previous.signalVariance), Math.log(previous.noiseVariance)]);

  let theta = starts[0];
  let best = score(theta);
  for (const s of starts.slice(1)) {
    const r = score(s);
    if (r.value > best.value) [theta, best] = [s, r];
  }

  const bounds = [...new Array<readonly [number, number]>(d).fill(B.lengthscale), B.signalVariance, B.noiseVariance];
  // fewer refinement sweeps for long histories, where each evaluation costs O(n³)
  const sweeps = xs.length > 80 ? 1 : 2;
  for (const step of warm ? [Math.log(3) / 3] : [Math.log(3), Math.log(3) / 3]) {
    for (let sweep = 0; sweep < sweeps; sweep++) {
      let improved = false;
      for (let c = 0; c < theta.length; c++) {
        for (const sign of [1, -1]) {
          const t = [...theta];
          t[c] = clamp(t[c] + sign * step, bounds[c]);
          if (t[c] === theta[c]) continue;
          const r = score(t);
          if (r.value > best.value + 1e-9) {
            [theta, best] = [t, r];
            improved = true;
            break;
          }
        }
      }
      if (!improved) break;
    }
  }
  const gp = best.gp ?? new GaussianProcess(dims, xs, ys, toHyper(theta), dist);
  return { hyper: toHyper(theta), gp };
}
