/**
 * Conditional hyperparameters (Optuna's define-by-run, KerasTuner's conditional_scope): a
 * parameter that exists only under a value of its parent, as PARAMS declares with `when`.
 * Settles the conditions of an experiment against its fixed parents, and names the searched
 * parameters that no trial could ever have.
 */
import { PARAMS, PARAM_META } from './params';
import type { Condition, Experiment, ParamName, ParamSpec } from './types';
import { fixedValue } from './values';

type Searched = Exclude<ParamSpec, { type: 'fixed' }>;

/** A searched parameter with the condition under which a trial has it (none: always). */
export interface SearchedParam {
  name: ParamName;
  spec: Searched;
  when?: Condition;
}

/** Whether the parent's `value` satisfies `cond` (an absent parent satisfies nothing). */
export function holds(cond: Condition, value: number | string | undefined): boolean {
  if (value === undefined) return false;
  if ('oneOf' in cond) return cond.oneOf.some((v) => v === value || String(v) === String(value));
  return Number(value) >= cond.atLeast;
}

/** Whether some value `spec` can take satisfies `cond`. */
function canHold(cond: Condition, spec: Searched): boolean {
  if (spec.type === 'categorical') return spec.choices.some((c) => holds(cond, c));
  if ('atLeast' in cond) return spec.high >= cond.atLeast;
  return cond.oneOf.some((v) => typeof v === 'number' && v >= spec.low && v <= spec.high);
}

/** The condition in words, e.g. 'optimizer is momentum', 'hidden layers is at least 2'. */
export function conditionText(cond: Condition): string {
  const parent = PARAM_META[cond.parent].label.toLowerCase();
  return 'oneOf' in cond ? `${parent} is ${cond.oneOf.join(' or ')}` : `${parent} is at least ${cond.atLeast}`;
}

/** Why no trial of `e` can have the searched parameter `name` ('' when some can, or it is fixed). */
function unreachableWhy(e: Experiment, name: ParamName, seen: Map<ParamName, string>): string {
  const when = PARAM_META[name].when;
  if (!when || e.space[name].type === 'fixed') return '';
  const label = PARAM_META[name].label;
  const parent = e.space[when.parent];
  if (parent.type === 'fixed') {
    const v = fixedValue(e, when.parent);
    return holds(when, v) ? '' : `${label} is only used when ${conditionText(when)}, and ${PARAM_META[when.parent].label.toLowerCase()} is fixed at ${v}.`;
  }
  if (seen.get(when.parent)) return `${label} is only used when ${conditionText(when)}, and no trial has ${PARAM_META[when.parent].label.toLowerCase()}.`;
  return canHold(when, parent) ? '' : `${label} is only used when ${conditionText(when)}, which none of its searched values is.`;
}

/** Whether a trial of `e` could have parameter `name`, were it searched: its parent (and theirs)
 *  is searched with a value that satisfies its condition, or fixed at one. */
export function canExist(e: Experiment, name: ParamName, depth = 0): boolean {
  const when = PARAM_META[name].when;
  if (!when) return true;
  if (depth > PARAMS.length || !canExist(e, when.parent, depth + 1)) return false;
  const parent = e.space[when.parent];
  return parent.type === 'fixed' ? holds(when, fixedValue(e, when.parent)) : canHold(when, parent);
}

/** The searched parameters of `e` that no trial can have, with a sentence each (PARAMS order). */
export function unreachableParams(e: Experiment): { name: ParamName; message: string }[] {
  const seen = new Map<ParamName, string>();
  for (const p of PARAMS) seen.set(p.name, unreachableWhy(e, p.name, seen));
  return [...seen].filter(([, m]) => m).map(([name, message]) => ({ name, message }));
}

/**
 * The searched parameters a trial of `e` may have, parents before children, with their
 * conditions settled: under a fixed parent a child is always there (no condition) when the fixed
 * value satisfies its condition; a child no trial can have is left out.
 */
export function conditionalParams(e: Experiment): SearchedParam[] {
  const gone = new Set(unreachableParams(e).map((u) => u.name));
  const out: SearchedParam[] = [];
  for (const p of PARAMS) {
    const spec = e.space[p.name];
    if (!spec || spec.type === 'fixed' || gone.has(p.name)) continue;
    const searchedParent = p.when && e.space[p.when.parent].type !== 'fixed';
    out.push(searchedParent ? { name: p.name, spec, when: p.when } : { name: p.name, spec });
  }
  return out;
}
