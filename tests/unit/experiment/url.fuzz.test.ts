/**
 * Property-based fuzzing of the URL hash decoder, the decoder of a link anyone can send. Whatever the
 * hash, decodeExperiment returns `empty`, `ok` (a valid experiment) or `error` with a short message
 * made of sentences — it never throws (src/ui/study.svelte.ts calls it without a try), never hangs,
 * never pollutes Object.prototype — and every valid experiment survives encode -> decode unchanged.
 */
import fc from 'fast-check';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { defaultEarlyStopping, defaultExperiment, defaultPruner, fixedSpace } from '../../../src/lib/experiment/defaults';
import { ACTIVATIONS, BACKEND_PREFS, INITS, LIMITS, OPTIMIZERS, PRUNER_KINDS, STRATEGY_KINDS } from '../../../src/lib/experiment/params';
import type { Experiment, SearchSpace } from '../../../src/lib/experiment/types';
import { decodeExperiment, decompressBounded, encodeExperiment, HASH_PREFIX, MAX_HASH_LENGTH } from '../../../src/lib/experiment/url';
import { validateExperiment } from '../../../src/lib/experiment/validate';
import { DATASETS } from '../../../src/lib/data/registry';

const RUNS = { seed: 20251201, numRuns: 300 } as const;
const URI_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';
const linkOf = (json: string) => HASH_PREFIX + LZString.compressToEncodedURIComponent(json);

