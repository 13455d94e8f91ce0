/**
 * The results digest a link carries: the experiment and, per trial, its params, state, verdict
 * kind, final metrics (4 significant digits) and its metric curves (validation and training)
 * downsampled to a few points and quantised to 0..99 of the trial's own range. Positional arrays
 * keep it small. `digestOf` and `studyOfDigest` are inverses up to that rounding.
 */
import { VERDICT_HINTS, VERDICT_KINDS, VERDICT_LABELS } from '../analysis/verdict';
import { searchedParams } from '../experiment/params';
import type { Experiment, TrialParams } from '../experiment/types';
import type { EpochMetrics } from '../train/types';
import { STUDY_VERSION, type StudyRecord, type StudyTrial } from './types';

/** Trial states in the order of their digest codes. */
export const STATE_CODES = ['complete', 'pruned', 'failed', 'diverged', 'cancelled', 'running'] as const;
/** Points per curve at most (first and last epoch included). */
export const CURVE_POINTS = 12;
/** Quantisation levels of a curve point: 0..QMAX of the trial's range; -1 = not finite. */
const QMAX = 99;

/** One trial: [id, params (searched order; categoricals as choice index; null when missing),
 *  state code, verdict code (-1 none), epochs, finals [valLoss, trainLoss, valAcc?, trainAcc?]
 *  (null = not finite), lo, hi (range of the curves), val q, train q (-1 = not finite)]. */
export type TrialRow = [number, (number | null)[], number, number, number, (number | null)[], number, number, number[], number[]];

/** The digest as JSON. */
export interface Digest {
  e: Experiment;
  /** name, author, createdAt (ms), data hash, metric key. */
  n: string;
  a?: string;
  c: number;
  h?: string;
  m: StudyRecord['metric'];
  /** points per curve at most. */
  k: number;
  t: TrialRow[];
}

/** `x` to 4 significant digits; null when not finite (JSON has no NaN). */
export const round4 = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? Number(x.toPrecision(4)) : null);

/** Indices of at most `k` epochs out of `n`, evenly spread, first and last included. */
export function sampleIndices(n: number, k: number = CURVE_POINTS): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: k }, (_, j) => Math.round((j * (n - 1)) / (k - 1)));
}

const curveOf = (epochs: readonly EpochMetrics[], key: 'valAcc' | 'valLoss', split: 'val' | 'train') =>
  epochs.map((e) => (key === 'valAcc' ? (split === 'val' ? e.valAcc : e.trainAcc) : split === 'val' ? e.valLoss : e.trainLoss) ?? NaN);

/** The digest row of one trial with `points` points per curve. */
function rowOf(t: StudyTrial, e: Experiment, key: StudyRecord['metric'], points: number): TrialRow {
  const dims = searchedParams(e.space);
  const params = dims.map((d) => {
    const v = t.params[d.name];
    if (v === undefined) return null;
    if (d.spec.type === 'categorical') {
      const i = d.spec.choices.findIndex((c) => String(c) === String(v));
      return i >= 0 ? i : null;
    }
    // rounding must not step out of the range (e.g. dropout 0.99996 -> 1, which is not allowed)
    const r = round4(Number(v));
    return r === null ? null : Math.min(d.spec.high, Math.max(d.spec.low, r));
  });
  const idx = sampleIndices(t.epochs.length, points);
  const [valAll, trainAll] = [curveOf(t.epochs, key, 'val'), curveOf(t.epochs, key, 'train')];
  const val = idx.map((i) => valAll[i]);
  const train = idx.map((i) => trainAll[i]);
  const finite = [...val, ...train].filter(Number.isFinite);
  const lo = round4(Math.min(...finite)) ?? 0;
  const hi = round4(Math.max(...finite)) ?? 0;
  const q = (y: number) => (Number.isFinite(y) ? Math.max(0, Math.min(QMAX, Math.round(((y - lo) / (hi - lo || 1)) * QMAX))) : -1);
  const last = t.epochs[t.epochs.length - 1];
  const finals = last ? [round4(last.valLoss), round4(last.trainLoss), ...(key === 'valAcc' ? [round4(last.valAcc), round4(last.trainAcc)] : [])] : [];
  const verdict = t.verdict ? VERDICT_KINDS.indexOf(t.verdict.kind) : -1;
  return [t.id, params, STATE_CODES.indexOf(t.state), verdict, t.epochs.length, finals, lo, hi, val.map(q), train.map(q)];
}

/** The digest of a study with at most `points` points per curve. */
export function digestOf(s: StudyRecord, points: number = CURVE_POINTS): Digest {
  const d: Digest = { e: s.experiment, n: s.name, c: s.createdAt, m: s.metric, k: points, t: s.trials.map((t) => rowOf(t, s.experiment, s.metric, points)) };
  if (s.author) d.a = s.author;
  if (s.dataset.dataHash) d.h = s.dataset.dataHash;
  return d;
}

/** The trial of a digest row (unchecked: the caller validates the record). */
function trialOf(row: TrialRow, e: Experiment, key: StudyRecord['metric'], points: number): StudyTrial {
  const [id, p, state, verdict, n, finals, lo, hi, val, train] = row;
  const params: TrialParams = {};
  searchedParams(e.space).forEach((d, i) => {
    const x = p[i];
    if (x !== null) params[d.name] = d.spec.type === 'categorical' ? d.spec.choices[x] : x;
  });
  const y = (q: number | undefined) => (q === undefined || q < 0 ? NaN : lo + (q / QMAX) * (hi - lo));
  const num = (x: number | null | undefined) => x ?? NaN;
  const epochs: EpochMetrics[] = sampleIndices(n, points).map((i, j) => {
    if (i === n - 1) {
      const m: EpochMetrics = { epoch: i + 1, valLoss: num(finals[0]), trainLoss: num(finals[1]), elapsedMs: 0 };
      if (key === 'valAcc') Object.assign(m, { valAcc: num(finals[2]), trainAcc: num(finals[3]) });
      return m;
    }
    if (key === 'valAcc') return { epoch: i + 1, valLoss: NaN, trainLoss: NaN, valAcc: y(val[j]), trainAcc: y(train[j]), elapsedMs: 0 };
    return { epoch: i + 1, valLoss: y(val[j]), trainLoss: y(train[j]), elapsedMs: 0 };
  });
  const t: StudyTrial = { id, params, state: STATE_CODES[state], epochs };
  const kind = VERDICT_KINDS[verdict];
  if (kind) t.verdict = { kind, label: VERDICT_LABELS[kind], sentence: '', hint: VERDICT_HINTS[kind] };
  return t;
}

/** A read-only record (origin 'link', no search log) from a digest. */
export function studyOfDigest(d: Digest, id: string): StudyRecord {
  const s: StudyRecord = {
    version: STUDY_VERSION,
    id,
    name: d.n,
    createdAt: d.c,
    updatedAt: d.c,
    origin: 'link',
    experiment: d.e,
    dataset: { id: d.e.data.id, ...(d.h ? { dataHash: d.h } : {}) },
    metric: d.m,
    trials: d.t.map((row) => trialOf(row, d.e, d.m, d.k)),
  };
  if (d.a) s.author = d.a;
  return s;
}
