/**
 * Where saved studies live: IndexedDB (through idb-keyval) in the browser, a Map in tests and in
 * browsers without IndexedDB (private mode). A summary of each study is kept beside it, so the
 * list of studies opens without reading every trial.
 */
import { createStore, type UseStore } from 'idb-keyval';
import { finalMetric, formatMetric, isBetter, METRICS } from '../analysis/metric';
import { decodeStudyFile, encodeStudyFile } from './file';
import { joinedLength, joinStudy, studyFrame, trialEncoder, type StudyFrame } from './file-parts';
import { startingWith, transact } from './idb-transaction';
import { isPlainObject } from './json';
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
 * What `study:<id>` holds: the study-file text around the trials, the trial ids in file order
 * (each trial's text is under `trial:<id>:<trialId>`), and the number of the write that stored
 * it. Stores from before trials were kept apart hold the whole file text there instead (a string).
 */
interface StudyHead extends StudyFrame {
  trials: number[];
  write: number;
}

function isHead(x: unknown): x is StudyHead {
  return isPlainObject(x) && typeof x.pre === 'string' && typeof x.post === 'string' && typeof x.write === 'number'
    && Array.isArray(x.trials) && x.trials.every((t) => typeof t === 'number');
}

/** Key of the number of writes to the whole store so far: it outlives deleted studies, so no two writes share a number. */
const WRITES = 'writes';
const headKey = (id: string) => `study:${id}`;
const summaryKey = (id: string) => `summary:${id}`;
// study ids hold no ':', so one study's prefix never takes in another's trials
const trialPrefix = (id: string) => `trial:${id}:`;
const trialKey = (id: string, trial: number) => `${trialPrefix(id)}${trial}`;
const unreadable = (why: string) => new StorageError(`A saved study could not be read back: ${why}`, 'other');

/** The study-file text that a stored head and the entries of its trials make up. */
function fileText(head: unknown, trials: ReadonlyMap<number, unknown>): string {
  if (typeof head === 'string') return head;
  if (!isHead(head)) throw unreadable('it is stored in a form this version of the app does not know.');
  return joinStudy(head, head.trials.map((t) => {
    const text = trials.get(t);
    if (typeof text !== 'string') throw unreadable(`trial #${t + 1} is missing (the study was not saved completely).`);
    return text;
  }));
}

/**
 * Studies in IndexedDB. A record is stored as its study-file text (the same document "Save to
 * file" writes, read back through the same validation and migrations), cut into a head and one
 * entry per trial so that saving a running study encodes and writes only the trials that changed;
 * its summary sits under a third key, so listing reads only summaries. Keys: `study:<id>`
 * (StudyHead), `trial:<id>:<trialId>` (a trial's JSON), `summary:<id>`, and WRITES. Each put or
 * delete is one transaction, so a reader never sees half of one. `store`: for tests.
 */
export function idbStudyStore(db = 'hyperparameter-playground-studies', store: UseStore = createStore(db, 'studies')): StudyStore {
  const encode = trialEncoder();
  /** The study this store wrote last: the number of that write and the trial texts it left. */
  let last: { id: string; write: number; trials: ReadonlyMap<number, string> } | undefined;
  return {
    durable: true,
    list: async () => {
      let summaries: StudySummary[] = [];
      await transact(store, 'readonly', (s, on) => on(s.getAll(startingWith('summary:')), (all) => (summaries = all)));
      return summaries.sort((a, b) => b.updatedAt - a.updatedAt);
    },
    get: async (id) => {
      let head: unknown;
      let summary: StudySummary | undefined;
      const trials = new Map<number, unknown>();
      await transact(store, 'readonly', (s, on) => {
        on(s.get(summaryKey(id)), (v) => (summary = v));
        on(s.get(headKey(id)), (h) => {
          head = h;
          if (isHead(h)) for (const t of h.trials) on(s.get(trialKey(id, t)), (v) => trials.set(t, v));
        });
      });
      if (head === undefined) return undefined;
      const r = decodeStudyFile(fileText(head, trials));
      if (r.kind === 'error') throw unreadable(r.message);
      // The file reader marks records as opened from a file; a stored one keeps where it came from.
      return { ...r.study, origin: summary?.origin ?? 'local' };
    },
    put: async (study) => {
      const { id } = study;
      const frame = studyFrame(study);
      const texts = study.trials.map(encode);
      const ids = study.trials.map((t) => t.id);
      const summary = summarize(study, joinedLength(frame, texts));
      const known = last?.id === id ? last : undefined;
      let write = 0;
      try {
        await transact(store, 'readwrite', (s, on) => on(s.get(WRITES), (n) => on(s.get(headKey(id)), (old) => {
          write = (typeof n === 'number' ? n : 0) + 1;
          // The trial entries are the ones this store wrote last only if nobody (another tab) has
          // written the study since; otherwise, or in the old layout, all are written afresh.
          const onDisk = known && isHead(old) && old.write === known.write ? known.trials : undefined;
          if (onDisk) {
            const kept = new Set(ids);
            for (const t of onDisk.keys()) if (!kept.has(t)) s.delete(trialKey(id, t));
          } else s.delete(startingWith(trialPrefix(id)));
          texts.forEach((text, i) => {
            if (onDisk?.get(ids[i]) !== text) s.put(text, trialKey(id, ids[i]));
          });
          s.put({ ...frame, trials: ids, write } satisfies StudyHead, headKey(id));
          s.put(summary, summaryKey(id));
          s.put(write, WRITES);
        })));
      } catch (e) {
        throw storageError(e);
      }
      last = { id, write, trials: new Map(ids.map((t, i) => [t, texts[i]])) };
      return summary;
    },
    delete: async (id) => {
      if (last?.id === id) last = undefined;
      await transact(store, 'readwrite', (s) => {
        s.delete(headKey(id));
        s.delete(summaryKey(id));
        s.delete(startingWith(trialPrefix(id)));
      });
    },
  };
}
