/**
 * The user attributes the page and its exported Python script (python/study.py, which spells the
 * same keys) keep in an Optuna study, so that a study travels between the app and Optuna without
 * losing what the page needs: the experiment, the parameter names, and each trial's training and
 * validation curves (for fit verdicts).
 */
import type { EpochMetrics } from '../train/types';
import { isPlainObject } from '../study/json';

/** Format tag in the study's `hpp_format` attribute. */
export const OPTUNA_FORMAT = 'hyperparameter-playground-optuna/1';

/** Study user-attribute keys. */
export const STUDY_ATTRS = {
  /** OPTUNA_FORMAT. */
  format: 'hpp_format',
  /** the app's Experiment (JSON object). */
  experiment: 'hpp_experiment',
  /** 'valAcc' | 'valLoss': what the trial values are. */
  metric: 'hpp_metric',
  /** Optuna parameter name -> app ParamName. */
  paramNames: 'hpp_param_names',
  /** DatasetIdentity of the data. */
  dataset: 'hpp_dataset',
  /** identity of experiment + data: a second exported script must not join a study of another experiment. */
  digest: 'hpp_digest',
  /** which Optuna sampler and pruner the script chose, and why. */
  sampler: 'hpp_sampler',
} as const;

/** Trial user-attribute keys. */
export const TRIAL_ATTRS = {
  /** CurvesAttr: per-epoch metrics (mean over folds and repeats). */
  curves: 'hpp_curves',
  /** the app's end state: 'complete' | 'pruned' | 'diverged' | 'failed' | 'cancelled' | 'running'. */
  status: 'hpp_status',
  /** the trial's id in the app (when the study came from the app). */
  id: 'hpp_trial_id',
  bestEpoch: 'hpp_best_epoch',
  stoppedEarly: 'hpp_stopped_early',
  restoredBest: 'hpp_restored_best',
  /** {loss, acc?} on the held-out test rows; never reported to the search. */
  test: 'hpp_test',
  message: 'hpp_message',
  pruneReason: 'hpp_prune_reason',
  /** where it trained: 'pytorch:cpu', 'pytorch:cuda', or the app's backend. */
  device: 'hpp_device',
  /** wall time of the trial, ms. */
  timeMs: 'hpp_time_ms',
  /** trainable parameters of the trial's network (weights and biases). */
  paramCount: 'hpp_param_count',
} as const;

/** Per-epoch series of a trial (null where a value is not finite). Accuracies are fractions 0..1. */
export interface CurvesAttr {
  epoch: number[];
  trainLoss: (number | null)[];
  valLoss: (number | null)[];
  trainAcc?: (number | null)[];
  valAcc?: (number | null)[];
  elapsedMs?: (number | null)[];
  /** learning rate of each epoch (the schedule's value it trained at). */
  lr?: (number | null)[];
}

const finiteOrNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The curves attribute of a trial's epochs. */
export function curvesAttr(epochs: readonly EpochMetrics[]): CurvesAttr {
  const out: CurvesAttr = {
    epoch: epochs.map((e) => e.epoch),
    trainLoss: epochs.map((e) => finiteOrNull(e.trainLoss)),
    valLoss: epochs.map((e) => finiteOrNull(e.valLoss)),
  };
  if (epochs.length > 0 && epochs.every((e) => e.valAcc !== undefined)) {
    out.trainAcc = epochs.map((e) => finiteOrNull(e.trainAcc));
    out.valAcc = epochs.map((e) => finiteOrNull(e.valAcc));
  }
  out.elapsedMs = epochs.map((e) => finiteOrNull(e.elapsedMs));
  if (epochs.length > 0 && epochs.every((e) => e.lr !== undefined)) out.lr = epochs.map((e) => finiteOrNull(e.lr));
  return out;
}

/** A series of numbers (null or NaN as NaN) of exactly `n` entries, or undefined. */
function series(x: unknown, n: number): number[] | undefined {
  if (!Array.isArray(x) || x.length !== n) return undefined;
  const out: number[] = [];
  for (const v of x) {
    if (v === null) out.push(NaN);
    else if (typeof v === 'number') out.push(v);
    else return undefined;
  }
  return out;
}

/**
 * A trial's epochs from its curves attribute, at most `maxEpochs` of them; undefined when the
 * attribute is missing or malformed (lengths differ, epochs not 1, 2, 3, ...).
 */
export function epochsOfCurves(attr: unknown, maxEpochs: number): EpochMetrics[] | undefined {
  if (!isPlainObject(attr) || !Array.isArray(attr.epoch)) return undefined;
  const n = attr.epoch.length;
  if (n > maxEpochs || !attr.epoch.every((e, i) => e === i + 1)) return undefined;
  const trainLoss = series(attr.trainLoss, n);
  const valLoss = series(attr.valLoss, n);
  if (!trainLoss || !valLoss) return undefined;
  const trainAcc = attr.trainAcc === undefined ? undefined : series(attr.trainAcc, n);
  const valAcc = attr.valAcc === undefined ? undefined : series(attr.valAcc, n);
  if ((attr.trainAcc !== undefined && !trainAcc) || (attr.valAcc !== undefined && !valAcc)) return undefined;
  const elapsed = attr.elapsedMs === undefined ? undefined : series(attr.elapsedMs, n);
  // a rate that is missing or unreadable is left out: the views fall back to the schedule
  const lr = attr.lr === undefined ? undefined : series(attr.lr, n);
  return Array.from({ length: n }, (_, i) => {
    const m: EpochMetrics = { epoch: i + 1, trainLoss: trainLoss[i], valLoss: valLoss[i], elapsedMs: elapsed?.[i] ?? NaN };
    if (lr && Number.isFinite(lr[i]) && lr[i] >= 0) m.lr = lr[i];
    if (trainAcc && valAcc) {
      m.trainAcc = trainAcc[i];
      m.valAcc = valAcc[i];
    }
    return m;
  });
}
