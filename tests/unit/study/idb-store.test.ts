import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodeStudyFile } from '../../../src/lib/study/file';
import { idbStudyStore, StorageError, summarize } from '../../../src/lib/study/store';
import type { StudyRecord, StudyTrial } from '../../../src/lib/study/types';
import { experimentWith, simulatedStudy } from './fixtures';

/** A finished study of 201 trials; `first(n)` is it with its first n trials (the same trial objects). */
const full = simulatedStudy(experimentWith('random', 'none', { budget: 201, epochs: 3 }));
const first = (n: number): StudyRecord => ({ ...full, trials: full.trials.slice(0, n) });
const id = full.id;
const trialKey = (t: StudyTrial) => `trial:${id}:${t.id}`;

/**
 * A fresh, empty IndexedDB (fake-indexeddb, made the global one) and the idb-keyval store of the
 * database 'test' in it. `raw` reads and changes it directly. `store` is the same store with
 * what a test needs to watch: `puts`, the keys written by committed transactions in order; and
 * `failNextWrite()`, after which the next read-write transaction fails as on a full disk.
 */
function fakeDatabase() {
  vi.stubGlobal('indexedDB', new IDBFactory());
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
  const raw = createStore('test', 'studies');
  const puts: string[] = [];
  let failNext = false;
  const store: UseStore = (mode, callback) => raw(mode, (s) => {
    const tx = s.transaction;
    const fail = mode === 'readwrite' && failNext;
    if (fail) failNext = false;
    const written: string[] = [];
    const put = s.put.bind(s);
    s.put = (value, key) => {
      // fake-indexeddb has no quota, so this plays the browser's part: once the writes are
      // queued, the transaction aborts with a QuotaExceededError as its error, writing nothing.
      if (fail && written.length === 0) {
        queueMicrotask(() => {
          Object.assign(tx, { error: new DOMException('The quota has been exceeded.', 'QuotaExceededError') });
          tx.abort();
        });
      }
      written.push(String(key));
      return put(value, key);
    };
    tx.addEventListener('complete', () => puts.push(...written));
    return callback(s);
  });
  return { raw, store, puts, failNextWrite: () => void (failNext = true) };
}

/** A study store on a fresh fake database. */
function fresh() {
  const db = fakeDatabase();
  return { db, store: idbStudyStore('test', db.store) };
}
const trialKeys = async (raw: UseStore, of = id) => (await keys<string>(raw)).filter((k) => k.startsWith(`trial:${of}:`));
const trialPuts = (db: { puts: string[] }) => db.puts.filter((k) => k.startsWith('trial:'));

afterAll(() => vi.unstubAllGlobals());

