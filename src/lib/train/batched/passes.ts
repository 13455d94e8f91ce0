/**
 * Forward and backward passes of K stacked dense trials (see batched.ts), written out by hand
 * with the formulas of tfjs' own gradients.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../../experiment/types';
import type { Split, StackLayout } from './layout';

/** Input rows of a pass: x [n, d] and its transpose [d, n] (the first layer's matMul wants the latter). */
export interface Rows {
  x: tf.Tensor2D;
  xT: tf.Tensor2D;
}

/** What backprop needs from the forward pass. */
export interface Trace {
  /** input of each later dense layer, [K, n, fanIn] (index 0 unused). */
  inputs: tf.Tensor[];
  /** output of each hidden layer's activation, before dropout: [K·units, n] for the first, [K, n, units] after. */
  acts: tf.Tensor[];
  /** kernels of the later layers, [K, fanIn, units] (index 0 unused). */
  kernels: tf.Tensor3D[];
}

/** Dropout masks of one step, already scaled by 1/(1 - rate): [K·units, n] for the first hidden
 *  layer, [K, n, units] after; null for a layer nobody drops. */
export type Masks = (tf.Tensor | null)[];

/** [K·u, n] (the first layer's transposed output) -> [K, n, u] (trial axis first), and back. */
export function tallToStacked(h: tf.Tensor, K: number, u: number): tf.Tensor3D {
  const n = h.shape[1]!;
  return h.reshape([K, u, n]).transpose([0, 2, 1]) as tf.Tensor3D;
}
export function stackedToTall(h: tf.Tensor, K: number, u: number): tf.Tensor2D {
  const n = h.shape[1]!;
  return h.transpose([0, 2, 1]).reshape([K * u, n]) as tf.Tensor2D;
}

/** Output [K, n, nOut] of every stacked trial for the same input rows. */
export function forward(L: StackLayout, P: Split, rows: Rows, masks: Masks | null, trace?: Trace): tf.Tensor3D {
  const K = L.K;
  const last = L.dense.length - 1;
  const s0 = L.dense[0];
  const rest = P[1];
  const W0T = P[0];
  const b0 = rest.slice(s0.biasOffset - L.cut, K * s0.units).reshape([K * s0.units, 1]);
  const a0 = activate(tf.matMul(W0T, rows.xT).add(b0), last === 0 ? 'linear' : s0.activation);
  if (last === 0) return tallToStacked(a0, K, s0.units);
  trace?.acts.push(a0);
  trace?.inputs.push(rows.x);
  trace?.kernels.push(W0T as unknown as tf.Tensor3D);
  let h: tf.Tensor = tallToStacked(masks?.[0] ? a0.mul(masks[0]) : a0, K, s0.units);
  for (let i = 1; i <= last; i++) {
    const s = L.dense[i];
    const W = rest.slice(s.kernelOffset - L.cut, K * s.fanIn * s.units).reshape([K, s.fanIn, s.units]) as tf.Tensor3D;
    const b = rest.slice(s.biasOffset - L.cut, K * s.units).reshape([K, 1, s.units]);
    trace?.inputs.push(h);
    trace?.kernels.push(W);
    const z = tf.matMul(h as tf.Tensor3D, W).add(b);
    if (i === last) return z as tf.Tensor3D;
    const a = activate(z, s.activation);
    trace?.acts.push(a);
    h = masks?.[i] ? a.mul(masks[i]!) : a;
  }
  throw new Error('unreachable');
}

export function activate(z: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'relu': return tf.relu(z);
    case 'tanh': return tf.tanh(z);
    case 'sigmoid': return tf.sigmoid(z);
    case 'linear': return z;
  }
}

/** dL/dz from dL/da, written with the activation's output a (the formulas of tfjs' own gradients). */
export function activationGrad(da: tf.Tensor, a: tf.Tensor, kind: Activation): tf.Tensor {
  switch (kind) {
    case 'relu': return da.mul(tf.step(a));
    case 'tanh': return da.mul(tf.scalar(1).sub(a.square()));
    case 'sigmoid': return da.mul(a.mul(tf.scalar(1).sub(a)));
    case 'linear': return da;
  }
}

