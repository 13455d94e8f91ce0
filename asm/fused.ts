// The fused dense-network trainer: K trials of one architecture trained on the same mini-batches,
// each with its own parameters, optimizer state and hyperparameters, entirely in this module's
// linear memory. The host (src/lib/train/fused/) lays out the memory, writes the tables below and
// the data, then calls `epoch` once per epoch: every mini-batch of every active trial (forward,
// loss, backward, penalties, dropout, optimizer step) and the validation pass, with the metrics
// left in memory. Pointers are byte offsets into memory; matrices are f32 row-major.

import { gemm, gemmNT } from './gemm';
import { activate, activationGrad, columnSums, dropoutMask, mulInto } from './elementwise';
import { correctSum, lossSum, resetLoss, softmaxCrossEntropy, squaredError } from './loss';
import { ADAM, setOptimizer, setStep, update } from './optimizer';

export { SGD, MOMENTUM, ADAM, RMSPROP } from './optimizer';
export { LINEAR, RELU, TANH, SIGMOID } from './elementwise';

/** Most dense layers and trials the tables hold. */
export const MAX_LAYERS = 32;
export const MAX_TRIALS = 64;

// Layer table: i32 fields per dense layer (the last is the output layer).
const FIN = 0;
const FOUT = 1;
const ACT = 2;
const W_OFF = 3; // byte offset of the kernel [fin, fout] within a trial's parameter block
const B_OFF = 4; // byte offset of the bias [fout]
const A = 5; // training buffer [batch, fout]: the activation's output (logits for the last layer)
const H = 6; // training buffer [batch, fout]: the output after dropout
const MASK = 7; // training buffer [batch, fout]: the dropout mask (0 or 1/(1 - rate))
const LAYER_FIELDS = 8;
const LAYERS = memory.data(MAX_LAYERS * LAYER_FIELDS * 4, 16);

// Trial table: 4-byte fields per trial.
const ACTIVE = 0;
const LR = 1;
const L1 = 2;
const L2X2 = 3;
const RATE = 4;
const SCALE = 5;
const P = 6; // parameter block
const M = 7; // first optimizer slot (momentum, Adam m, RMSprop mean square), or 0
const V = 8; // second slot (Adam v), or 0
const TRIAL_FIELDS = 9;
const TRIALS = memory.data(MAX_TRIALS * TRIAL_FIELDS * 4, 16);

@inline function li(l: i32, f: i32): i32 { return load<i32>(LAYERS + (<usize>(l * LAYER_FIELDS + f) << 2)); }
@inline function lp(l: i32, f: i32): usize { return <usize>load<u32>(LAYERS + (<usize>(l * LAYER_FIELDS + f) << 2)); }
@inline function ti(k: i32, f: i32): i32 { return load<i32>(TRIALS + (<usize>(k * TRIAL_FIELDS + f) << 2)); }
@inline function tf(k: i32, f: i32): f32 { return load<f32>(TRIALS + (<usize>(k * TRIAL_FIELDS + f) << 2)); }
@inline function tp(k: i32, f: i32): usize { return <usize>load<u32>(TRIALS + (<usize>(k * TRIAL_FIELDS + f) << 2)); }

let classification = false;
let nLayers = 0;
let nTrials = 0;
let batch = 0;
/** the epoch's training rows in their shuffled order [n, d], and their labels (i32) or targets (f32) [n]. */
let xe: usize = 0;
let ye: usize = 0;
/** gradient buffers [batch, widest layer] (ping-pong) and one trial's gradient block. */
let dzBuf: usize = 0;
let daBuf: usize = 0;
let grad: usize = 0;
/** evaluation buffers [evalRows, widest layer] (ping-pong). */
let evalA: usize = 0;
let evalB: usize = 0;
let evalRows = 0;
let optimizer = 0;
let beta1: f64 = 0;
let beta2: f64 = 0;

/** Where the host's allocations may start. */
export function heapBase(): usize {
  return __heap_base;
}

/** Sets the run's shape and scratch buffers (see the globals above). */
export function configure(isClassification: bool, layers: i32, trials: i32, batchSize: i32, xEpoch: usize, yEpoch: usize, dz: usize, da: usize, gradient: usize, evalBufA: usize, evalBufB: usize, evalBlock: i32): void {
  classification = isClassification;
  nLayers = layers;
  nTrials = trials;
  batch = batchSize;
  xe = xEpoch; ye = yEpoch; dzBuf = dz; daBuf = da; grad = gradient;
  evalA = evalBufA; evalB = evalBufB; evalRows = evalBlock;
}

/** Sets the optimizer and its constants (f64, rounded to f32 here as tfjs rounds its scalars). */
export function configureOptimizer(kind: i32, b1: f64, b2: f64, decay: f64, momentum: f64, eps: f64): void {
  optimizer = kind;
  beta1 = b1;
  beta2 = b2;
  setOptimizer(kind, <f32>b1, <f32>(1 - b1), <f32>b2, <f32>(1 - b2), <f32>decay, <f32>(1 - decay), <f32>momentum, <f32>eps);
}

