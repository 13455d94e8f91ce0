import * as tf from '@tensorflow/tfjs';
import type { Activation, BackendName, ModelSpec } from '../experiment/types';
import { modelValue } from '../experiment/defaults';
import { buildModel } from '../model/build';
import { outputUnits, paramCount } from '../model/spec';
import { makeRng, shuffle } from '../search/rng';
import { EarlyStopper } from '../search/early-stopping';
import type { EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from './types';
import { batchKey, type ProbeShape, type ProbeTiming } from './batching';
import { encodeSurface, surfaceGrid } from './trainer';
import { lrAt, scheduleOf, type LrSchedule } from './schedule';

/** Called after every epoch of every trial in the batch; the answer may stop or prune that trial. */
export type BatchEpochCallback = (trialId: number, m: EpochMetrics) => EpochControl | Promise<EpochControl>;

export { batchKey, MAX_BATCH } from './batching';

/** RMSprop's decay as tfjs' own optimizer uses it (momentum and Adam's betas come from the model). */
const RMS_DECAY = 0.9;

// ---------------------------------------------------------------------------------------------
// Layout of K stacked trials in one flat parameter vector

/** One dense layer of a K-trial stack, with offsets into the flat parameter vector. */
interface DenseSlot {
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
interface StackLayout {
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
type Split = [tf.Tensor2D, tf.Tensor1D];

/** Rows × columns of the first piece of a Split in layout `L`. */
function firstShape(L: StackLayout): [number, number] {
  return [L.K * L.dense[0].units, L.dense[0].fanIn];
}

/** A Float32Array in `L`'s layout as a Split. */
function splitOf(L: StackLayout, v: Float32Array): Split {
  return [tf.tensor2d(v.subarray(0, L.cut), firstShape(L)), tf.tensor1d(v.subarray(L.cut))];
}

function stackLayout(spec: ModelSpec, d: number, nOut: number, K: number): StackLayout {
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
function entriesOf(L: StackLayout, k: number, L1: StackLayout): Int32Array {
  const at = new Int32Array(L1.size);
  for (let e = 0; e < L.size; e++) if (L.trialOf[e] === k) at[L.canonOf[e]] = e;
  return Int32Array.from(L1.canonOf, (c) => at[c]);
}

// ---------------------------------------------------------------------------------------------
// Forward and backward passes

/** Input rows of a pass: x [n, d] and its transpose [d, n] (the first layer's matMul wants the latter). */
interface Rows {
  x: tf.Tensor2D;
  xT: tf.Tensor2D;
}

/** What backprop needs from the forward pass. */
interface Trace {
  /** input of each later dense layer, [K, n, fanIn] (index 0 unused). */
  inputs: tf.Tensor[];
  /** output of each hidden layer's activation, before dropout: [K·units, n] for the first, [K, n, units] after. */
  acts: tf.Tensor[];
  /** kernels of the later layers, [K, fanIn, units] (index 0 unused). */
  kernels: tf.Tensor3D[];
}

/** Dropout masks of one step, already scaled by 1/(1 - rate): [K·units, n] for the first hidden
 *  layer, [K, n, units] after; null for a layer nobody drops. */
type Masks = (tf.Tensor | null)[];

/** [K·u, n] (the first layer's transposed output) -> [K, n, u] (trial axis first), and back. */
function tallToStacked(h: tf.Tensor, K: number, u: number): tf.Tensor3D {
  const n = h.shape[1]!;
  return h.reshape([K, u, n]).transpose([0, 2, 1]) as tf.Tensor3D;
}
function stackedToTall(h: tf.Tensor, K: number, u: number): tf.Tensor2D {
  const n = h.shape[1]!;
  return h.transpose([0, 2, 1]).reshape([K * u, n]) as tf.Tensor2D;
}

/** Output [K, n, nOut] of every stacked trial for the same input rows. */
function forward(L: StackLayout, P: Split, rows: Rows, masks: Masks | null, trace?: Trace): tf.Tensor3D {
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

function activate(z: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'relu': return tf.relu(z);
    case 'tanh': return tf.tanh(z);
    case 'sigmoid': return tf.sigmoid(z);
    case 'linear': return z;
  }
}

/** dL/dz from dL/da, written with the activation's output a (the formulas of tfjs' own gradients). */
function activationGrad(da: tf.Tensor, a: tf.Tensor, kind: Activation): tf.Tensor {
  switch (kind) {
    case 'relu': return da.mul(tf.step(a));
    case 'tanh': return da.mul(tf.scalar(1).sub(a.square()));
    case 'sigmoid': return da.mul(a.mul(tf.scalar(1).sub(a)));
    case 'linear': return da;
  }
}

/** aᵀ·b for stacked a [K, n, u]. On wasm a transposed left operand takes tfjs' slow matMul
 *  path, and for one trial the explicit transpose is cheap, so transpose it first. */
function matMulTA(a: tf.Tensor, b: tf.Tensor, wasm: boolean): tf.Tensor {
  if (wasm && a.shape[0] === 1) return tf.matMul(a.transpose([0, 2, 1]) as tf.Tensor3D, b as tf.Tensor3D);
  return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, true, false);
}

/** Gradient of the sum over trials of each trial's loss with respect to the flat parameters,
 *  given dL/d(output) dz: [K, n, nOut]. Trial k's entries depend on trial k's rows only. */
function backward(L: StackLayout, dzOut: tf.Tensor3D, rows: Rows, trace: Trace, masks: Masks | null, wasm: boolean): Split {
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
function lossAndGrad(out: tf.Tensor3D, y: tf.Tensor2D, classification: boolean, invN: tf.Scalar): { loss: tf.Tensor1D; correct: tf.Tensor1D | null; dz: tf.Tensor3D } {
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
function evaluate(out: tf.Tensor3D, y: tf.Tensor2D, classification: boolean): { loss: tf.Tensor1D; correct: tf.Tensor1D } {
  const r = lossAndGrad(out, y, classification, tf.scalar(0));
  return { loss: r.loss, correct: r.correct ?? tf.zerosLike(r.loss) };
}

// ---------------------------------------------------------------------------------------------
// The stack of trials in training

/** One trial's bookkeeping while it is in the batch. */
interface Member {
  cfg: TrialConfig;
  epochs: EpochMetrics[];
  stopper: EarlyStopper;
  /** seeds of this trial's dropout masks, one draw per hidden layer per step (its own stream,
   *  so its masks do not depend on which trials share the batch). */
  dropRng: () => number;
  /** its learning-rate schedule (the rate of each epoch is lrAt of its base rate). */
  schedule: LrSchedule;
  /** its own parameters (one-trial layout) at the best epoch, for restore-best. */
  best: Split | null;
  status: TrialResult['status'];
  message?: string;
  stoppedEarly: boolean;
  peakTensors: number;
  /** the host's answer about the last epoch reported, not awaited yet (see afterEpoch). */
  pending: Promise<EpochControl> | null;
}

/** The trials still training. Every tensor is in the layout of `layout` (K = members.length). */
interface Stack {
  members: Member[];
  layout: StackLayout;
  params: Split;
  /** optimizer state, one vector per slot (Adam: m, v; momentum: accumulation; RMSprop: mean square). */
  slots: Split[];
  /** per-entry learning rate of the current epoch, and that rate per member. */
  lr: Split;
  lrValues: number[];
  /** per-entry 2·l2 and l1 on kernel entries (null when no trial uses it). */
  l2x2: Split | null;
  l1: Split | null;
  /** per hidden layer: dropout rate and 1/(1-rate), broadcastable to that layer's mask ([K·u, 1] or [K, 1, 1]); null without dropout. */
  dropout: { rate: tf.Tensor; scale: tf.Tensor }[] | null;
}

/** Per-entry vector from one value per trial. */
function perEntry(L: StackLayout, values: number[], mask?: Float32Array): Split {
  const v = new Float32Array(L.size);
  for (let e = 0; e < L.size; e++) v[e] = values[L.trialOf[e]] * (mask ? mask[e] : 1);
  return splitOf(L, v);
}

/** The learning rate of member m in `epoch` (1-based). */
function lrOf(m: Member, epoch: number): number {
  return lrAt(m.schedule, m.cfg.model.learningRate, epoch, m.cfg.model.epochs);
}

/** Sets every member's learning rate of `epoch`; the tensor is rebuilt only when a rate changed. */
function setEpochLr(st: Stack, epoch: number): void {
  const lrs = st.members.map((m) => lrOf(m, epoch));
  if (lrs.every((v, k) => v === st.lrValues[k])) return;
  tf.dispose(st.lr);
  st.lr = perEntry(st.layout, lrs);
  st.lrValues = lrs;
}

/** The hyperparameter tensors of a stack of `members` laid out as `L`, with learning rates `lrs` (one per member). */
function hyperTensors(L: StackLayout, members: Member[], lrs: number[]): Pick<Stack, 'lr' | 'lrValues' | 'l2x2' | 'l1' | 'dropout'> {
  const specs = members.map((m) => m.cfg.model);
  const anyDrop = specs.some((s) => s.dropout > 0);
  return {
    lr: perEntry(L, lrs),
    lrValues: lrs,
    l2x2: specs.some((s) => s.l2 > 0) ? perEntry(L, specs.map((s) => 2 * s.l2), L.kernel) : null,
    l1: specs.some((s) => s.l1 > 0) ? perEntry(L, specs.map((s) => s.l1), L.kernel) : null,
    dropout: anyDrop
      ? L.dense.slice(0, -1).map((slot, i) => {
        const per = (f: (s: ModelSpec) => number) => i === 0
          ? tf.tensor2d(specs.flatMap((s) => new Array<number>(slot.units).fill(f(s))), [L.K * slot.units, 1])
          : tf.tensor3d(specs.map(f), [L.K, 1, 1]);
        return { rate: per((s) => s.dropout), scale: per((s) => 1 / (1 - s.dropout)) };
      })
      : null,
  };
}

function disposeStack(st: Stack): void {
  tf.dispose([...st.params, ...st.slots.flat(), ...st.lr, ...(st.l2x2 ?? []), ...(st.l1 ?? [])]);
  st.dropout?.forEach((d) => tf.dispose([d.rate, d.scale]));
}

/** Constants of the optimizer updates, uploaded once per batch. */
interface Consts {
  b1: tf.Scalar; nb1: tf.Scalar; b2: tf.Scalar; nb2: tf.Scalar;
  decay: tf.Scalar; ndecay: tf.Scalar; momentum: tf.Scalar; eps: tf.Scalar;
  /** Adam's betas as numbers, for the bias corrections. */
  beta1: number; beta2: number;
  /** 1/n for each mini-batch size n met (at most two: the full batch and the last one). */
  inv: Map<number, tf.Scalar>;
}

/** The optimizer constants of `spec` (every trial of a batch shares them, see batchKey) and 1/n
 *  for each mini-batch size in `sizes`; `own` takes ownership of the tensors. */
function constsOf(spec: ModelSpec, sizes: Iterable<number>, own: <T extends tf.Tensor>(t: T) => T): Consts {
  const beta1 = modelValue(spec, 'beta1');
  const beta2 = modelValue(spec, 'beta2');
  return {
    b1: own(tf.scalar(beta1)), nb1: own(tf.scalar(1 - beta1)), b2: own(tf.scalar(beta2)), nb2: own(tf.scalar(1 - beta2)),
    decay: own(tf.scalar(RMS_DECAY)), ndecay: own(tf.scalar(1 - RMS_DECAY)), momentum: own(tf.scalar(modelValue(spec, 'momentum'))),
    eps: own(tf.scalar(tf.backend().epsilon())), beta1, beta2,
    inv: new Map([...new Set(sizes)].map((n) => [n, own(tf.scalar(1 / n))])),
  };
}

/** The data on the device, uploaded once per batch. */
interface DeviceData {
  xTrain: tf.Tensor2D;
  /** xTrain transposed, [d, n]: batches are gathered from both. */
  xTrainT: tf.Tensor2D;
  /** one-hot [n, C] or targets [n, 1]. */
  yTrain: tf.Tensor2D;
  val: Rows;
  yVal: tf.Tensor2D;
}

/** One optimisation step of every trial on the rows `idx` (shared by all trials). Runs inside
 *  tf.tidy; returns the new parameters, optimizer slots and running loss / correct sums. */
function trainStep(
  st: Stack, dev: DeviceData, c: Consts, idx: tf.Tensor1D, size: number, t: number, classification: boolean,
  optimizer: ModelSpec['optimizer'], wasm: boolean, lossAcc: tf.Tensor1D, correctAcc: tf.Tensor1D,
): { params: Split; slots: Split[]; loss: tf.Tensor1D; correct: tf.Tensor1D } {
  const L = st.layout;
  const rows: Rows = { x: tf.gather(dev.xTrain, idx), xT: tf.gather(dev.xTrainT, idx, 1) };
  const yb = tf.gather(dev.yTrain, idx);
  let masks: Masks | null = null;
  if (st.dropout) {
    masks = st.dropout.map((d, i) => {
      const u = L.dense[i].units;
      // Each trial draws its own mask from its own stream; trials without dropout keep everything.
      const shape = i === 0 ? [u, size] : [size, u];
      const parts = st.members.map((m) => m.cfg.model.dropout > 0
        ? tf.randomUniform(shape, 0, 1, 'float32', Math.floor(m.dropRng() * 2 ** 31))
        : tf.ones(shape));
      const uni = i === 0 ? tf.concat(parts, 0) : tf.stack(parts);
      return uni.greaterEqual(d.rate).toFloat().mul(d.scale);
    });
  }
  const trace: Trace = { inputs: [], acts: [], kernels: [] };
  const out = forward(L, st.params, rows, masks, trace);
  const { loss, correct, dz } = lossAndGrad(out, yb, classification, c.inv.get(size)!);
  const grads = backward(L, dz, rows, trace, masks, wasm);
  const c1 = optimizer === 'adam' ? tf.scalar(1 / (1 - c.beta1 ** t)) : null;
  const c2 = optimizer === 'adam' ? tf.scalar(1 / (1 - c.beta2 ** t)) : null;
  // Built piece by piece below; each piece keeps the shape of what it replaces.
  const params: tf.Tensor[] = [];
  const slots: tf.Tensor[][] = st.slots.map(() => []);
  for (const i of [0, 1] as const) {
    const p: tf.Tensor = st.params[i];
    let g: tf.Tensor = grads[i];
    if (st.l2x2) g = g.add(st.l2x2[i].mul(p));
    // tfjs' gradient of |w| is step(w, -1): +1 above zero, -1 at and below it.
    if (st.l1) g = g.add(st.l1[i].mul(tf.step(p, -1)));
    const lr = st.lr[i];
    switch (optimizer) {
      case 'sgd':
        params[i] = p.sub(lr.mul(g));
        break;
      case 'momentum': {
        const acc = st.slots[0][i].mul(c.momentum).add(g);
        params[i] = p.sub(lr.mul(acc));
        slots[0][i] = acc;
        break;
      }
      case 'adam': {
        const m = st.slots[0][i].mul(c.b1).add(g.mul(c.nb1));
        const v = st.slots[1][i].mul(c.b2).add(g.square().mul(c.nb2));
        params[i] = p.sub(m.mul(c1!).div(v.mul(c2!).sqrt().add(c.eps)).mul(lr));
        slots[0][i] = m;
        slots[1][i] = v;
        break;
      }
      case 'rmsprop': {
        const ms = st.slots[0][i].mul(c.decay).add(g.square().mul(c.ndecay));
        params[i] = p.sub(g.mul(lr).div(ms.add(c.eps).sqrt()));
        slots[0][i] = ms;
        break;
      }
    }
  }
  return { params: params as Split, slots: slots as Split[], loss: lossAcc.add(loss), correct: correct ? correctAcc.add(correct) : correctAcc.clone() };
}

/**
 * Trains several trials that share an architecture, batch size, optimizer and data order (see
 * `batchKey`) as one computation on the current tfjs backend, with backpropagation and the
 * optimizer updates written out by hand (the formulas of tfjs' SGD, momentum, Adam and RMSprop).
 * All trials' parameters live in one flat vector: the first layer as one wide matMul over the
 * shared input rows, later layers as batched matMuls over a leading trial axis; learning rate,
 * L1, L2 and dropout are per-entry tensors. The loss minimised is the sum over trials of each
 * trial's mean loss, so each trial's gradient and optimizer state depend on its own loss only:
 * a trial gets the result it would get alone, up to float rounding. With one trial this is the
 * fast single-trial trainer.
 *
 * Each trial keeps its own seed for weight init (exactly `buildModel`'s) and dropout; the
 * mini-batches follow `shuffleSeed` (shared). Data are uploaded once; batches are gathered on the
 * device; all trials' metrics are read back once per epoch, asynchronously. A trial leaves the
 * batch when it completes, is pruned, stopped early, cancelled or diverges; the others go on.
 * Every tensor it creates is disposed. Returns one result per config, in order.
 */
export async function trainBatch(data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback): Promise<TrialResult[]> {
  if (cfgs.length === 0) return [];
  const start = performance.now();
  const backend = tf.getBackend() as BackendName;
  const wasm = backend === 'wasm';
  const key = batchKey(cfgs[0]);
  for (const c of cfgs) if (batchKey(c) !== key) throw new Error('trainBatch: the trials do not share an architecture, batch size, optimizer and data order.');
  const spec0 = cfgs[0].model;
  const classification = data.task === 'classification';
  const nOut = outputUnits(data.task, data.nClasses);
  const nTrain = data.yTrain.length;
  const nVal = data.yVal.length;
  const batch = Math.max(1, Math.min(spec0.batchSize, nTrain));
  const optimizer = spec0.optimizer;
  const results = new Map<number, TrialResult>();
  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const c = constsOf(spec0, [batch, nTrain % batch || batch], own);
  const members: Member[] = cfgs.map((cfg) => ({
    cfg,
    epochs: [],
    stopper: new EarlyStopper({ patience: cfg.earlyStopping?.patience ?? Infinity, minDelta: cfg.earlyStopping?.minDelta ?? 0 }),
    dropRng: makeRng(cfg.seed, 'dropout'),
    schedule: scheduleOf(cfg.model),
    best: null,
    status: 'complete',
    stoppedEarly: false,
    peakTensors: tf.memory().numTensors,
    pending: null,
  }));
  let stack: Stack | null = null;
  try {
    const dev: DeviceData = {
      ...deviceRows(data.xTrain, nTrain, data.d, own),
      yTrain: own(targets(data.yTrain, classification, nOut)),
      val: rowsOf(data.xVal, nVal, data.d, own),
      yVal: own(targets(data.yVal, classification, nOut)),
    };
    stack = initStack(members, data, nOut, optimizer);
    const shuffleRng = makeRng(cfgs[0].shuffleSeed ?? cfgs[0].seed, 'shuffle');
    const order = Array.from({ length: nTrain }, (_, i) => i);
    const maxEpochs = Math.max(...cfgs.map((cfg) => cfg.model.epochs));
    let t = 0;
    for (let epoch = 1; epoch <= maxEpochs && stack; epoch++) {
      // The same in-place reshuffle as the plain trainer, so one trial alone matches it exactly.
      const st: Stack = stack;
      setEpochLr(st, epoch);
      const perm = tf.tensor1d(Int32Array.from(shuffle(shuffleRng, order)), 'int32');
      const K = st.layout.K;
      let lossAcc: tf.Tensor1D = tf.zeros([K]);
      let correctAcc: tf.Tensor1D = tf.zeros([K]);
      try {
        for (let s = 0; s < nTrain; s += batch) {
          const size = Math.min(batch, nTrain - s);
          t++;
          const la = lossAcc;
          const ca = correctAcc;
          const out = tf.tidy(() => trainStep(st, dev, c, perm.slice(s, size), size, t, classification, optimizer, wasm, la, ca));
          tf.dispose([...st.params, ...st.slots.flat(), la, ca]);
          st.params = out.params;
          st.slots = out.slots;
          lossAcc = out.loss;
          correctAcc = out.correct;
        }
      } finally {
        perm.dispose();
      }
      const la = lossAcc;
      const ca = correctAcc;
      const metrics = tf.tidy(() => {
        const v = evaluate(forward(st.layout, st.params, dev.val, null), dev.yVal, classification);
        return tf.stack([la, ca, v.loss.div(nVal), v.correct]);
      });
      tf.dispose([lossAcc, correctAcc]);
      const peak = tf.memory().numTensors;
      const vals = (await metrics.data()) as Float32Array;
      metrics.dispose();
      const elapsedMs = performance.now() - start;
      const controls = await Promise.all(st.members.map(async (m, k) => {
        m.peakTensors = Math.max(m.peakTensors, peak);
        // The host's answer about the previous epoch: a trial pruned or stopped there leaves now,
        // and this epoch (trained while the host decided) is neither kept nor reported.
        const previous = m.pending ? await m.pending : 'continue';
        m.pending = null;
        if (previous === 'stop') { m.status = 'cancelled'; return 'leave' as const; }
        if (previous === 'prune') { m.status = 'pruned'; return 'leave' as const; }
        const em: EpochMetrics = { epoch, trainLoss: vals[k] / nTrain, valLoss: vals[2 * K + k], elapsedMs, lr: st.lrValues[k] };
        if (classification) {
          em.trainAcc = vals[K + k] / nTrain;
          em.valAcc = vals[3 * K + k] / nVal;
        }
        return afterEpoch(m, em, () => entries(st, k), onEpoch);
      }));
      const leaving = controls.flatMap((ctl, k) => (ctl === 'continue' ? [] : [k]));
      if (leaving.length) {
        for (const k of leaving) {
          const m = st.members[k];
          results.set(m.cfg.trialId, await finish(m, st, k, data, dev, classification, nOut, backend, start));
        }
        stack = shrink(st, leaving, data, nOut);
      }
    }
    return cfgs.map((cfg) => results.get(cfg.trialId)!);
  } finally {
    if (stack) disposeStack(stack);
    for (const m of members) if (m.best) tf.dispose(m.best);
    tf.dispose(owned);
  }
}

/** Trial k's own parameters (one-trial layout) as new tensors. */
function entries(st: Stack, k: number): Split {
  const L = st.layout;
  if (L.K === 1) return [st.params[0].clone(), st.params[1].clone()];
  const L1 = stackLayout(st.members[k].cfg.model, L.dense[0].fanIn, L.dense[L.dense.length - 1].units, 1);
  const at = entriesOf(L, k, L1);
  const u = L.dense[0].units;
  return tf.tidy(() => [
    // trial k's first-layer kernel is rows k·u … (k+1)·u - 1 of the tall matrix
    st.params[0].slice([k * u, 0], [u, L.dense[0].fanIn]),
    tf.gather(st.params[1], tf.tensor1d(Int32Array.from(at.subarray(L1.cut), (e) => e - L.cut), 'int32')),
  ] as Split);
}

/**
 * Records an epoch of member m, reports it, and decides whether m stays in the batch. The host's
 * answer (continue, prune, stop) is only awaited when m leaves anyway (its last epoch, early
 * stopping); otherwise the next epoch trains while the host decides, and the answer is read at
 * the end of that epoch. A busy main thread therefore never stalls training; a pruned trial costs
 * one epoch of compute that is thrown away (its final weights, used for its confusion matrix and
 * decision surface, are that one epoch later than its curve).
 */
async function afterEpoch(m: Member, em: EpochMetrics, own: () => Split, onEpoch: BatchEpochCallback): Promise<'continue' | 'leave'> {
  m.epochs.push(em);
  const epoch = em.epoch;
  if (!Number.isFinite(em.trainLoss) || !Number.isFinite(em.valLoss)) {
    m.status = 'diverged';
    m.message = `The loss became ${Number.isNaN(em.trainLoss) || Number.isNaN(em.valLoss) ? 'NaN' : 'infinite'} at epoch ${epoch}: the weights blew up (learning rate ${m.cfg.model.learningRate} is probably too high).`;
    return 'leave';
  }
  const verdict = m.stopper.update(em.valLoss);
  if (m.cfg.earlyStopping?.restoreBest && m.stopper.bestEpoch === epoch) {
    if (m.best) tf.dispose(m.best);
    m.best = own();
  }
  const answer = Promise.resolve(onEpoch(m.cfg.trialId, em));
  const stopEarly = Boolean(m.cfg.earlyStopping) && verdict === 'stop' && epoch < m.cfg.model.epochs;
  if (!stopEarly && epoch < m.cfg.model.epochs) {
    answer.catch(() => {}); // awaited at the next epoch; a rejection surfaces there
    m.pending = answer;
    return 'continue';
  }
  const control = await answer;
  if (control === 'stop') { m.status = 'cancelled'; return 'leave'; }
  if (control === 'prune') { m.status = 'pruned'; return 'leave'; }
  if (stopEarly) m.stoppedEarly = true;
  return 'leave';
}

/** The stack of `members` with each trial's weights as `buildModel` initialises them for its seed. */
function initStack(members: Member[], data: TrainData, nOut: number, optimizer: ModelSpec['optimizer']): Stack {
  const L = stackLayout(members[0].cfg.model, data.d, nOut, members.length);
  const params = tf.tidy(() => {
    const rows = members.map((m) => {
      const model = buildModel(m.cfg.model, data.d, data.task, data.nClasses, m.cfg.seed);
      try {
        return tf.concat(model.getWeights().map((w) => w.reshape([-1])));
      } finally {
        model.dispose();
      }
    });
    const per = L.size / L.K;
    const src = new Int32Array(L.size);
    for (let e = 0; e < L.size; e++) src[e] = L.trialOf[e] * per + L.canonOf[e];
    const flat = tf.gather(tf.concat(rows), tf.tensor1d(src, 'int32'));
    return [flat.slice(0, L.cut).reshape(firstShape(L)), flat.slice(L.cut)] as Split;
  });
  const nSlots = optimizer === 'adam' ? 2 : optimizer === 'sgd' ? 0 : 1;
  return {
    members,
    layout: L,
    params,
    slots: Array.from({ length: nSlots }, () => [tf.zeros(firstShape(L)), tf.zeros([L.size - L.cut])] as Split),
    ...hyperTensors(L, members, members.map((m) => lrOf(m, 1))),
  };
}

/** The stack without the members at `leaving` (indices into the stack); null when none is left. */
function shrink(st: Stack, leaving: number[], data: TrainData, nOut: number): Stack | null {
  const keep = st.members.map((_, k) => k).filter((k) => !leaving.includes(k));
  const members = keep.map((k) => st.members[k]);
  if (members.length === 0) {
    disposeStack(st);
    return null;
  }
  const L = stackLayout(members[0].cfg.model, data.d, nOut, members.length);
  const kept = new Set(keep);
  const old = st.layout;
  const u = old.dense[0].units;
  // first piece: the kept trials' row blocks of the tall kernel; second: their entries
  const rowsKept = keep.flatMap((k) => Array.from({ length: u }, (_, j) => k * u + j));
  const rest: number[] = [];
  for (let e = old.cut; e < old.size; e++) if (kept.has(old.trialOf[e])) rest.push(e - old.cut);
  const next = tf.tidy(() => {
    const ix = [tf.tensor1d(rowsKept, 'int32'), tf.tensor1d(rest, 'int32')];
    const take = (x: Split): Split => [tf.gather(x[0], ix[0]), tf.gather(x[1], ix[1])];
    return { params: take(st.params), slots: st.slots.map(take) };
  });
  const lrs = keep.map((k) => st.lrValues[k]);
  disposeStack(st);
  return { members, layout: L, ...next, ...hyperTensors(L, members, lrs) };
}

/** The result of member k as it leaves: restores its best weights if asked, scores the test rows,
 *  and computes its confusion matrix and 2-D decision surface from its own parameters. */
async function finish(
  m: Member, st: Stack, k: number, data: TrainData, dev: DeviceData,
  classification: boolean, nOut: number, backend: BackendName, start: number,
): Promise<TrialResult> {
  const cfg = m.cfg;
  const status = m.status;
  const useBest = m.best !== null && status !== 'diverged' && status !== 'cancelled';
  const result: TrialResult = {
    trialId: cfg.trialId, status, epochs: m.epochs, backend, timeMs: performance.now() - start,
    peakTensors: m.peakTensors, paramCount: paramCount(cfg.model.layers, data.d, nOut), message: m.message,
    bestEpoch: m.stopper.bestEpoch ?? undefined, stoppedEarly: m.stoppedEarly,
    restoredBest: useBest && m.stopper.bestEpoch !== m.epochs[m.epochs.length - 1]?.epoch,
  };
  if (status === 'diverged' || status === 'cancelled') return result;
  const L1 = stackLayout(cfg.model, data.d, nOut, 1);
  const own: Split = useBest ? [m.best![0].clone(), m.best![1].clone()] : entries(st, k);
  try {
    if (data.xTest && data.yTest && data.yTest.length > 0) {
      const n = data.yTest.length;
      const score = tf.tidy(() => {
        const v = evaluate(forward(L1, own, rowsOf(data.xTest!, n, data.d), null), targets(data.yTest!, classification, nOut), classification);
        return tf.concat([v.loss.div(n), v.correct]);
      });
      const v = await score.data();
      score.dispose();
      result.test = classification ? { loss: v[0], acc: v[1] / n } : { loss: v[0] };
    }
    if (classification) {
      const pred = tf.tidy(() => tf.argMax(forward(L1, own, dev.val, null), 2));
      const p = await pred.data();
      pred.dispose();
      const kk = data.nClasses;
      const mat = Array.from({ length: kk }, () => new Array<number>(kk).fill(0));
      for (let i = 0; i < p.length; i++) mat[data.yVal[i]][p[i]]++;
      result.confusion = mat;
    }
    if (cfg.boundaryGrid > 0 && cfg.boundaryExtent && data.d === 2) {
      result.boundary = await surface(L1, own, cfg.boundaryGrid, cfg.boundaryExtent, classification, data.nClasses);
    }
  } finally {
    tf.dispose(own);
  }
  return result;
}

/** Rows x [n, d] and their transpose on the device; `own` (if given) takes ownership of both. */
function rowsOf(x: Float32Array, n: number, d: number, own?: <T extends tf.Tensor>(t: T) => T): Rows {
  const t = tf.tensor2d(x, [n, d]);
  const r = { x: t, xT: t.transpose() as tf.Tensor2D };
  if (own) { own(r.x); own(r.xT); }
  return r;
}

/** The training rows and their transpose, as DeviceData names them. */
function deviceRows(x: Float32Array, n: number, d: number, own: <T extends tf.Tensor>(t: T) => T): Pick<DeviceData, 'xTrain' | 'xTrainT'> {
  const r = rowsOf(x, n, d, own);
  return { xTrain: r.x, xTrainT: r.xT };
}

/** Targets as the loss wants them: one-hot [n, k] for classes, [n, 1] for regression. */
function targets(y: Float32Array, classification: boolean, nOut: number): tf.Tensor2D {
  return tf.tidy(() => classification
    ? tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), nOut).toFloat() as tf.Tensor2D
    : tf.tensor2d(y, [y.length, 1]));
}

/** Model output on a g×g grid over `extent` (standardised features), rows from the top (ymax);
 *  the same encoding as the plain trainer's surface. */
async function surface(L: StackLayout, own: Split, g: number, extent: [number, number, number, number], classification: boolean, k: number): Promise<Float32Array> {
  const out = tf.tidy(() => encodeSurface(forward(L, own, rowsOf(surfaceGrid(g, extent), g * g, 2), null), g * g, classification, k));
  const v = (await out.data()) as Float32Array;
  out.dispose();
  return Float32Array.from(v);
}

// ---------------------------------------------------------------------------------------------
// Calibration probe

/**
 * Times optimisation steps of `shape` on the current tfjs backend with the real training step and
 * synthetic data: `warmup` steps first (kernel set-up, shader compilation), then steps in growing
 * chunks until at least `minMs` have passed; every chunk waits for the device to finish. `trials`
 * stacks that many trials as trainBatch would. Leaves no tensors behind.
 */
export async function probeSteps(shape: ProbeShape, opts: { trials?: number; warmup?: number; minMs?: number; maxSteps?: number } = {}): Promise<ProbeTiming> {
  const { trials = 1, warmup = 1, minMs = 150, maxSteps = 400 } = opts;
  const classification = shape.task === 'classification';
  const nOut = outputUnits(shape.task, shape.nClasses);
  const batch = Math.max(1, shape.model.batchSize);
  const n = batch * 4;
  const rng = makeRng(1, 'probe');
  const data: TrainData = {
    key: 'probe', task: shape.task, d: shape.d, nClasses: shape.nClasses,
    xTrain: Float32Array.from({ length: n * shape.d }, () => rng() * 2 - 1),
    yTrain: Float32Array.from({ length: n }, () => (classification ? Math.floor(rng() * nOut) : rng())),
    xVal: new Float32Array(shape.d), yVal: new Float32Array(1),
  };
  const members: Member[] = Array.from({ length: trials }, (_, k) => ({
    cfg: { trialId: k, model: { ...shape.model, learningRate: 1e-3 }, seed: k, boundaryGrid: 0 },
    epochs: [], stopper: new EarlyStopper({ patience: Infinity }), dropRng: makeRng(k, 'dropout'), schedule: scheduleOf(shape.model),
    best: null, status: 'complete', stoppedEarly: false, peakTensors: 0, pending: null,
  }));
  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const c = constsOf(shape.model, [batch], own);
  const dev: DeviceData = {
    ...deviceRows(data.xTrain, n, shape.d, own),
    yTrain: own(targets(data.yTrain, classification, nOut)),
    val: rowsOf(data.xVal, 1, shape.d, own),
    yVal: own(targets(data.yVal, classification, nOut)),
  };
  const wasm = tf.getBackend() === 'wasm';
  const st = initStack(members, data, nOut, shape.model.optimizer);
  let t = 0;
  const step = () => {
    t++;
    const zero = tf.zeros([trials]) as tf.Tensor1D;
    const out = tf.tidy(() => trainStep(st, dev, c, tf.range(((t % 4) * batch), ((t % 4) + 1) * batch, 1, 'int32') as tf.Tensor1D, batch, t, classification, shape.model.optimizer, wasm, zero, zero));
    tf.dispose([...st.params, ...st.slots.flat(), zero, out.loss, out.correct]);
    st.params = out.params;
    st.slots = out.slots;
  };
  const sync = async () => {
    const one = tf.tidy(() => st.params[1].slice(0, 1));
    await one.data();
    one.dispose();
  };
  try {
    const t0 = performance.now();
    for (let i = 0; i < warmup; i++) step();
    await sync();
    const warmupMs = performance.now() - t0;
    let steps = 0;
    let chunk = 2;
    const t1 = performance.now();
    while (steps < maxSteps) {
      for (let i = 0; i < chunk; i++) step();
      await sync();
      steps += chunk;
      if (performance.now() - t1 >= minMs) break;
      chunk = Math.min(chunk * 2, maxSteps - steps);
    }
    const stepMs = (performance.now() - t1) / steps;
    return { warmupMs, stepMs, samplesPerSec: (trials * batch) / (stepMs / 1000), steps };
  } finally {
    disposeStack(st);
    tf.dispose(owned);
  }
}
