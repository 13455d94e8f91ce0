/**
 * How long a sweep will take on this device, before it runs: the work of every trial (epochs ×
 * training rows × runs, weighted by the network's size and batch size) divided by a training
 * rate — the one the calibration measured for this network, or an assumed one until then.
 */
import type { Experiment, ModelSpec, TrialParams } from '../experiment/types';
import { blockMacs, blocksOf } from '../model/blocks';
import { trainsAlone } from './batching';
import { searchedParams } from '../experiment/params';
import { paramCount, outputUnits, resolveModel } from '../model/spec';
import { makeRng } from '../search/rng';
import { paramsFromUnit } from '../search/space';

/** Training arithmetic per second one worker is assumed to sustain before anything was measured
 *  on this device (the fused WebAssembly trainer on a laptop core), FLOP/s. */
export const ASSUMED_FLOPS = 5e9;
/** Bounds of an assumed rate, samples/s: tiny networks are bound by per-step overhead, not arithmetic. */
const ASSUMED_RANGE = [1_000, 400_000] as const;

/** Samples per second assumed for a network of `params` weights (≈ 6 FLOP per weight per sample:
 *  forward, backward and update). */
export function assumedSamplesPerSec(params: number): number {
  return Math.min(ASSUMED_RANGE[1], Math.max(ASSUMED_RANGE[0], ASSUMED_FLOPS / (6 * Math.max(1, params))));
}
/** Sweeps expected to take longer than this ask for confirmation before they start, s. */
export const CONFIRM_ABOVE_S = 5 * 60;
/** Per-step overhead, in samples' worth of work: why batch 1 is far slower per sample than batch 64. */
const STEP_OVERHEAD_SAMPLES = 8;
/** Configurations drawn from the search space to average the cost of one trial over. */
const DRAWS = 64;

/** The shape of the prepared data the estimate needs. */
export interface EstimateData {
  d: number;
  nClasses: number;
  task: 'classification' | 'regression';
  nTrain: number;
  nVal: number;
  /** image layout, for conv networks. */
  image?: { width: number; height: number; channels: number };
}

/** How much slower per multiply-add the tfjs-layers trainer (conv networks, augmented images) is
 *  than the fused dense trainer, measured on the reference CNN (README, Performance: CNNs). */
const LAYERS_COST = 5;

/**
 * The arithmetic of one training sample of `m`, in weights of a dense network: its weights for a
 * dense network (what the fused trainer's speed scales with); for a network on the tfjs-layers
 * trainer, its multiply-adds (a conv weight is used once per output pixel) times LAYERS_COST.
 */
export function workOf(m: ModelSpec, data: Pick<EstimateData, 'd' | 'nClasses' | 'task' | 'image'>): number {
  const dense = paramCount(m.layers, data.d, outputUnits(data.task, data.nClasses));
  if (!trainsAlone(m)) return dense;
  try {
    return LAYERS_COST * blockMacs(blocksOf(m, { d: data.d, image: data.image }, data.task, data.nClasses));
  } catch {
    return LAYERS_COST * dense; // a network that does not fit fails at once; count it as dense
  }
}

/** A training rate: samples/s of one trial of the experiment's base network on one worker. */
export interface Rate {
  samplesPerSec: number;
  workers: number;
  /** true when measured on this device (calibration), false when assumed. */
  measured: boolean;
  backend?: string;
}

/** What a sweep is expected to cost. */
export interface SweepEstimate {
  /** expected wall time, s (an upper estimate: pruning and early stopping only shorten it). */
  seconds: number;
  /** trials × runs × epochs, summed. */
  trialEpochs: number;
  rate: Rate;
}

/** Relative cost of one training sample of a model, against the base model at the same rate. */
function sampleCost(params: number, batch: number, baseParams: number, baseBatch: number): number {
  const overhead = (b: number) => 1 + STEP_OVERHEAD_SAMPLES / Math.max(1, b);
  return (params / baseParams) * (overhead(batch) / overhead(baseBatch));
}

/** Rows of work per epoch: a validation pass (forward only) costs about a third of a training pass per row. */
const epochRows = (data: EstimateData) => data.nTrain + data.nVal / 3;

/** What a trial trained, as sweepWork counts it. */
export interface TrialWork {
  params: TrialParams;
  /** epochs trained per run (pruned and early-stopped trials train fewer). */
  epochs: number;
  /** runs trained (folds × repeats; 1 for hold-out validation). */
  runs: number;
}

/**
 * The work of `trials` in samples of `e`'s base network: epochs × (training rows + validation
 * rows / 3) × runs, each weighted by its network's and batch size's cost against the base's. The
 * unit of a calibration's samples/s, so a sweep's work over its wall time compares with it
 * whatever the search space drew.
 */
export function sweepWork(e: Experiment, data: EstimateData, trials: readonly TrialWork[]): number {
  const base = resolveModel(e.model, {});
  const baseParams = workOf(base, data);
  let work = 0;
  for (const t of trials) {
    const m = resolveModel(e.model, t.params);
    work += t.epochs * t.runs * epochRows(data) * sampleCost(workOf(m, data), m.batchSize, baseParams, base.batchSize);
  }
  return work;
}

/** Shortest stretch of training whose throughput is kept for choosing the worker count, ms. */
export const MIN_MEASURED_SWEEP_MS = 1000;

/**
 * A sweep's throughput with `workers` workers: its trials' work (sweepWork) over `ms` of wall
 * time, in base-network samples/s; null when the sweep was too short (under
 * MIN_MEASURED_SWEEP_MS, or fewer finished trials than workers) to say anything.
 */
export function sweepThroughput(e: Experiment, data: EstimateData, trials: readonly TrialWork[], ms: number, workers: number): { workers: number; samplesPerSec: number } | null {
  if (!(ms >= MIN_MEASURED_SWEEP_MS) || !(workers >= 1) || trials.length < workers) return null;
  const work = sweepWork(e, data, trials);
  return work > 0 ? { workers, samplesPerSec: work / (ms / 1000) } : null;
}

/**
 * Expected wall time of `e`'s sweep on data shaped like `data`, at `rate`. Searched
 * hyperparameters count at their average over the space (64 seeded draws), so a range of
 * 10–500 epochs costs like 255 epochs. Instant for any space: it never enumerates a grid.
 */
export function estimateSweep(e: Experiment, data: EstimateData, rate: Rate): SweepEstimate {
  const base = resolveModel(e.model, {});
  const baseParams = workOf(base, data);
  const dims = searchedParams(e.space);
  const rng = makeRng(e.strategy.seed, 'estimate');
  const draws = dims.length ? DRAWS : 1;
  let epochs = 0;
  let work = 0;
  for (let i = 0; i < draws; i++) {
    const m = resolveModel(e.model, paramsFromUnit(dims, dims.map(() => rng())));
    const cost = sampleCost(workOf(m, data), m.batchSize, baseParams, base.batchSize);
    epochs += m.epochs / draws;
    work += (m.epochs * epochRows(data) * cost) / draws;
  }
  const v = e.strategy.validation;
  const runs = (v.scheme === 'kfold' ? v.k : 1) * Math.max(1, e.strategy.repeats);
  const trials = e.strategy.budget;
  const workers = Math.max(1, Math.min(rate.workers, trials));
  // Two workers on two cores rarely give twice the speed: count 0.8 per extra worker.
  const speed = rate.samplesPerSec * (1 + 0.8 * (workers - 1));
  return { seconds: (trials * runs * work) / speed, trialEpochs: trials * runs * epochs, rate };
}
