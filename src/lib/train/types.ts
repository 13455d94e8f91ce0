import type { BackendName, BackendPref, ModelSpec, Task } from '../experiment/types';

/** Metrics of one finished epoch. Losses are the task loss (cross-entropy or MSE) without penalties. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  trainLoss: number;
  valLoss: number;
  /** accuracy in 0..1 (classification only). */
  trainAcc?: number;
  valAcc?: number;
  /** wall time since the trial started, ms. */
  elapsedMs: number;
  /** learning rate the epoch trained with (its schedule's value; absent in studies saved before schedules). */
  lr?: number;
}

/** How the rows of an image dataset are laid out and were standardised, so a worker can reshape
 *  them for convolutions and augment them in raw pixel units. */
export interface ImageLayout {
  width: number;
  height: number;
  channels: number;
  /** largest raw pixel value (255 for MNIST). */
  maxValue: number;
  /** per-pixel mean and sd the rows were standardised with (length d). */
  mean: number[];
  std: number[];
}

/** Plain arrays of a prepared (split + standardised) dataset. Crosses the worker boundary. */
export interface TrainData {
  /** cache key: same key => same arrays, so a worker keeps them between trials. */
  key: string;
  task: Task;
  /** features per sample. */
  d: number;
  /** classes (classification) or 1 (regression). */
  nClasses: number;
  /** xTrain: [nTrain, d] row-major; yTrain: class index (as float) or target. */
  xTrain: Float32Array;
  yTrain: Float32Array;
  xVal: Float32Array;
  yVal: Float32Array;
  /** held-out test rows: scored once per trial, never reported to the search (see TrialResult.test). */
  xTest?: Float32Array;
  yTest?: Float32Array;
  /** feature indices from the best filter score (on the training rows only) to the worst: the
   *  order in which a trial with `topK` keeps them (see data/features.ts). */
  ranking?: number[];
  /** image datasets with every pixel kept: the layout of each row. */
  image?: ImageLayout;
}

/** Everything one trial needs, besides the data. */
export interface TrialConfig {
  trialId: number;
  /** the model with this trial's params applied. */
  model: ModelSpec;
  /** seed for weight init and dropout (and for shuffling when `shuffleSeed` is absent). */
  seed: number;
  /** seed of the mini-batch order. The pool gives every trial of a sweep the same one (common
   *  random numbers: configurations are compared on the same batches), which is also what lets
   *  trials train as one batch and get exactly the result they would get alone. */
  shuffleSeed?: number;
  /** for 2-D data: side of the square grid on which to return the decision surface (0 = none). */
  boundaryGrid: number;
  /** extent [xmin, xmax, ymin, ymax] of that grid in standardised feature space. */
  boundaryExtent?: [number, number, number, number];
  /** stop when the validation loss has not improved by minDelta for `patience` epochs;
   *  restoreBest ends with the weights of the best epoch. */
  earlyStopping?: { patience: number; minDelta: number; restoreBest: boolean };
}

/** How a trial ended. */
export type TrialStatus = 'complete' | 'diverged' | 'pruned' | 'cancelled' | 'failed';

/** What a worker returns when a trial ends. */
export interface TrialResult {
  trialId: number;
  status: TrialStatus;
  epochs: EpochMetrics[];
  backend: BackendName;
  /** total wall time of the trial, ms. */
  timeMs: number;
  /** decision surface: boundaryGrid^2 values (class-1 probability for binary, argmax class otherwise, prediction for regression), row-major from (xmin, ymax). */
  boundary?: Float32Array;
  /** confusion matrix on the validation split, [true][predicted], classification only. */
  confusion?: number[][];
  /** peak tensors held during training (memory hygiene indicator). */
  peakTensors?: number;
  /** trainable parameters of the model. */
  paramCount?: number;
  /** message when status is failed or diverged. */
  message?: string;
  /** epoch (1-based) with the lowest validation loss. */
  bestEpoch?: number;
  /** early stopping ended the trial before its last epoch. */
  stoppedEarly?: boolean;
  /** the final model has the weights of `bestEpoch` (early stopping with restore-best). */
  restoredBest?: boolean;
  /** loss (and accuracy) of the final model on the held-out test rows. The pool keeps this away
   *  from the search; the page shows it for the best configuration only, once the sweep is over. */
  test?: { loss: number; acc?: number };
  /** with k-fold or repeats: each run's own outcome and curve (the top-level epochs are their mean). */
  runs?: { status: TrialStatus; epochs: EpochMetrics[]; bestEpoch?: number; restoredBest?: boolean }[];
  /** how many times the trial was started again because its worker was lost (crashed or went silent). */
  retries?: number;
  /** image data: validation images the final model gets wrong (at most 32): their position in
   *  the validation rows, true and predicted class. */
  misclassified?: { index: number; label: number; predicted: number }[];
  /** conv networks: the first conv layer's learned filters, kernel×kernel×channels×count values
   *  in tfjs' [kh, kw, in, out] order. */
  filters?: { kernel: number; channels: number; count: number; weights: number[] };
  /** with several runs: per-epoch standard deviation across runs of the validation loss (and accuracy). */
  spread?: { valLoss: number[]; valAcc?: number[] };
}

/** The worker's answer to each epoch report. */
export type EpochControl = 'continue' | 'stop' | 'prune';

/** Backend information reported by a worker after init. */
export interface BackendInfo {
  backend: BackendName;
  /** requested preference. */
  requested: BackendPref;
  /** human note, e.g. why webgpu was skipped ("software adapter"), or what calibration measured. */
  note: string;
  /** why the backend in use runs in software here ('' or absent: hardware, or unknown). */
  software?: string;
  /** steady-state training throughput measured for this backend and model shape, trial-samples/s (auto only). */
  samplesPerSec?: number;
}
