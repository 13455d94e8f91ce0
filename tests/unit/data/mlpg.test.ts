import { describe, expect, it } from 'vitest';
import { loadMlpg, parseMlpg, verifySha256 } from '../../../src/lib/data/mlpg';
import type { MlpgHeader } from '../../../src/lib/data/mlpg';
import { diskFetch, readMlpg } from './fixtures';

/** id, n, d, classes (0 = regression). */
const SHIPPED = [
  ['penguins', 342, 4, 3],
  ['iris', 150, 4, 3],
  ['breast_cancer', 569, 30, 2],
  ['digits8x8', 1797, 64, 10],
  ['auto_mpg', 392, 9, 0],
] as const;

describe('parseMlpg on the shipped files', () => {
  it.each(SHIPPED)('%s: %i x %i, %i classes', (id, n, d, k) => {
    const { header, bin } = readMlpg(id);
    const ds = parseMlpg(header, bin);
    expect([ds.id, ds.n, ds.d, ds.x.length, ds.y.length]).toEqual([id, n, d, n * d, n]);
    expect(ds.features).toHaveLength(d);
    expect(ds.is2d).toBe(false);
    expect(ds.meta.license).toBe(header.license);
    expect(ds.meta.citation).toBe(header.citation);
    expect(ds.meta.url).toMatch(/^https?:\/\//);
    expect(ds.x.every(Number.isFinite) && ds.y.every(Number.isFinite)).toBe(true);
    if (k === 0) {
      expect(ds.task).toBe('regression');
      expect(ds.classes).toBeUndefined();
    } else {
      expect(ds.classes).toHaveLength(k);
      const counts = new Array<number>(k).fill(0);
      for (const c of ds.y) counts[c]++;
      expect(counts).toEqual(header.classCounts);
    }
    // Decoding check: column means agree with the header's summary statistics.
    const stats = header.stats as { mean: number[] } | undefined;
    stats?.mean.forEach((m, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += ds.x[i * d + j];
      expect(s / n).toBeCloseTo(m, Math.abs(m) > 100 ? 0 : 2);
    });
  });

  it('decodes known rows (iris row 0, digits pixels 0..16 as floats)', () => {
    const iris = parseMlpg(readMlpg('iris').header, readMlpg('iris').bin);
    expect(Array.from(iris.x.slice(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    const digits = parseMlpg(readMlpg('digits8x8').header, readMlpg('digits8x8').bin);
    expect(Math.max(...digits.x)).toBe(16);
    expect(digits.x.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(digits.image).toMatchObject({ width: 8, height: 8, maxValue: 16 });
  });

  it.each(SHIPPED.map(([id]) => id))('%s: sha256 verifies, and a flipped byte does not', async (id) => {
    const { header, bin } = readMlpg(id);
    await expect(verifySha256(bin, header.sha256 as string)).resolves.toBe(true);
    const bad = bin.slice(0);
    new Uint8Array(bad)[0] ^= 1;
    await expect(verifySha256(bad, header.sha256 as string)).rejects.toThrow(/corrupt/);
  });
});

describe('parseMlpg rejects malformed input with a message', () => {
  // Mutations start from a valid header and may return anything.
  type H = MlpgHeader;
  const cases: [string, (h: H) => unknown, RegExp][] = [
    ['not an object', () => null, /malformed/],
    ['wrong format tag', (h) => ({ ...h, format: 'npy' }), /malformed[\s\S]*format/],
    ['missing citation', ({ citation: _, ...h }) => h, /citation/],
    ['bad dtype', (h) => ({ ...h, x: { ...h.x, dtype: 'float64' } }), /dtype/],
    ['x.byteLength disagrees with shape', (h) => ({ ...h, x: { ...h.x, byteLength: h.x.byteLength - 4 } }), /x\.byteLength is \d+ but/],
    ['count disagrees with x.shape', (h) => ({ ...h, count: 151 }), /x\.shape\[0\] is 150 but count is 151/],
    ['feature names missing', (h) => ({ ...h, features: h.features.slice(1) }), /3 feature names for 4 features/],
    ['classCounts wrong', (h) => ({ ...h, classCounts: [49, 51, 50] }), /classCounts/],
    ['classification without classes', ({ classes: _, ...h }) => h, /needs `classes`/],
    ['test split out of range', (h) => ({ ...h, splits: { test: [100, 200] } }), /splits\.test/],
    ['test split covers everything', (h) => ({ ...h, splits: { test: [0, 150] } }), /splits\.test/],
    ['binFile with a path', (h) => ({ ...h, binFile: '../secret.bin' }), /binFile/],
    ['bad sha256', (h) => ({ ...h, sha256: 'abc' }), /sha256/],
  ];
  it.each(cases)('%s', (_, mutate, message) => {
    const { header, bin } = readMlpg('iris');
    expect(() => parseMlpg(mutate(structuredClone(header) as unknown as H), bin)).toThrow(message);
  });

  it('truncated payload', () => {
    const { header, bin } = readMlpg('iris');
    expect(() => parseMlpg(header, bin.slice(0, bin.byteLength - 10))).toThrow(/iris\.bin has 2540 bytes.*truncated/);
  });

  it('label outside the classes', () => {
    const { header, bin } = readMlpg('iris');
    new Uint8Array(bin)[2400] = 3;
    expect(() => parseMlpg(header, bin)).toThrow(/label 3 is not a class index in 0\.\.2/);
  });

  it('NaN feature', () => {
    const { header, bin } = readMlpg('iris');
    new DataView(bin).setFloat32(8, Number.NaN, true);
    expect(() => parseMlpg(header, bin)).toThrow(/NaN/);
  });
});

describe('fixed test split', () => {
  it('is carried as testRange', () => {
    const { header, bin } = readMlpg('iris');
    expect(parseMlpg({ ...header, splits: { train: [0, 120], test: [120, 150] } }, bin).testRange).toEqual([120, 150]);
    expect(parseMlpg(header, bin).testRange).toBeUndefined();
  });
});

describe('loadMlpg', () => {
  it('fetches header then payload relative to the base URL', async () => {
    const urls: string[] = [];
    const ds = await loadMlpg('https://example.org/app/datasets/', 'penguins', diskFetch(urls));
    expect(urls).toEqual(['https://example.org/app/datasets/penguins.json', 'https://example.org/app/datasets/penguins.bin']);
    expect(ds.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  });

  it('reports HTTP errors, id mismatches and corrupt payloads', async () => {
    await expect(loadMlpg('datasets', 'nope', diskFetch())).rejects.toThrow('Could not load datasets/nope.json: HTTP 404');
    const renamed = diskFetch();
    const swapped = async (url: string) => renamed(url.replace('iris.json', 'penguins.json'));
    await expect(loadMlpg('', 'iris', swapped)).rejects.toThrow(/describes dataset 'penguins', expected 'iris'/);
    const corrupt = async (url: string) => {
      const res = await diskFetch()(url);
      if (!url.endsWith('.bin')) return res;
      const bytes = new Uint8Array(await res.arrayBuffer());
      bytes[5] ^= 0xff;
      return new Response(bytes);
    };
    await expect(loadMlpg('', 'iris', corrupt)).rejects.toThrow(/iris\.bin is corrupt/);
  });
});
