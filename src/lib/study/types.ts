/**
 * The Study record: one plain, JSON-serialisable description of a study and its results. Every
 * view, the saved file, the results link, the classroom view (many students' studies) and a
 * future Optuna export read this one shape. Non-finite numbers (a diverged loss) are written to
 * JSON as null and read back as NaN.
 *
 * Towards Optuna (export/import, origin 'optuna-journal'): a StudyTrial maps onto a FrozenTrial
 * (id -> number, params, state -> TrialState COMPLETE/PRUNED/FAIL/RUNNING, the final objective
 * -> value, per-epoch objectives -> intermediate_values, startedAt/endedAt -> datetime_start /
 * datetime_complete, verdict and backend -> user_attrs); the experiment's search space maps onto
 * distributions (float/int with log, categorical).
 */
import { LIMITS } from '../experiment/params';
import type { Experiment, Task, TrialParams } from '../experiment/types';
import type { MetricKey } from '../analysis/metric';
import type { VerdictKind } from '../analysis/verdict';
import type { TrialOutcome, TrialState } from '../search/types';
import type { EpochMetrics, TrialResult, TrialStatus } from '../train/types';

/** Version of the Study record; older records are migrated on reading (see migrate.ts). */
export const STUDY_VERSION = 1;

/** Where the record came from: made here, opened from a file, from a results link, or imported from an Optuna journal. */
export type StudyOrigin = 'local' | 'file' | 'link' | 'optuna-journal';

/** Which data the study trained on, so studies on the same data can be compared or pooled. */
export interface DatasetIdentity {
  /** registry id (the same as experiment.data.id), e.g. 'spiral' or 'csv'. */
  id: string;
  /** a person's name for it, e.g. the CSV file name. */
  name?: string;
  task?: Task;
  /** rows after loading (all splits), features per row, classes (classification). */
  rows?: number;
  features?: number;
  classes?: number;
  /** content hash of the data, e.g. 'sha256:<hex>': equal hashes = same rows. */
  dataHash?: string;
}

/** The parts of a fit verdict a record keeps (the evidence numbers are not stored). */
export interface StoredVerdict {
  kind: VerdictKind;
  label: string;
  /** '' when the record came from a results link. */
  sentence: string;
  hint: string;
}

/** A decision surface quantised for storage: side² values, row-major (see surface.ts). */
export interface StoredSurface {
  side: number;
  /** value range; values are lo + q / 255 × (hi − lo), or lo + q exactly when `ints`. */
  lo: number;
  hi: number;
  ints: boolean;
  /** base64 of side² bytes. */
  data: string;
}

/** What a finished trial's result keeps besides its epochs (TrialResult without arrays of tensors or per-run curves). */
export type StoredResult = Pick<TrialResult,
  'status' | 'backend' | 'timeMs' | 'message' | 'bestEpoch' | 'stoppedEarly' | 'restoredBest' | 'paramCount'
  | 'peakTensors' | 'confusion' | 'test' | 'spread' | 'retries' | 'misclassified' | 'filters'> & {
  /** with k-fold or repeats: each run's outcome (its curve is not kept; `epochs` are the mean). */
  runs?: { status: TrialStatus; bestEpoch?: number; restoredBest?: boolean }[];
};

/** One trial of a study. */
export interface StudyTrial {
  /** 0-based id, unique in the study, in the order the search proposed the trials. */
  id: number;
  /** values of the searched hyperparameters. */
  params: TrialParams;
  /** 'running' in a saved record: the trial was interrupted (it is trained again on resume). */
  state: TrialState | 'cancelled';
  /** per-epoch metrics (the mean over folds/repeats once finished). */
  epochs: EpochMetrics[];
  /** present once the trial ended. `result.test` is the held-out test score: views show it only
   *  for the best trial, once the sweep is over. */
  result?: StoredResult;
  surface?: StoredSurface;
  verdict?: StoredVerdict;
  /** why the pruner stopped it. */
  pruneReason?: string;
  /** backend it trained on ('webgl', ...), and the worker slot. */
  backend?: string;
  worker?: number;
  /** wall-clock start and end, ms since 1970 (Date.now()). */
  startedAt?: number;
  endedAt?: number;
}

/**
 * One step of the conversation between the sweep and its search, in order. Replaying the log into
 * a fresh strategy and pruner restores them exactly (see session.ts).
 * - ask: the search proposed trial `id`; wait: the search was asked and had nothing to propose;
 * - epoch: the objective of trial `id` after `epoch` (1-based) was reported (only with a pruner);
 * - tell: trial `id` ended and the search learnt its outcome; drop: it was given up without an
 *   outcome (not pending any more, never trained again).
 */
export type SearchEvent =
  | { k: 'ask'; id: number; params: TrialParams }
  | { k: 'wait' }
  | { k: 'epoch'; id: number; epoch: number; objective: number }
  | { k: 'tell'; id: number; outcome: TrialOutcome }
  | { k: 'drop'; id: number };

/** A whole study: the experiment, its trials, and what resuming its search needs. */
export interface StudyRecord {
  version: typeof STUDY_VERSION;
  /** stable id, [A-Za-z0-9_-], at most 64 characters. */
  id: string;
  name: string;
  /** ms since 1970. */
  createdAt: number;
  updatedAt: number;
  origin: StudyOrigin;
  /** who ran it (e.g. a student's name in a classroom). */
  author?: string;
  experiment: Experiment;
  dataset: DatasetIdentity;
  /** the metric the study optimised. */
  metric: MetricKey;
  /** in id order. */
  trials: StudyTrial[];
  /** the search's event log; absent when the record cannot be resumed (a results link). */
  log?: SearchEvent[];
  /** manual search: trials queued and not started yet. */
  queued?: TrialParams[];
}

/** Hard limits of a record read from outside (file or link): hostile-input guards. */
export const STUDY_LIMITS = {
  /** trials per study (the largest budget). */
  maxTrials: LIMITS.maxBudget,
  /** epochs per curve (the largest epoch count). */
  maxEpochs: LIMITS.maxEpochs,
  /** events in the log: every trial's ask, epochs and tell, plus waits. */
  maxEvents: LIMITS.maxBudget * (LIMITS.maxEpochs + 4) + 4096,
  /** characters of a study file (JSON text). */
  maxFileChars: 32_000_000,
  /** characters of a name, an author, a message. */
  maxText: 2000,
} as const;

/** Result of reading a study from outside: the record, or a message naming what is wrong. */
export type StudyDecode = { kind: 'ok'; study: StudyRecord } | { kind: 'error'; message: string };
