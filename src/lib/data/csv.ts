/**
 * A user's own CSV file as a Dataset: a header row, numeric feature columns, and a target column
 * (by default the last). Every cell is read here, not guessed by the CSV library, so that a number
 * is a number however large, and a missing or unusable value is named, not mistaken for text.
 *
 * The task follows the target unless the user chooses it: text labels, or at most
 * CSV_LIMITS.maxClasses different whole numbers, make a classification; other numbers a regression.
 * Rows with a missing or unusable value are dropped and reported (how many, why, the first one);
 * columns that are mostly text or mostly empty are ignored and reported. Every problem that stops
 * the file throws an Error whose message says what is wrong and what to do, as one or more full
 * sentences.
 */
import Papa from 'papaparse';
import type { Task } from '../experiment/types';
import { makeDataset } from './hash';
import type { Dataset } from './types';

/** Limits for an uploaded file (characters, rows, columns, classes), so a huge file cannot freeze the tab. */
export const CSV_LIMITS = { maxBytes: 5_000_000, maxRows: 20_000, maxColumns: 200, minRows: 10, maxClasses: 20 } as const;

/** Largest magnitude a 32-bit float holds (what the arrays and tfjs use); larger values cannot be represented. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** FLOAT32_MAX as messages write it. */
const F32_TEXT = `±${FLOAT32_MAX.toPrecision(2).replace('+', '')}`;

/** How to read the target column: decided from its values ('auto'), or as the user chose. */
export type CsvTask = 'auto' | Task;

/** What the user can choose when loading a CSV file (the UI offers these). */
export interface CsvOptions {
  /** name of the target column, one of CsvReport.columns; default: the last column. */
  target?: string;
  /** 'auto' (default): see the module comment. 'classification' refuses more than maxClasses labels. */
  task?: CsvTask;
}

/** Why a row was dropped: a missing value (empty, NA, NaN, ?), text in a number column, ±infinity,
 *  a number beyond ±FLOAT32_MAX, or more cells than the header has columns. */
export type CsvDropReason = 'missing' | 'text' | 'infinite' | 'too-large' | 'extra-cells';

/** Rows dropped for one reason: how many, and where the first one is. */
export interface CsvDrop {
  reason: CsvDropReason;
  rows: number;
  /** spreadsheet row number of the first such row (the header is row 1). */
  firstRow: number;
  /** column of the offending cell in that row ('' for extra-cells). */
  column: string;
  /** the offending cell as written in the file. */
  value: string;
}

/** What parsing kept, dropped and decided, for the message under the dataset. */
export interface CsvReport {
  /** rows kept (the dataset's n). */
  rows: number;
  /** rows dropped: the sum of drops[].rows. */
  droppedRows: number;
  /** why rows were dropped, one entry per reason, most rows first. */
  drops: CsvDrop[];
  /** columns not used as features (mostly text, or mostly empty); notes says which and why. */
  droppedColumns: string[];
  /** every named column of the file, in file order: the choices of a target picker. */
  columns: string[];
  /** the target column used. */
  target: string;
  /** the task chosen… */
  task: Task;
  /** …and why, one sentence (the rule that decided, or "as chosen"). */
  taskReason: string;
  /** the first row held only numbers, so it was read as data and the columns were named "column 1", "column 2"… */
  headerless: boolean;
  /** everything above as full sentences, in the order to show them (e.g. joined with spaces). */
  notes: string[];
}

/** Kinds of cell; a Number is a usable value (finite, within ±FLOAT32_MAX). */
const Cell = { Missing: 0, Number: 1, Text: 2, Infinite: 3, TooLarge: 4 } as const;
type Cell = (typeof Cell)[keyof typeof Cell];

