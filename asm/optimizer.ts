// The optimizer step of one parameter segment, with L1/L2 penalty gradients, in the formulas of
// the batched tfjs trainer (tfjs' SGD, momentum, Adam and RMSprop), f32 lane by lane.

/** Optimizer codes, as the host writes them. */
export const SGD = 0;
export const MOMENTUM = 1;
export const ADAM = 2;
export const RMSPROP = 3;

/** Hyperparameters of one trial's step (set by setStep before update). */
let lr: f32 = 0;
let l1: f32 = 0;
let l2x2: f32 = 0;
/** Adam's bias corrections 1/(1 - β^t) of this step. */
let c1: f32 = 0;
let c2: f32 = 0;
/** constants: Adam β1, 1 - β1, β2, 1 - β2, RMSprop decay, 1 - decay, momentum, ε. */
let b1: f32 = 0;
let nb1: f32 = 0;
let b2: f32 = 0;
let nb2: f32 = 0;
let decay: f32 = 0;
let ndecay: f32 = 0;
let momentum: f32 = 0;
let eps: f32 = 0;
let kind: i32 = 0;

/** Sets the optimizer and its constants for the whole run. */
export function setOptimizer(k: i32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, rmsDecay: f32, oneMinusDecay: f32, mom: f32, epsilon: f32): void {
  kind = k; b1 = beta1; nb1 = oneMinusBeta1; b2 = beta2; nb2 = oneMinusBeta2;
  decay = rmsDecay; ndecay = oneMinusDecay; momentum = mom; eps = epsilon;
}

/** Sets one trial's hyperparameters and the step's bias corrections. */
export function setStep(rate: f32, penaltyL1: f32, penaltyL2x2: f32, corr1: f32, corr2: f32): void {
  lr = rate; l1 = penaltyL1; l2x2 = penaltyL2x2; c1 = corr1; c2 = corr2;
}

@inline function ld(p: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p) : v128.load32_zero(p);
}
@inline function st(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v); else v128.store32_lane(p, v, 0);
}

/** Updates `lanes` (4 or 1) entries at byte offset o of params p, gradient g and slots m, v. */
@inline function updateAt(p: usize, g: usize, m: usize, v: usize, o: usize, lanes: i32, penalise: bool): void {
  const w = ld(p + o, lanes);
  let d = ld(g + o, lanes);
  if (penalise) {
    if (l2x2 != 0) d = f32x4.add(d, f32x4.mul(f32x4.splat(l2x2), w));
    // tfjs' gradient of |w| is step(w, -1): +1 above zero, -1 at and below it
    if (l1 != 0) d = f32x4.add(d, f32x4.mul(f32x4.splat(l1), v128.bitselect(f32x4.splat(1), f32x4.splat(-1), f32x4.gt(w, f32x4.splat(0)))));
  }
  const rate = f32x4.splat(lr);
  if (kind == SGD) {
    st(p + o, f32x4.sub(w, f32x4.mul(rate, d)), lanes);
  } else if (kind == MOMENTUM) {
    const acc = f32x4.add(f32x4.mul(ld(m + o, lanes), f32x4.splat(momentum)), d);
    st(p + o, f32x4.sub(w, f32x4.mul(rate, acc)), lanes);
    st(m + o, acc, lanes);
  } else if (kind == ADAM) {
    const mm = f32x4.add(f32x4.mul(ld(m + o, lanes), f32x4.splat(b1)), f32x4.mul(d, f32x4.splat(nb1)));
    const vv = f32x4.add(f32x4.mul(ld(v + o, lanes), f32x4.splat(b2)), f32x4.mul(f32x4.mul(d, d), f32x4.splat(nb2)));
    const den = f32x4.add(f32x4.sqrt(f32x4.mul(vv, f32x4.splat(c2))), f32x4.splat(eps));
    st(p + o, f32x4.sub(w, f32x4.mul(f32x4.div(f32x4.mul(mm, f32x4.splat(c1)), den), rate)), lanes);
    st(m + o, mm, lanes);
    st(v + o, vv, lanes);
  } else {
    const ms = f32x4.add(f32x4.mul(ld(m + o, lanes), f32x4.splat(decay)), f32x4.mul(f32x4.mul(d, d), f32x4.splat(ndecay)));
    st(p + o, f32x4.sub(w, f32x4.div(f32x4.mul(d, rate), f32x4.sqrt(f32x4.add(ms, f32x4.splat(eps))))), lanes);
    st(m + o, ms, lanes);
  }
}

/** One optimizer step over n entries: params p, gradient g, slots m and v (unused ones may be 0).
 *  `penalise`: the entries are kernel weights (L1/L2 apply), not biases. */
export function update(p: usize, g: usize, m: usize, v: usize, n: i32, penalise: bool): void {
  let i = 0;
  if (penalise) {
    for (; i + 4 <= n; i += 4) updateAt(p, g, m, v, <usize>i << 2, 4, true);
    for (; i < n; i++) updateAt(p, g, m, v, <usize>i << 2, 1, true);
  } else {
    for (; i + 4 <= n; i += 4) updateAt(p, g, m, v, <usize>i << 2, 4, false);
    for (; i < n; i++) updateAt(p, g, m, v, <usize>i << 2, 1, false);
  }
}
