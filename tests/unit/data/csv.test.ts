import { describe, expect, it } from 'vitest';
import { CSV_LIMITS, parseCsvDataset, type CsvOptions } from '../../../src/lib/data/csv';

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
/** The message parseCsvDataset throws for `text`, or '' when it parses. */
const refusal = (text: string, options?: CsvOptions): string => {
  try {
    parseCsvDataset(text, 'bad.csv', options);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('parseCsvDataset', () => {
  it('reads numeric features and a text target as classes', () => {
    const text = 'a,b,species\n' + rows(12, (i) => `${i},${i * 2},${i % 3 === 0 ? 'x' : 'y'}`);
    const { dataset, report } = parseCsvDataset(text, 'mine.csv');
    expect(dataset.task).toBe('classification');
    expect(dataset.classes).toEqual(['x', 'y']);
    expect(dataset.features).toEqual(['a', 'b']);
    expect([dataset.n, dataset.d]).toEqual([12, 2]);
    expect(Array.from(dataset.x.slice(2, 4))).toEqual([1, 2]);
    expect(dataset.y[0]).toBe(0);
    expect(dataset.y[1]).toBe(1);
    expect(report).toMatchObject({ droppedRows: 0, columns: ['a', 'b', 'species'], target: 'species', task: 'classification', headerless: false });
    expect(report.taskReason).toMatch(/text labels/);
  });

  it('makes a regression of a real-valued target and drops incomplete rows and text columns', () => {
    const text = 'x,name,y\n' + rows(15, (i) => `${i},n${i},${i * 0.5 + 0.25}`) + '\n3,,\n,zz,1.5';
    const { dataset, report } = parseCsvDataset(text, 'r.csv');
    expect(dataset.task).toBe('regression');
    expect(dataset.target).toBe('y');
    expect(report.droppedColumns).toEqual(['name']);
    expect(report.droppedRows).toBe(2);
    expect(report.drops).toEqual([{ reason: 'missing', rows: 2, firstRow: 17, column: 'y', value: '' }]);
    expect(dataset.n).toBe(15);
    expect(report.taskReason).toMatch(/fractions/);
  });

  it.each<[string, string, RegExp, CsvOptions?]>([
    ['empty', '', /empty/],
    ['blank lines only', '\n \n\r\n', /empty/],
    ['one column', 'a\n1\n2', /at least two columns/],
    ['too few rows', 'a,b\n1,0\n2,1', /Only 2 complete rows/],
    ['constant target', 'a,b\n' + rows(12, (i) => `${i},1`), /only one value/],
    ['text-only features', 'a,b\n' + rows(12, (i) => `w${i},${i % 2}`), /No numeric feature column: "a" \(text\)/],
    ['too many classes', 'a,b\n' + rows(30, (i) => `${i},c${i}`), /30 different labels; at most 20 classes/],
    ['unknown target', 'a,b\n' + rows(12, (i) => `${i},${i % 2}`), /no column named "z"; the columns are "a", "b"/, { target: 'z' }],
    ['duplicate header', 'a,a,b\n' + rows(12, (i) => `${i},${i},${i % 2}`), /Two columns are named "a"/],
    ['unbalanced quotes', 'a,b\n1,"x\n' + rows(12, (i) => `${i},${i % 2}`), /not valid CSV: quoted field unterminated \(row 2\)/],
    ['too many rows', 'a,b\n' + rows(CSV_LIMITS.maxRows + 1, (i) => `${i},${i % 2}`), /more than 20,000 rows/],
    ['classification chosen, 5,000 labels', 'a,b\n' + rows(5000, (i) => `${i % 7},${i}`), /5,000 different values; a classification supports at most 20 classes\. Choose regression/, { task: 'classification' }],
    ['regression chosen, text target', 'a,b\n' + rows(12, (i) => `${i},${i % 2 ? 'cat' : 'dog'}`), /holds text \("dog" in row 2\); a regression needs numbers/, { task: 'regression' }],
    // The issue: ±1e308 was called a text column. It is a number a 32-bit float cannot hold.
    ['a column of ±1e308', 'a,big,y\n' + rows(12, (i) => `${i},${i % 2 ? '' : '-'}1e308,${i % 2}`), /Column "big" holds values that cannot be represented \("-1e308" in row 2\).*±3\.4e38/],
    ['a column of infinities', 'a,c,y\n' + rows(12, (i) => `${i},inf,${i % 2}`), /Column "c" holds values that cannot be represented/],
    ['a target beyond float32', 'a,y\n' + rows(12, (i) => `${i},${i + 1}e39`), /^Only 0 complete rows \(at least 10 are needed\)\. 12 rows dropped: 12 with a value beyond ±3\.4e38, which 32-bit floats cannot represent \(first: row 2, column "y": "1e39"\)\.$/],
  ])('explains a broken file: %s', (_name, text, message, options?: CsvOptions) => {
    expect(refusal(text, options)).toMatch(message);
  });

  // The issue: one NaN or Infinity target cell made a regression file "100 different labels".
  it.each([
    ['NaN', 'missing', /1 row dropped: 1 with a missing value \(first: row 5, column "y": "NaN"\)/],
    ['Infinity', 'infinite', /1 row dropped: 1 with an infinite value \(first: row 5, column "y": "Infinity"\)/],
    ['-inf', 'infinite', /infinite value/],
    ['NA', 'missing', /missing value/],
    ['?', 'missing', /missing value/],
    ['3e39', 'too-large', /beyond ±3\.4e38, which 32-bit floats cannot represent \(first: row 5, column "y": "3e39"\)/],
  ])('a regression with one %s target drops that row and says where', (cell, reason, note) => {
    const text = 'x,y\n' + rows(100, (i) => `${i},${i === 3 ? cell : (i * 0.37).toFixed(2)}`);
    const { dataset, report } = parseCsvDataset(text, 'r.csv');
    expect(dataset.task).toBe('regression');
    expect(dataset.n).toBe(99);
    expect(report.drops).toEqual([{ reason, rows: 1, firstRow: 5, column: 'y', value: cell }]);
    expect(report.notes.join(' ')).toMatch(note);
  });

  it('reads numbers of any size that float32 holds as numbers (not text)', () => {
    const text = 'a,b,y\n' + rows(12, (i) => `${i}e20,-${i}.5e37,${i % 2}`);
    const { dataset, report } = parseCsvDataset(text, 'big.csv');
    expect(report.droppedColumns).toEqual([]);
    expect(dataset.features).toEqual(['a', 'b']);
    expect(dataset.x[2]).toBe(Math.fround(1e20));
    expect(dataset.x[3]).toBe(Math.fround(-1.5e37));
  });

  it('drops a row with one value beyond float32 and names it', () => {
    const text = 'a,b,y\n' + rows(12, (i) => `${i},${i === 4 ? '5e38' : i},${i % 2}`);
    const { dataset, report } = parseCsvDataset(text, 'big.csv');
    expect(dataset.n).toBe(11);
    expect(report.drops).toEqual([{ reason: 'too-large', rows: 1, firstRow: 6, column: 'b', value: '5e38' }]);
  });

  // The issue: a file without a header silently used its first data row as the header.
  it('reads a file whose first row is all numbers as data, names the columns, and says so', () => {
    const text = rows(12, (i) => `${i},${i * 2},${i % 2}`);
    const { dataset, report } = parseCsvDataset(text, 'noheader.csv');
    expect(report.headerless).toBe(true);
    expect(report.columns).toEqual(['column 1', 'column 2', 'column 3']);
    expect(dataset.n).toBe(12);
    expect(dataset.features).toEqual(['column 1', 'column 2']);
    expect(report.notes.join(' ')).toMatch(/first row holds only numbers, so it was read as data, not as a header.*Add a header row/);
    expect(parseCsvDataset('1,2,y\n' + text, 'a.csv').report.headerless).toBe(false);
  });

  // The issue: 5,000 integer labels silently became a regression.
  it.each([
    ['auto, 5,000 whole numbers', rows(5000, (i) => `${i % 7},${i}`), {}, 'regression', /5,000 different whole numbers, more than the 20 classes a classification supports/],
    ['auto, 3 whole numbers', rows(30, (i) => `${i},${i % 3}`), {}, 'classification', /3 different whole numbers \(at most 20\), so each is a class.*Choose regression/],
    ['auto, fractions', rows(30, (i) => `${i},${i / 4}`), {}, 'regression', /fractions/],
    ['regression chosen, 3 whole numbers', rows(30, (i) => `${i},${i % 3}`), { task: 'regression' }, 'regression', /as chosen/],
    ['classification chosen, fractions', rows(30, (i) => `${i},${(i % 2) / 2}`), { task: 'classification' }, 'classification', /as chosen/],
    ['auto, mostly numbers with a stray word', rows(60, (i) => `${i},${i === 5 ? 'oops' : i}`), {}, 'regression', /whole numbers, more than/],
  ] as const)('chooses the task and says why: %s', (_name, body, options, task, reason) => {
    const { dataset, report } = parseCsvDataset('a,y\n' + body, 't.csv', options);
    expect(dataset.task).toBe(task);
    expect(report.task).toBe(task);
    expect(report.taskReason).toMatch(reason);
    expect(report.notes).toContain(report.taskReason);
  });

  it('drops a row with text in a numeric target, saying where', () => {
    const { report } = parseCsvDataset('a,y\n' + rows(60, (i) => `${i},${i === 5 ? 'oops' : i}`), 't.csv');
    expect(report.drops).toEqual([{ reason: 'text', rows: 1, firstRow: 7, column: 'y', value: 'oops' }]);
  });

  it('takes the target column by name, and lists the columns to choose from', () => {
    const text = 'label,a,b\n' + rows(12, (i) => `${i % 2 ? 'p' : 'q'},${i},${i * 3}`);
    const { dataset, report } = parseCsvDataset(text, 't.csv', { target: 'label' });
    expect(report.columns).toEqual(['label', 'a', 'b']);
    expect(report.target).toBe('label');
    expect(dataset.features).toEqual(['a', 'b']);
    expect(dataset.classes).toEqual(['p', 'q']);
    expect(parseCsvDataset(text, 't.csv').report.target).toBe('b');
  });

  it('numbers rows as a spreadsheet does (header = row 1), across blank lines and quoted line breaks', () => {
    const text = 'a,note,y\n\n' + rows(12, (i) => `${i},"two\nlines",${i === 6 ? '' : i % 2}`);
    const { report } = parseCsvDataset(text, 't.csv');
    expect(report.drops).toEqual([{ reason: 'missing', rows: 1, firstRow: 9, column: 'y', value: '' }]);
  });

  it('drops a row with more cells than the header, but not trailing empty cells', () => {
    const text = 'a,b,y\n' + rows(12, (i) => `${i},${i},${i % 2}${i === 2 ? ',7' : ','}`);
    const { dataset, report } = parseCsvDataset(text, 't.csv');
    expect(dataset.n).toBe(11);
    expect(report.drops).toEqual([{ reason: 'extra-cells', rows: 1, firstRow: 4, column: '', value: '7' }]);
  });

  it('gives the same dataset (and content hash) for the same file with CRLF line ends or semicolons', () => {
    const text = 'a,b,y\n' + rows(12, (i) => `${i},${i / 2},${i % 2}`);
    const h = parseCsvDataset(text, 'a.csv').dataset.hash;
    expect(parseCsvDataset(text.replace(/\n/g, '\r\n'), 'b.csv').dataset.hash).toBe(h);
    expect(parseCsvDataset(text.replace(/,/g, ';'), 'c.csv').dataset.hash).toBe(h);
  });

  // The issue: "must be at most 10.." A message or note never ends in two full stops.
  it('writes every message and note as sentences with one full stop', () => {
    const texts: [string, CsvOptions?][] = [
      ['a,b\n1,0\n2,1'],
      ['a,b\n' + rows(12, (i) => `w${i},${i % 2}`)],
      ['a,b\n' + rows(30, (i) => `${i},c${i}`)],
      ['a,big,y\n' + rows(12, (i) => `${i},1e308,${i % 2}`)],
      ['a,y\n' + rows(12, (i) => `${i},${i}e39`)],
      ['a,b\n' + rows(5000, (i) => `${i % 7},${i}`), { task: 'classification' }],
      ['a,b\n' + rows(12, (i) => `${i},${i % 2 ? 'cat' : 'dog'}`), { task: 'regression' }],
      ['a,b\n1,"x\n2,3'],
      ['a,b\n' + rows(12, (i) => `${i},${i % 2}`), { target: 'z' }],
    ];
    for (const [t, o] of texts) {
      const m = refusal(t, o);
      expect(m).toMatch(/[^.]\.$/);
    }
    const ok = parseCsvDataset('x,name,,y\n' + rows(20, (i) => `${i},n${i},${i},${i === 3 ? 'NaN' : i === 4 ? '4e39' : i / 3}`) + '\n1,2,3,4,5', 'r.csv').report;
    expect(ok.notes.length).toBeGreaterThan(3);
    for (const n of ok.notes) expect(n).toMatch(/[^.]\.$/);
    expect(ok.notes.join(' ')).not.toMatch(/\.\./);
  });
});
