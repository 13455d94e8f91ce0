/** Helpers for the hostile-input properties of the file and link decoders. */
import fc from 'fast-check';

/** Every path (keys and indices) to a value inside `x`, at most `max` of them, breadth first. */
export function pathsOf(x: unknown, max = 400): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: { v: unknown; path: (string | number)[] }[] = [{ v: x, path: [] }];
  while (queue.length && out.length < max) {
    const { v, path } = queue.shift()!;
    if (path.length) out.push(path);
    if (Array.isArray(v)) v.forEach((c, i) => queue.push({ v: c, path: [...path, i] }));
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) queue.push({ v: c, path: [...path, k] });
  }
  return out;
}

/** A deep copy of `x` with the value at `path` replaced by `value`. */
export function setAt(x: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(x) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = value;
  return copy;
}

/** Keys that would reach a prototype if an object were merged carelessly. */
export const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** JSON text with a polluting key at the top level or inside `params`, as an attacker would write it. */
export const pollutedText = (doc: object): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...POLLUTING_KEYS), fc.boolean()).map(([key, nested]) => {
    const text = JSON.stringify(doc);
    const payload = `"${key}":{"polluted":true,"toString":1}`;
    return nested ? text.replace('"params":{', `"params":{${payload},`) : `{${payload},${text.slice(1)}`;
  });

/** Arbitrary hostile replacement values: wrong types, huge numbers, long strings, big arrays. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, -1, 1e308, -0, 2 ** 53, '', 'NaN', true, [], {}),
  fc.string({ maxLength: 3000 }),
  fc.array(fc.integer(), { minLength: 600, maxLength: 700 }),
);

/** Whether Object.prototype is still clean. */
export const prototypeClean = (): boolean => !('polluted' in Object.prototype) && !('polluted' in ({} as object));
