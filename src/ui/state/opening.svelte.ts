import type { Experiment } from '../../lib/experiment/types';
import { encodeExperiment } from '../../lib/experiment/url';
import { trialConfig } from '../../lib/train/config';
import { makeStudyId, trialResultOf } from '../../lib/study/record';
import { resumeBlocker } from '../../lib/study/resume';
import { decodeStudyFile, encodeStudyFile, studyFileName, STUDY_FILE_TYPE } from '../../lib/study/file';
import { studyLink } from '../../lib/study/link';
import { compareRuns, type RerunReport } from '../../lib/study/rerun';
import type { StudyRecord, StudyTrial } from '../../lib/study/types';
import type { DataState } from './data.svelte';
import type { Filters } from './filters.svelte';
import type { Library, TabMessage } from './library.svelte';
import type { ManualSearch } from './manual.svelte';
import { GRID, lockName } from './running.svelte';
import type { SweepHost } from './sweep.svelte';
import type { TrialView } from './trial-view';

/** What opening a study needs of the page. */
export interface OpeningHost {
  experiment: Experiment;
  /** the study shown (and saved, unless read-only). */
  record: StudyRecord | null;
  readOnly: boolean;
  followedTab: boolean;
  /** a sentence for the reader when a study could not be opened. */
  urlMessage: string;
  /** the shareable hash of the experiment on the page (null while invalid). */
  readonly hash: string | null;
  /** trials a Resume would still run. */
  readonly unfinished: number;
  readonly data: DataState;
  readonly live: SweepHost;
  readonly filters: Pick<Filters, 'selected' | 'clear'>;
  readonly library: Library;
  readonly manual: Pick<ManualSearch, 'replace'>;
  run(): Promise<void>;
}

/**
 * Showing and opening studies: saved ones, files, results links, a class's studies pooled, the
 * study another tab runs (followed live), the last one on start, and a linked study run again here
 * and compared with the new run.
 */
export class Opening {
  /** studies pooled in the views by "Compare a class" (0: one study). */
  classSize = $state(0);
  /** after "Run it again here": how the new run compares with the linked one. */
  rerun = $state.raw<RerunReport | null>(null);
  /** a linked study being run again here: compared with the new run when it ends. */
  private linked: StudyRecord | null = null;

  constructor(private readonly host: OpeningHost) {}

  /** Every trial of a class's studies in the page's views (read-only), each tagged with its student. */
  showClass(records: readonly StudyRecord[]): void {
    const { live } = this.host;
    if (live.running || records.length === 0) return;
    const pooled: StudyTrial[] = [];
    const students: string[] = [];
    for (const r of records) {
      for (const t of r.trials) {
        students[pooled.length] = r.author || r.name;
        pooled.push({ ...t, id: pooled.length });
      }
    }
    this.show({ ...records[0], id: 'class', name: `A class of ${records.length}`, trials: pooled, log: undefined, origin: 'link' }, { readOnly: true });
    live.show(live.trials.map((t) => ({ ...t, student: students[t.id] })));
    this.classSize = records.length;
  }

  /** Shows a saved study: its experiment and every trial, as they were. */
  show(record: StudyRecord, opts: { readOnly?: boolean } = {}): void {
    const h = this.host;
    this.classSize = 0;
    if (h.live.running) return;
    h.record = record;
    h.readOnly = opts.readOnly ?? false;
    h.followedTab = false;
    h.experiment = structuredClone(record.experiment);
    h.manual.replace(record.queued ?? []);
    const tests = new Map<number, { loss: number; acc?: number }>();
    const extent = h.data.boundaryExtent;
    const views = record.trials.map((t): TrialView => {
      const result = trialResultOf(t);
      if (result?.test) tests.set(t.id, result.test);
      return {
        id: t.id,
        params: t.params,
        cfg: trialConfig(record.experiment, t.id, t.params, { grid: record.dataset.id && h.data.dataset?.is2d ? GRID : 0, extent }),
        // a trial that was running when the page closed shows as cancelled until Resume trains it again
        state: t.state === 'running' ? 'cancelled' : t.state,
        epochs: t.epochs,
        backend: t.backend ?? result?.backend ?? '—',
        worker: t.worker ?? 0,
        startedAt: t.startedAt ?? 0,
        endedAt: t.endedAt,
        result: result ? { ...result, test: undefined } : undefined,
        verdict: t.verdict,
        pruneReason: t.pruneReason,
        retries: t.result?.retries,
      };
    });
    h.live.show(views, tests);
    h.filters.selected = null;
    h.filters.clear();
    if (h.unfinished === 0) h.live.revealTest(record.metric, h.data.prepared?.test?.y.length ?? 0);
    if (!h.readOnly) h.library.lastId = record.id;
  }

