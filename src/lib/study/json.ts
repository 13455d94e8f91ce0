/**
 * Reading JSON from outside (a file, a link) without trusting it: a size limit before parsing,
 * keys that could reach an object's prototype dropped while parsing, and every failure returned
 * as a sentence instead of thrown.
 */

/** Keys removed from every parsed object: they could reach Object.prototype if copied around later. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Parsed JSON, or why it could not be parsed. */
export type JsonResult = { ok: true; value: unknown } | { ok: false; message: string };

/** A size in characters for a sentence: '2.3 MB' or '812 characters'. */
export function sizeText(chars: number): string {
  return chars >= 1_000_000 ? `${(chars / 1_000_000).toFixed(1)} MB` : `${chars} characters`;
}

/**
 * Parses `text` as JSON. Refuses more than `maxChars` characters without parsing; drops
 * FORBIDDEN_KEYS at every depth. `what` names the input in messages ('The file'). Never throws.
 */
export function parseJson(text: unknown, maxChars: number, what: string): JsonResult {
  if (typeof text !== 'string') return { ok: false, message: `${what} is not text.` };
  if (text.length > maxChars) return { ok: false, message: `${what} is too large (${sizeText(text.length)}; at most ${sizeText(maxChars)}).` };
  if (text.trim() === '') return { ok: false, message: `${what} is empty.` };
  try {
    return { ok: true, value: JSON.parse(text, (key, value: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : value)) };
  } catch {
    return { ok: false, message: `${what} is damaged: it is not valid JSON (it may be cut off).` };
  }
}

/** A plain object (not an array, not null), as read from JSON. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** What a JSON value is, for a sentence: 'an array', 'a number', 'null'. */
export function jsonKind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}

/** Runs `f`, turning anything it throws into `{kind: 'error'}` with `prefix` and the reason. */
export function neverThrow<T>(prefix: string, f: () => T): T | { kind: 'error'; message: string } {
  try {
    return f();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { kind: 'error', message: `${prefix}: ${why.slice(0, 200)}` };
  }
}
