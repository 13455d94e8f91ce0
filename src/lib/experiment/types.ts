/**
 * The Experiment: one plain, JSON-serialisable description of a study.
 * Everything the page needs to reproduce a sweep lives here (and in the URL hash).
 */

/** Activation of a hidden dense layer. */
export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'linear';
/** Weight initialiser of dense layers. */
export type WeightInit = 'glorotUniform' | 'heNormal' | 'leCunNormal' | 'randomNormal';
/** Optimiser; `momentum` is SGD with momentum (ModelSpec.momentum, default 0.9). */
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop';
/** Learning-rate schedule over the epochs of a trial (see src/lib/train/schedule.ts). */
export type ScheduleKind = 'constant' | 'step' | 'exponential' | 'cosine';
/** Compute backend; `auto` lets the worker choose. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPref = 'auto' | BackendName;
/** Learning task, decided by the dataset. */
export type Task = 'classification' | 'regression';

/** Which data to train on. */
export interface DataSpec {
  /** id in the dataset registry (2-D generator or shipped real dataset). */
  id: string;
  /** label noise for 2-D generators, fraction 0..0.5. Ignored for real data. */
  noise: number;
  /** number of points for 2-D generators (50..2000). Ignored for real data. */
  samples: number;
  /** fraction of the (non-test) data held out for validation, 0.1..0.9. */
  valFraction: number;
  /** seed of the generator and of the split. */
  seed: number;
  /** fraction held out as a test split that the search never sees (0 = none, else 0.1..0.4).
   *  Ignored when the dataset ships its own test split. */
  testFraction: number;
  /** names of the feature columns to train on; absent = every feature of the dataset. */
  features?: string[];
}

/** One hidden dense layer. */
export interface LayerSpec {
  units: number;
  activation: Activation;
}

/** Pooling after a convolution block (2×2, stride 2), or none. */
export type PoolKind = 'max' | 'avg' | 'none';
/** Zero padding of a convolution: 'same' keeps the width at stride 1, 'valid' shrinks it by kernel − 1. */
export type PaddingKind = 'same' | 'valid';
/** Horizontal flip as augmentation: only for images where a mirror image is the same class. */
export type FlipKind = 'off' | 'horizontal';

/** One convolution block: a 2-D convolution with its activation, then optional 2×2 pooling. */
export interface ConvBlockSpec {
  filters: number;
  /** square kernel side, pixels (odd, 1..7). */
  kernel: number;
  /** 1 or 2 pixels. */
  stride: number;
  padding: PaddingKind;
  activation: Activation;
  pool: PoolKind;
}

/** The network and its training settings (values used when a parameter is "fixed").
 *  The network is `conv` blocks (image data only), flattened, then the dense `layers`, then the
 *  output layer: see model/blocks.ts for the typed list of blocks the trainer builds. */
export interface ModelSpec {
  /** convolution blocks before the dense layers; absent or empty = a dense network. */
  conv?: ConvBlockSpec[];
  layers: LayerSpec[];
  /** dropout rate after each hidden layer, 0 <= p < 1. */
  dropout: number;
  /** L1 weight penalty, >= 0. */
  l1: number;
  /** L2 weight penalty, >= 0. */
  l2: number;
  init: WeightInit;
  optimizer: OptimizerName;
  /** learning rate, > 0. */
  learningRate: number;
  /** mini-batch size, samples, >= 1. */
  batchSize: number;
  /** training epochs, >= 1. */
  epochs: number;
  // Optional, so that links and studies saved before they existed still read (absent = the
  // default in MODEL_DEFAULTS, src/lib/experiment/defaults.ts).
  /** learning-rate schedule; default 'constant'. */
  lrSchedule?: ScheduleKind;
  /** linear warm-up, epochs >= 0 (any schedule); default 0. */
  lrWarmup?: number;
  /** step decay: epochs between two decays, >= 1. */
  lrStepSize?: number;
  /** step decay: factor applied at each step, 0 < γ <= 1. */
  lrDecay?: number;
  /** exponential and cosine: learning rate at the last epoch as a fraction of the base, 0..1. */
  lrFinal?: number;
  /** SGD with momentum: momentum coefficient, 0 <= μ < 1; default 0.9. */
  momentum?: number;
  /** Adam: decay of the first and second moment estimates, 0 <= β < 1; defaults 0.9, 0.999. */
  beta1?: number;
  beta2?: number;
  /** inputs: the k features with the best filter score on the training split; 0 = every feature. */
  topK?: number;
  /** augmentation of training images, drawn afresh for every image at every epoch (never applied
   *  to validation or test rows): largest random shift in pixels, each axis; default 0. */
  augShift?: number;
  /** largest random rotation, degrees either way; default 0. */
  augRotate?: number;
  /** standard deviation of Gaussian pixel noise, as a fraction of the pixel range; default 0. */
  augNoise?: number;
  /** random horizontal flips (half the images); default 'off'. */
  augFlip?: FlipKind;
}

