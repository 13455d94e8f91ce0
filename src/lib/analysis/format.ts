/**
 * Number and list formatting for the plain-language sentences of the analysis modules.
 * Kept here so a verdict and a study summary print the same value the same way.
 */
import { PARAM_META } from '../experiment/params';
import type { ParamName } from '../experiment/types';

/**
 * A number for a sentence, to `digits` significant digits (default 2): 0.3127 -> "0.31",
 * 12.4 -> "12", 0.0002 -> "0.0002", 3e-5 -> "3e-5", 1234567 -> "1.2e+6". Integers below 10 000 print exactly.
 * Non-finite values print as "NaN" / "infinity".
 */
export function fmtNum(x: number, digits = 2): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'infinity' : '-infinity';
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (Number.isInteger(x) && ax < 1e4) return String(x);
  if (ax >= 1e4 || ax < 1e-4) {
    // "1.0e-5" -> "1e-5": a trailing ".0" adds nothing for a student
    return x.toExponential(Math.max(0, digits - 1)).replace(/\.0+e/, 'e');
  }
  return String(Number(x.toPrecision(digits)));
}

/** A fraction as a whole percentage: 0.384 -> "38%". */
export function fmtPct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** A fraction as a percentage with one decimal: 0.9653 -> "96.5%". */
export function fmtPct1(fraction: number): string {
  return `${(Math.round(fraction * 1000) / 10).toFixed(1)}%`;
}

/** An English list: ["a"] -> "a", ["a","b"] -> "a and b", ["a","b","c"] -> "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A hyperparameter's label for use inside a sentence: "Learning rate" -> "learning rate",
 * but acronyms stay: "L2 penalty" -> "L2 penalty".
 */
export function paramLabel(name: ParamName): string {
  const label = PARAM_META[name]?.label ?? name;
  const second = label.charAt(1);
  return second !== '' && second === second.toLowerCase() && second !== second.toUpperCase()
    ? label.charAt(0).toLowerCase() + label.slice(1)
    : label;
}

/** A hyperparameter value for a sentence: strings as they are, numbers via fmtNum. */
export function fmtValue(v: number | string): string {
  return typeof v === 'number' ? fmtNum(v) : v;
}
