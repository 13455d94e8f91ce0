/**
 * Optuna's parameter distributions as plain data: how the page's ParamSpec becomes one, the JSON
 * text Optuna stores them as (`distribution_to_json`), reading that text back (including the
 * pre-3.0 classes and the abbreviated form), and the internal representation of parameter
 * values (float for numbers, the choice index for categoricals).
 */
import type { ParamSpec } from '../experiment/types';
import { isPlainObject } from '../study/json';
import { pyFloat, pyJson, type PyValue } from './python-text';

/** A categorical choice as Optuna allows it. */
export type OptunaChoice = null | boolean | number | string;

/** An Optuna distribution (tagged by its class name). `step` null: continuous. */
export type OptunaDistribution =
  | { name: 'FloatDistribution'; low: number; high: number; log: boolean; step: number | null }
  | { name: 'IntDistribution'; low: number; high: number; log: boolean; step: number }
  | { name: 'CategoricalDistribution'; choices: OptunaChoice[] };

/** A searched ParamSpec (not 'fixed'). */
export type SearchedSpec = Exclude<ParamSpec, { type: 'fixed' }>;

/** The Optuna distribution of a searched spec: float -> FloatDistribution, int -> IntDistribution (step 1), categorical -> choices. */
export function distributionOfSpec(spec: SearchedSpec): OptunaDistribution {
  switch (spec.type) {
    case 'float': return { name: 'FloatDistribution', low: spec.low, high: spec.high, log: spec.log, step: null };
    case 'int': return { name: 'IntDistribution', low: spec.low, high: spec.high, log: spec.log, step: 1 };
    case 'categorical': return { name: 'CategoricalDistribution', choices: [...spec.choices] };
  }
}

/** The attributes of `d` in the order Optuna's `_asdict()` gives them. */
function attributes(d: OptunaDistribution): PyValue {
  switch (d.name) {
    case 'FloatDistribution': return { step: d.step === null ? null : pyFloat(d.step), low: pyFloat(d.low), high: pyFloat(d.high), log: d.log };
    case 'IntDistribution': return { log: d.log, step: d.step, low: d.low, high: d.high };
    case 'CategoricalDistribution': return { choices: d.choices };
  }
}

