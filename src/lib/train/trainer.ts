import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../experiment/types';
import { buildModel, buildOptimizer, disposeOptimizer, setLearningRate } from '../model/build';
import { outputUnits } from '../model/spec';
import { blockParams, blocksOf } from '../model/blocks';
import { augmentationOf, augmentImages } from '../data/augment';
import { registerWasmConvGrad } from './wasm-conv-grad';

registerWasmConvGrad();
import { makeRng, shuffle } from '../search/rng';
import { EarlyStopper } from '../search/early-stopping';
import type { EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from './types';
import { lrAt, scheduleOf } from './schedule';

/** Called after every epoch with that epoch's metrics; the answer may stop or prune the trial. */
export type EpochCallback = (m: EpochMetrics) => EpochControl | Promise<EpochControl>;

/**
 * Trains one trial on the current tfjs backend with a tfjs-layers model, `optimizer.minimize`
 * (autograd) and a hand-written loop built for small models: the data is uploaded once, each
 * epoch shuffles with a seeded permutation and gathers batches on the device, and the metrics are
 * read back once per epoch, asynchronously.
 * A non-finite loss ends the trial as `diverged`. Every tensor it creates is disposed.
 *
 * The reference trainer: the app trains through `trainBatch` (batched.ts), which computes the same
 * thing with hand-written gradients and is faster (see `npm run bench`); the tests check the two
 * agree, and the bench times both against `model.fit`.
 */
export async function trainTrial(data: TrainData, cfg: TrialConfig, onEpoch: EpochCallback): Promise<TrialResult> {
  const start = performance.now();
  const backend = tf.getBackend() as BackendName;
  const spec = cfg.model;
  const nTrain = data.yTrain.length;
  const nVal = data.yVal.length;
  const classification = data.task === 'classification';
  const nOut = outputUnits(data.task, data.nClasses);
  const epochs: EpochMetrics[] = [];
  let status: TrialResult['status'] = 'complete';
  let message: string | undefined;
  let peakTensors = tf.memory().numTensors;

  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const model = buildModel(spec, data.d, data.task, data.nClasses, cfg.seed, data.image);
  // image augmentation, on the training rows only, drawn afresh every epoch
  const augment = data.image ? augmentationOf(spec) : null;
  const augRng = makeRng(cfg.seed, 'augment');
  const optimizer = buildOptimizer(spec);
  let bestWeights: tf.Tensor[] | null = null;
  try {
    const xTrain = own(tf.tensor2d(data.xTrain, [nTrain, data.d]));
    const xVal = own(tf.tensor2d(data.xVal, [nVal, data.d]));
    const yTrain = own(targets(data.yTrain, classification, nOut));
    const yVal = own(targets(data.yVal, classification, nOut));
    const labelsVal = classification ? own(tf.tensor1d(Int32Array.from(data.yVal), 'int32')) : null;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read());
    const batch = Math.max(1, Math.min(spec.batchSize, nTrain));
    const rng = makeRng(cfg.shuffleSeed ?? cfg.seed, 'shuffle');
    const order = Array.from({ length: nTrain }, (_, i) => i);
    const es = cfg.earlyStopping;
    const stopper = new EarlyStopper({ patience: es?.patience ?? Infinity, minDelta: es?.minDelta ?? 0 });
    let stoppedEarly = false;
    const schedule = scheduleOf(spec);
    let lr = spec.learningRate;

    for (let epoch = 1; epoch <= spec.epochs; epoch++) {
      const next = lrAt(schedule, spec.learningRate, epoch, spec.epochs);
      if (next !== lr) setLearningRate(optimizer, next);
      lr = next;
      const perm = own(tf.tensor1d(Int32Array.from(shuffle(rng, order)), 'int32'));
      const xEpoch = augment && data.image ? own(tf.tensor2d(augmentImages(data.xTrain, nTrain, data.image, augment, augRng), [nTrain, data.d])) : xTrain;
      let lossSum: tf.Tensor = tf.scalar(0);
      let correctSum: tf.Tensor = tf.scalar(0);
      for (let s = 0; s < nTrain; s += batch) {
        const size = Math.min(batch, nTrain - s);
        const [bl, bc] = tf.tidy(() => {
          const idx = perm.slice(s, size);
          const xb = tf.gather(xEpoch, idx);
          const yb = tf.gather(yTrain, idx);
          let taskLoss: tf.Scalar | null = null;
          let correct: tf.Scalar | null = null;
          optimizer.minimize(() => {
            const out = model.apply(xb, { training: true }) as tf.Tensor2D;
            const l = lossOf(yb, out, classification);
            taskLoss = tf.keep(l.clone()); // a copy: minimize() disposes the returned cost, which may be `l` itself
            if (classification) correct = tf.keep(countCorrect(yb, out));
            return penalised(l, kernels, spec.l1, spec.l2);
          }, false, vars);
          const t = taskLoss as unknown as tf.Scalar;
          const c = (correct as tf.Scalar | null) ?? tf.scalar(0);
          const res = [lossSum.add(t.mul(size)), correctSum.add(c)];
          t.dispose();
          c.dispose();
          return res;
        });
        lossSum.dispose();
        correctSum.dispose();
        lossSum = bl;
        correctSum = bc;
      }
      for (const t of xEpoch === xTrain ? [perm] : [perm, xEpoch]) {
        t.dispose();
        owned.splice(owned.indexOf(t), 1);
      }
      const [vLoss, vCorrect] = tf.tidy(() => {
        const out = model.predict(xVal) as tf.Tensor2D;
        return [lossOf(yVal, out, classification), classification ? countCorrect(yVal, out) : tf.scalar(0)];
      });
      peakTensors = Math.max(peakTensors, tf.memory().numTensors);
      const [ls, cs, vl, vc] = await Promise.all([lossSum, correctSum, vLoss, vCorrect].map((t) => t.data()));
      tf.dispose([lossSum, correctSum, vLoss, vCorrect]);
      const m: EpochMetrics = {
        epoch,
        trainLoss: ls[0] / nTrain,
        valLoss: vl[0],
        elapsedMs: performance.now() - start,
        lr,
      };
      if (classification) {
        m.trainAcc = cs[0] / nTrain;
        m.valAcc = vc[0] / nVal;
      }
      epochs.push(m);
      if (!Number.isFinite(m.trainLoss) || !Number.isFinite(m.valLoss)) {
        status = 'diverged';
        message = `The loss became ${Number.isNaN(m.trainLoss) || Number.isNaN(m.valLoss) ? 'NaN' : 'infinite'} at epoch ${epoch}: the weights blew up (learning rate ${spec.learningRate} is probably too high).`;
        break;
      }
      const verdict = stopper.update(m.valLoss);
      if (es?.restoreBest && stopper.bestEpoch === epoch) {
        if (bestWeights) tf.dispose(bestWeights);
        bestWeights = model.getWeights().map((w) => w.clone());
      }
      const control = await onEpoch(m);
      if (control === 'stop') { status = 'cancelled'; break; }
      if (control === 'prune') { status = 'pruned'; break; }
      if (es && verdict === 'stop' && epoch < spec.epochs) { stoppedEarly = true; break; }
    }
    let restoredBest = false;
    if (bestWeights && status !== 'diverged' && status !== 'cancelled') {
      const current = bestWeights as tf.Tensor[];
      model.setWeights(current);
      restoredBest = stopper.bestEpoch !== epochs[epochs.length - 1]?.epoch;
    }

    const result: TrialResult = {
      trialId: cfg.trialId, status, epochs, backend, timeMs: performance.now() - start,
      peakTensors, paramCount: blockParams(blocksOf(spec, data, data.task, data.nClasses)), message,
      bestEpoch: stopper.bestEpoch ?? undefined, stoppedEarly, restoredBest,
    };
    if (status !== 'diverged' && status !== 'cancelled') {
      if (data.xTest && data.yTest && data.yTest.length > 0) result.test = await scoreTest(model, data, classification, nOut);
      if (classification && labelsVal) {
        const pred = await predictedClasses(model, xVal);
        result.confusion = confusionOf(pred, data.yVal, data.nClasses);
        if (data.image) result.misclassified = misclassifiedOf(pred, data.yVal);
      }
      const filters = firstFilters(model);
      if (filters) result.filters = filters;
      if (cfg.boundaryGrid > 0 && cfg.boundaryExtent && data.d === 2) {
        result.boundary = await surface(model, cfg.boundaryGrid, cfg.boundaryExtent, classification, data.nClasses);
      }
    }
    return result;
  } finally {
    if (bestWeights) tf.dispose(bestWeights as tf.Tensor[]);
    tf.dispose(owned);
    model.dispose();
    disposeOptimizer(optimizer);
  }
}

