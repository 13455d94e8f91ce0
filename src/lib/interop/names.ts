/**
 * What the page's hyperparameters are called outside the app, in one place: the name the exported
 * Python script gives each Optuna parameter and the W&B sweep export writes, the other spellings
 * read back from Optuna journals and W&B sweeps, and how their categorical values are spelt.
 */
import { ACTIVATIONS, OPTIMIZERS, PARAM_META } from '../experiment/params';
import type { ParamName } from '../experiment/types';

/** The name written outside the app (Optuna parameter, W&B sweep parameter), per app parameter. */
export const EXTERNAL_NAMES: Readonly<Record<ParamName, string>> = {
  learningRate: 'learning_rate',
  batchSize: 'batch_size',
  dropout: 'dropout',
  l2: 'l2',
  l1: 'l1',
  units: 'units',
  depth: 'layers',
  epochs: 'epochs',
  optimizer: 'optimizer',
  activation: 'activation',
  lrSchedule: 'lr_schedule',
  lrWarmup: 'lr_warmup_epochs',
  lrStepSize: 'lr_step_size',
  lrDecay: 'lr_step_gamma',
  lrFinal: 'lr_final_fraction',
  momentum: 'momentum',
  beta1: 'beta1',
  beta2: 'beta2',
  topK: 'top_k_features',
  units2: 'units_layer2',
  units3: 'units_layer3',
  units4: 'units_layer4',
  units5: 'units_layer5',
  units6: 'units_layer6',
  convBlocks: 'conv_blocks',
  filters: 'filters',
  kernelSize: 'kernel_size',
  pooling: 'pooling',
  augShift: 'aug_shift_px',
  augRotate: 'aug_rotate_deg',
  augNoise: 'aug_noise',
  augFlip: 'aug_flip',
};

/** Other spellings of each parameter, compared after `normaliseName`. The external name and the
 *  app's own name are always recognised too. */
const ALIASES: Readonly<Record<ParamName, readonly string[]>> = {
  learningRate: ['lr', 'learning_rate', 'learn_rate', 'step_size'],
  batchSize: ['batch_size', 'batch', 'bs', 'minibatch_size'],
  dropout: ['dropout', 'dropout_rate', 'dropout_p', 'p_dropout', 'drop_rate'],
  l2: ['l2', 'weight_decay', 'wd', 'l2_reg', 'l2_penalty', 'l2_lambda', 'l2_weight'],
  l1: ['l1', 'l1_reg', 'l1_penalty', 'l1_lambda', 'l1_weight'],
  units: ['units', 'hidden_units', 'hidden_size', 'hidden_dim', 'n_units', 'num_units', 'width', 'neurons', 'layer_size'],
  depth: ['layers', 'depth', 'n_layers', 'num_layers', 'hidden_layers', 'n_hidden_layers', 'num_hidden_layers'],
  epochs: ['epochs', 'epoch', 'n_epochs', 'num_epochs', 'max_epochs'],
  optimizer: ['optimizer', 'optim', 'opt', 'optimiser'],
  activation: ['activation', 'act', 'activation_fn', 'activation_function', 'nonlinearity'],
  lrSchedule: ['lr_schedule', 'lr_scheduler', 'scheduler', 'schedule'],
  lrWarmup: ['warmup', 'warmup_epochs', 'lr_warmup'],
  lrStepSize: ['lr_step_size', 'step_size_epochs'],
  lrDecay: ['lr_step_gamma', 'gamma', 'lr_decay'],
  lrFinal: ['lr_final_fraction', 'final_lr_fraction', 'eta_min_fraction'],
  momentum: ['momentum', 'sgd_momentum'],
  beta1: ['beta1', 'beta_1', 'adam_beta1'],
  beta2: ['beta2', 'beta_2', 'adam_beta2'],
  topK: ['top_k', 'k_best', 'select_k', 'n_features_to_select'],
  units2: ['units_2', 'n_units_l1', 'units_l1'],
  units3: ['units_3', 'n_units_l2', 'units_l2'],
  units4: ['units_4', 'n_units_l3', 'units_l3'],
  units5: ['units_5', 'n_units_l4', 'units_l4'],
  units6: ['units_6', 'n_units_l5', 'units_l5'],
  convBlocks: ['conv_blocks', 'n_conv', 'num_conv_layers', 'conv_layers'],
  filters: ['filters', 'n_filters', 'num_filters', 'channels'],
  kernelSize: ['kernel_size', 'kernel', 'ksize'],
  pooling: ['pooling', 'pool', 'pool_type'],
  augShift: ['aug_shift_px', 'shift', 'translate'],
  augRotate: ['aug_rotate_deg', 'rotation', 'rotate'],
  augNoise: ['aug_noise', 'noise_std'],
  augFlip: ['aug_flip', 'flip', 'hflip'],
};

/** Why an alias is read with care: a sentence for the import report. */
const ALIAS_NOTES: Readonly<Record<string, string>> = {
  weightdecay: "read as the page's L2 penalty (l2 · ΣW² added to the loss); a framework's weight decay is often decoupled from the loss (AdamW) or half of it, so the same number may regularise differently",
  wd: "read as the page's L2 penalty (l2 · ΣW² added to the loss); a framework's weight decay is often decoupled from the loss (AdamW) or half of it, so the same number may regularise differently",
};

/** A name compared case-, dash- and underscore-blind: 'Learning-Rate', 'learning_rate' and 'learningRate' are equal. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]+/g, '');
}

const LOOKUP: ReadonlyMap<string, ParamName> = (() => {
  const m = new Map<string, ParamName>();
  for (const [app, list] of Object.entries(ALIASES) as [ParamName, readonly string[]][]) {
    for (const n of [app, EXTERNAL_NAMES[app], ...list]) m.set(normaliseName(n), app);
  }
  return m;
})();

/** The app parameter an outside name stands for (any spelling in the alias table), or undefined. */
export function appParamOf(name: string): ParamName | undefined {
  return LOOKUP.get(normaliseName(name));
}

/** A caution about reading `name` as an app parameter ('' when there is none). */
export function aliasNote(name: string): string {
  return ALIAS_NOTES[normaliseName(name)] ?? '';
}

const OPTIMIZER_SPELLINGS: Readonly<Record<string, string>> = {
  sgdmomentum: 'momentum', momentumsgd: 'momentum', sgdm: 'momentum', gd: 'sgd',
};
const ACTIVATION_SPELLINGS: Readonly<Record<string, string>> = {
  identity: 'linear', none: 'linear', logistic: 'sigmoid',
};

/**
 * A categorical value of `param` as the app spells it ('Adam' -> 'adam', 'ReLU' -> 'relu',
 * 'identity' -> 'linear'), or undefined when the app has no such option. Values of numeric
 * parameters are returned as numbers when they are numbers (or numeric strings).
 */
export function normaliseChoice(param: ParamName, value: unknown): number | string | undefined {
  if (param === 'optimizer' || param === 'activation') {
    if (typeof value !== 'string') return undefined;
    const key = normaliseName(value);
    const spelled = (param === 'optimizer' ? OPTIMIZER_SPELLINGS : ACTIVATION_SPELLINGS)[key] ?? key;
    const options: readonly string[] = param === 'optimizer' ? OPTIMIZERS : ACTIVATIONS;
    return options.includes(spelled) ? spelled : undefined;
  }
  const options = PARAM_META[param].options;
  if (options) return typeof value === 'string' && options.includes(normaliseName(value)) ? normaliseName(value) : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}