/** Decodes and checks what any hash must give; returns the result. */
function check(hash: string) {
  const r = decodeExperiment(hash);
  expect(['empty', 'ok', 'error']).toContain(r.kind);
  if (r.kind === 'error') {
    expect(r.message.trim()).not.toBe('');
    expect(r.message).toMatch(/[^.]\.$/);
    expect(r.message.length).toBeLessThan(1500);
    // Messages quote what they received, so '..' in the link may come back; nothing else may.
    const d = hash.includes(HASH_PREFIX) ? decompressBounded(hash.slice(hash.indexOf(HASH_PREFIX) + HASH_PREFIX.length), 1e6) : null;
    const json = d?.kind === 'ok' ? d.text : '';
    if (!json.includes('..')) expect(r.message).not.toMatch(/\.\./);
  }
  if (r.kind === 'ok') expect(validateExperiment(r.experiment)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  return r;
}

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((v) => v + 0); // no -0: JSON has none
const space = fc.constantFrom<SearchSpace>(
  defaultExperiment().space,
  fixedSpace(),
  { ...fixedSpace(), optimizer: { type: 'categorical', choices: ['sgd', 'adam'] }, batchSize: { type: 'categorical', choices: [8, 64, 256] } },
  { ...fixedSpace(), dropout: { type: 'float', low: 0, high: 0.5, log: false }, depth: { type: 'int', low: 1, high: 4, log: false } },
);

/** Valid experiments over the whole range of every field (then filtered by validateExperiment). */
const validExperiment: fc.Arbitrary<Experiment> = fc.record({
  data: fc.record({
    id: fc.constantFrom(...DATASETS.map((d) => d.id)),
    noise: num(0, LIMITS.maxNoise),
    samples: fc.integer({ min: LIMITS.minSamples, max: LIMITS.maxSamples }),
    valFraction: num(LIMITS.minVal, LIMITS.maxVal),
    seed: fc.integer(),
    testFraction: fc.oneof(fc.constant(0), num(0.1, LIMITS.maxTestFraction)),
  }),
  model: fc.record({
    layers: fc.array(fc.record({ units: fc.integer({ min: 1, max: LIMITS.maxUnits }), activation: fc.constantFrom(...ACTIVATIONS) }), { minLength: 1, maxLength: LIMITS.maxLayers }),
    dropout: num(0, 0.9),
    l1: num(0, LIMITS.maxPenalty),
    l2: num(0, LIMITS.maxPenalty),
    init: fc.constantFrom(...INITS),
    optimizer: fc.constantFrom(...OPTIMIZERS),
    learningRate: num(1e-6, LIMITS.maxLearningRate),
    batchSize: fc.integer({ min: 1, max: LIMITS.maxBatch }),
    epochs: fc.integer({ min: 10, max: LIMITS.maxEpochs }),
  }),
  space,
  strategy: fc.record({
    kind: fc.constantFrom(...STRATEGY_KINDS),
    budget: fc.integer({ min: 1, max: LIMITS.maxBudget }),
    concurrency: fc.integer({ min: 1, max: LIMITS.maxConcurrency }),
    autoWorkers: fc.boolean(),
    batching: fc.boolean(),
    seed: fc.integer(),
    gridPoints: fc.integer({ min: 2, max: LIMITS.maxGridPoints }),
    pruner: fc.constantFrom(...PRUNER_KINDS).map((kind) => ({ ...defaultPruner(), kind })),
    earlyStopping: fc.boolean().map((enabled) => ({ ...defaultEarlyStopping(), enabled })),
    validation: fc.oneof(fc.constant({ scheme: 'holdout' as const, k: 5 }), fc.integer({ min: LIMITS.minFolds, max: LIMITS.maxFolds }).map((k) => ({ scheme: 'kfold' as const, k }))),
    repeats: fc.integer({ min: 1, max: LIMITS.maxRepeats }),
  }),
  backend: fc.constantFrom(...BACKEND_PREFS),
}).map((p) => ({ version: 1 as const, ...p })).filter((e) => validateExperiment(e).length === 0);

/** Values of every JSON type, plus the ones that have found trouble elsewhere. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(null, '', '..', 1e308, -1e308, 1e-320, -0, 2 ** 53 + 1, [], {}, { toString: 1 }, { valueOf: {} }, 'x'.repeat(5000), '__proto__', 'constructor'),
);

/** A valid experiment's JSON with one field (at any depth) replaced, removed, or given a sibling. */
const mutatedJson = fc.tuple(validExperiment, fc.nat(), hostileValue, fc.constantFrom('replace', 'delete', 'add')).map(([e, pick, value, how]) => {
  const paths: (string | number)[][] = [];
  const walk = (o: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, [...path, Array.isArray(o) ? Number(k) : k]);
  };
  walk(e, []);
  const path = paths[pick % paths.length];
  const root = JSON.parse(JSON.stringify(e)) as Record<string | number, unknown>;
  if (path.length === 0) return JSON.stringify(value);
  let parent = root;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (how === 'replace') parent[last] = value;
  else if (how === 'delete') delete parent[last];
  else parent[`${String(last)}_extra`] = value;
  return JSON.stringify(root);
});

/** A valid experiment's JSON with a prototype key spliced into one of its objects (as text: an
 *  object literal would set the prototype instead of making a key). */
const pollutedJson = fc.tuple(validExperiment, fc.nat(), fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom('{"polluted":1}', '{"prototype":{"polluted":1}}', '1', 'null'))
  .map(([e, pick, key, value]) => {
    const json = JSON.stringify(e);
    const opens = [...json.matchAll(/\{/g)].map((m) => m.index ?? 0);
    const at = opens[pick % opens.length] + 1;
    return `${json.slice(0, at)}"${key}":${value},${json.slice(at)}`;
  });

/** Deeply nested arrays or objects, at the top or in place of a field. */
const nestedJson = fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('array', 'object', 'in-a-field')).map(([n, how]) => {
  const deep = how === 'object' ? '{"a":'.repeat(n) + '1' + '}'.repeat(n) : '['.repeat(n) + ']'.repeat(n);
  return how === 'in-a-field' ? JSON.stringify(defaultExperiment()).replace('"spiral"', deep) : deep;
});

