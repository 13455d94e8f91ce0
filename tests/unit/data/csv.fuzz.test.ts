/**
 * Property-based fuzzing of the CSV reader, the decoder of a user's own file. Whatever the text,
 * parseCsvDataset returns a dataset that can be trained on, or throws a plain Error whose message
 * is one or more sentences (src/ui/study.svelte.ts shows it in a try/catch). Never another
 * exception, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_LIMITS, parseCsvDataset, type CsvOptions } from '../../../src/lib/data/csv';
import { datasetHash } from '../../../src/lib/data/hash';

/** Fixed seed: a failure reproduces; fast-check prints the counterexample and its path. */
const RUNS = { seed: 20251201, numRuns: 300 } as const;

/** Parses, then checks either outcome; returns which it was. */
function check(text: string, options?: CsvOptions): 'ok' | 'refused' {
  let out: ReturnType<typeof parseCsvDataset>;
  try {
    out = parseCsvDataset(text, 'fuzz.csv', options);
  } catch (e) {
    // A refusal is a plain Error (a TypeError or RangeError would be a bug escaping).
    expect(Object.getPrototypeOf(e)).toBe(Error.prototype);
    const m = (e as Error).message;
    expect(m.trim()).not.toBe('');
    expect(m).toMatch(/\.$/);
    expect(m.length).toBeLessThan(1000);
    if (!`${text}${options?.target ?? ''}`.includes('.')) expect(m).not.toMatch(/\.\./);
    return 'refused';
  }
  const { dataset: ds, report } = out;
  expect(ds.n).toBe(report.rows);
  expect(ds.n).toBeGreaterThanOrEqual(CSV_LIMITS.minRows);
  expect(ds.d).toBe(ds.features.length);
  expect(ds.d).toBeGreaterThan(0);
  expect(ds.x.length).toBe(ds.n * ds.d);
  expect(ds.y.length).toBe(ds.n);
  expect(ds.x.every(Number.isFinite)).toBe(true);
  expect(ds.y.every(Number.isFinite)).toBe(true);
  if (ds.task === 'classification') {
    const k = ds.classes?.length ?? 0;
    expect(k).toBeGreaterThanOrEqual(2);
    expect(k).toBeLessThanOrEqual(CSV_LIMITS.maxClasses);
    expect(ds.y.every((v) => Number.isInteger(v) && v >= 0 && v < k)).toBe(true);
  } else {
    expect(ds.classes).toBeUndefined();
    expect(ds.target).toBe(report.target);
    expect(new Set(ds.y).size).toBeGreaterThan(1);
  }
  expect(report.task).toBe(ds.task);
  expect(report.columns).toContain(report.target);
  expect(ds.features).not.toContain(report.target);
  for (const f of ds.features) expect(report.columns).toContain(f);
  expect(report.droppedRows).toBe(report.drops.reduce((a, d) => a + d.rows, 0));
  expect(ds.hash).toBe(datasetHash(ds));
  for (const n of report.notes) expect(n).toMatch(/\S.*\.$/s);
  return 'ok';
}

/** Cells that have found (or could find) trouble: missing markers, non-finite and out-of-range
 *  numbers, quoting, delimiters inside cells, prototype keys, odd characters. */
const NASTY = ['', ' ', 'NA', 'n/a', '?', 'NaN', 'nan', '-nan', 'null', 'None', 'inf', '-Infinity', '+inf', '1e308', '-1e308',
  '1e39', '3.4e38', '3.41e38', '1e-400', '1e400', '0', '-0', '1', '2', '3', '0.5', '-7.25', '1e5', ' 4 ', '1.', '.5', '0x10',
  '1,5', '1_000', 'abc', 'x y', '"q"', '"a,b"', '"two\nlines"', '""', '"', 'a"b', '__proto__', 'constructor', 'prototype',
  'toString', 'hasOwnProperty', 'valueOf', '\u0000', '\ufeff', 'ü', '😀', '\ud800', ';', '\t', '|', '\r'];
const nasty = fc.constantFrom(...NASTY);
const cell = fc.oneof(
  { weight: 5, arbitrary: nasty },
  { weight: 3, arbitrary: fc.double().map(String) },
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 25 }).map(String) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const delimiter = fc.constantFrom(',', ';', '\t', '|');
const eol = fc.constantFrom('\n', '\r\n', '\r');
const header = fc.array(fc.oneof(fc.constantFrom('a', 'b', 'y', 'a', '', '1', '__proto__', 'constructor', 'column 1', 'toString'), fc.string({ maxLength: 6 })), { maxLength: 7 });
const options: fc.Arbitrary<CsvOptions | undefined> = fc.option(
  fc.record({
    target: fc.option(fc.oneof(fc.constantFrom('a', 'b', 'y', 'column 1', 'column 3', '__proto__', 'constructor'), fc.string({ maxLength: 4 })), { nil: undefined }),
    task: fc.constantFrom(undefined, 'auto', 'classification', 'regression'),
  }, { requiredKeys: [] }),
  { nil: undefined },
);

/** Anything shaped like a table: a header, rows of cells (ragged, nasty), a delimiter and line ends. */
const anyTable = fc.tuple(header, fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 40 }), delimiter, eol)
  .map(([h, rows, sep, nl]) => [h, ...rows].map((r) => r.join(sep)).join(nl));

