/**
 * Making and updating Study records, and converting a trial between the record and the
 * sweep's TrialResult. Every function returns new objects (records are never mutated).
 */
import type { MetricKey } from '../analysis/metric';
import type { Experiment } from '../experiment/types';
import type { TrialResult } from '../train/types';
import { decodeSurface, encodeSurface } from './surface';
import { STUDY_VERSION, type DatasetIdentity, type SearchEvent, type StoredResult, type StoredVerdict, type StudyOrigin, type StudyRecord, type StudyTrial } from './types';

/** What a new record needs. `id` and `now` are given (no hidden clock or randomness here). */
export interface NewStudy {
  id: string;
  /** ms since 1970. */
  now: number;
  experiment: Experiment;
  metric: MetricKey;
  dataset?: DatasetIdentity;
  name?: string;
  author?: string;
  origin?: StudyOrigin;
}

const ID_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A record id: the time in base 36 and 8 characters from `random` (uniform on [0, 1)). */
export function makeStudyId(now: number, random: () => number): string {
  let tail = '';
  for (let i = 0; i < 8; i++) tail += ID_CHARS[Math.min(35, Math.floor(random() * 36))];
  return `${Math.max(0, Math.floor(now)).toString(36)}-${tail}`;
}

/** The default name of a study: dataset and strategy, e.g. 'spiral · tpe'. */
export function defaultStudyName(e: Experiment): string {
  return `${e.data.id} · ${e.strategy.kind}`;
}

/** A study with no trials yet and an empty search log. */
export function newStudy(o: NewStudy): StudyRecord {
  return {
    version: STUDY_VERSION,
    id: o.id,
    name: o.name ?? defaultStudyName(o.experiment),
    createdAt: o.now,
    updatedAt: o.now,
    origin: o.origin ?? 'local',
    ...(o.author ? { author: o.author } : {}),
    experiment: structuredClone(o.experiment),
    dataset: o.dataset ?? { id: o.experiment.data.id },
    metric: o.metric,
    trials: [],
    log: [],
  };
}

/** A trial as the sweep knows it (e.g. the page's TrialView, with wall-clock times). */
export interface TrialSnapshot extends Omit<StudyTrial, 'result' | 'surface' | 'verdict'> {
  result?: TrialResult;
  verdict?: StoredVerdict | null;
}

/** The stored part of a TrialResult: no surface array, no per-run curves, no duplicate epochs. */
export function storeResult(r: TrialResult): StoredResult {
  const { status, backend, timeMs, message, bestEpoch, stoppedEarly, restoredBest, paramCount, peakTensors, confusion, test, spread, retries, runs, misclassified, filters } = r;
  const out: StoredResult = { status, backend, timeMs, message, bestEpoch, stoppedEarly, restoredBest, paramCount, peakTensors, confusion, test, spread, retries, misclassified, filters };
  if (runs) out.runs = runs.map((x) => ({ status: x.status, bestEpoch: x.bestEpoch, restoredBest: x.restoredBest }));
  return dropUndefined(out);
}

/** A trial for the record (only the record's fields: a TrialView may be passed as it is). */
export function storeTrial(t: TrialSnapshot): StudyTrial {
  const { id, state, pruneReason, backend, worker, startedAt, endedAt, result, verdict } = t;
  return dropUndefined({
    id,
    params: { ...t.params },
    state,
    epochs: t.epochs.map((e) => ({ ...e })),
    result: result ? storeResult(result) : undefined,
    surface: result?.boundary ? encodeSurface(result.boundary) : undefined,
    verdict: verdict ? { kind: verdict.kind, label: verdict.label, sentence: verdict.sentence, hint: verdict.hint } : undefined,
    pruneReason,
    backend,
    worker,
    startedAt,
    endedAt,
  });
}

/** The TrialResult of a stored trial (surface decoded, per-run curves empty), or undefined while it has none. */
export function trialResultOf(t: StudyTrial): TrialResult | undefined {
  if (!t.result) return undefined;
  const { runs, ...r } = t.result;
  const boundary = t.surface ? decodeSurface(t.surface) ?? undefined : undefined;
  return dropUndefined({ ...r, trialId: t.id, epochs: t.epochs, boundary, runs: runs?.map((x) => ({ ...x, epochs: [] })) });
}

/** `study` with these trials (sorted by id), log and manual queue, stamped `now`. */
export function withTrials(study: StudyRecord, trials: readonly StudyTrial[], log: readonly SearchEvent[] | undefined, now: number, queued?: StudyRecord['queued']): StudyRecord {
  const out: StudyRecord = { ...study, trials: [...trials].sort((a, b) => a.id - b.id), updatedAt: now };
  if (log) out.log = [...log];
  if (queued?.length) out.queued = queued.map((p) => ({ ...p }));
  else delete out.queued;
  return out;
}

/** Whether the study's search can be continued: it has its log (a results link does not). */
export function canResume(study: StudyRecord): boolean {
  return study.log !== undefined && study.origin !== 'link';
}

/** Trials that were running when the record was saved: they are trained again on resume. */
export function interruptedTrials(study: StudyRecord): StudyTrial[] {
  return study.trials.filter((t) => t.state === 'running');
}

/** `o` without its undefined fields (so a record survives a JSON round trip unchanged). */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}
