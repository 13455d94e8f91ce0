/**
 * A user's own CSV file as a Dataset: a header row, numeric feature columns, and a target column
 * (by default the last). The task follows the target: text labels, or few distinct whole numbers,
 * make a classification; other numbers a regression. Rows with a missing or non-numeric value are
 * dropped and counted. Every problem throws an Error whose message a user can act on.
 */
import Papa from 'papaparse';
import type { Dataset } from './types';

/** Limits for an uploaded file (rows and columns), so a huge file cannot freeze the tab. */
export const CSV_LIMITS = { maxBytes: 5_000_000, maxRows: 20_000, maxColumns: 200, minRows: 10, maxClasses: 20 } as const;

/** What parsing dropped, for the message under the dataset. */
export interface CsvReport {
  rows: number;
  droppedRows: number;
  droppedColumns: string[];
}

/** Parses `text` (the file's content) named `name`; `target` names the target column (default: the last). */
export function parseCsvDataset(text: string, name: string, target?: string): { dataset: Dataset; report: CsvReport } {
  if (text.length > CSV_LIMITS.maxBytes) throw new Error(`The file is too large (${(text.length / 1e6).toFixed(1)} MB); the limit is ${CSV_LIMITS.maxBytes / 1e6} MB.`);
  if (text.trim() === '') throw new Error('The file is empty.');
  const parsed = Papa.parse<Record<string, unknown>>(text.trim(), { header: true, dynamicTyping: true, skipEmptyLines: 'greedy' });
  const fields = (parsed.meta.fields ?? []).filter((f) => f.trim() !== '');
  if (fields.length < 2) throw new Error('The file needs a header row and at least two columns (features and a target).');
  if (fields.length > CSV_LIMITS.maxColumns) throw new Error(`The file has ${fields.length} columns; the limit is ${CSV_LIMITS.maxColumns}.`);
  // papaparse renames a repeated header ("a" -> "a_1") and says so in meta.renamedHeaders
  const renamed = (parsed.meta as { renamedHeaders?: Record<string, string> }).renamedHeaders;
  if (new Set(fields).size !== fields.length || (renamed && Object.keys(renamed).length > 0)) {
    throw new Error(`Two columns have the same name in the header row${renamed ? ` ("${Object.values(renamed)[0]}")` : ''}.`);
  }
  const rows = parsed.data;
  if (rows.length > CSV_LIMITS.maxRows) throw new Error(`The file has ${rows.length} rows; the limit is ${CSV_LIMITS.maxRows}.`);
  const badRow = parsed.errors.find((e) => e.type === 'Delimiter' || e.type === 'Quotes');
  if (badRow) throw new Error(`The file is not valid CSV: ${badRow.message}${badRow.row !== undefined ? ` (row ${badRow.row + 2})` : ''}.`);
  const targetName = target ?? fields[fields.length - 1];
  if (!fields.includes(targetName)) throw new Error(`There is no column named "${targetName}".`);
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  // Feature columns must be numeric in most rows; mostly-text columns are dropped (and named).
  const candidates = fields.filter((f) => f !== targetName);
  const droppedColumns = candidates.filter((f) => rows.filter((r) => isNum(r[f])).length < rows.length / 2);
  const features = candidates.filter((f) => !droppedColumns.includes(f));
  if (features.length === 0) throw new Error(`No numeric feature column: ${droppedColumns.join(', ')} hold text. Encode them as numbers first.`);
  const kept = rows.filter((r) => features.every((f) => isNum(r[f])) && r[targetName] !== null && r[targetName] !== undefined && String(r[targetName]).trim() !== '');
  if (kept.length < CSV_LIMITS.minRows) throw new Error(`Only ${kept.length} complete rows (at least ${CSV_LIMITS.minRows} are needed); check for missing values.`);
  const ys = kept.map((r) => r[targetName]);
  const distinct = [...new Set(ys.map(String))];
  const allNum = ys.every(isNum);
  const classification = !allNum || (ys.every((v) => Number.isInteger(v)) && distinct.length <= CSV_LIMITS.maxClasses);
  if (distinct.length < 2) throw new Error(`The target column "${targetName}" has only one value: there is nothing to predict.`);
  if (classification && distinct.length > CSV_LIMITS.maxClasses) throw new Error(`The target column "${targetName}" has ${distinct.length} different labels; at most ${CSV_LIMITS.maxClasses} classes are supported.`);
  const classes = classification ? distinct.sort((a, b) => (allNum ? Number(a) - Number(b) : a.localeCompare(b))) : undefined;
  const d = features.length;
  const x = new Float32Array(kept.length * d);
  kept.forEach((r, i) => features.forEach((f, j) => (x[i * d + j] = r[f] as number)));
  const y = Float32Array.from(ys, (v) => (classes ? classes.indexOf(String(v)) : (v as number)));
  const dataset: Dataset = {
    id: 'csv',
    name,
    task: classification ? 'classification' : 'regression',
    features,
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
  };
  return { dataset, report: { rows: kept.length, droppedRows: rows.length - kept.length, droppedColumns } };
}
