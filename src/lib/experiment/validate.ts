import * as v from 'valibot';
import type { Experiment, ParamName, ParamSpec } from './types';
import { ACTIVATIONS, BACKEND_PREFS, FLIPS, INITS, LAYER_UNITS, LIMITS, OPTIMIZERS, PADDINGS, PARAMS, PARAM_META, POOLS, PRUNER_KINDS, SCHEDULES, STRATEGY_KINDS } from './params';
import { defaultEarlyStopping, defaultExperiment, defaultPruner } from './defaults';
import { unreachableParams } from './conditions';
import { imageProblems } from './images';
import { getDataset } from '../data/registry';

export { fixedValue } from './values';

/** Parameters added after version 1 of the URL format: links made before them lack them (fixed). */
const LATER_PARAMS: ReadonlySet<ParamName> = new Set(['lrSchedule', 'lrWarmup', 'lrStepSize', 'lrDecay', 'lrFinal', 'momentum', 'beta1', 'beta2', 'topK', ...LAYER_UNITS,
  'convBlocks', 'filters', 'kernelSize', 'pooling', 'augShift', 'augRotate', 'augNoise', 'augFlip']);
/** ModelSpec fields that are optional, checked like the parameter of the same name when present. */
const OPTIONAL_MODEL_FIELDS = ['lrWarmup', 'lrStepSize', 'lrDecay', 'lrFinal', 'momentum', 'beta1', 'beta2', 'topK', 'augShift', 'augRotate', 'augNoise'] as const;

/** A problem with one field; `path` is dotted (e.g. `space.learningRate`, `model.layers.1.units`). */
export interface FieldError {
  path: string;
  message: string;
}

const finite = v.pipe(v.number(), v.finite());
const int = v.pipe(v.number(), v.integer());

const paramSpecSchema = v.variant('type', [
  v.strictObject({ type: v.literal('fixed') }),
  v.strictObject({ type: v.literal('float'), low: finite, high: finite, log: v.boolean() }),
  v.strictObject({ type: v.literal('int'), low: int, high: int, log: v.boolean() }),
  v.strictObject({
    type: v.literal('categorical'),
    choices: v.pipe(v.array(v.union([finite, v.pipe(v.string(), v.maxLength(32))])), v.maxLength(LIMITS.maxChoices)),
  }),
]);

