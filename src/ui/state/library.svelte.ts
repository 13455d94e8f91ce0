import { idbStudyStore, memoryStudyStore, StorageError, type StudyStore, type StudySummary } from '../../lib/study/store';
import type { StudyRecord } from '../../lib/study/types';

/** Shortest time between two writes of the study being run, ms: a trial's end is saved within it. */
const SAVE_EVERY_MS = 400;
/** localStorage key of the study this browser worked on last (opened again after a reload). */
const LAST_KEY = 'hpp:last-study';
/** Tabs of this app tell each other about saved studies on this channel. */
const CHANNEL = 'hpp-studies';

/** What one tab tells the others. */
export type TabMessage = { kind: 'saved'; id: string; running: boolean } | { kind: 'deleted'; id: string };

/**
 * "My studies": the saved studies of this browser (IndexedDB; in memory when the browser has
 * none), the storage used and left, batched writes of the study being run, and the channel on
 * which tabs tell each other what they saved.
 */
export class Library {
  summaries = $state.raw<StudySummary[]>([]);
  /** storage used and available to this site, bytes (when the browser says). */
  usage = $state.raw<{ used: number; quota: number } | null>(null);
  /** a storage problem, said once (a full disk, no IndexedDB). Studies then live in memory. */
  problem = $state('');
  /** what the last write kept: the study, its finished trials, when (shown beside the study's
   *  name, so a person knows what a closed tab would keep). Null until a write lands. */
  saved = $state.raw<{ id: string; finished: number; at: number } | null>(null);
  /** a deleted study, kept until the next delete so it can be restored (undo). */
  lastDeleted = $state.raw<StudyRecord | null>(null);
  private store: StudyStore;
  private pending: StudyRecord | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private channel: BroadcastChannel | null = null;
  /** true while this tab runs a sweep (others are told, so they follow instead of resuming). */
  running = false;

  constructor(onMessage: (m: TabMessage) => void) {
    this.store = typeof indexedDB === 'undefined' ? memoryStudyStore() : idbStudyStore();
    if (!this.store.durable) this.problem = 'This browser keeps no data for this site (private mode?): studies last only until the tab closes. Save them to files to keep them.';
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = (e: MessageEvent<TabMessage>) => {
        void this.refresh();
        onMessage(e.data);
      };
    }
  }

  /** Reads the list of studies and the storage estimate again. */
  async refresh(): Promise<void> {
    try {
      this.summaries = await this.store.list();
    } catch (e) {
      this.fallBack(e);
    }
    const est = await navigator.storage?.estimate?.().catch(() => undefined);
    if (est?.quota) this.usage = { used: est.usage ?? 0, quota: est.quota };
  }

  get(id: string): Promise<StudyRecord | undefined> {
    return this.store.get(id).catch((e) => {
      this.fallBack(e);
      return undefined;
    });
  }

  /** The id of the study this browser worked on last. */
  get lastId(): string | null {
    try {
      return localStorage.getItem(LAST_KEY);
    } catch {
      return null;
    }
  }

  set lastId(id: string | null) {
    try {
      if (id) localStorage.setItem(LAST_KEY, id);
      else localStorage.removeItem(LAST_KEY);
    } catch {
      // no storage: nothing to remember across reloads
    }
  }

  /** Saves `study` soon (writes are batched: at most one every SAVE_EVERY_MS, never two at once). */
  save(study: StudyRecord): void {
    this.pending = study;
    this.timer ??= setTimeout(() => void this.flush(), SAVE_EVERY_MS);
  }

  /** Writes what is pending now (e.g. when the sweep ends or the page is hidden). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const study = this.pending;
    this.pending = null;
    if (!study) return this.writing;
    this.writing = this.writing.then(() => this.write(study));
    return this.writing;
  }

  /** Saves `study` now and waits for it. */
  async put(study: StudyRecord): Promise<void> {
    this.pending = study;
    await this.flush();
  }

  private async write(study: StudyRecord): Promise<void> {
    try {
      const summary = await this.store.put(study);
      this.summaries = [summary, ...this.summaries.filter((s) => s.id !== study.id)];
      this.saved = { id: study.id, finished: study.trials.filter((t) => t.state !== 'running' && t.state !== 'cancelled').length, at: Date.now() };
      this.channel?.postMessage({ kind: 'saved', id: study.id, running: this.running } satisfies TabMessage);
    } catch (e) {
      this.fallBack(e);
      // keep working: the study stays in memory and is written there
      await this.store.put(study).catch(() => undefined);
    }
  }

  /** After a storage failure: say what happened once and keep studies in memory. */
  private fallBack(e: unknown): void {
    const quota = e instanceof StorageError && e.reason === 'quota';
    this.problem = quota
      ? `${e.message} Until then, new results are kept in this tab only: save the study to a file to keep it.`
      : `Studies cannot be stored in this browser (${e instanceof Error ? e.message : String(e)}): they are kept in this tab only. Save them to files to keep them.`;
    if (this.store.durable) {
      const memory = memoryStudyStore();
      for (const s of this.summaries) void this.store.get(s.id).then((r) => r && memory.put(r)).catch(() => undefined);
      this.store = memory;
    }
  }

  /** Renames a study. */
  async rename(id: string, name: string): Promise<void> {
    const s = await this.get(id);
    if (s) await this.put({ ...s, name: name.trim() || s.name, updatedAt: Date.now() });
  }

  /** A copy of a study under a new id and name; returns it. */
  async duplicate(id: string, newId: string): Promise<StudyRecord | undefined> {
    const s = await this.get(id);
    if (!s) return undefined;
    const copy: StudyRecord = { ...structuredClone(s), id: newId, name: `${s.name} (copy)`, createdAt: Date.now(), updatedAt: Date.now() };
    await this.put(copy);
    return copy;
  }

  /** Deletes a study (it can be restored with `undoDelete` until the next delete). */
  async remove(id: string): Promise<void> {
    const s = await this.get(id);
    await this.store.delete(id).catch((e) => this.fallBack(e));
    this.lastDeleted = s ?? null;
    this.summaries = this.summaries.filter((x) => x.id !== id);
    if (this.lastId === id) this.lastId = null;
    this.channel?.postMessage({ kind: 'deleted', id } satisfies TabMessage);
  }

  /** Restores the study deleted last. */
  async undoDelete(): Promise<void> {
    const s = this.lastDeleted;
    if (!s) return;
    this.lastDeleted = null;
    await this.put(s);
  }
}
