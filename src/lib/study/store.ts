/**
 * Where saved studies live: IndexedDB (through idb-keyval) in the browser, a Map in tests and in
 * browsers without IndexedDB (private mode). A summary of each study is kept beside it, so the
 * list of studies opens without reading every trial.
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import { finalMetric, formatMetric, isBetter, METRICS } from '../analysis/metric';
import { decodeStudyFile, encodeStudyFile } from './file';
import type { StudyRecord } from './types';

/** One line of "My studies". */
export interface StudySummary {
  id: string;
  name: string;
  dataset: string;
  strategy: string;
  trials: number;
  /** trials still to run (budget left, interrupted ones included). */
  unfinished: number;
  /** the best final validation metric, formatted ('—' when none). */
  best: string;
  origin: StudyRecord['origin'];
  author?: string;
  updatedAt: number;
  /** size of the stored record, bytes (JSON characters). */
  bytes: number;
}

/** Why a write failed: the disk (quota) is full, or there is no storage at all. */
export class StorageError extends Error {
  constructor(message: string, readonly reason: 'quota' | 'unavailable' | 'other') {
    super(message);
  }
}

/** Saved studies by id. */
export interface StudyStore {
  /** summaries, most recently updated first. */
  list(): Promise<StudySummary[]>;
  get(id: string): Promise<StudyRecord | undefined>;
  /** writes (replaces) a study; rejects with a StorageError. */
  put(study: StudyRecord): Promise<StudySummary>;
  delete(id: string): Promise<void>;
  /** false when studies only live until the tab closes (no IndexedDB). */
  readonly durable: boolean;
}

/** The summary of a record as "My studies" shows it. */
export function summarize(study: StudyRecord, bytes: number): StudySummary {
  const key = study.metric;
  let best: number | undefined;
  for (const t of study.trials) {
    if (t.state !== 'complete') continue;
    const v = finalMetric(t.epochs, key);
    if (v !== undefined && Number.isFinite(v) && (best === undefined || isBetter(key, v, best))) best = v;
  }
  const finished = study.trials.filter((t) => t.state !== 'running').length;
  return {
    id: study.id,
    name: study.name,
    dataset: study.dataset.name ?? study.dataset.id,
    strategy: study.experiment.strategy.kind,
    trials: finished,
    unfinished: Math.max(0, study.experiment.strategy.budget - finished),
    best: best === undefined ? '—' : `${formatMetric(key, best)} val ${METRICS[key].short}`,
    origin: study.origin,
    ...(study.author ? { author: study.author } : {}),
    updatedAt: study.updatedAt,
    bytes,
  };
}


/** A store that forgets when the page closes. */
export function memoryStudyStore(): StudyStore {
  const m = new Map<string, { study: StudyRecord; summary: StudySummary }>();
  return {
    durable: false,
    list: async () => [...m.values()].map((e) => e.summary).sort((a, b) => b.updatedAt - a.updatedAt),
    get: async (id) => structuredClone(m.get(id)?.study),
    put: async (study) => {
      const summary = summarize(study, encodeStudyFile(study).length);
      m.set(study.id, { study: structuredClone(study), summary });
      return summary;
    },
    delete: async (id) => void m.delete(id),
  };
}

/** Turns a failed IndexedDB write into a StorageError with a message a person can act on. */
export function storageError(e: unknown): StorageError {
  const name = e instanceof Error ? e.name : '';
  if (name === 'QuotaExceededError') return new StorageError('The browser\'s storage for this site is full: delete or save to a file some studies in "My studies".', 'quota');
  return new StorageError(`The study could not be saved in this browser (${e instanceof Error ? e.message : String(e)}).`, 'other');
}

/**
 * Studies in IndexedDB. Each record is stored as its study-file text (the same document "Save to
 * file" writes, read back through the same validation and migrations), with its summary under a
 * second key, so listing reads only summaries.
 */
export function idbStudyStore(db = 'hyperparameter-playground-studies'): StudyStore {
  const store: UseStore = createStore(db, 'studies');
  const rec = (id: string) => `study:${id}`;
  const sum = (id: string) => `summary:${id}`;
  return {
    durable: true,
    list: async () => {
      const all = await entries<string, unknown>(store);
      return all.filter(([k]) => String(k).startsWith('summary:')).map(([, v]) => v as StudySummary).sort((a, b) => b.updatedAt - a.updatedAt);
    },
    get: async (id) => {
      const text = await get<string>(rec(id), store);
      if (typeof text !== 'string') return undefined;
      const r = decodeStudyFile(text);
      if (r.kind === 'error') throw new StorageError(`A saved study could not be read back: ${r.message}`, 'other');
      // The file reader marks records as opened from a file; a stored one keeps where it came from.
      const summary = await get<StudySummary>(sum(id), store);
      return { ...r.study, origin: summary?.origin ?? 'local' };
    },
    put: async (study) => {
      const text = encodeStudyFile(study);
      const summary = summarize(study, text.length);
      try {
        await set(rec(study.id), text, store);
        await set(sum(study.id), summary, store);
      } catch (e) {
        throw storageError(e);
      }
      return summary;
    },
    delete: async (id) => {
      await del(rec(id), store);
      await del(sum(id), store);
    },
  };
}