/** The JSON text Optuna stores for `d`, byte for byte as `optuna.distributions.distribution_to_json` writes it. */
export function distributionJson(d: OptunaDistribution): string {
  return pyJson({ name: d.name, attributes: attributes(d) });
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isChoice = (x: unknown): x is OptunaChoice => x === null || ['boolean', 'number', 'string'].includes(typeof x);

/** A float distribution, or why its numbers are not one. */
function floatDist(low: unknown, high: unknown, log: unknown, step: unknown): OptunaDistribution | string {
  if (!isNum(low) || !isNum(high)) return 'its bounds are not numbers';
  if (low > high) return `its low (${low}) is above its high (${high})`;
  if (log === true && low <= 0) return 'it is a log range with a low of 0 or less';
  if (step !== null && step !== undefined && !(isNum(step) && step > 0)) return 'its step is not a positive number';
  return { name: 'FloatDistribution', low, high, log: log === true, step: step === null || step === undefined ? null : step };
}

/** An int distribution, or why its numbers are not one. */
function intDist(low: unknown, high: unknown, log: unknown, step: unknown): OptunaDistribution | string {
  const s = step === undefined || step === null ? 1 : step;
  if (!isNum(low) || !isNum(high) || !Number.isInteger(low) || !Number.isInteger(high)) return 'its bounds are not whole numbers';
  if (!(isNum(s) && Number.isInteger(s) && s > 0)) return 'its step is not a positive whole number';
  if (low > high) return `its low (${low}) is above its high (${high})`;
  if (log === true && low < 1) return 'it is a log range with a low below 1';
  return { name: 'IntDistribution', low, high, log: log === true, step: s };
}

/**
 * Reads an Optuna distribution from its stored JSON text (or the already-parsed object), as
 * `json_to_distribution` does: the current classes, the pre-3.0 ones (UniformDistribution,
 * LogUniformDistribution, DiscreteUniformDistribution, IntUniformDistribution,
 * IntLogUniformDistribution) and the abbreviated `{"type": "float", ...}` form. Returns a
 * sentence when it is none of these. Never throws.
 */
export function parseDistribution(input: unknown): OptunaDistribution | string {
  let doc: unknown = input;
  if (typeof input === 'string') {
    if (input.length > 100_000) return 'the distribution text is too long';
    try {
      doc = JSON.parse(input);
    } catch {
      return 'the distribution is not valid JSON';
    }
  }
  if (!isPlainObject(doc)) return 'the distribution is not an object';
  if (typeof doc.name === 'string') {
    const a = doc.attributes;
    if (!isPlainObject(a)) return `the ${doc.name} has no attributes`;
    switch (doc.name) {
      case 'FloatDistribution': return floatDist(a.low, a.high, a.log, a.step);
      case 'UniformDistribution': return floatDist(a.low, a.high, false, null);
      case 'LogUniformDistribution': return floatDist(a.low, a.high, true, null);
      case 'DiscreteUniformDistribution': return floatDist(a.low, a.high, false, a.q);
      case 'IntDistribution': return intDist(a.low, a.high, a.log, a.step);
      case 'IntUniformDistribution': return intDist(a.low, a.high, false, a.step);
      case 'IntLogUniformDistribution': return intDist(a.low, a.high, true, a.step);
      case 'CategoricalDistribution': {
        const c = a.choices;
        if (!Array.isArray(c) || c.length === 0 || c.length > 10_000 || !c.every(isChoice)) return 'its choices are not a list of numbers, strings, booleans or null';
        return { name: 'CategoricalDistribution', choices: [...c] };
      }
      default: return `"${doc.name.slice(0, 60)}" is not a distribution Optuna knows`;
    }
  }
  switch (doc.type) {
    case 'float': return floatDist(doc.low, doc.high, doc.log, doc.step);
    case 'int': return intDist(doc.low, doc.high, doc.log, doc.step);
    case 'categorical': return parseDistribution({ name: 'CategoricalDistribution', attributes: { choices: doc.choices } });
    default: return 'the distribution has neither a class name nor a type';
  }
}

/** Whether two choices are the same value (1 and 1.0 are; 1 and '1' are not). */
const sameChoice = (a: OptunaChoice, b: unknown): boolean => a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));

/** The internal representation Optuna stores for `value` (a float, or the index of a choice); undefined when `d` cannot hold it. */
export function toInternal(d: OptunaDistribution, value: unknown): number | undefined {
  if (d.name === 'CategoricalDistribution') {
    const i = d.choices.findIndex((c) => sameChoice(c, value));
    return i >= 0 ? i : undefined;
  }
  return isNum(value) ? value : undefined;
}

/** The parameter value of an internal representation (an int for IntDistribution, a choice for categoricals); undefined when invalid. */
export function toExternal(d: OptunaDistribution, internal: unknown): OptunaChoice | undefined {
  if (!isNum(internal)) return undefined;
  switch (d.name) {
    case 'FloatDistribution': return internal;
    case 'IntDistribution': return Math.trunc(internal);
    case 'CategoricalDistribution': return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length ? d.choices[internal] : undefined;
  }
}

/** Whether `d` contains the internal value `internal`, as Optuna's `_contains` decides. */
export function containsInternal(d: OptunaDistribution, internal: number): boolean {
  switch (d.name) {
    case 'FloatDistribution': {
      if (!(internal >= d.low && internal <= d.high)) return false;
      if (d.step === null) return true;
      const k = (internal - d.low) / d.step;
      return Math.abs(k - Math.round(k)) < 1e-8;
    }
    case 'IntDistribution': return internal >= d.low && internal <= d.high && (internal - d.low) % d.step === 0;
    case 'CategoricalDistribution': return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length;
  }
}

/** Whether two distributions may hold the same parameter in one study (Optuna's `check_distribution_compatibility`). */
export function compatible(a: OptunaDistribution, b: OptunaDistribution): boolean {
  if (a.name !== b.name) return false;
  if (a.name === 'CategoricalDistribution' && b.name === 'CategoricalDistribution') {
    return a.choices.length === b.choices.length && a.choices.every((c, i) => sameChoice(c, b.choices[i]));
  }
  return a.name === 'CategoricalDistribution' || b.name === 'CategoricalDistribution' || a.log === b.log;
}
