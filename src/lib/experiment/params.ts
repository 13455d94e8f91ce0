import type { Activation, Condition, FlipKind, LayerUnitsName, OptimizerName, PaddingKind, ParamName, ParamSpec, PoolKind, ScheduleKind, WeightInit, BackendPref, StrategyKind } from './types';

/** Display and validation facts about one searchable hyperparameter. One place per fact. */
export interface ParamMeta {
  name: ParamName;
  /** human label for the UI. */
  label: string;
  /** unit or short explanation shown next to values ('' when dimensionless). */
  unit: string;
  /** the value kind; decides which ParamSpec types are allowed. */
  kind: 'float' | 'int' | 'categorical';
  /** smallest allowed value (inclusive unless `minExclusive`). */
  min?: number;
  minExclusive?: boolean;
  /** largest allowed value (inclusive unless `maxExclusive`). */
  max?: number;
  maxExclusive?: boolean;
  /** allowed categorical values. */
  options?: readonly string[];
  /** the range the UI proposes when the user switches this parameter from fixed to searched. */
  suggested: Exclude<ParamSpec, { type: 'fixed' }>;
  /** the parameter exists only under this condition on its parent (which comes earlier in PARAMS). */
  when?: Condition;
  /** only for image data (conv blocks, augmentation): the UI offers it for image datasets only. */
  imageOnly?: true;
}