describe('idbStudyStore', () => {
  it('gives back what was put, lists its summary, and sizes it as its study file', async () => {
    const { db, store } = fresh();
    const s = first(200);
    const summary = await store.put(s);
    expect(summary).toEqual(summarize(s, encodeStudyFile(s).length));
    expect(await store.get(id)).toEqual(s);
    expect(await store.list()).toEqual([summary]);
    expect(await store.get('another')).toBeUndefined();
    // one entry per trial, holding the trial's JSON text
    expect(await trialKeys(db.raw)).toHaveLength(200);
    expect(await get(trialKey(s.trials[7]), db.raw)).toBe(JSON.stringify(s.trials[7]));
  });

  it('encodes and writes only the trial that is new', async () => {
    const { db, store } = fresh();
    await store.put(first(200));
    db.puts.length = 0;
    const next = { ...first(201), updatedAt: full.updatedAt + 1 };
    const spy = vi.spyOn(JSON, 'stringify');
    let args: { trials?: unknown[] }[] = [];
    const summary = await store.put(next).finally(() => {
      args = spy.mock.calls.map(([v]) => v as { trials?: unknown[] });
      spy.mockRestore();
    });
    expect(args.filter((v) => full.trials.includes(v as StudyTrial))).toEqual([full.trials[200]]);
    // nothing encoded the study with its trials
    expect(args.filter((v) => (v?.trials?.length ?? 0) > 0)).toEqual([]);
    expect(trialPuts(db)).toEqual([trialKey(full.trials[200])]);
    expect(summary.bytes).toBe(encodeStudyFile(next).length);
    expect(await store.get(id)).toEqual(next);
  });

  it('deletes the entries of trials the study no longer has, and writes changed ones again', async () => {
    const { db, store } = fresh();
    await store.put(first(200));
    db.puts.length = 0;
    const [changed, gone1, gone2] = [full.trials[3], full.trials[10], full.trials[11]];
    const next = { ...first(200), trials: first(200).trials.filter((t) => t !== gone1 && t !== gone2).map((t) => (t === changed ? { ...t, worker: 3 } : t)) };
    await store.put(next);
    expect(trialPuts(db)).toEqual([trialKey(changed)]);
    expect(await get(trialKey(gone1), db.raw)).toBeUndefined();
    expect(await get(trialKey(gone2), db.raw)).toBeUndefined();
    expect(await trialKeys(db.raw)).toHaveLength(198);
    expect(await store.get(id)).toEqual(next);
  });

  it('opens a study saved whole (the layout before trials were kept apart) and splits it on the next put', async () => {
    const { db, store } = fresh();
    const s = first(200);
    await set(`study:${id}`, encodeStudyFile(s), db.raw);
    await set(`summary:${id}`, summarize(s, encodeStudyFile(s).length), db.raw);
    const opened = await store.get(id);
    expect(opened).toEqual(s);
    const renamed = { ...opened!, name: 'Renamed' };
    const summary = await store.put(renamed);
    expect(typeof (await get(`study:${id}`, db.raw))).toBe('object');
    expect(await trialKeys(db.raw)).toHaveLength(200);
    expect(summary.bytes).toBe(encodeStudyFile(renamed).length);
    expect(await store.get(id)).toEqual(renamed);
  });

  it.each<[string, (raw: UseStore) => Promise<void>, RegExp]>([
    ['a trial entry is missing (a torn write)', (raw) => del(trialKey(full.trials[42]), raw), /could not be read back: trial #43 is missing/],
    ['a trial entry is not text', (raw) => set(trialKey(full.trials[0]), 7, raw), /could not be read back: trial #1 is missing/],
    ['the head is of an unknown form', (raw) => set(`study:${id}`, 42, raw), /could not be read back: it is stored in a form this version of the app does not know/],
    ['an old-layout file is damaged', (raw) => set(`study:${id}`, '{"format": "hyperpa', raw), /could not be read back: The study file is damaged/],
  ])('refuses a study when %s, with a StorageError that says so', async (_, damage, message) => {
    const { db, store } = fresh();
    await store.put(first(50));
    await damage(db.raw);
    const error = await store.get(id).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ reason: 'other', message: expect.stringMatching(message) });
  });

  it('writes a study whole again when another tab wrote it since', async () => {
    fakeDatabase();
    // two connections to the one database, as two tabs have (the store's own createStore)
    const [here, there] = [idbStudyStore('test'), idbStudyStore('test')];
    await here.put(first(200));
    await there.put({ ...first(199), trials: first(199).trials.map((t) => (t.id === 5 ? { ...t, worker: 7 } : t)) });
    await here.put(first(201));
    expect(await there.get(id)).toEqual(first(201));
  });

  it('deletes the head, the summary and every trial entry, and nothing of other studies', async () => {
    const { db, store } = fresh();
    await store.put(first(20));
    await store.put({ ...first(3), id: 'other' });
    await store.delete(id);
    expect((await keys<string>(db.raw)).filter((k) => k.includes(id))).toEqual([]);
    expect(await store.get(id)).toBeUndefined();
    expect((await store.list()).map((s) => s.id)).toEqual(['other']);
    expect(await store.get('other')).toEqual({ ...first(3), id: 'other' });
    await store.put(first(20));
    expect(await store.get(id)).toEqual(first(20));
  });

  it('rejects a write to a full disk with a quota StorageError, and keeps the study as it was', async () => {
    const { db, store } = fresh();
    await store.put(first(10));
    db.failNextWrite();
    const error = await store.put(first(11)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ reason: 'quota' });
    expect(await trialKeys(db.raw)).toHaveLength(10);
    expect(await store.get(id)).toEqual(first(10));
    await store.put(first(12));
    expect(await store.get(id)).toEqual(first(12));
  });
});