/** Structural schema of a v1 Experiment (shapes and types; ranges are checked by validateExperiment). */
export const experimentSchema = v.strictObject({
  version: v.literal(1),
  data: v.strictObject({
    id: v.pipe(v.string(), v.maxLength(64)),
    noise: finite,
    samples: int,
    valFraction: finite,
    seed: int,
    // Optional with defaults, so links made before these fields existed still open.
    testFraction: v.optional(finite, () => defaultExperiment().data.testFraction),
    features: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(LIMITS.maxNameLength))), v.maxLength(LIMITS.maxFeatures))),
  }),
  model: v.strictObject({
    conv: v.optional(v.pipe(
      v.array(v.strictObject({ filters: int, kernel: int, stride: int, padding: v.picklist(PADDINGS), activation: v.picklist(ACTIVATIONS), pool: v.picklist(POOLS) })),
      v.maxLength(LIMITS.maxConvBlocks),
    )),
    layers: v.pipe(
      v.array(v.strictObject({ units: int, activation: v.picklist(ACTIVATIONS) })),
      v.maxLength(LIMITS.maxLayers),
    ),
    dropout: finite,
    l1: finite,
    l2: finite,
    init: v.picklist(INITS),
    optimizer: v.picklist(OPTIMIZERS),
    learningRate: finite,
    batchSize: int,
    epochs: int,
    // Optional without a default: absent means the default (MODEL_DEFAULTS), and an experiment
    // without them encodes to the same link as before they existed.
    lrSchedule: v.optional(v.picklist(SCHEDULES)),
    augFlip: v.optional(v.picklist(FLIPS)),
    ...Object.fromEntries(OPTIONAL_MODEL_FIELDS.map((k) => [k, v.optional(finite)])) as Record<(typeof OPTIONAL_MODEL_FIELDS)[number], v.OptionalSchema<typeof finite, undefined>>,
  }),
  space: v.strictObject(
    Object.fromEntries(PARAMS.map((p) => [p.name, LATER_PARAMS.has(p.name) ? v.optional(paramSpecSchema, () => ({ type: 'fixed' as const })) : paramSpecSchema])) as Record<ParamName, typeof paramSpecSchema>,
  ),
  strategy: v.strictObject({
    kind: v.picklist(STRATEGY_KINDS),
    budget: int,
    concurrency: int,
    // Links made before these existed keep their fixed worker count and unbatched training.
    autoWorkers: v.optional(v.boolean(), false),
    batching: v.optional(v.boolean(), false),
    seed: int,
    gridPoints: int,
    pruner: v.optional(v.strictObject({
      kind: v.picklist(PRUNER_KINDS),
      minEpochs: int,
      eta: int,
      warmupTrials: int,
      warmupEpochs: int,
    }), defaultPruner),
    earlyStopping: v.optional(v.strictObject({
      enabled: v.boolean(),
      patience: int,
      minDelta: finite,
      restoreBest: v.boolean(),
    }), defaultEarlyStopping),
    validation: v.optional(v.strictObject({ scheme: v.picklist(['holdout', 'kfold']), k: int }), () => ({ scheme: 'holdout' as const, k: 5 })),
    repeats: v.optional(int, 1),
  }),
  backend: v.picklist(BACKEND_PREFS),
});

/** Checks a single numeric value of parameter `name` against its limits; '' when fine. */
export function checkParamValue(name: ParamName, value: number | string): string {
  const m = PARAM_META[name];
  if (m.kind === 'categorical') {
    return m.options?.includes(String(value)) ? '' : `${m.label} must be one of ${m.options?.join(', ')}.`;
  }
  const x = Number(value);
  if (typeof value !== 'number' && String(value).trim() === '') return `${m.label} needs a value.`;
  if (!Number.isFinite(x)) return `${m.label} must be a number.`;
  if (m.kind === 'int' && !Number.isInteger(x)) return `${m.label} must be a whole number.`;
  if (m.min !== undefined && (m.minExclusive ? x <= m.min : x < m.min)) {
    return `${m.label} must be ${m.minExclusive ? 'greater than' : 'at least'} ${m.min}.`;
  }
  if (m.max !== undefined && (m.maxExclusive ? x >= m.max : x > m.max)) {
    return `${m.label} must be ${m.maxExclusive ? 'less than' : 'at most'} ${m.max}.`;
  }
  return '';
}

/** Checks one search-space entry; returns the message for the field, '' when valid. */
export function checkParamSpec(name: ParamName, spec: ParamSpec): string {
  const m = PARAM_META[name];
  switch (spec.type) {
    case 'fixed':
      return '';
    case 'categorical': {
      if (spec.choices.length === 0) return `${m.label}: the list of choices is empty.`;
      for (const c of spec.choices) {
        const e = checkParamValue(name, c);
        if (e) return e;
      }
      if (new Set(spec.choices.map(String)).size !== spec.choices.length) return `${m.label}: a choice is listed twice.`;
      return '';
    }
    case 'float':
    case 'int': {
      if (m.kind === 'categorical') return `${m.label} can only be searched as a list of choices.`;
      if (spec.type === 'float' && m.kind === 'int') return `${m.label} is a whole number: use an integer range.`;
      const lo = checkParamValue(name, spec.low);
      if (lo) return `Minimum: ${lo}`;
      const hi = checkParamValue(name, spec.high);
      if (hi) return `Maximum: ${hi}`;
      if (spec.low > spec.high) return `${m.label}: minimum (${spec.low}) is greater than maximum (${spec.high}).`;
      if (spec.low === spec.high) return `${m.label}: the range is empty (minimum equals maximum); fix the value instead.`;
      if (spec.log && spec.low <= 0) return `${m.label}: a log range needs a minimum above 0.`;
      return '';
    }
  }
}