/** Loss (and accuracy) of the model on the test rows. */
async function scoreTest(model: tf.LayersModel, data: TrainData, classification: boolean, nOut: number): Promise<{ loss: number; acc?: number }> {
  const n = data.yTest!.length;
  const [l, c] = tf.tidy(() => {
    const x = tf.tensor2d(data.xTest!, [n, data.d]);
    const y = targets(data.yTest!, classification, nOut);
    const out = model.predict(x) as tf.Tensor2D;
    return [lossOf(y, out, classification), classification ? countCorrect(y, out) : tf.scalar(0)];
  });
  const [lv, cv] = await Promise.all([l.data(), c.data()]);
  tf.dispose([l, c]);
  return classification ? { loss: lv[0], acc: cv[0] / n } : { loss: lv[0] };
}

/** Targets as the loss wants them: one-hot [n, k] for classes, [n, 1] for regression. */
function targets(y: Float32Array, classification: boolean, nOut: number): tf.Tensor2D {
  return tf.tidy(() => classification
    ? tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), nOut).toFloat() as tf.Tensor2D
    : tf.tensor2d(y, [y.length, 1]));
}

function lossOf(y: tf.Tensor, out: tf.Tensor, classification: boolean): tf.Scalar {
  return classification ? tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar : tf.losses.meanSquaredError(y, out) as tf.Scalar;
}

