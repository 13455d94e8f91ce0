/**
 * The study file (`<name>.hpstudy.json`): the Study record as one JSON document with a format
 * tag, `{"format": "hyperparameter-playground-study", "version": N, ...record}`. Reading one never
 * throws: a broken, cut-off, foreign, oversized or newer file gives a message naming the problem.
 */
import { isPlainObject, jsonKind, neverThrow, parseJson } from './json';
import { migrate, MIGRATIONS, type Migration } from './migrate';
import { parseStudy } from './schema';
import { STUDY_LIMITS, type StudyDecode, type StudyRecord } from './types';

/** The format tag of a study file. */
export const STUDY_FORMAT = 'hyperparameter-playground-study';
/** File name ending of a study file. */
export const STUDY_FILE_SUFFIX = '.hpstudy.json';
/** MIME type to save it with. */
export const STUDY_FILE_TYPE = 'application/json';

/** A safe file name for the study: its name in lower-case words joined by '-', then the suffix. */
export function studyFileName(study: Pick<StudyRecord, 'name' | 'id'>): string {
  const slug = study.name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${slug || study.id}${STUDY_FILE_SUFFIX}`;
}

/** The file text of a study (compact JSON; NaN and ±Infinity are written as null). */
export function encodeStudyFile(study: StudyRecord): string {
  return JSON.stringify({ format: STUDY_FORMAT, ...study });
}

/** Options of decodeStudyFile (for tests: other migrations). */
export interface DecodeFileOptions {
  migrations?: readonly Migration[];
}

/** Recognises JSON that is not a study file, to say what it is instead. */
function foreign(doc: unknown, text: string): string {
  if (/^\s*\{[^\n]*"op_code"\s*:/.test(text)) return 'This is an Optuna journal file, not a Hyperparameter Playground study file: open it with "Open Optuna journal…" (under "Python, Optuna, W&B").';
  if (!isPlainObject(doc)) return `This is not a Hyperparameter Playground study: the file holds ${jsonKind(doc)}, not a study.`;
  if (doc.format === STUDY_FORMAT) return '';
  if ('data' in doc && 'model' in doc && 'space' in doc && 'strategy' in doc) return 'This file holds an experiment without results, not a study.';
  return `This is not a Hyperparameter Playground study (it has no "format": "${STUDY_FORMAT}").`;
}

/** A quick count check before validation, so a huge array is refused without walking it. */
function tooMany(doc: Record<string, unknown>): string {
  const n = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as unknown[]).length : 0);
  if (n('trials') > STUDY_LIMITS.maxTrials) return `it has ${n('trials')} trials (at most ${STUDY_LIMITS.maxTrials}).`;
  if (n('log') > STUDY_LIMITS.maxEvents) return `its search log has ${n('log')} events (at most ${STUDY_LIMITS.maxEvents}).`;
  return '';
}

/**
 * Reads a study file's text. The record comes back with origin 'file'. Older versions are
 * migrated; anything wrong gives `{kind: 'error', message}` (a sentence). Never throws.
 */
export function decodeStudyFile(text: string, opts: DecodeFileOptions = {}): StudyDecode {
  return neverThrow('The study file could not be read', (): StudyDecode => {
    // an Optuna journal has one JSON object per line, so it fails as a whole: recognise it first
    if (typeof text === 'string' && /^\s*\{[^\n]*"op_code"\s*:/.test(text)) return { kind: 'error', message: foreign(null, text) };
    const parsed = parseJson(text, STUDY_LIMITS.maxFileChars, 'The study file');
    if (!parsed.ok) return { kind: 'error', message: parsed.message };
    const doc = parsed.value;
    const alien = foreign(doc, text);
    if (alien || !isPlainObject(doc)) return { kind: 'error', message: alien };
    const { format: _format, ...rest } = doc;
    const m = migrate(rest, opts.migrations ?? MIGRATIONS);
    if (!m.ok) return { kind: 'error', message: `The study file cannot be opened: ${m.message}` };
    const big = tooMany(m.doc);
    if (big) return { kind: 'error', message: `The study file is too large: ${big}` };
    const r = parseStudy(m.doc);
    if (r.kind === 'error') return { kind: 'error', message: `The study file is damaged: ${r.message}` };
    return { kind: 'ok', study: { ...r.study, origin: 'file' } };
  });
}