/** Mostly well-formed numeric tables (so the success path is exercised), with a few bad cells. */
const numericTable = fc.record({
  d: fc.integer({ min: 1, max: 5 }),
  n: fc.integer({ min: 5, max: 60 }),
  labels: fc.oneof(fc.constantFrom('text', 'int', 'float', 'many-int'), fc.constant('int')),
  values: fc.array(fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.integer({ min: -9, max: 9 })), { minLength: 300, maxLength: 300 }),
  bad: fc.array(fc.tuple(fc.nat(), fc.nat(), nasty), { maxLength: 4 }),
  headerless: fc.boolean(),
  sep: delimiter,
}).map(({ d, n, labels, values, bad, headerless, sep }) => {
  const label = (i: number) => labels === 'text' ? ['cat', 'dog', 'eel'][i % 3] : labels === 'int' ? String(i % 3) : labels === 'many-int' ? String(i * 7) : String(values[(i * 13) % 300] / 7);
  const rows = Array.from({ length: n }, (_, i) => [...Array.from({ length: d }, (_, j) => String(values[(i * d + j) % 300])), label(i)]);
  for (const [r, c, v] of bad) if (rows.length) rows[r % rows.length][c % (d + 1)] = v;
  const head = [...Array.from({ length: d }, (_, j) => `f${j}`), 'y'];
  return [...(headerless ? [] : [head]), ...rows].map((r) => r.join(sep)).join('\n');
});

describe('parseCsvDataset under fuzzing', () => {
  it('anything table-shaped: a dataset, or a plain Error with a sentence', () => {
    fc.assert(fc.property(anyTable, options, (text, o) => void check(text, o)), RUNS);
  });

  it('mostly well-formed numeric tables: parses most of them, and every result is usable', () => {
    const outcomes: string[] = [];
    fc.assert(fc.property(numericTable, options, (text, o) => void outcomes.push(check(text, o))), RUNS);
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(RUNS.numRuns / 3);
  });

  it('is deterministic: the same text gives the same dataset hash', () => {
    fc.assert(fc.property(numericTable, (text) => {
      let a: string | null = null;
      let b: string | null = null;
      try { a = parseCsvDataset(text, 'a.csv').dataset.hash; } catch { a = 'refused'; }
      try { b = parseCsvDataset(text, 'b.csv').dataset.hash; } catch { b = 'refused'; }
      expect(a).toBe(b);
    }), { ...RUNS, numRuns: 100 });
  });

  it('truncated tables: cut anywhere, still a dataset or a sentence', () => {
    fc.assert(fc.property(numericTable, fc.double({ min: 0, max: 1, noNaN: true }), (text, at) => void check(text.slice(0, Math.floor(at * text.length)))), RUNS);
  });

  it('random text and random bytes (as UTF-8 and as Latin-1)', () => {
    const bytes = fc.uint8Array({ maxLength: 3000 });
    fc.assert(fc.property(fc.oneof(
      fc.string({ unit: 'binary', maxLength: 500 }),
      fc.string({ unit: fc.constantFrom(',', ';', '"', '\n', '\r', '1', 'a', ' ', '.', 'e', '-'), maxLength: 800 }),
      bytes.map((b) => new TextDecoder('utf-8').decode(b)),
      bytes.map((b) => String.fromCharCode(...b)),
    ), options, (text, o) => void check(text, o)), RUNS);
  });

  it('never touches Object.prototype, whatever the column names', () => {
    const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
    const text = [names.join(','), ...Array.from({ length: 12 }, (_, i) => `${i},${i * 2},${i % 3},${i},${i % 2}`)].join('\n');
    for (const target of names) {
      check(text, { target });
    }
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(({} as Record<string, unknown>).toString).toBe(Object.prototype.toString);
  });

  // Huge inputs are refused (or read) in bounded time: the size limit is checked first, and rows
  // past the row limit are not even kept.
  it.each([
    ['over the size limit', () => 'a,b\n'.repeat(CSV_LIMITS.maxBytes / 4 + 1), /too large/],
    ['5 MB of line breaks', () => '\n'.repeat(CSV_LIMITS.maxBytes - 1), /empty/],
    ['a million blank lines between rows', () => 'a,b\n1,0\n' + '\n'.repeat(1e6) + Array.from({ length: 12 }, (_, i) => `${i},${i % 2}`).join('\n'), /^$/],
    ['5 MB on one line', () => 'a,'.repeat(CSV_LIMITS.maxBytes / 2 - 1), /2,499,999 columns; the limit is 200/],
    ['an unterminated quote over 5 MB', () => 'a,b\n1,"' + 'x'.repeat(CSV_LIMITS.maxBytes - 10), /not valid CSV/],
    ['a million cells in one row', () => 'a,b\n' + '1,'.repeat(1e6) + '\n' + Array.from({ length: 12 }, (_, i) => `${i},${i % 2}`).join('\n'), /^$/],
    ['too many rows', () => 'a,b,c,d\n' + '1,2,3,0\n4,5,6,1\n'.repeat(CSV_LIMITS.maxRows), /more than 20,000 rows/],
    ['the most rows and many columns', () => Array.from({ length: CSV_LIMITS.maxRows + 1 }, (_, i) => Array.from({ length: 12 }, (_, j) => (i ? (i * j) % 97 : `c${j}`)).join(',')).join('\n'), /^$/],
  ])('huge input, bounded time: %s', (_name, make, message) => {
    const text = make();
    const t0 = performance.now();
    let m = '';
    try {
      parseCsvDataset(text, 'huge.csv');
    } catch (e) {
      m = (e as Error).message;
    }
    const ms = performance.now() - t0;
    expect(m).toMatch(message);
    expect(ms).toBeLessThan(5000);
  });
});