export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'linear'];
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'rmsprop'];
export const SCHEDULES: readonly ScheduleKind[] = ['constant', 'step', 'exponential', 'cosine'];
/** The per-layer units parameters, layer 2 first (layer 1 takes `units`). */
export const LAYER_UNITS: readonly LayerUnitsName[] = ['units2', 'units3', 'units4', 'units5', 'units6'];
export const POOLS: readonly PoolKind[] = ['max', 'avg', 'none'];
export const PADDINGS: readonly PaddingKind[] = ['same', 'valid'];
export const FLIPS: readonly FlipKind[] = ['off', 'horizontal'];
export const INITS: readonly WeightInit[] = ['glorotUniform', 'heNormal', 'leCunNormal', 'randomNormal'];
export const BACKEND_PREFS: readonly BackendPref[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
export const STRATEGY_KINDS: readonly StrategyKind[] = ['grid', 'random', 'quasirandom', 'tpe', 'gp', 'evolution', 'manual'];

/** Hard limits, shared by validation and the UI's input attributes. */
export const LIMITS = {
  maxLayers: 6,
  maxUnits: 512,
  maxEpochs: 500,
  maxBatch: 1024,
  maxBudget: 256,
  maxConcurrency: 8,
  minSamples: 50,
  maxSamples: 2000,
  maxNoise: 0.5,
  minVal: 0.1,
  maxVal: 0.9,
  maxGridPoints: 10,
  maxChoices: 16,
  maxLearningRate: 10,
  maxPenalty: 1,
  maxTestFraction: 0.4,
  minFolds: 3,
  maxFolds: 10,
  maxRepeats: 5,
  maxPatience: 100,
  maxEta: 6,
  maxFeatures: 1024,
  maxNameLength: 200,
  maxConvBlocks: 4,
  maxFilters: 128,
  maxKernel: 7,
  maxShift: 8,
  maxRotate: 45,
} as const;

/** Pruner kinds in the order the UI offers them. */
export const PRUNER_KINDS = ['none', 'median', 'asha', 'hyperband'] as const;

/** Every searchable hyperparameter, in display order. */
export const PARAMS: readonly ParamMeta[] = [
  { name: 'learningRate', label: 'Learning rate', unit: '', kind: 'float', min: 0, minExclusive: true, max: LIMITS.maxLearningRate,
    suggested: { type: 'float', low: 1e-4, high: 1, log: true } },
  { name: 'lrSchedule', label: 'LR schedule', unit: '', kind: 'categorical', options: SCHEDULES,
    suggested: { type: 'categorical', choices: ['constant', 'cosine'] } },
  { name: 'lrWarmup', label: 'LR warm-up', unit: 'epochs', kind: 'int', min: 0, max: LIMITS.maxEpochs,
    suggested: { type: 'int', low: 0, high: 10, log: false } },
  { name: 'lrStepSize', label: 'LR step every', unit: 'epochs', kind: 'int', min: 1, max: LIMITS.maxEpochs,
    suggested: { type: 'int', low: 5, high: 40, log: true }, when: { parent: 'lrSchedule', oneOf: ['step'] } },
  { name: 'lrDecay', label: 'LR step factor', unit: '× per step', kind: 'float', min: 0, minExclusive: true, max: 1,
    suggested: { type: 'float', low: 0.1, high: 0.9, log: false }, when: { parent: 'lrSchedule', oneOf: ['step'] } },
  { name: 'lrFinal', label: 'Final LR', unit: 'fraction of the base', kind: 'float', min: 0, max: 1,
    suggested: { type: 'float', low: 1e-3, high: 0.3, log: true }, when: { parent: 'lrSchedule', oneOf: ['exponential', 'cosine'] } },
  { name: 'batchSize', label: 'Batch size', unit: 'samples', kind: 'int', min: 1, max: LIMITS.maxBatch,
    suggested: { type: 'categorical', choices: [8, 16, 32, 64] } },
  { name: 'dropout', label: 'Dropout', unit: 'rate', kind: 'float', min: 0, max: 1, maxExclusive: true,
    suggested: { type: 'float', low: 0, high: 0.5, log: false } },
  { name: 'l2', label: 'L2 penalty', unit: '', kind: 'float', min: 0, max: LIMITS.maxPenalty,
    suggested: { type: 'float', low: 1e-5, high: 1e-1, log: true } },
  { name: 'l1', label: 'L1 penalty', unit: '', kind: 'float', min: 0, max: LIMITS.maxPenalty,
    suggested: { type: 'float', low: 1e-5, high: 1e-2, log: true } },
  { name: 'units', label: 'Units per hidden layer', unit: 'neurons, each layer without its own', kind: 'int', min: 1, max: LIMITS.maxUnits,
    suggested: { type: 'int', low: 4, high: 64, log: true } },
  { name: 'depth', label: 'Hidden layers', unit: 'layers', kind: 'int', min: 0, max: LIMITS.maxLayers,
    suggested: { type: 'int', low: 1, high: 3, log: false } },
  ...LAYER_UNITS.map((name, i): ParamMeta => ({
    name, label: `Units of layer ${i + 2}`, unit: 'neurons', kind: 'int', min: 1, max: LIMITS.maxUnits,
    suggested: { type: 'int', low: 4, high: 64, log: true }, when: { parent: 'depth', atLeast: i + 2 },
  })),
  { name: 'convBlocks', label: 'Conv blocks', unit: 'convolution + pooling, image data only', kind: 'int', min: 0, max: LIMITS.maxConvBlocks,
    suggested: { type: 'int', low: 1, high: 2, log: false }, imageOnly: true },
  { name: 'filters', label: 'Filters per conv block', unit: 'feature maps', kind: 'int', min: 1, max: LIMITS.maxFilters,
    suggested: { type: 'int', low: 4, high: 32, log: true }, when: { parent: 'convBlocks', atLeast: 1 }, imageOnly: true },
  { name: 'kernelSize', label: 'Kernel size', unit: 'pixels (square)', kind: 'int', min: 1, max: LIMITS.maxKernel,
    suggested: { type: 'categorical', choices: [3, 5] }, when: { parent: 'convBlocks', atLeast: 1 }, imageOnly: true },
  { name: 'pooling', label: 'Pooling', unit: '2×2 after each conv', kind: 'categorical', options: POOLS,
    suggested: { type: 'categorical', choices: ['max', 'avg'] }, when: { parent: 'convBlocks', atLeast: 1 }, imageOnly: true },
  { name: 'epochs', label: 'Epochs', unit: 'passes', kind: 'int', min: 1, max: LIMITS.maxEpochs,
    suggested: { type: 'int', low: 10, high: 100, log: false } },
  { name: 'topK', label: 'Top-k features', unit: 'best by filter score, 0 = all', kind: 'int', min: 0, max: LIMITS.maxFeatures,
    suggested: { type: 'int', low: 2, high: 8, log: false } },
  { name: 'augShift', label: 'Augment: shift', unit: 'pixels, at most, each way', kind: 'int', min: 0, max: LIMITS.maxShift,
    suggested: { type: 'int', low: 0, high: 3, log: false }, imageOnly: true },
  { name: 'augRotate', label: 'Augment: rotation', unit: 'degrees, at most, each way', kind: 'float', min: 0, max: LIMITS.maxRotate,
    suggested: { type: 'float', low: 0, high: 15, log: false }, imageOnly: true },
  { name: 'augNoise', label: 'Augment: noise', unit: 'sd, fraction of the pixel range', kind: 'float', min: 0, max: 1,
    suggested: { type: 'float', low: 0, high: 0.2, log: false }, imageOnly: true },
  { name: 'augFlip', label: 'Augment: flip', unit: '', kind: 'categorical', options: FLIPS,
    suggested: { type: 'categorical', choices: ['off', 'horizontal'] }, imageOnly: true },
  { name: 'optimizer', label: 'Optimizer', unit: '', kind: 'categorical', options: OPTIMIZERS,
    suggested: { type: 'categorical', choices: ['sgd', 'adam'] } },
  { name: 'momentum', label: 'Momentum', unit: 'μ', kind: 'float', min: 0, max: 1, maxExclusive: true,
    suggested: { type: 'float', low: 0.5, high: 0.99, log: false }, when: { parent: 'optimizer', oneOf: ['momentum'] } },
  { name: 'beta1', label: 'Adam β1', unit: '', kind: 'float', min: 0, max: 1, maxExclusive: true,
    suggested: { type: 'float', low: 0.8, high: 0.95, log: false }, when: { parent: 'optimizer', oneOf: ['adam'] } },
  { name: 'beta2', label: 'Adam β2', unit: '', kind: 'float', min: 0, max: 1, maxExclusive: true,
    suggested: { type: 'float', low: 0.99, high: 0.9999, log: false }, when: { parent: 'optimizer', oneOf: ['adam'] } },
  { name: 'activation', label: 'Activation', unit: '', kind: 'categorical', options: ACTIVATIONS,
    suggested: { type: 'categorical', choices: ['relu', 'tanh'] } },
];

/** Lookup of PARAMS by name. */
export const PARAM_META: Record<ParamName, ParamMeta> = Object.fromEntries(PARAMS.map((p) => [p.name, p])) as Record<ParamName, ParamMeta>;

/** The non-fixed entries of a search space, in display order (parents before their children;
 *  see conditionalParams in ./conditions for the conditions under which a trial has each). */
export function searchedParams(space: Record<ParamName, ParamSpec>): { name: ParamName; spec: Exclude<ParamSpec, { type: 'fixed' }> }[] {
  const out: { name: ParamName; spec: Exclude<ParamSpec, { type: 'fixed' }> }[] = [];
  for (const p of PARAMS) {
    const spec = space[p.name];
    if (spec && spec.type !== 'fixed') out.push({ name: p.name, spec });
  }
  return out;
}