/** aᵀ·b for stacked a [K, n, u]. On wasm a transposed left operand takes tfjs' slow matMul
 *  path, and for one trial the explicit transpose is cheap, so transpose it first. */
export function matMulTA(a: tf.Tensor, b: tf.Tensor, wasm: boolean): tf.Tensor {
  if (wasm && a.shape[0] === 1) return tf.matMul(a.transpose([0, 2, 1]) as tf.Tensor3D, b as tf.Tensor3D);
  return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, true, false);
}

/** Gradient of the sum over trials of each trial's loss with respect to the flat parameters,
 *  given dL/d(output) dz: [K, n, nOut]. Trial k's entries depend on trial k's rows only. */
export function backward(L: StackLayout, dzOut: tf.Tensor3D, rows: Rows, trace: Trace, masks: Masks | null, wasm: boolean): Split {
  const K = L.K;
  const last = L.dense.length - 1;
  const grads: tf.Tensor[] = new Array(2 * L.dense.length);
  let dz: tf.Tensor = dzOut;
  for (let i = last; i >= 1; i--) {
    grads[2 * i] = matMulTA(trace.inputs[i], dz, wasm).reshape([-1]);
    grads[2 * i + 1] = dz.sum(1).reshape([-1]);
    const prev = L.dense[i - 1];
    const da = tf.matMul(dz as tf.Tensor3D, trace.kernels[i], false, true);
    if (i - 1 >= 1) {
      dz = activationGrad(masks?.[i - 1] ? da.mul(masks[i - 1]!) : da, trace.acts[i - 1], prev.activation);
    } else {
      const tall = stackedToTall(da, K, prev.units);
      dz = activationGrad(masks?.[0] ? tall.mul(masks[0]) : tall, trace.acts[0], prev.activation);
    }
  }
  if (last === 0) dz = stackedToTall(dz, K, L.dense[0].units);
  // first layer, transposed: dW0ᵀ = dZ0ᵀ·x [K·u, d]; bias: row sums of dZ0ᵀ
  grads[0] = tf.matMul(dz as tf.Tensor2D, rows.x);
  grads[1] = dz.sum(1);
  return [grads[0] as tf.Tensor2D, tf.concat(grads.slice(1)) as tf.Tensor1D];
}

/** Per-trial loss summed over rows, [K] (softmax cross-entropy from logits, or squared error),
 *  correct predictions per trial [K] (classification), and dL/d(output) of each trial's mean loss
 *  over its n rows. y: [n, nOut] (one-hot or targets), shared by all trials. Cross-entropy is
 *  written out (log-sum-exp of the max-shifted logits) so the shift also tells which rows are
 *  right: a row is correct when its true class's shifted logit is 0, the maximum. */
export function lossAndGrad(out: tf.Tensor3D, y: tf.Tensor2D, classification: boolean, invN: tf.Scalar): { loss: tf.Tensor1D; correct: tf.Tensor1D | null; dz: tf.Tensor3D } {
  if (classification) {
    const shifted = out.sub(out.max(2, true));
    const e = shifted.exp();
    const sumE = e.sum(2, true);
    const trueLogit = y.mul(shifted).sum(2);
    return {
      loss: sumE.log().squeeze([2]).sub(trueLogit).sum(1) as tf.Tensor1D,
      correct: trueLogit.greaterEqual(0).sum(1).toFloat() as tf.Tensor1D,
      dz: e.div(sumE).sub(y).mul(invN) as tf.Tensor3D,
    };
  }
  const diff = out.sub(y);
  return { loss: diff.square().sum([1, 2]) as tf.Tensor1D, correct: null, dz: diff.mul(invN).mul(tf.scalar(2)) as tf.Tensor3D };
}

/** Per-trial loss summed over rows [K] and correct predictions [K] (zeros for regression), without the gradient. */
export function evaluate(out: tf.Tensor3D, y: tf.Tensor2D, classification: boolean): { loss: tf.Tensor1D; correct: tf.Tensor1D } {
  const r = lossAndGrad(out, y, classification, tf.scalar(0));
  return { loss: r.loss, correct: r.correct ?? tf.zerosLike(r.loss) };
}