describe('decodeExperiment under fuzzing', () => {
  it('round-trips every valid experiment exactly', () => {
    fc.assert(fc.property(validExperiment, (e) => {
      const r = check('#' + encodeExperiment(e));
      expect(r).toEqual({ kind: 'ok', experiment: e });
    }), RUNS);
  });

  it('random strings, with or without a prefix', () => {
    const uri = fc.string({ unit: fc.constantFrom(...URI_ALPHABET), maxLength: 400 });
    fc.assert(fc.property(fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      uri.map((s) => HASH_PREFIX + s),
      uri.map((s) => `#${HASH_PREFIX}${s}`),
      fc.string({ maxLength: 200 }).map((s) => HASH_PREFIX + s),
      fc.tuple(fc.nat({ max: 99 }), uri).map(([v, s]) => `x${v}=${s}`),
    ), (h) => void check(h)), RUNS);
  });

  it('JSON of every type and shape, compressed properly', () => {
    fc.assert(fc.property(fc.oneof(fc.json({ maxDepth: 4 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null')), (json) => void check(linkOf(json))), RUNS);
  });

  it('valid experiments with one field replaced, removed or added', () => {
    fc.assert(fc.property(mutatedJson, (json) => void check(linkOf(json))), RUNS);
  });

  it('prototype-pollution keys anywhere', () => {
    fc.assert(fc.property(pollutedJson, (json) => {
      const r = check(linkOf(json));
      expect(r.kind).toBe('error');
    }), RUNS);
  });

  it('deeply nested JSON', () => {
    fc.assert(fc.property(nestedJson, (json) => void check(linkOf(json))), { ...RUNS, numRuns: 60 });
  });

  it('valid links cut short, or with a character changed', () => {
    fc.assert(fc.property(validExperiment, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...URI_ALPHABET, ' ', '%', '#'), fc.boolean(), (e, at, c, cut) => {
      const link = encodeExperiment(e);
      const i = Math.floor(at * link.length);
      check(cut ? link.slice(0, i) : link.slice(0, i) + c + link.slice(i + 1));
    }), RUNS);
  });

  it('huge hashes are refused in bounded time', () => {
    fc.assert(fc.property(fc.integer({ min: MAX_HASH_LENGTH - 50, max: MAX_HASH_LENGTH + 50 }), fc.constantFrom(...URI_ALPHABET), fc.nat(), (n, c, salt) => {
      const body = Array.from({ length: n - HASH_PREFIX.length }, (_, i) => (i * 7 + salt) % 11 === 0 ? URI_ALPHABET[(i + salt) % 64] : c).join('');
      const t0 = performance.now();
      check(HASH_PREFIX + body);
      expect(performance.now() - t0).toBeLessThan(1000);
    }), { ...RUNS, numRuns: 40 });
  });
});

/** A link body whose codes expand to 'a', 'aa', 'aaa', …: `codes` codes -> about codes²/2 characters. */
function bombLink(codes: number): string {
  const out: string[] = [];
  let val = 0;
  let pos = 0;
  const write = (value: number, nBits: number) => {
    for (let i = 0; i < nBits; i++) {
      val = (val << 1) | ((value >> i) & 1);
      if (++pos === 6) {
        out.push(URI_ALPHABET[val]);
        val = 0;
        pos = 0;
      }
    }
  };
  write(0, 2);
  write(97, 8);
  let dictSize = 4;
  let numBits = 3;
  let enlargeIn = 4;
  for (let k = 0; k < codes; k++) {
    write(dictSize++, numBits);
    if (--enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits++;
    }
  }
  write(2, numBits);
  if (pos > 0) out.push(URI_ALPHABET[val << (6 - pos)]);
  return out.join('');
}

describe('decompressBounded', () => {
  it('gives what lz-string gives, for any text compressed by lz-string', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), fc.json()), (s) => {
      const c = LZString.compressToEncodedURIComponent(s);
      expect(decompressBounded(c, 1e6)).toEqual({ kind: 'ok', text: s });
      expect(decompressBounded(c.replace(/\+/g, ' '), 1e6)).toEqual({ kind: 'ok', text: s });
    }), RUNS);
  });

  it('agrees with lz-string on random input whenever it decodes it', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...URI_ALPHABET), maxLength: 300 }), (s) => {
      const d = decompressBounded(s, 1e6);
      if (d.kind === 'ok') expect(d.text).toBe(LZString.decompressFromEncodedURIComponent(s));
    }), RUNS);
  });

  it('says too-long past the limit, and exactly at it says ok', () => {
    const c = LZString.compressToEncodedURIComponent('x'.repeat(1000));
    expect(decompressBounded(c, 999)).toEqual({ kind: 'too-long' });
    expect(decompressBounded(c, 1000)).toEqual({ kind: 'ok', text: 'x'.repeat(1000) });
  });
});

