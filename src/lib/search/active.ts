/**
 * Which dimensions of a conditional space a configuration has. A dimension with a condition
 * (`when`) is active while its parent is active and satisfies the condition; the others always
 * are. Unit-cube points mark an inactive coordinate with NaN.
 */
import { holds } from '../experiment/conditions';
import type { TrialParams } from '../experiment/types';
import type { Dimension } from './types';

/** Whether any dimension is conditional. */
export function isConditional(dims: readonly Dimension[]): boolean {
  return dims.some((d) => d.when !== undefined);
}

/** For each dimension: is it active when every dimension takes `values[i]` (parents at any index). */
export function activeMask(dims: readonly Dimension[], values: readonly (number | string | undefined)[]): boolean[] {
  const index = new Map(dims.map((d, i) => [d.name, i]));
  const memo: (boolean | undefined)[] = new Array(dims.length);
  const active = (i: number, depth: number): boolean => {
    const known = memo[i];
    if (known !== undefined) return known;
    const w = dims[i].when;
    const p = w ? index.get(w.parent) : undefined;
    // a cycle or a missing parent never satisfies a condition
    const on = !w || (p !== undefined && depth < dims.length && active(p, depth + 1) && holds(w, values[p]));
    memo[i] = on;
    return on;
  };
  return dims.map((_, i) => active(i, 0));
}

/** `p` with only the dimensions it has that are active under its own values (dimension order). */
export function activeParams(dims: readonly Dimension[], p: TrialParams): TrialParams {
  const mask = activeMask(dims, dims.map((d) => p[d.name]));
  const out: TrialParams = {};
  dims.forEach((d, i) => {
    if (mask[i] && p[d.name] !== undefined) out[d.name] = p[d.name];
  });
  return out;
}

/** `p` without the parameters of dimensions that are inactive under its own values (keys that
 *  are no dimension's stay). */
export function dropInactive(dims: readonly Dimension[], p: TrialParams): TrialParams {
  const mask = activeMask(dims, dims.map((d) => p[d.name]));
  const out: TrialParams = { ...p };
  dims.forEach((d, i) => {
    if (!mask[i]) delete out[d.name];
  });
  return out;
}

/** Groups of dimensions that are always active together: those with the same condition chain
 *  (the unconditional ones form the first group). Indices into `dims`, in dimension order. */
export function coactiveGroups(dims: readonly Dimension[]): number[][] {
  const byName = new Map(dims.map((d) => [d.name, d]));
  const signature = (d: Dimension, depth = 0): string => {
    const w = d.when;
    if (!w) return '';
    const parent = byName.get(w.parent);
    return `${parent && depth < dims.length ? signature(parent, depth + 1) : '?'}/${JSON.stringify(w)}`;
  };
  const groups = new Map<string, number[]>();
  dims.forEach((d, i) => {
    const key = signature(d);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}