/** Sets dense layer l: sizes, activation code, offsets in the parameter block and its training buffers. */
export function setLayer(l: i32, fin: i32, fout: i32, act: i32, wOff: i32, bOff: i32, a: usize, h: usize, mask: usize): void {
  const q = LAYERS + (<usize>(l * LAYER_FIELDS) << 2);
  store<i32>(q, fin, FIN << 2); store<i32>(q, fout, FOUT << 2); store<i32>(q, act, ACT << 2);
  store<i32>(q, wOff, W_OFF << 2); store<i32>(q, bOff, B_OFF << 2);
  store<u32>(q, <u32>a, A << 2); store<u32>(q, <u32>h, H << 2); store<u32>(q, <u32>mask, MASK << 2);
}

/** Sets trial k: whether it trains, its hyperparameters (l2x2 = 2·L2; scale = 1/(1 - rate)) and its blocks. */
export function setTrial(k: i32, active: bool, lr: f32, l1: f32, l2x2: f32, rate: f32, scale: f32, p: usize, m: usize, v: usize): void {
  const q = TRIALS + (<usize>(k * TRIAL_FIELDS) << 2);
  store<i32>(q, active ? 1 : 0, ACTIVE << 2);
  store<f32>(q, lr, LR << 2); store<f32>(q, l1, L1 << 2); store<f32>(q, l2x2, L2X2 << 2);
  store<f32>(q, rate, RATE << 2); store<f32>(q, scale, SCALE << 2);
  store<u32>(q, <u32>p, P << 2); store<u32>(q, <u32>m, M << 2); store<u32>(q, <u32>v, V << 2);
}

/** Switches trial k on or off (an inactive trial keeps its blocks, for scoring, and is skipped). */
export function setActive(k: i32, active: bool): void {
  store<i32>(TRIALS + (<usize>(k * TRIAL_FIELDS) << 2), active ? 1 : 0, ACTIVE << 2);
}

/** Copies the rows perm[0..n) of x (and their labels/targets) into the epoch buffers, in that order. */
function gather(x: usize, y: usize, perm: usize, n: i32, d: i32): void {
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const i = <usize>load<i32>(perm + (<usize>r << 2));
    memory.copy(xe + <usize>r * rowBytes, x + i * rowBytes, rowBytes);
    store<i32>(ye + (<usize>r << 2), load<i32>(y + (i << 2)));
  }
}

/** Forward pass of trial k on the mini-batch xb [rows, d], with its dropout masks from the alea states at drop. */
function forwardTrain(k: i32, xb: usize, rows: i32, drop: usize): void {
  const p = tp(k, P);
  const rate = tf(k, RATE);
  let inp = xb;
  for (let l = 0; l < nLayers; l++) {
    const fin = li(l, FIN);
    const fout = li(l, FOUT);
    const a = lp(l, A);
    gemm(a, fout, inp, fin, 1, p + <usize>li(l, W_OFF), fout, p + <usize>li(l, B_OFF), rows, fout, fin);
    if (l == nLayers - 1) break;
    activate(a, rows * fout, li(l, ACT));
    if (rate > 0) {
      const mask = lp(l, MASK);
      const h = lp(l, H);
      dropoutMask(mask, rows, fout, l == 0, drop + (<usize>(l * nTrials + k) << 5), rate, tf(k, SCALE));
      mulInto(h, a, mask, rows * fout);
      inp = h;
    } else {
      inp = a;
    }
  }
}

/** Backward pass of trial k on the mini-batch xb: its gradient block from dL/d(output) in dzBuf. */
function backward(k: i32, xb: usize, rows: i32): void {
  const p = tp(k, P);
  const dropping = tf(k, RATE) > 0;
  let dz = dzBuf;
  let da = daBuf;
  for (let l = nLayers - 1; l >= 0; l--) {
    const fin = li(l, FIN);
    const fout = li(l, FOUT);
    const wOff = <usize>li(l, W_OFF);
    const inp = l == 0 ? xb : lp(l - 1, dropping ? H : A);
    gemm(grad + wOff, fout, inp, 1, fin, dz, fout, 0, fin, fout, rows); // dW = inpᵀ·dz
    columnSums(grad + <usize>li(l, B_OFF), dz, rows, fout);
    if (l == 0) break;
    gemmNT(da, fin, dz, fout, p + wOff, fout, rows, fin, fout); // dA = dz·Wᵀ
    if (dropping) mulInto(da, da, lp(l - 1, MASK), rows * fin);
    activationGrad(da, lp(l - 1, A), rows * fin, li(l - 1, ACT));
    const swap = dz;
    dz = da;
    da = swap;
  }
}

