import type { BackendName } from '../../experiment/types';
import { outputUnits, paramCount } from '../../model/spec';
import { EarlyStopper } from '../../search/early-stopping';
import { makeRng, shuffle, type Rng } from '../../search/rng';
import type { BatchEpochCallback } from '../batched';
import { batchKey } from '../batching';
import { lrAt, scheduleOf, type LrSchedule } from '../schedule';
import { surfaceGrid } from '../trainer';
import type { EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from '../types';
import { initialWeights } from './init';
import { instantiateKernel } from './kernel';
import { blockLayout, type BlockLayout } from './layout';
import { confusionOf, encodeSurface } from './outputs';
import { FusedStack, type EpochStack } from './stack';

/** Options of a fused run. */
export interface FusedRunOptions {
  /** the backend name results report (the worker's tfjs backend; default 'wasm'). */
  backend?: BackendName;
}

/** What a stack is built from (see FusedStack's constructor): `weights[k]` is trial k's initial
 *  block (initialWeights), `batch` the mini-batch rows, `extraRows` the most rows predict() may be
 *  given besides the validation rows (a decision-surface grid). */
export interface StackInputs {
  data: TrainData;
  cfgs: TrialConfig[];
  block: BlockLayout;
  weights: Float32Array[];
  batch: number;
  extraRows: number;
}

/** Builds the per-epoch kernel of a run (the wasm kernel, or the GPU one). */
export type StackFactory = (inputs: StackInputs) => Promise<EpochStack>;

/** The wasm kernel's stack: a fresh kernel instance per run. */
export const wasmStack: StackFactory = async ({ data, cfgs, block, weights, batch, extraRows }) =>
  new FusedStack(await instantiateKernel(), data, cfgs, block, weights, batch, extraRows);

/** One trial's bookkeeping while it trains. */
interface Member {
  cfg: TrialConfig;
  /** its slot in the stack. */
  k: number;
  epochs: EpochMetrics[];
  stopper: EarlyStopper;
  /** seeds of its dropout masks: one draw per hidden layer per step, its own stream (as batched.ts). */
  dropRng: Rng;
  /** its learning-rate schedule, and the rate of the epoch being trained. */
  schedule: LrSchedule;
  lr: number;
  /** whether the stack holds its parameters of a best epoch (restore-best). */
  best: boolean;
  status: TrialResult['status'];
  message?: string;
  stoppedEarly: boolean;
  /** the host's answer about the last epoch reported, not awaited yet (see afterEpoch). */
  pending: Promise<EpochControl> | null;
}

/**
 * Trains trials that share an architecture, batch size, optimizer and data order (`batchKey`)
 * with the fused WebAssembly kernel: the same computation as the batched tfjs trainer
 * (batched.ts: its weight init, mini-batch order, dropout masks, loss, gradients, penalties and
 * optimizer formulas), but each epoch of all trials is one call into the kernel, with data,
 * weights and optimizer state in its memory and the metrics read once per epoch. Creates no
 * tensors. Per-epoch reports, pruning/stop answers, early stopping with restore-best, divergence,
 * test score, confusion matrix and decision surface behave as in trainBatch. One result per
 * config, in order.
 */
export function trainFused(data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback, opts: FusedRunOptions = {}): Promise<TrialResult[]> {
  return trainStacked(data, cfgs, onEpoch, wasmStack, opts.backend ?? 'wasm');
}

/**
 * trainFused's bookkeeping over any per-epoch kernel: builds the stack with `makeStack` (from the
 * initial weights of initialWeights), runs the epochs, and reports results as the `backend` named.
 * The stack is disposed of when the run ends, however it ends.
 */
export async function trainStacked(data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback, makeStack: StackFactory, backend: BackendName): Promise<TrialResult[]> {
  if (cfgs.length === 0) return [];
  const start = performance.now();
  const key = batchKey(cfgs[0]);
  for (const c of cfgs) if (batchKey(c) !== key) throw new Error('trainBatch: the trials do not share an architecture, batch size, optimizer and data order.');
  const spec0 = cfgs[0].model;
  const nOut = outputUnits(data.task, data.nClasses);
  const batch = Math.max(1, Math.min(spec0.batchSize, data.yTrain.length));
  const block = blockLayout(spec0.layers, data.d, nOut);
  const surfaceRows = data.d === 2 ? Math.max(0, ...cfgs.map((c) => (c.boundaryExtent ? c.boundaryGrid ** 2 : 0))) : 0;
  const stack = await makeStack({ data, cfgs, block, weights: cfgs.map((c) => initialWeights(c.model.init, block, c.seed)), batch, extraRows: surfaceRows });
  try {
    return await epochs(stack, data, cfgs, onEpoch, backend, start);
  } finally {
    stack.dispose();
  }
}

/** The epochs of a run on `stack`, and its results (see trainFused). */
async function epochs(stack: EpochStack, data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback, backend: BackendName, start: number): Promise<TrialResult[]> {
  const classification = data.task === 'classification';
  const nOut = outputUnits(data.task, data.nClasses);
  const nTrain = data.yTrain.length;
  const nVal = data.yVal.length;
  const steps = stack.steps;
  const hidden = cfgs[0].model.layers.length;
  const members: Member[] = cfgs.map((cfg, k) => ({
    cfg, k, epochs: [], best: false, status: 'complete', stoppedEarly: false, pending: null,
    stopper: new EarlyStopper({ patience: cfg.earlyStopping?.patience ?? Infinity, minDelta: cfg.earlyStopping?.minDelta ?? 0 }),
    dropRng: makeRng(cfg.seed, 'dropout'),
    schedule: scheduleOf(cfg.model), lr: cfg.model.learningRate,
  }));
  const results = new Map<number, TrialResult>();
  const shuffleRng = makeRng(cfgs[0].shuffleSeed ?? cfgs[0].seed, 'shuffle');
  const order = Array.from({ length: nTrain }, (_, i) => i);
  const maxEpochs = Math.max(...cfgs.map((c) => c.model.epochs));
  let live = members;
  for (let epoch = 1; epoch <= maxEpochs && live.length > 0; epoch++) {
    // The same in-place reshuffle as the other trainers, so the batches are theirs.
    const perm = shuffle(shuffleRng, order);
    // The kernel takes the rate with each trial's settings: a schedule just sets another one.
    for (const m of live) {
      const lr = lrAt(m.schedule, m.cfg.model.learningRate, epoch, m.cfg.model.epochs);
      if (lr !== m.lr) stack.setLearningRate(m.k, lr);
      m.lr = lr;
    }
    const seeds = (k: number): number[][] | null => {
      const m = members[k];
      if (m.cfg.model.dropout <= 0 || !live.includes(m)) return null;
      return Array.from({ length: steps }, () => Array.from({ length: hidden }, () => Math.floor(m.dropRng() * 2 ** 31)));
    };
    const sums = await stack.epoch(perm, seeds);
    const elapsedMs = performance.now() - start;
    const controls = await Promise.all(live.map(async (m) => {
      // The host's answer about the previous epoch: a trial pruned or stopped there leaves now,
      // and this epoch (trained while the host decided) is neither kept nor reported.
      const previous = m.pending ? await m.pending : 'continue';
      m.pending = null;
      if (previous === 'stop') { m.status = 'cancelled'; return 'leave' as const; }
      if (previous === 'prune') { m.status = 'pruned'; return 'leave' as const; }
      const s = sums[m.k];
      const em: EpochMetrics = { epoch, trainLoss: s.trainLoss / nTrain, valLoss: s.valLoss / nVal, elapsedMs, lr: m.lr };
      if (classification) {
        em.trainAcc = s.trainCorrect / nTrain;
        em.valAcc = s.valCorrect / nVal;
      }
      return afterEpoch(m, em, stack, onEpoch);
    }));
    const leaving = live.filter((_, i) => controls[i] === 'leave');
    for (const m of leaving) {
      stack.deactivate(m.k);
      results.set(m.cfg.trialId, await finish(m, stack, data, nOut, backend, start));
    }
    live = live.filter((_, i) => controls[i] === 'continue');
  }
  return cfgs.map((c) => results.get(c.trialId)!);
}

/**
 * Records an epoch of member m, reports it, and decides whether m keeps training — the batched
 * trainer's rule: the host's answer is only awaited when m leaves anyway (its last epoch, early
 * stopping); otherwise the next epoch trains while the host decides.
 */
async function afterEpoch(m: Member, em: EpochMetrics, stack: EpochStack, onEpoch: BatchEpochCallback): Promise<'continue' | 'leave'> {
  m.epochs.push(em);
  const epoch = em.epoch;
  if (!Number.isFinite(em.trainLoss) || !Number.isFinite(em.valLoss)) {
    m.status = 'diverged';
    m.message = `The loss became ${Number.isNaN(em.trainLoss) || Number.isNaN(em.valLoss) ? 'NaN' : 'infinite'} at epoch ${epoch}: the weights blew up (learning rate ${m.cfg.model.learningRate} is probably too high).`;
    return 'leave';
  }
  const verdict = m.stopper.update(em.valLoss);
  if (m.cfg.earlyStopping?.restoreBest && m.stopper.bestEpoch === epoch) {
    stack.keepBest(m.k);
    m.best = true;
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

/** The result of member m as it leaves: restores its best weights if asked, scores the test rows,
 *  and computes its confusion matrix and 2-D decision surface. */
async function finish(m: Member, stack: EpochStack, data: TrainData, nOut: number, backend: BackendName, start: number): Promise<TrialResult> {
  const cfg = m.cfg;
  const status = m.status;
  const useBest = m.best && status !== 'diverged' && status !== 'cancelled';
  const result: TrialResult = {
    trialId: cfg.trialId, status, epochs: m.epochs, backend, timeMs: performance.now() - start,
    peakTensors: 0, paramCount: paramCount(cfg.model.layers, data.d, nOut), message: m.message,
    bestEpoch: m.stopper.bestEpoch ?? undefined, stoppedEarly: m.stoppedEarly,
    restoredBest: useBest && m.stopper.bestEpoch !== m.epochs[m.epochs.length - 1]?.epoch,
  };
  if (status === 'diverged' || status === 'cancelled') return result;
  const classification = data.task === 'classification';
  const w = useBest;
  const test = await stack.scoreTest(m.k, w);
  if (test) result.test = classification ? { loss: test.loss / test.n, acc: test.correct / test.n } : { loss: test.loss / test.n };
  if (classification) result.confusion = confusionOf(await stack.predict(m.k, w, null), data.yVal, data.nClasses);
  if (cfg.boundaryGrid > 0 && cfg.boundaryExtent && data.d === 2) {
    const g = cfg.boundaryGrid;
    result.boundary = encodeSurface(await stack.predict(m.k, w, surfaceGrid(g, cfg.boundaryExtent)), g * g, classification, data.nClasses);
  }
  return result;
}
