// Elementwise passes over f32 buffers: activations and their gradients, dropout masks, row
// products and column sums. Vector loops of 4 lanes; the last n % 4 elements go through the same
// vector code one lane at a time (load32_zero / store32_lane), so both paths round alike.

import { aleaLoad, aleaNext } from './alea';

/** Activation codes, as the host's layout writes them. */
export const LINEAR = 0;
export const RELU = 1;
export const TANH = 2;
export const SIGMOID = 3;

@inline function ld(p: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p) : v128.load32_zero(p);
}
@inline function st(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v); else v128.store32_lane(p, v, 0);
}

/** x = act(x) over n floats at p. tanh and sigmoid are computed in f64 and rounded, as tfjs' cpu backend does. */
export function activate(p: usize, n: i32, act: i32): void {
  if (act == RELU) {
    const zero = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) { const q = p + (<usize>i << 2); v128.store(q, f32x4.max(v128.load(q), zero)); }
    for (; i < n; i++) { const q = p + (<usize>i << 2); st(q, f32x4.max(ld(q, 1), zero), 1); }
  } else if (act == TANH) {
    for (let i = 0; i < n; i++) { const q = p + (<usize>i << 2); store<f32>(q, <f32>Math.tanh(<f64>load<f32>(q))); }
  } else if (act == SIGMOID) {
    for (let i = 0; i < n; i++) { const q = p + (<usize>i << 2); store<f32>(q, <f32>(1.0 / (1.0 + Math.exp(-<f64>load<f32>(q))))); }
  }
}

@inline function gradOf(d: v128, a: v128, act: i32): v128 {
  const one = f32x4.splat(1);
  if (act == RELU) return f32x4.mul(d, v128.bitselect(one, f32x4.splat(0), f32x4.gt(a, f32x4.splat(0))));
  if (act == TANH) return f32x4.mul(d, f32x4.sub(one, f32x4.mul(a, a)));
  return f32x4.mul(d, f32x4.mul(a, f32x4.sub(one, a))); // sigmoid
}

/** d = dL/dz from d = dL/da and the activation's output a (the formulas of tfjs' own gradients). */
export function activationGrad(d: usize, a: usize, n: i32, act: i32): void {
  if (act == LINEAR) return;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, gradOf(v128.load(d + o), v128.load(a + o), act));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st(d + o, gradOf(ld(d + o, 1), ld(a + o, 1), act), 1);
  }
}

/** out = x ⊙ y over n floats (out may be x). */
export function mulInto(out: usize, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, f32x4.mul(v128.load(x + o), v128.load(y + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; st(out + o, f32x4.mul(ld(x + o, 1), ld(y + o, 1)), 1); }
}

/** s[j] = Σ_r x[r, j] for x [rows, n] row-major, rows summed in order. */
export function columnSums(s: usize, x: usize, rows: i32, n: i32): void {
  memory.fill(s, 0, <usize>n << 2);
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; v128.store(s + o, f32x4.add(v128.load(s + o), v128.load(xr + o))); }
    for (; j < n; j++) { const o = <usize>j << 2; st(s + o, f32x4.add(ld(s + o, 1), ld(xr + o, 1)), 1); }
  }
}

/**
 * Dropout mask [rows, units] (row-major): scale where the uniform draw is >= rate, else 0. The
 * draws come from the alea state at `state` in the order tfjs' randomUniform fills its tensor:
 * [units, rows] for the first hidden layer (the batched trainer keeps it transposed), [rows,
 * units] after; each draw is rounded to f32 before the comparison, as the tensor stores it.
 */
export function dropoutMask(mask: usize, rows: i32, units: i32, unitMajor: bool, state: usize, rate: f32, scale: f32): void {
  aleaLoad(state);
  if (unitMajor) {
    for (let j = 0; j < units; j++) {
      for (let r = 0; r < rows; r++) store<f32>(mask + (<usize>(r * units + j) << 2), <f32>aleaNext() >= rate ? scale : 0);
    }
  } else {
    const n = rows * units;
    for (let i = 0; i < n; i++) store<f32>(mask + (<usize>i << 2), <f32>aleaNext() >= rate ? scale : 0);
  }
}