/** Optimizer step of trial k from the gradient block. */
function optimizerStep(k: i32): void {
  const p = tp(k, P);
  const m = tp(k, M);
  const v = tp(k, V);
  for (let l = 0; l < nLayers; l++) {
    const fin = li(l, FIN);
    const fout = li(l, FOUT);
    const w = <usize>li(l, W_OFF);
    const b = <usize>li(l, B_OFF);
    update(p + w, grad + w, m ? m + w : 0, v ? v + w : 0, fin * fout, true);
    update(p + b, grad + b, m ? m + b : 0, v ? v + b : 0, fout, false);
  }
}

/** Outputs [rows, nOut] of the parameter block p for rows x [rows, d] (rows <= evalRows), no dropout. */
function forwardEval(p: usize, x: usize, rows: i32): usize {
  let inp = x;
  let out = evalA;
  for (let l = 0; l < nLayers; l++) {
    const fin = li(l, FIN);
    const fout = li(l, FOUT);
    gemm(out, fout, inp, fin, 1, p + <usize>li(l, W_OFF), fout, p + <usize>li(l, B_OFF), rows, fout, fin);
    if (l < nLayers - 1) activate(out, rows * fout, li(l, ACT));
    inp = out;
    out = out == evalA ? evalB : evalA;
  }
  return inp;
}

/** Loss summed over n rows x [n, d] with labels/targets y, and rows right, of parameter block p: two f64 at out. */
export function evaluate(p: usize, x: usize, y: usize, n: i32, out: usize): void {
  const d = li(0, FIN);
  const nOut = li(nLayers - 1, FOUT);
  resetLoss();
  for (let r = 0; r < n; r += evalRows) {
    const rows = min(evalRows, n - r);
    const z = forwardEval(p, x + (<usize>(r * d) << 2), rows);
    if (classification) softmaxCrossEntropy(z, y + (<usize>r << 2), rows, nOut, 0, 0);
    else squaredError(z, y + (<usize>r << 2), rows, 0, 0);
  }
  store<f64>(out, lossSum);
  store<f64>(out, correctSum, 8);
}

/** Outputs [n, nOut] of parameter block p for rows x [n, d], written at out. */
export function predict(p: usize, x: usize, n: i32, out: usize): void {
  const d = li(0, FIN);
  const nOut = li(nLayers - 1, FOUT);
  for (let r = 0; r < n; r += evalRows) {
    const rows = min(evalRows, n - r);
    const z = forwardEval(p, x + (<usize>(r * d) << 2), rows);
    memory.copy(out + (<usize>(r * nOut) << 2), z, <usize>(rows * nOut) << 2);
  }
}

/**
 * One epoch of every active trial: the mini-batches perm[s .. s + batch) of the n training rows x
 * (labels/targets y) in order, one optimizer step each (steps t + 1, t + 2, …), then the
 * validation rows. Trials are independent, so each runs its whole epoch before the next (its
 * parameters and optimizer state stay in cache); the shuffled rows are gathered once for all.
 * drop: the alea states of the dropout masks, four f64 per (step, hidden layer, trial), read only
 * for trials with dropout. metrics: four f64 per trial (train loss sum, train rows right,
 * validation loss sum, validation rows right). Returns the step count after the epoch.
 */
export function epoch(x: usize, y: usize, perm: usize, n: i32, t: i32, drop: usize, xVal: usize, yVal: usize, nVal: i32, metrics: usize): i32 {
  const d = li(0, FIN);
  const nOut = li(nLayers - 1, FOUT);
  const perStep = <usize>((nLayers - 1) * nTrials) << 5;
  const steps = (n + batch - 1) / batch;
  gather(x, y, perm, n, d);
  for (let k = 0; k < nTrials; k++) {
    if (!ti(k, ACTIVE)) continue;
    const mk = metrics + (<usize>k << 5);
    let trainLoss: f64 = 0;
    let trainCorrect: f64 = 0;
    for (let step = 0; step < steps; step++) {
      const s = step * batch;
      const rows = min(batch, n - s);
      const xb = xe + (<usize>(s * d) << 2);
      const tt = <f64>(t + step + 1);
      forwardTrain(k, xb, rows, drop + <usize>step * perStep);
      resetLoss();
      const invN = <f32>(1.0 / <f64>rows);
      const out = lp(nLayers - 1, A);
      if (classification) softmaxCrossEntropy(out, ye + (<usize>s << 2), rows, nOut, dzBuf, invN);
      else squaredError(out, ye + (<usize>s << 2), rows, dzBuf, invN);
      trainLoss += lossSum;
      trainCorrect += correctSum;
      backward(k, xb, rows);
      const adam = optimizer == ADAM;
      setStep(tf(k, LR), tf(k, L1), tf(k, L2X2), adam ? <f32>(1.0 / (1.0 - Math.pow(beta1, tt))) : 0, adam ? <f32>(1.0 / (1.0 - Math.pow(beta2, tt))) : 0);
      optimizerStep(k);
    }
    store<f64>(mk, trainLoss);
    store<f64>(mk, trainCorrect, 8);
    evaluate(tp(k, P), xVal, yVal, nVal, mk + 16);
  }
  return t + steps;
}