function countCorrect(yOneHot: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.equal(tf.argMax(yOneHot, 1), tf.argMax(logits, 1)).sum().toFloat() as tf.Scalar;
}

/** Task loss plus l1·Σ|W| + l2·ΣW² over the dense kernels (biases are not penalised). */
function penalised(loss: tf.Scalar, kernels: tf.Tensor[], l1: number, l2: number): tf.Scalar {
  let total = loss;
  for (const k of kernels) {
    if (l1 > 0) total = total.add(k.abs().sum().mul(l1));
    if (l2 > 0) total = total.add(k.square().sum().mul(l2));
  }
  return total;
}

/** The class the model predicts for each row of x. */
async function predictedClasses(model: tf.LayersModel, x: tf.Tensor): Promise<Int32Array> {
  const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1));
  const p = (await pred.data()) as Int32Array;
  pred.dispose();
  return Int32Array.from(p);
}

/** Confusion matrix [true][predicted] of predictions `p` against labels `y`. */
export function confusionOf(p: ArrayLike<number>, y: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < p.length; i++) m[y[i]][p[i]]++;
  return m;
}

/** The first `max` rows predicted wrong: their position among the rows, true and predicted class. */
export function misclassifiedOf(p: ArrayLike<number>, y: ArrayLike<number>, max = 32): NonNullable<TrialResult['misclassified']> {
  const out: NonNullable<TrialResult['misclassified']> = [];
  for (let i = 0; i < p.length && out.length < max; i++) if (p[i] !== y[i]) out.push({ index: i, label: y[i], predicted: p[i] });
  return out;
}

/** The first conv layer's kernel, [kh, kw, in, out], when the model has one. */
function firstFilters(model: tf.LayersModel): TrialResult['filters'] {
  const conv = model.layers.find((l) => l.getClassName() === 'Conv2D');
  const kernel = conv?.getWeights()[0];
  if (!kernel) return undefined;
  const [k, , channels, count] = kernel.shape;
  return { kernel: k, channels, count, weights: Array.from(kernel.dataSync()) };
}

/** The g×g grid over `extent` [xmin, xmax, ymin, ymax] (standardised features): [g*g, 2] row-major,
 *  rows from the top (ymax), cell centres. Shared by both trainers. */
export function surfaceGrid(g: number, extent: [number, number, number, number]): Float32Array {
  const [x0, x1, y0, y1] = extent;
  const pts = new Float32Array(g * g * 2);
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      const i = r * g + c;
      pts[2 * i] = x0 + ((c + 0.5) / g) * (x1 - x0);
      pts[2 * i + 1] = y1 - ((r + 0.5) / g) * (y1 - y0);
    }
  }
  return pts;
}

/** The decision-surface encoding of outputs `o` [n, k]: class-1 probability for two classes, the
 *  argmax class for more, the prediction for regression. Call inside tf.tidy. */
export function encodeSurface(o: tf.Tensor, n: number, classification: boolean, k: number): tf.Tensor1D {
  const out = o.reshape([n, -1]);
  if (!classification) return out.reshape([n]);
  return (k === 2 ? tf.softmax(out).slice([0, 1], [n, 1]).reshape([n]) : tf.argMax(out, 1).toFloat()) as tf.Tensor1D;
}

/** Model output on a g×g grid over `extent` (standardised features), rows from the top (ymax). */
async function surface(model: tf.LayersModel, g: number, extent: [number, number, number, number], classification: boolean, k: number): Promise<Float32Array> {
  const out = tf.tidy(() => encodeSurface(model.predict(tf.tensor2d(surfaceGrid(g, extent), [g * g, 2])) as tf.Tensor2D, g * g, classification, k));
  const v = (await out.data()) as Float32Array;
  out.dispose();
  return Float32Array.from(v);
}