/**
 * Semantic validation of a structurally valid Experiment: every range, limit and dependency.
 * Returns one error per offending field (empty when the experiment can run).
 */
export function validateExperiment(e: Experiment): FieldError[] {
  const errs: FieldError[] = [];
  const add = (path: string, message: string) => message && errs.push({ path, message });
  const d = e.data;
  const ds = getDataset(d.id);
  if (!ds) add('data.id', `Unknown dataset "${d.id}".`);
  if (!(d.noise >= 0 && d.noise <= LIMITS.maxNoise)) add('data.noise', `Noise must be between 0 and ${LIMITS.maxNoise * 100}%.`);
  if (!(d.samples >= LIMITS.minSamples && d.samples <= LIMITS.maxSamples)) add('data.samples', `Points must be between ${LIMITS.minSamples} and ${LIMITS.maxSamples}.`);
  if (!(d.valFraction >= LIMITS.minVal && d.valFraction <= LIMITS.maxVal)) add('data.valFraction', `Validation split must be between ${LIMITS.minVal * 100}% and ${LIMITS.maxVal * 100}%.`);
  if (d.features && d.features.length === 0) add('data.features', 'Keep at least one feature.');
  if (d.features && new Set(d.features).size !== d.features.length) add('data.features', 'A feature is listed twice.');
  const m = e.model;
  m.layers.forEach((l, i) => {
    if (!(l.units >= 1 && l.units <= LIMITS.maxUnits)) add(`model.layers.${i}.units`, `Layer ${i + 1}: units must be between 1 and ${LIMITS.maxUnits}.`);
  });
  for (const name of ['learningRate', 'batchSize', 'dropout', 'l1', 'l2', 'epochs'] as const) {
    add(`model.${name}`, checkParamValue(name, m[name]));
  }
  (m.conv ?? []).forEach((b, i) => {
    if (!(b.filters >= 1 && b.filters <= LIMITS.maxFilters)) add(`model.conv.${i}.filters`, `Conv block ${i + 1}: filters must be between 1 and ${LIMITS.maxFilters}.`);
    if (!(b.kernel >= 1 && b.kernel <= LIMITS.maxKernel)) add(`model.conv.${i}.kernel`, `Conv block ${i + 1}: the kernel must be between 1 and ${LIMITS.maxKernel} pixels.`);
    if (!(b.stride === 1 || b.stride === 2)) add(`model.conv.${i}.stride`, `Conv block ${i + 1}: the stride must be 1 or 2.`);
  });
  for (const [path, message] of imageProblems(e)) add(path, message);
  for (const name of ['lrSchedule', 'augFlip', ...OPTIONAL_MODEL_FIELDS] as const) {
    const value = m[name];
    if (value !== undefined) add(`model.${name}`, checkParamValue(name, value));
  }
  for (const p of PARAMS) {
    add(`space.${p.name}`, checkParamSpec(p.name, e.space[p.name]));
  }
  for (const u of unreachableParams(e)) {
    if (!errs.some((x) => x.path === `space.${u.name}`)) add(`space.${u.name}`, u.message);
  }
  if ((e.space.units.type !== 'fixed' || e.space.activation.type !== 'fixed') && m.layers.length === 0 && e.space.depth.type === 'fixed') {
    add('space.units', 'Add a hidden layer before searching its units or activation.');
  }
  const s = e.strategy;
  if (!(s.budget >= 1 && s.budget <= LIMITS.maxBudget)) add('strategy.budget', `Trial budget must be between 1 and ${LIMITS.maxBudget}.`);
  if (!(s.concurrency >= 1 && s.concurrency <= LIMITS.maxConcurrency)) add('strategy.concurrency', `Parallel trials must be between 1 and ${LIMITS.maxConcurrency}.`);
  if (!(s.gridPoints >= 2 && s.gridPoints <= LIMITS.maxGridPoints)) add('strategy.gridPoints', `Grid points per axis must be between 2 and ${LIMITS.maxGridPoints}.`);
  if (!(d.testFraction === 0 || (d.testFraction >= 0.1 && d.testFraction <= LIMITS.maxTestFraction))) add('data.testFraction', `Test split must be 0 (none) or between 10% and ${LIMITS.maxTestFraction * 100}%.`);
  const pr = s.pruner;
  if (pr.kind !== 'none') {
    const maxEpochs = e.space.epochs.type === 'fixed' ? m.epochs : Infinity;
    if (!(pr.minEpochs >= 1 && pr.minEpochs < maxEpochs)) add('strategy.pruner.minEpochs', `Epochs before the first check must be at least 1 and below the ${Number.isFinite(maxEpochs) ? maxEpochs : ''} epochs of a trial.`);
    if (!(pr.eta >= 2 && pr.eta <= LIMITS.maxEta)) add('strategy.pruner.eta', `The reduction factor must be between 2 and ${LIMITS.maxEta}.`);
    if (!(pr.warmupTrials >= 0 && pr.warmupTrials <= LIMITS.maxBudget)) add('strategy.pruner.warmupTrials', 'Warm-up trials must be 0 or more.');
    if (!(pr.warmupEpochs >= 0 && pr.warmupEpochs <= LIMITS.maxEpochs)) add('strategy.pruner.warmupEpochs', 'Warm-up epochs must be 0 or more.');
    if (pr.kind === 'hyperband' && e.space.epochs.type !== 'fixed') add('strategy.pruner.kind', 'Hyperband needs a fixed number of epochs (it plans its brackets from it).');
  }
  const es = s.earlyStopping;
  if (es.enabled) {
    if (!(es.patience >= 1 && es.patience <= LIMITS.maxPatience)) add('strategy.earlyStopping.patience', `Patience must be between 1 and ${LIMITS.maxPatience} epochs.`);
    if (!(es.minDelta >= 0 && es.minDelta < 1)) add('strategy.earlyStopping.minDelta', 'Minimum improvement must be at least 0 and below 1.');
  }
  if (s.validation.scheme === 'kfold' && !(s.validation.k >= LIMITS.minFolds && s.validation.k <= LIMITS.maxFolds)) add('strategy.validation.k', `Folds must be between ${LIMITS.minFolds} and ${LIMITS.maxFolds}.`);
  if (!(s.repeats >= 1 && s.repeats <= LIMITS.maxRepeats)) add('strategy.repeats', `Repeats must be between 1 and ${LIMITS.maxRepeats}.`);
  return errs;
}

/** Result of parsing untrusted input as an Experiment. */
export type ParseResult = { ok: true; experiment: Experiment } | { ok: false; errors: string[] };

/** Longest error line parseExperiment returns, characters: the schema's messages quote the value
 *  they received, and a hostile link can hold a 60,000-character one. */
const MAX_ERROR_CHARS = 200;
const clip = (s: string): string => (s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS - 1)}…` : s);

/** Parses untrusted JSON-like input (from a URL or a file) into a valid Experiment, or explains why not. */
export function parseExperiment(input: unknown): ParseResult {
  const r = v.safeParse(experimentSchema, input);
  if (!r.success) {
    const errors = r.issues.slice(0, 5).map((i) => {
      const path = i.path?.map((p) => String(p.key)).join('.') ?? '';
      return clip(path ? `${path}: ${i.message}` : i.message);
    });
    return { ok: false, errors };
  }
  const e = r.output as Experiment;
  const sem = validateExperiment(e);
  if (sem.length) return { ok: false, errors: sem.slice(0, 5).map((x) => clip(`${x.path}: ${x.message}`)) };
  return { ok: true, experiment: e };
}
