/**
 * "Run it again here": how a fresh run of a linked study's experiment compares with the linked
 * results, trial by trial (same experiment and seed give the same trial ids and params).
 */
import { finalMetric, formatMetric, METRICS } from '../analysis/metric';
import { round4 } from './digest';
import type { StudyRecord } from './types';

/** Differences below this (display units: percentage points or loss) count as the same. */
export const SAME_WITHIN = 1e-6;

/** The comparison, for a sentence and for tests. */
export interface RerunReport {
  /** trials present and finished in both. */
  compared: number;
  /** largest absolute difference of the final validation metric, display units. */
  maxDiff: number;
  /** trials whose params differ (they were not the same configuration). */
  paramMismatches: number;
  verdict: 'exact' | 'close' | 'different';
  sentence: string;
}

/** Params equal up to the 4 significant digits a results link keeps. */
function sameParams(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number') {
      if (Math.abs(x - y) > 1e-3 * Math.max(Math.abs(x), Math.abs(y), 1e-12)) return false;
    } else if (String(x) !== String(y)) return false;
  }
  return true;
}

/** Compares `fresh` (run here, on `backends`) with `linked` (from a results link). */
export function compareRuns(linked: StudyRecord, fresh: StudyRecord, backends: readonly string[]): RerunReport {
  const key = linked.metric;
  const mine = new Map(fresh.trials.map((t) => [t.id, t]));
  let compared = 0;
  let maxDiff = 0;
  let paramMismatches = 0;
  for (const t of linked.trials) {
    const u = mine.get(t.id);
    if (!u || t.state === 'running' || u.state === 'running') continue;
    if (!sameParams(t.params, u.params)) {
      paramMismatches++;
      continue;
    }
    // A results link keeps final values to 4 significant digits: the fresh run is read the same way.
    const lastRaw = u.epochs[u.epochs.length - 1];
    const fromLink = linked.origin === 'link' && lastRaw;
    const rounded = fromLink ? [{ ...lastRaw, valLoss: round4(lastRaw.valLoss) ?? NaN, valAcc: round4(lastRaw.valAcc) ?? undefined }] : u.epochs;
    const a = finalMetric(t.epochs, key);
    const b = finalMetric(rounded, key);
    if (a === undefined || b === undefined) continue;
    compared++;
    const d = Number.isFinite(a) && Number.isFinite(b) ? Math.abs(a - b) : Number.isFinite(a) === Number.isFinite(b) ? 0 : Infinity;
    maxDiff = Math.max(maxDiff, d);
  }
  const unit = METRICS[key].percent ? ' percentage points' : '';
  const gpu = backends.some((b) => b === 'webgpu' || b === 'webgl');
  const diffText = METRICS[key].percent ? maxDiff.toFixed(2) : formatMetric(key, maxDiff);
  const verdict: RerunReport['verdict'] = compared === 0 || paramMismatches > 0 ? 'different' : maxDiff <= SAME_WITHIN ? 'exact' : maxDiff <= (METRICS[key].percent ? 2 : 0.05) ? 'close' : 'different';
  const on = backends.length ? ` on ${backends.join(' and ')}` : '';
  let sentence: string;
  if (compared === 0) sentence = 'No trial finished in both runs, so there is nothing to compare yet.';
  else if (paramMismatches > 0) sentence = `${paramMismatches} trial${paramMismatches === 1 ? ' was' : 's were'} given other settings here than in the link: this version of the app searches differently, so the runs are not the same experiment.`;
  else if (verdict === 'exact') sentence = `Reproduced exactly: all ${compared} trials ended with the same final ${METRICS[key].name}${on}.`;
  else sentence = `The ${compared} trials ended with final ${METRICS[key].name} up to ${diffText}${unit} apart from the link's${on}. ${gpu ? 'GPU backends round differently from the CPU, and the differences grow over the epochs; on wasm or cpu the same seed reproduces exactly.' : 'The same seed on wasm or cpu should reproduce exactly: a different browser or a different number of threads can change the last digits, which grow over the epochs.'}`;
  return { compared, maxDiff, paramMismatches, verdict, sentence };
}