  /** Opens a saved study by id. */
  async open(id: string): Promise<void> {
    const r = await this.host.library.get(id);
    if (r) this.show(r);
    else this.host.urlMessage = 'That study is no longer stored in this browser.';
  }

  /** On start: the study this browser worked on last, when it belongs to the experiment on the page. */
  async reopenLast(hadHash: boolean): Promise<void> {
    const h = this.host;
    await h.library.refresh();
    const id = h.library.lastId;
    if (!id || h.readOnly || h.live.running) return;
    const r = await h.library.get(id);
    if (!r) return;
    const same = !hadHash || resumeBlocker({ ...r, log: r.log ?? [] }, $state.snapshot(h.experiment) as Experiment) === '' || encodeExperiment(r.experiment) === h.hash;
    if (!same) return;
    this.show(r);
    await this.checkFollowed();
  }

  /** Whether another tab holds this study's run lock (it is running it right now). */
  private async checkFollowed(): Promise<void> {
    const r = this.host.record;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!r || !locks) return;
    const held = await locks.query().then((q) => q.held?.some((l) => l.name === lockName(r.id)) ?? false).catch(() => false);
    this.host.followedTab = held;
  }

  /** Another tab saved or deleted a study: follow it when it is the one shown here. */
  async onTabMessage(m: TabMessage): Promise<void> {
    const h = this.host;
    if (!h.record || m.id !== h.record.id || h.live.running) return;
    if (m.kind === 'deleted') return;
    const r = await h.library.get(m.id);
    if (!r) return;
    this.show(r);
    h.followedTab = m.running;
    if (m.running) h.live.sweepError = 'Another tab is running this study: this tab follows it live.';
    else if (h.live.sweepError.startsWith('Another tab')) h.live.sweepError = '';
  }

  /** A study file chosen or dropped by the user: opened and kept in "My studies". Nothing changes on error. */
  async openFile(file: { name: string; text(): Promise<string> }): Promise<void> {
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      this.host.urlMessage = `Could not read ${file.name}: ${e instanceof Error ? e.message : String(e)}. Nothing was changed.`;
      return;
    }
    const r = decodeStudyFile(text);
    if (r.kind === 'error') {
      this.host.urlMessage = `Could not open ${file.name}: ${r.message} Nothing was changed.`;
      return;
    }
    // A copy of its own: opening the same file twice never overwrites a study already here.
    const record: StudyRecord = { ...r.study, id: makeStudyId(Date.now(), Math.random) };
    await this.host.library.put(record);
    this.show(record);
  }

  /** The current study as a file to download. */
  studyFile(): { name: string; blob: Blob } | null {
    const r = this.host.record;
    if (!r) return null;
    return { name: studyFileName(r), blob: new Blob([encodeStudyFile(r)], { type: STUDY_FILE_TYPE }) };
  }

  /** The results link of the current study (a full URL), or why there is none. */
  resultsLink(base: string): { kind: 'ok'; url: string; chars: number } | { kind: 'error'; message: string } {
    const r = this.host.record;
    if (!r || r.trials.length === 0) return { kind: 'error', message: 'Run a sweep first: a results link holds its finished trials.' };
    const l = studyLink(r);
    if (l.kind === 'too-long') return { kind: 'error', message: `This study's results need ${l.chars.toLocaleString('en')} characters, more than a link may hold (${l.limit.toLocaleString('en')}): save it to a file and hand that on instead.` };
    return { kind: 'ok', url: `${base}#${l.hash}`, chars: l.hash.length };
  }

  /** A read-only linked study: runs the same experiment here, then compares the two. */
  async runAgainHere(): Promise<void> {
    const h = this.host;
    if (!h.record || !h.readOnly) return;
    this.linked = h.record;
    this.rerun = null;
    h.readOnly = false;
    h.experiment = structuredClone(h.record.experiment);
    history.replaceState(null, '', `#${encodeExperiment(h.record.experiment)}`);
    await h.data.load($state.snapshot(h.experiment.data));
    await h.run();
  }

  /** After a sweep: when it ran a linked study again, how the two compare (see `rerun`). */
  compareWithLinked(): void {
    const a = this.linked;
    const b = this.host.record;
    this.linked = null;
    if (!a || !b) return;
    this.rerun = compareRuns(a, b, [...new Set(Object.values(this.host.live.backends).map((i) => i.backend))]);
  }
}
