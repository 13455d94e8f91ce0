import type { TrialParams } from '../../lib/experiment/types';
import { storeTrial, withTrials } from '../../lib/study/record';
import type { LiveSearch } from '../../lib/study/live-search';
import type { StudyRecord, StudyTrial } from '../../lib/study/types';
import type { Library } from './library.svelte';
import type { SweepHost } from './sweep.svelte';
import type { TrialView } from './trial-view';

/** Time between saves of running trials' progress while a sweep runs, ms (finished trials are saved at once). */
const SAVE_RUNNING_MS = 3000;
/** Wait before a save when no sweep runs, ms (a burst of changes is written once). */
const SAVE_IDLE_MS = 400;
/** Longest wait of a save for the search to answer its calls in flight, ms. */
const SETTLE_MS = 500;

/** What saving needs of the page: the study (rewritten on every save), its trials, and the library. */
export interface SavingHost {
  /** the study being saved (null before the first run). */
  record: StudyRecord | null;
  /** a study shown read-only is never saved. */
  readonly readOnly: boolean;
  readonly live: SweepHost;
  readonly library: Library;
  /** the trials queued by hand and not started yet (saved with the study). */
  readonly manual: { readonly queue: TrialParams[] };
}

/**
 * The save path of the running study: rebuilds its record from the trials as shown, spaces the
 * saves out while a sweep runs, and waits for the search to settle so its log agrees with the trials.
 */
export class Saving {
  /** the search of the sweep last run here, and the id of its study: its log is saved with that
   *  study's trials, never with another study shown since. */
  search: { studyId: string; live: LiveSearch } | null = null;
  /** Trials already converted for the record, by view (views are replaced on every change, so an
   *  unchanged trial is never encoded twice: its surface is the costly part). */
  private stored = new WeakMap<TrialView, StudyTrial>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** when the pending save is due (performance.now() ms). */
  private due = 0;

  constructor(private readonly host: SavingHost) {}

  /** The study changed: its record is rebuilt and saved after `delay` ms (an earlier pending save
   *  stands). Trials that ended are saved at once; epochs of running trials every SAVE_RUNNING_MS
   *  while a sweep runs (a reload trains an interrupted trial again anyway). */
  persist(delay = this.host.live.running ? SAVE_RUNNING_MS : SAVE_IDLE_MS): void {
    if (!this.host.record || this.host.readOnly) return;
    const due = performance.now() + delay;
    if (this.timer) {
      if (this.due <= due) return;
      clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = setTimeout(() => void this.persistSettled(), delay);
  }

  /** persistNow once the search has answered the calls made so far (their events are then in its
   *  log, which so agrees with the trials shown), or after SETTLE_MS when calls keep coming. */
  private async persistSettled(): Promise<void> {
    const search = this.search?.live;
    if (search) await Promise.race([search.settled(), new Promise((r) => setTimeout(r, SETTLE_MS))]);
    this.persistNow();
  }

  /** The page is being hidden or left: whatever the study holds is written now, so a closed or
   *  reloaded tab loses no finished trial (saves are otherwise spaced out during a sweep). */
  saveOnHide(): void {
    this.persistNow();
    void this.host.library.flush();
  }

  /** Rebuilds the current study's record from the trials as shown and hands it to the library. */
  persistNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const { live } = this.host;
    const r = this.host.record;
    if (!r || this.host.readOnly) return;
    live.syncNow();
    const trials: StudyTrial[] = live.trials.map((t) => {
      const known = this.stored.get(t);
      if (known && (known.result?.test !== undefined || !live.testScores.has(t.id))) return known;
      const test = live.testScores.get(t.id);
      const s = storeTrial({ ...t, result: t.result && test ? { ...t.result, test } : t.result });
      this.stored.set(t, s);
      return s;
    });
    const log = this.search?.studyId === r.id ? this.search.live.log : r.log;
    const record = withTrials(r, trials, log, Date.now(), this.host.manual.queue);
    this.host.record = record;
    this.host.library.save(record);
  }
}