/** Units of hidden layer k (2..LIMITS.maxLayers), searched apart from the others. */
export type LayerUnitsName = 'units2' | 'units3' | 'units4' | 'units5' | 'units6';

/** Hyperparameters that a search may vary. */
export type ParamName =
  | 'learningRate'
  | 'batchSize'
  | 'dropout'
  | 'l2'
  | 'l1'
  | 'units'
  | 'epochs'
  | 'optimizer'
  | 'activation'
  | 'depth'
  | LayerUnitsName
  | 'lrSchedule'
  | 'lrWarmup'
  | 'lrStepSize'
  | 'lrDecay'
  | 'lrFinal'
  | 'momentum'
  | 'beta1'
  | 'beta2'
  | 'topK'
  | 'convBlocks'
  | 'filters'
  | 'kernelSize'
  | 'pooling'
  | 'augShift'
  | 'augRotate'
  | 'augNoise'
  | 'augFlip';

/**
 * When a conditional hyperparameter exists (Optuna's define-by-run, KerasTuner's
 * conditional_scope): only while its parent is active and takes one of `oneOf`, or a number of
 * at least `atLeast`. A trial where it does not exist simply lacks it.
 */
export type Condition =
  | { parent: ParamName; oneOf: readonly (number | string)[] }
  | { parent: ParamName; atLeast: number };

/** How one hyperparameter is searched (tagged union, as optuna-dashboard types distributions). */
export type ParamSpec =
  | { type: 'fixed' }
  | { type: 'float'; low: number; high: number; log: boolean }
  | { type: 'int'; low: number; high: number; log: boolean }
  | { type: 'categorical'; choices: (number | string)[] };

/** Search space: a spec for every ParamName (`fixed` uses the ModelSpec value). */
export type SearchSpace = Record<ParamName, ParamSpec>;

/** Search strategy kinds (registry keys in src/lib/search/registry.ts). */
export type StrategyKind = 'grid' | 'random' | 'quasirandom' | 'tpe' | 'gp' | 'evolution' | 'manual';

/** Stops unpromising trials early, from their learning curves (see src/lib/search/pruners.ts). */
export interface PrunerConfig {
  kind: 'none' | 'median' | 'asha' | 'hyperband';
  /** ASHA/Hyperband: epochs before the first rung, >= 1. */
  minEpochs: number;
  /** ASHA/Hyperband: reduction factor, the top 1/eta of a rung goes on, >= 2. */
  eta: number;
  /** median rule: finished trials needed before anything is pruned. */
  warmupTrials: number;
  /** median rule: no trial is pruned at or before this epoch. */
  warmupEpochs: number;
}

/** Per-trial early stopping on the validation loss. */
export interface EarlyStoppingConfig {
  enabled: boolean;
  /** epochs without improvement before stopping, >= 1. */
  patience: number;
  /** smallest decrease of the validation loss that counts as an improvement, >= 0. */
  minDelta: number;
  /** end with the weights of the best epoch rather than the last. */
  restoreBest: boolean;
}

/** How each configuration is validated. */
export interface ValidationConfig {
  /** hold-out: one train/validation split; kfold: k folds, every row validates once. */
  scheme: 'holdout' | 'kfold';
  /** folds for k-fold, 3..10. */
  k: number;
}

/** Strategy, budget and parallelism. */
export interface StrategySpec {
  kind: StrategyKind;
  /** maximum number of trials. */
  budget: number;
  /** trials run at once (= workers in the pool) when `autoWorkers` is off. */
  concurrency: number;
  /** choose the number of workers by measuring 1, 2, … workers on this device (cached). */
  autoWorkers: boolean;
  /** train trials that share an architecture, batch size and optimizer as one batched computation
   *  in one worker (several trials for little more than the cost of one). */
  batching: boolean;
  /** seed of the sampler; same Experiment + seed => same trial params in the same order. */
  seed: number;
  /** points per continuous axis for grid search. */
  gridPoints: number;
  pruner: PrunerConfig;
  earlyStopping: EarlyStoppingConfig;
  validation: ValidationConfig;
  /** trainings per configuration with different seeds (1..5); results are averaged. */
  repeats: number;
}

/** A whole study. Version 1 of the URL format. */
export interface Experiment {
  version: 1;
  data: DataSpec;
  model: ModelSpec;
  space: SearchSpace;
  strategy: StrategySpec;
  backend: BackendPref;
}

/** Values of the searched hyperparameters for one trial (only the non-fixed ones). */
export type TrialParams = Partial<Record<ParamName, number | string>>;
