/**
 * Python's text forms, for files that Python reads or wrote: JSON as `json.dumps` writes it
 * (", " and ": " separators, floats as `repr`, non-ASCII escaped, NaN/Infinity tokens), and
 * datetimes as `datetime.isoformat(timespec="microseconds")`. Reading never throws.
 */
import { FORBIDDEN_KEYS } from '../study/json';

/** A number that Python holds as a float: written `8.0`, not `8` (see pyJson). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Marks `x` as a Python float for pyJson. */
export const pyFloat = (x: number): PyFloat => new PyFloat(x);

/** JSON-like data pyJson can write: plain JSON values, PyFloat, and undefined fields (skipped). */
export type PyValue = null | boolean | number | string | PyFloat | undefined | readonly PyValue[] | { readonly [k: string]: PyValue };

/**
 * `repr(x)` of a Python float: shortest round-trip digits, fixed notation for exponents -4..15
 * ('0.0003', '8.0', '123.456'), else scientific with a two-digit exponent ('1e-05', '1e+16');
 * 'NaN', 'Infinity', '-Infinity' as json.dumps writes them.
 */
export function pyFloatText(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** A string as json.dumps writes it with ensure_ascii: every character outside ' '..'~' escaped. */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `value` as Python's `json.dumps(value)` writes it. Integers are written as ints, other numbers
 * and PyFloat as Python floats (NaN/Infinity as tokens, which Python reads back). Object keys keep
 * their order; undefined fields are left out.
 */
export function pyJson(value: PyValue): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return pyFloatText(value.value);
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'number': return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : pyFloatText(value);
    case 'string': return pyString(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v)).join(', ')}]`;
  const o = value as { readonly [k: string]: PyValue };
  const parts = Object.keys(o).filter((k) => o[k] !== undefined).map((k) => `${pyString(k)}: ${pyJson(o[k])}`);
  return `{${parts.join(', ')}}`;
}

/** Stand-ins for Python's non-standard number tokens while JSON.parse reads a line. */
const TOKEN_MARK = '\u0000hpp-number:';
const TOKENS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** `text` with NaN, Infinity and -Infinity outside strings replaced by marked strings (undefined when there are none). */
function markTokens(text: string): string | undefined {
  let out = '';
  let last = 0;
  let inString = false;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    for (const t of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(t, i)) {
        out += `${text.slice(last, i)}${JSON.stringify(TOKEN_MARK + t)}`;
        i += t.length - 1;
        last = i + 1;
        found = true;
        break;
      }
    }
  }
  return found ? out + text.slice(last) : undefined;
}

/** One parsed JSON value, or why the text is not JSON. */
export type PyJsonResult = { ok: true; value: unknown } | { ok: false };

/**
 * Parses JSON as Python's json module writes it: standard JSON plus the NaN, Infinity and
 * -Infinity tokens. Keys that could reach a prototype (`__proto__`, ...) are dropped. Never throws.
 */
export function parsePyJson(text: string): PyJsonResult {
  const reviver = (key: string, value: unknown): unknown => {
    if (FORBIDDEN_KEYS.has(key)) return undefined;
    if (typeof value === 'string' && value.startsWith(TOKEN_MARK)) return TOKENS[value.slice(TOKEN_MARK.length)] ?? value;
    return value;
  };
  // the reviver costs several times the parse itself: only pay for it when a forbidden key may be there
  const risky = text.includes('__proto__') || text.includes('constructor') || text.includes('prototype');
  try {
    return { ok: true, value: risky ? JSON.parse(text, reviver) : JSON.parse(text) };
  } catch {
    const marked = markTokens(text);
    if (marked === undefined) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(marked, reviver) };
    } catch {
      return { ok: false };
    }
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `ms` (since 1970) as Python's `datetime.isoformat(timespec="microseconds")` of a naive local
 * time, e.g. '2024-05-01T12:34:56.789000': what Optuna 3 and 4 write into a journal (they read it
 * back as local time).
 */
export function pyIsoTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  const micros = Math.round((ms - Math.floor(ms)) * 1000) + d.getMilliseconds() * 1000;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(Math.min(999999, micros), 6)}`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?)?$/;

/**
 * An ISO 8601 datetime as Python's `datetime.fromisoformat` reads it, in ms since 1970: naive times
 * are local time, 'Z' or '+hh:mm' give the offset. NaN when `text` is not such a datetime.
 */
export function parseIsoTime(text: unknown): number {
  if (typeof text !== 'string' || text.length > 64) return NaN;
  const m = ISO.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return NaN;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const zone = m[8];
  if (!zone) return new Date(y, mo - 1, d, h, mi, s).getTime() + frac;
  let offset = 0;
  if (zone !== 'Z') {
    const z = zone.replace(/:/g, '');
    const sign = z[0] === '-' ? -1 : 1;
    offset = sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5) || 0)) * 60_000;
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) + frac - offset;
}
