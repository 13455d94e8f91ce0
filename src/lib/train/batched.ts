/**
 * The batched tfjs trainer: K dense trials that share an architecture, batch size, optimizer and
 * data order train as one computation (trainBatch), and the calibration probe that times it
 * (probeSteps). Its parts: batched/layout.ts (where K trials' parameters live in one vector),
 * batched/passes.ts (forward and backward passes), batched/stack.ts (the trials in training and
 * one optimisation step).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../experiment/types';
import { outputUnits, paramCount } from '../model/spec';
import { makeRng, shuffle } from '../search/rng';
import { EarlyStopper } from '../search/early-stopping';
import type { EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from './types';
import { batchKey, type ProbeShape, type ProbeTiming } from './batching';
import { encodeSurface, surfaceGrid } from './trainer';
import { scheduleOf } from './schedule';
import { stackLayout, type Split, type StackLayout } from './batched/layout';
import { evaluate, forward } from './batched/passes';
import {
  constsOf, deviceRows, disposeStack, entries, initStack, rowsOf, setEpochLr, shrink, targets, trainStep,
  type DeviceData, type Member, type Stack,
} from './batched/stack';

/** Called after every epoch of every trial in the batch; the answer may stop or prune that trial. */
export type BatchEpochCallback = (trialId: number, m: EpochMetrics) => EpochControl | Promise<EpochControl>;

export { batchKey, MAX_BATCH } from './batching';

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
