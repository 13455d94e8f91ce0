/**
 * Layout of K stacked dense trials in one flat parameter vector (see batched.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, ModelSpec } from '../../experiment/types';


/** One dense layer of a K-trial stack, with offsets into the flat parameter vector. */
export interface DenseSlot {
  fanIn: number;
  units: number;
  activation: Activation;
  kernelOffset: number;
  biasOffset: number;
}

/**
 * Where the parameters of K trials live in one flat vector. The first layer sees the same input
 * rows for every trial, so all trials' kernels form one tall matrix, stored transposed
 * [K·units, d] (trial k's rows k·units … (k+1)·units - 1): its output for all trials is one
 * ordinary matMul W0ᵀ·xᵀ whose right operand is the small batch (tfjs-wasm's XNNPACK path
 * repacks the right operand on every call, so that operand must be the small one). Bias [K·units].
 * Every later layer is stacked on a leading trial axis, kernel [K, fanIn, units] and bias
 * [K, units] (batched matMuls). Every trial's entries are contiguous except nothing: trial k owns
 * one slice per block, so dropping trials keeps the others' order.
 */
export interface StackLayout {
  K: number;
  dense: DenseSlot[];
  /** entries in the vector. */
  size: number;
  /** for each entry: the trial (0..K-1) it belongs to. */
  trialOf: Int32Array;
  /** for each entry: its index in that trial's `model.getWeights()` flattened (kernel, bias per layer). */
  canonOf: Int32Array;
  /** 1 at kernel entries, 0 at biases (penalties apply to kernels only). */
  kernel: Float32Array;
  /** where the first layer's kernel ends: tensors are kept in two pieces, [0, cut) and [cut, size). */
  cut: number;
}

/**
 * A flat vector kept as two tensors: the first layer's kernel, as the matrix [K·units, d] the
 * forward pass uses, and everything else, flat. tfjs-wasm's slice copies its whole input on every
 * call and tfjs-webgl's reshapes of packed textures run a shader, so the big kernel is neither
 * sliced nor reshaped each step; the rest is small. Parameters, optimizer slots and per-entry
 * hyperparameters all use it.
 */
export type Split = [tf.Tensor2D, tf.Tensor1D];

/** Rows × columns of the first piece of a Split in layout `L`. */
export function firstShape(L: StackLayout): [number, number] {
  return [L.K * L.dense[0].units, L.dense[0].fanIn];
}

/** A Float32Array in `L`'s layout as a Split. */
export function splitOf(L: StackLayout, v: Float32Array): Split {
  return [tf.tensor2d(v.subarray(0, L.cut), firstShape(L)), tf.tensor1d(v.subarray(L.cut))];
}

export function stackLayout(spec: ModelSpec, d: number, nOut: number, K: number): StackLayout {
  const shape: { fanIn: number; units: number; activation: Activation }[] = [];
  let fanIn = d;
  for (const l of spec.layers) {
    shape.push({ fanIn, units: l.units, activation: l.activation });
    fanIn = l.units;
  }
  shape.push({ fanIn, units: nOut, activation: 'linear' });
  const perTrial = shape.reduce((a, s) => a + s.fanIn * s.units + s.units, 0);
  const size = K * perTrial;
  const trialOf = new Int32Array(size);
  const canonOf = new Int32Array(size);
  const kernel = new Float32Array(size);
  const dense: DenseSlot[] = [];
  let off = 0;
  let canon = 0;
  shape.forEach((s, i) => {
    const kernelOffset = off;
    const biasOffset = off + K * s.fanIn * s.units;
    for (let k = 0; k < K; k++) {
      for (let q = 0; q < s.fanIn * s.units; q++) {
        const e = kernelOffset + k * s.fanIn * s.units + q;
        trialOf[e] = k;
        // first layer: q runs over [units, fanIn] (transposed); getWeights has [fanIn, units]
        canonOf[e] = canon + (i === 0 ? (q % s.fanIn) * s.units + Math.floor(q / s.fanIn) : q);
        kernel[e] = 1;
      }
    }
    canon += s.fanIn * s.units;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < s.units; j++) {
        const e = biasOffset + k * s.units + j;
        trialOf[e] = k;
        canonOf[e] = canon + j;
      }
    }
    canon += s.units;
    dense.push({ ...s, kernelOffset, biasOffset });
    off = biasOffset + K * s.units;
  });
  return { K, dense, size, trialOf, canonOf, kernel, cut: dense[0].biasOffset };
}

/** Entries of trial k in `L`, in the order of the one-trial layout `L1`. */
export function entriesOf(L: StackLayout, k: number, L1: StackLayout): Int32Array {
  const at = new Int32Array(L1.size);
  for (let e = 0; e < L.size; e++) if (L.trialOf[e] === k) at[L.canonOf[e]] = e;
  return Int32Array.from(L1.canonOf, (c) => at[c]);
}

