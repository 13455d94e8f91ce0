/**
 * Property-based fuzzing of the reader of shipped dataset files (header JSON + payload bytes).
 * The files come from the app's own folder, but a proxy, a cache or a bad deploy can hand it
 * anything: parseMlpg returns a dataset that can be trained on, or throws a plain Error that says
 * what is wrong. Never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { datasetHash } from '../../../src/lib/data/hash';
import { loadMlpg, parseMlpg, parseMlpgHeader } from '../../../src/lib/data/mlpg';
import type { Dataset } from '../../../src/lib/data/types';
import { readMlpg } from './fixtures';

const RUNS = { seed: 20251201, numRuns: 300 } as const;
const IDS = ['iris', 'penguins', 'auto_mpg', 'digits8x8'] as const;
const FILES = Object.fromEntries(IDS.map((id) => [id, readMlpg(id)]));

/** Parses and checks either outcome. */
function check(header: unknown, bin: ArrayBuffer): 'ok' | 'refused' {
  let ds: Dataset;
  try {
    ds = parseMlpg(header, bin);
  } catch (e) {
    expect(Object.getPrototypeOf(e)).toBe(Error.prototype);
    expect((e as Error).message.trim()).not.toBe('');
    expect((e as Error).message.length).toBeLessThan(3000);
    return 'refused';
  }
  expect(ds.x.length).toBe(ds.n * ds.d);
  expect(ds.y.length).toBe(ds.n);
  expect(ds.features).toHaveLength(ds.d);
  expect(ds.x.every(Number.isFinite) && ds.y.every(Number.isFinite)).toBe(true);
  if (ds.task === 'classification') {
    const k = ds.classes?.length ?? 0;
    expect(ds.y.every((v) => Number.isInteger(v) && v >= 0 && v < k)).toBe(true);
  }
  if (ds.testRange) {
    const [a, b] = ds.testRange;
    expect(0 <= a && a < b && b <= ds.n && b - a < ds.n).toBe(true);
  }
  expect(ds.hash).toBe(datasetHash(ds));
  return 'ok';
}

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(null, '', -1, 0, 1, 2 ** 31, 2 ** 53, 1e308, 1.5, -0, [], [0], [1e9, 1e9], {}, { toString: 1 }, 'uint8', 'float32', '__proto__'),
);

/** A shipped header with one field (at any depth) replaced or removed, or a prototype key added. */
const mutatedHeader = fc.tuple(fc.constantFrom(...IDS), fc.nat(), hostileValue, fc.constantFrom('replace', 'delete', 'proto')).map(([id, pick, value, how]) => {
  const root = JSON.parse(JSON.stringify(FILES[id].header)) as Record<string, unknown>;
  const paths: string[][] = [];
  const walk = (o: unknown, path: string[]) => {
    paths.push(path);
    if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, [...path, k]);
  };
  walk(root, []);
  const path = paths[pick % paths.length];
  if (path.length === 0) return { id, header: value };
  let parent = root;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (how === 'replace') parent[last] = value;
  else if (how === 'delete') delete parent[last];
  else return { id, header: JSON.parse(JSON.stringify(root).replace('{', '{"__proto__":{"polluted":1},')) as unknown };
  return { id, header: root as unknown };
});

/** A shipped payload cut short, grown, with bytes changed, or replaced by random bytes. */
const payload = (id: (typeof IDS)[number]) => fc.oneof(
  fc.constant(FILES[id].bin),
  fc.nat().map((n) => FILES[id].bin.slice(0, n % (FILES[id].bin.byteLength + 1))),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
    const b = FILES[id].bin.slice(0);
    const u = new Uint8Array(b);
    for (const [i, v] of edits) u[i % u.length] = v;
    return b;
  }),
  fc.uint8Array({ maxLength: 4000 }).map((u) => u.slice().buffer),
);

describe('parseMlpg under fuzzing', () => {
  it('headers with one field changed, on the real payload', () => {
    fc.assert(fc.property(mutatedHeader, ({ id, header }) => void check(header, FILES[id].bin)), RUNS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the real header on damaged payloads (NaN and infinite floats, bad labels, short files)', () => {
    fc.assert(fc.property(fc.constantFrom(...IDS).chain((id) => fc.tuple(fc.constant(id), payload(id))), ([id, bin]) => void check(FILES[id].header, bin)), RUNS);
  });

  it('any JSON as a header', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 64 }), (h, b) => void check(h, b.slice().buffer)), RUNS);
  });

  it('loadMlpg: random bytes as the header file reject with an Error', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      const fetchFn = async () => new Response(bytes.slice());
      await expect(loadMlpg('', 'iris', fetchFn)).rejects.toThrow(Error);
    }), { ...RUNS, numRuns: 100 });
  });
});

describe('parseMlpg: defects the fuzzing found', () => {
  // String() of an object whose toString is not a function throws a TypeError, which escaped
  // from the code meant to name the malformed header.
  it.each([{ toString: 1 }, { toString: {}, valueOf: {} }, ['x'], 42])('a header whose id is %j is reported as malformed', (id) => {
    expect(() => parseMlpgHeader({ id })).toThrow(/^Dataset header '\?' is malformed/);
  });
});