describe('decodeExperiment: defects the fuzzing found', () => {
  it('the bomb helper builds what lz-string decodes', () => {
    // 'a', then 'aa', 'aaa', … 'a' × 101
    expect(LZString.decompressFromEncodedURIComponent(bombLink(100))).toBe('a'.repeat((101 * 102) / 2));
  });

  // lz-string itself throws a TypeError on some inputs ("y"); the bounded decoder says damaged.
  it.each(['y', 'x1=y', '#x1=y'])('reads %s as a damaged link', (h) => {
    expect(decodeExperiment(h.startsWith('#') || h.startsWith('x') ? h : HASH_PREFIX + h)).toEqual({ kind: 'error', message: 'The shared link is damaged: it could not be decompressed.' });
  });

  // A 16,000-character link that expands to ~25 million characters: lz-string built all of them
  // (hundreds of ms, ~100 MB) before the length check could refuse it.
  it('refuses a decompression bomb without expanding it', () => {
    let codes = 100;
    while (bombLink(codes * 2).length + HASH_PREFIX.length <= MAX_HASH_LENGTH) codes *= 2;
    while (bombLink(codes + 500).length + HASH_PREFIX.length <= MAX_HASH_LENGTH) codes += 500;
    const hash = HASH_PREFIX + bombLink(codes);
    expect(hash.length).toBeGreaterThan(MAX_HASH_LENGTH * 0.9);
    const t0 = performance.now();
    const r = decodeExperiment(hash);
    const ms = performance.now() - t0;
    expect(r).toEqual({ kind: 'error', message: 'The shared link holds too much data.' });
    expect(ms).toBeLessThan(150);
  });

  // The issue: "must be at most 10.." — a message that ends in a full stop, joined and stopped again.
  it.each([
    ['grid points 11', (e: Experiment) => (e.strategy.gridPoints = 11), /: strategy\.gridPoints: Grid points per axis must be between 2 and 10\.$/],
    ['noise 0.9 and grid points 11', (e: Experiment) => ((e.data.noise = 0.9), (e.strategy.gridPoints = 11)), /between 0 and 50%; strategy\.gridPoints: .* between 2 and 10\.$/],
    ['a schema message (no full stop of its own)', (e: Experiment) => ((e.model as { optimizer: string }).optimizer = 'lbfgs'), /but received "lbfgs"\.$/],
  ])('one full stop at the end of an invalid-settings message: %s', (_name, edit, message) => {
    const e = defaultExperiment();
    edit(e);
    const r = decodeExperiment('#' + linkOf(JSON.stringify(e)));
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.message).toMatch(message);
    expect(r.message).not.toMatch(/\.\./);
  });

  // A link holding a 30,000-character value made a 30,000-character message.
  it('keeps messages short when the link holds a huge value', () => {
    const e = defaultExperiment() as unknown as { strategy: { kind: string }; evil?: string };
    e.strategy.kind = 'a'.repeat(30_000);
    e[`${'k'.repeat(30_000)}` as 'evil'] = '1';
    const r = check('#' + linkOf(JSON.stringify(e)));
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message.length).toBeLessThan(600);
  });
});