/** Written forms of a missing value (compared lower-cased, trimmed), as pandas and R write them, and UCI's '?'. */
const MISSING = new Set(['', 'na', 'n/a', '#n/a', '<na>', 'nan', '-nan', '+nan', 'null', '?']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITE = /^[+-]?(?:inf|infinity)$/i;

/** Kind and value of one cell's text. */
function readCell(raw: string | undefined): [Cell, number] {
  const s = (raw ?? '').trim();
  if (MISSING.has(s.toLowerCase())) return [Cell.Missing, NaN];
  if (INFINITE.test(s)) return [Cell.Infinite, NaN];
  if (!NUMBER.test(s)) return [Cell.Text, NaN];
  const v = Number(s);
  return Number.isFinite(Math.fround(v)) ? [Cell.Number, v] : [Cell.TooLarge, v];
}

const fmt = (n: number): string => n.toLocaleString('en');
const plural = (n: number, one: string, many = `${one}s`): string => `${fmt(n)} ${n === 1 ? one : many}`;
const quote = (s: string): string => `"${s.length > 40 ? `${s.slice(0, 40)}…` : s}"`;
/** Items joined for a message, at most `max` of them. */
const joinSome = (items: string[], max = 8): string =>
  items.slice(0, max).join(', ') + (items.length > max ? ` and ${fmt(items.length - max)} more` : '');
/** Names, quoted, joined for a message, at most `max` of them. */
const listOf = (names: string[], max = 8): string => joinSome(names.map(quote), max);

const DROP_TEXT: Record<CsvDropReason, string> = {
  missing: 'a missing value',
  text: 'text in a number column',
  infinite: 'an infinite value',
  'too-large': `a value beyond ${F32_TEXT}, which 32-bit floats cannot represent`,
  'extra-cells': 'more cells than the header has columns',
};

/** "12 rows dropped: 10 with a missing value (first: row 4, column "hp"), …" — one sentence, no full stop. */
function describeDrops(drops: CsvDrop[]): string {
  const parts = drops.map((d) => {
    const where = d.reason === 'extra-cells' ? `row ${fmt(d.firstRow)}` : `row ${fmt(d.firstRow)}, column ${quote(d.column)}${d.reason === 'missing' && d.value.trim() === '' ? '' : `: ${quote(d.value)}`}`;
    return `${fmt(d.rows)} with ${DROP_TEXT[d.reason]} (first: ${where})`;
  });
  const total = drops.reduce((a, d) => a + d.rows, 0);
  return `${plural(total, 'row')} dropped: ${parts.join('; ')}`;
}

/** The records of the file, blank ones skipped, each with its spreadsheet row number. Throws on broken quoting or too many rows. */
function readRecords(text: string): { cells: string[]; row: number }[] {
  const records: { cells: string[]; row: number }[] = [];
  const state = { row: 0, fatal: '' };
  Papa.parse<string[]>(text, {
    skipEmptyLines: false,
    step: (res, parser) => {
      state.row++;
      const quotes = res.errors.find((e) => e.type === 'Quotes');
      if (quotes) {
        state.fatal = `The file is not valid CSV: ${quotes.message.replace(/\.$/, '').toLowerCase()} (row ${fmt(state.row)}). Check that every opening quote has a closing one.`;
        parser.abort();
        return;
      }
      const cells = Array.isArray(res.data) ? res.data.map(String) : [];
      if (cells.every((c) => c.trim() === '')) return;
      if (records.length > CSV_LIMITS.maxRows) {
        state.fatal = `The file has more than ${fmt(CSV_LIMITS.maxRows)} rows; the limit is ${fmt(CSV_LIMITS.maxRows)}.`;
        parser.abort();
        return;
      }
      records.push({ cells, row: state.row });
    },
  });
  if (state.fatal) throw new Error(state.fatal);
  return records;
}

/** The header: column names (generated when the first row is data), and which cells of a record hold them. */
function readHeader(first: string[]): { names: string[]; at: number[]; headerless: boolean; unnamed: number[] } {
  const filled = first.filter((c) => c.trim() !== '');
  const headerless = filled.length > 0 && filled.every((c) => readCell(c)[0] !== Cell.Text && readCell(c)[0] !== Cell.Missing);
  if (headerless) return { names: first.map((_, j) => `column ${j + 1}`), at: first.map((_, j) => j), headerless, unnamed: [] };
  const at = first.flatMap((c, j) => (c.trim() === '' ? [] : [j]));
  const unnamed = first.flatMap((c, j) => (c.trim() === '' ? [j] : []));
  return { names: at.map((j) => first[j].trim()), at, headerless, unnamed };
}

/** Per column: kind and value of every record's cell. */
interface Column {
  name: string;
  kinds: Uint8Array;
  values: Float64Array;
  raw: string[];
}

function count(kinds: Uint8Array, kind: Cell): number {
  let n = 0;
  for (const k of kinds) if (k === kind) n++;
  return n;
}

/** Index of the first row whose cell in `c` is of `kind`, or -1. */
function firstOf(c: Column, kind: Cell): number {
  return c.kinds.findIndex((k) => k === kind);
}

/** Canonical class label of a target cell: a number's shortest form (so "1.0" and "1" are one class), else the text. */
const labelOf = (c: Column, i: number): string => (c.kinds[i] === Cell.Number ? String(c.values[i]) : c.raw[i].trim());

/** Class names in display order: numerically when all are numbers, else alphabetically (numbers in numeric order). */
function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => NUMBER.test(l));
  return [...labels].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * Parses `text` (the file's content) named `name` into a Dataset, and reports what it kept, dropped
 * and decided. options.target: the target column by name (default: the last); options.task: see CsvOptions.
 * Throws an Error with a message for the user when the file cannot be used.
 */
export function parseCsvDataset(text: string, name: string, options: CsvOptions = {}): { dataset: Dataset; report: CsvReport } {
  const L = CSV_LIMITS;
  if (text.length > L.maxBytes) throw new Error(`The file is too large (${(text.length / 1e6).toFixed(1)} MB); the limit is ${L.maxBytes / 1e6} MB.`);
  if (text.trim() === '') throw new Error('The file is empty.');
  const records = readRecords(text);
  if (records.length === 0) throw new Error('The file is empty.');
  // Counted before the header is read cell by cell: a 5 MB line of commas must not cost seconds.
  const width = records[0].cells.reduce((a, c) => (c.trim() === '' ? a : a + 1), 0);
  if (width > L.maxColumns) throw new Error(`The file has ${fmt(width)} columns; the limit is ${L.maxColumns}.`);
  const header = readHeader(records[0].cells);
  const { names, at } = header;
  if (names.length < 2) throw new Error('The file needs a header row and at least two columns (features and a target), separated by commas, semicolons or tabs.');
  if (names.length > L.maxColumns) throw new Error(`The file has ${fmt(names.length)} columns; the limit is ${L.maxColumns}.`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`Two columns are named ${quote(dup)} in the header row; give every column its own name.`);
  const body = header.headerless ? records : records.slice(1);
  const rowNo = body.map((r) => r.row);
  const n0 = body.length;

  const targetName = options.target ?? names[names.length - 1];
  if (!names.includes(targetName)) throw new Error(`There is no column named ${quote(targetName)}; the columns are ${listOf(names)}.`);

  const columns: Column[] = names.map((colName, j) => {
    const kinds = new Uint8Array(n0);
    const values = new Float64Array(n0);
    const raw = body.map((r) => r.cells[at[j]] ?? '');
    raw.forEach((s, i) => ([kinds[i], values[i]] = readCell(s)));
    return { name: colName, kinds, values, raw };
  });
  const target = columns[names.indexOf(targetName)];

  // Features: a column is used when at least half of its rows hold a usable number. A column of
  // numbers that cannot be represented is refused by name rather than ignored as if it were text.
  const droppedColumns: string[] = [];
  const columnNotes: string[] = [];
  const features: Column[] = [];
  for (const c of columns) {
    if (c === target) continue;
    if (count(c.kinds, Cell.Number) >= n0 / 2 && n0 > 0) {
      features.push(c);
      continue;
    }
    const big = count(c.kinds, Cell.TooLarge) + count(c.kinds, Cell.Infinite);
    const text = count(c.kinds, Cell.Text);
    if (big > 0 && big >= text) {
      const i = firstOf(c, Cell.TooLarge) >= 0 ? firstOf(c, Cell.TooLarge) : firstOf(c, Cell.Infinite);
      throw new Error(`Column ${quote(c.name)} holds values that cannot be represented (${quote(c.raw[i].trim())} in row ${fmt(rowNo[i])}): 32-bit floats hold finite numbers up to ${F32_TEXT}. Rescale or remove the column.`);
    }
    droppedColumns.push(c.name);
    columnNotes.push(`${quote(c.name)} (${text > 0 ? 'text' : 'mostly empty'})`);
  }
  if (features.length === 0) {
    throw new Error(`No numeric feature column: ${joinSome(columnNotes)}. Encode text as numbers first.`);
  }

  // The task, decided on the target's cells (before rows are dropped for other columns).
  const tNum = count(target.kinds, Cell.Number);
  const tText = count(target.kinds, Cell.Text);
  const present = tNum + tText;
  const labelsIn = (rows: (i: number) => boolean | number): string[] => {
    const s = new Set<string>();
    for (let i = 0; i < n0; i++) if ((target.kinds[i] === Cell.Number || target.kinds[i] === Cell.Text) && rows(i)) s.add(labelOf(target, i));
    return [...s];
  };
  const allLabels = labelsIn(() => true);
  const tq = quote(targetName);
  const firstText = firstOf(target, Cell.Text);
  const chosen = options.task ?? 'auto';
  let task: Task;
  let taskReason: string;
  if (chosen === 'classification') {
    task = 'classification';
    taskReason = `The target ${tq} is read as a classification, as chosen.`;
    if (allLabels.length > L.maxClasses) {
      throw new Error(`The target column ${tq} has ${fmt(allLabels.length)} different values; a classification supports at most ${L.maxClasses} classes. Choose regression, or another target column.`);
    }
  } else if (chosen === 'regression') {
    task = 'regression';
    taskReason = `The target ${tq} is read as a regression, as chosen.`;
    if (tText > 0 && tText >= tNum) {
      throw new Error(`The target column ${tq} holds text (${quote(target.raw[firstText].trim())} in row ${fmt(rowNo[firstText])}); a regression needs numbers. Choose classification, or another target column.`);
    }
  } else if (tText > 0 && allLabels.length <= L.maxClasses) {
    task = 'classification';
    taskReason = `The target ${tq} holds text labels, so this is a classification.`;
  } else if (tText > 0 && tText >= present / 2) {
    throw new Error(`The target column ${tq} has ${fmt(allLabels.length)} different labels; at most ${L.maxClasses} classes are supported. Choose another target column.`);
  } else {
    const whole = target.values.every((v, i) => target.kinds[i] !== Cell.Number || Number.isInteger(v));
    const distinct = labelsIn((i) => target.kinds[i] === Cell.Number).length;
    if (whole && distinct <= L.maxClasses) {
      task = 'classification';
      taskReason = `The target ${tq} holds ${fmt(distinct)} different whole numbers (at most ${L.maxClasses}), so each is a class: a classification. Choose regression to predict it as a number.`;
    } else if (whole) {
      task = 'regression';
      taskReason = `The target ${tq} holds ${fmt(distinct)} different whole numbers, more than the ${L.maxClasses} classes a classification supports, so it is predicted as a number: a regression.`;
    } else {
      task = 'regression';
      taskReason = `The target ${tq} holds numbers with fractions, so this is a regression.`;
    }
  }
  // In a classification any label is fine; in a regression text in the target drops its row.
  const targetOk = (i: number) => target.kinds[i] === Cell.Number || (task === 'classification' && target.kinds[i] === Cell.Text);

  // Rows: kept when every feature holds a usable number and the target a usable value; otherwise
  // dropped for the first offending cell, in column order.
  const used = columns.filter((c) => c === target || features.includes(c));
  const kept: number[] = [];
  const isKept = new Uint8Array(n0);
  const lastNamed = Math.max(...at);
  const drops = new Map<CsvDropReason, CsvDrop>();
  const drop = (reason: CsvDropReason, i: number, column: string, value: string) => {
    const d = drops.get(reason);
    if (d) d.rows++;
    else drops.set(reason, { reason, rows: 1, firstRow: rowNo[i], column, value });
  };
  const REASON: Record<Cell, CsvDropReason> = { [Cell.Missing]: 'missing', [Cell.Text]: 'text', [Cell.Infinite]: 'infinite', [Cell.TooLarge]: 'too-large', [Cell.Number]: 'missing' };
  for (let i = 0; i < n0; i++) {
    const bad = used.find((c) => (c === target ? !targetOk(i) : c.kinds[i] !== Cell.Number));
    if (bad) {
      drop(REASON[bad.kinds[i] as Cell], i, bad.name, bad.raw[i]);
      continue;
    }
    const cells = body[i].cells;
    const extra = cells.slice(lastNamed + 1).find((c) => c.trim() !== '');
    if (extra !== undefined) {
      drop('extra-cells', i, '', extra);
      continue;
    }
    kept.push(i);
    isKept[i] = 1;
  }
  const dropList = [...drops.values()].sort((a, b) => b.rows - a.rows);
  const droppedRows = n0 - kept.length;
  if (kept.length < L.minRows) {
    const why = dropList.length ? ` ${describeDrops(dropList)}.` : '';
    throw new Error(`Only ${plural(kept.length, 'complete row')} (at least ${L.minRows} are needed).${why}`);
  }

  const classes = task === 'classification' ? sortLabels(labelsIn((i) => isKept[i])) : undefined;
  const distinctKept = classes ? classes.length : new Set(kept.map((i) => target.values[i])).size;
  if (distinctKept < 2) throw new Error(`The target column ${tq} has only one value in the complete rows: there is nothing to predict.`);

  const d = features.length;
  const x = new Float32Array(kept.length * d);
  kept.forEach((r, i) => features.forEach((f, j) => (x[i * d + j] = f.values[r])));
  const index = new Map((classes ?? []).map((c, k) => [c, k]));
  const y = Float32Array.from(kept, (r) => (classes ? (index.get(labelOf(target, r)) ?? -1) : target.values[r]));

  const notes = [
    `Loaded ${plural(kept.length, 'row')} with ${plural(d, 'feature')} as a ${task}${classes ? ` of ${plural(classes.length, 'class', 'classes')} (${listOf(classes)})` : ''}, target column ${tq}.`,
    taskReason,
    ...(header.headerless ? [`The first row holds only numbers, so it was read as data, not as a header: the columns are named "column 1" to "column ${names.length}". Add a header row to name them.`] : []),
    ...(dropList.length ? [`${describeDrops(dropList)}.`] : []),
    ...(columnNotes.length ? [`${columnNotes.length === 1 ? 'Column' : 'Columns'} ${joinSome(columnNotes)} ${columnNotes.length === 1 ? 'is' : 'are'} not used as ${columnNotes.length === 1 ? 'a feature' : 'features'}.`] : []),
    ...(header.unnamed.some((j) => body.some((r) => (r.cells[j] ?? '').trim() !== '')) ? [`${plural(header.unnamed.length, 'column')} without a name in the header row ${header.unnamed.length === 1 ? 'was' : 'were'} ignored.`] : []),
  ];
  const dataset = makeDataset({
    id: 'csv',
    name,
    task,
    features: features.map((f) => f.name),
    ...(classes ? { classes } : { target: targetName }),
    n: kept.length,
    d,
    x,
    y,
    is2d: false,
    meta: {
      license: 'your file',
      licenseNote: 'Your own data: it stays in this browser (nothing is uploaded to any server).',
      citation: name,
      sourceText: `${name}, ${kept.length} rows, target column "${targetName}"`,
    },
  });
  return {
    dataset,
    report: { rows: kept.length, droppedRows, drops: dropList, droppedColumns, columns: names, target: targetName, task, taskReason, headerless: header.headerless, notes },
  };
}
