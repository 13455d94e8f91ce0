/**
 * The stack of trials in training (see batched.ts): their bookkeeping, their parameters and
 * optimizer state in one layout, the per-entry hyperparameters, and one optimisation step.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../experiment/types';
import { modelValue } from '../../experiment/defaults';
import { buildModel } from '../../model/build';
import type { EarlyStopper } from '../../search/early-stopping';
import type { EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from '../types';
import { lrAt, type LrSchedule } from '../schedule';
import { entriesOf, firstShape, splitOf, stackLayout, type Split, type StackLayout } from './layout';
import { backward, forward, lossAndGrad, type Masks, type Rows, type Trace } from './passes';

/** RMSprop's decay as tfjs' own optimizer uses it (momentum and Adam's betas come from the model). */
const RMS_DECAY = 0.9;

/** One trial's bookkeeping while it is in the batch. */
export interface Member {
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
export interface Stack {
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
export function perEntry(L: StackLayout, values: number[], mask?: Float32Array): Split {
  const v = new Float32Array(L.size);
  for (let e = 0; e < L.size; e++) v[e] = values[L.trialOf[e]] * (mask ? mask[e] : 1);
  return splitOf(L, v);
}

/** The learning rate of member m in `epoch` (1-based). */
export function lrOf(m: Member, epoch: number): number {
  return lrAt(m.schedule, m.cfg.model.learningRate, epoch, m.cfg.model.epochs);
}

/** Sets every member's learning rate of `epoch`; the tensor is rebuilt only when a rate changed. */
export function setEpochLr(st: Stack, epoch: number): void {
  const lrs = st.members.map((m) => lrOf(m, epoch));
  if (lrs.every((v, k) => v === st.lrValues[k])) return;
  tf.dispose(st.lr);
  st.lr = perEntry(st.layout, lrs);
  st.lrValues = lrs;
}

/** The hyperparameter tensors of a stack of `members` laid out as `L`, with learning rates `lrs` (one per member). */
export function hyperTensors(L: StackLayout, members: Member[], lrs: number[]): Pick<Stack, 'lr' | 'lrValues' | 'l2x2' | 'l1' | 'dropout'> {
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

export function disposeStack(st: Stack): void {
  tf.dispose([...st.params, ...st.slots.flat(), ...st.lr, ...(st.l2x2 ?? []), ...(st.l1 ?? [])]);
  st.dropout?.forEach((d) => tf.dispose([d.rate, d.scale]));
}

/** Constants of the optimizer updates, uploaded once per batch. */
export interface Consts {
  b1: tf.Scalar; nb1: tf.Scalar; b2: tf.Scalar; nb2: tf.Scalar;
  decay: tf.Scalar; ndecay: tf.Scalar; momentum: tf.Scalar; eps: tf.Scalar;
  /** Adam's betas as numbers, for the bias corrections. */
  beta1: number; beta2: number;
  /** 1/n for each mini-batch size n met (at most two: the full batch and the last one). */
  inv: Map<number, tf.Scalar>;
}

/** The optimizer constants of `spec` (every trial of a batch shares them, see batchKey) and 1/n
 *  for each mini-batch size in `sizes`; `own` takes ownership of the tensors. */
export function constsOf(spec: ModelSpec, sizes: Iterable<number>, own: <T extends tf.Tensor>(t: T) => T): Consts {
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
export interface DeviceData {
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
export function trainStep(
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


/** Trial k's own parameters (one-trial layout) as new tensors. */
export function entries(st: Stack, k: number): Split {
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

/** The stack of `members` with each trial's weights as `buildModel` initialises them for its seed. */
export function initStack(members: Member[], data: TrainData, nOut: number, optimizer: ModelSpec['optimizer']): Stack {
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
export function shrink(st: Stack, leaving: number[], data: TrainData, nOut: number): Stack | null {
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

/** Rows x [n, d] and their transpose on the device; `own` (if given) takes ownership of both. */
export function rowsOf(x: Float32Array, n: number, d: number, own?: <T extends tf.Tensor>(t: T) => T): Rows {
  const t = tf.tensor2d(x, [n, d]);
  const r = { x: t, xT: t.transpose() as tf.Tensor2D };
  if (own) { own(r.x); own(r.xT); }
  return r;
}

/** The training rows and their transpose, as DeviceData names them. */
export function deviceRows(x: Float32Array, n: number, d: number, own: <T extends tf.Tensor>(t: T) => T): Pick<DeviceData, 'xTrain' | 'xTrainT'> {
  const r = rowsOf(x, n, d, own);
  return { xTrain: r.x, xTrainT: r.xT };
}

/** Targets as the loss wants them: one-hot [n, k] for classes, [n, 1] for regression. */
export function targets(y: Float32Array, classification: boolean, nOut: number): tf.Tensor2D {
  return tf.tidy(() => classification
    ? tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), nOut).toFloat() as tf.Tensor2D
    : tf.tensor2d(y, [y.length, 1]));
}

