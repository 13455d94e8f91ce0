import { getContext, setContext } from 'svelte';
import type { Experiment, ParamName, TrialParams } from '../lib/experiment/types';
import { defaultExperiment } from '../lib/experiment/defaults';
import { searchedParams } from '../lib/experiment/params';
import { validateExperiment, type FieldError } from '../lib/experiment/validate';
import { decodeExperiment, encodeExperiment } from '../lib/experiment/url';
import { metricForTask, type StudyMetric } from '../lib/analysis/metric';
import type { WorkerFactory } from '../lib/train/pool';
import { assumedSamplesPerSec, estimateSweep, workOf, type Rate, type SweepEstimate } from '../lib/train/estimate';
import { calibrationKey, defaultCalibrationStore, deviceId } from '../lib/train/calibration-store';
import { resolveModel } from '../lib/model/spec';
import { canResume, interruptedTrials } from '../lib/study/record';
import { resumeBlocker, askedCount } from '../lib/study/resume';
import type { SearchEndpoint } from '../lib/study/remote-search';
import { decodeStudyLink, isStudyLink } from '../lib/study/link';
import type { StudyRecord } from '../lib/study/types';
import type { RerunReport } from '../lib/study/rerun';
import { decodeTeacherLink, isTeacherLink, type TeacherSetup } from '../lib/classroom/teacher-link';
import type { Lesson } from '../lib/lessons/types';
import { DataState } from './state/data.svelte';
import { Filters } from './state/filters.svelte';
import { SweepHost } from './state/sweep.svelte';
import { Library } from './state/library.svelte';
import { ManualSearch } from './state/manual.svelte';
import { Saving } from './state/saving';
import { Runner } from './state/running.svelte';
import { Opening } from './state/opening.svelte';
import { LessonRuns, type LessonProgress } from './state/lesson-runs.svelte';
import type { TrialView } from './state/trial-view';

export type { TrialView } from './state/trial-view';
/** Which metric the charts plot and the search optimises. */
export type MetricInfo = StudyMetric;

/**
 * The page's shared state: the experiment being edited, the data, the live sweep, the saved
 * study it belongs to, and the reader's filters. Composed of small state classes
 * (src/ui/state/), each handed this Study as the narrow interface it needs; the decisions live
 * in src/lib. Handed down by context (see useStudy).
 */
export class Study {
  experiment = $state<Experiment>(defaultExperiment());
  /** message shown when the URL could not be restored, or a study file / link could not be read. */
  urlMessage = $state('');
  /** a strategy race (src/ui/search/race.svelte.ts) is training: the main sweep waits. */
  racing = $state(false);
  /** the saved study the trials belong to (null before the first run). */
  record = $state.raw<StudyRecord | null>(null);
  /** true for a study opened from a results link: shown, not run. */
  readOnly = $state(false);
  /** another tab is running this study; this one follows it. */
  followedTab = $state(false);
  /** projector mode asked for by a lesson link. */
  projector = $state(false);
  /** a teacher link's mission and locked / hidden sections (null: the full playground). */
  teacher = $state.raw<Pick<TeacherSetup, 'mission' | 'locks' | 'lesson'> | null>(null);
  /** The training rate the time estimate uses: measured by the calibration for this network, or assumed. */
  rate = $state.raw<Rate>({ samplesPerSec: assumedSamplesPerSec(1000), workers: 1, measured: false });

  readonly data = new DataState(() => this.datasetsUrl, () => $state.snapshot(this.experiment.data), () => this.experiment.data.noise);
  readonly filters = new Filters(() => this.metric.key, () => this.experiment);
  readonly live = new SweepHost();
  readonly library = new Library((m) => void this.opening.onTabMessage(m));
  /** manual search: the draft and the trials queued by hand. */
  readonly manual = new ManualSearch(this);
  /** the save path of the running study. */
  readonly saving = new Saving(this);
  /** starting, resuming and cancelling sweeps. */
  readonly runner = new Runner(this);
  /** showing and opening studies: saved ones, files, links, a class, another tab's. */
  readonly opening = new Opening(this);
  /** running a lesson's experiments and reading them. */
  readonly lessons = new LessonRuns(this);

  errors: FieldError[] = $derived(validateExperiment(this.experiment));
  errorAt = $derived(new Map(this.errors.map((e) => [e.path, e.message])));
  searched = $derived(searchedParams(this.experiment.space));
  metric: MetricInfo = $derived(metricForTask(this.data?.dataset?.task));
  canRun = $derived(this.errors.length === 0 && this.data.prepared !== null && this.data.dataset?.id === this.experiment.data.id && !this.live.running && !this.racing && !this.data.dataLoading && !this.followedTab && !this.readOnly);
  /** Trials that pass every brush and the verdict filter: what every view and the table show. */
  visible: TrialView[] = $derived(this.live.trials.filter((t) => this.filters.passes(t)));
  finished = $derived(this.live.trials.filter((t) => t.state !== 'running').length);
  /** Why the current study cannot be resumed ('' when it can, or there is nothing to resume). */
  resumeWhy = $derived(this.record && !this.live.running ? resumeBlocker(this.record, $state.snapshot(this.experiment) as Experiment) : '');
  /** Trials a Resume would still run (interrupted ones and the budget left); 0 when finished. */
  unfinished = $derived.by(() => {
    const r = this.record;
    if (!r || this.live.running || !canResume(r)) return 0;
    const left = Math.max(0, this.experiment.strategy.budget - askedCount(r.log ?? []));
    const capped = r.trials.length >= r.experiment.strategy.budget && interruptedTrials(r).length === 0;
    return capped ? 0 : left + interruptedTrials(r).length;
  });
  /** Expected wall time of the sweep as set up now (null without data or while invalid). */
  estimate: SweepEstimate | null = $derived.by(() => {
    const p = this.data.prepared?.data;
    if (!p || this.errors.length) return null;
    const rate = this.rate.measured ? this.rate : { ...this.rate, workers: this.experiment.strategy.concurrency };
    return estimateSweep(this.experiment, { d: p.d, nClasses: p.nClasses, task: p.task, nTrain: p.yTrain.length, nVal: p.yVal.length, image: p.image }, rate);
  });

  /** `spawnSearch` starts a search worker for each sweep's strategy (without it, it runs on this thread). */
  constructor(private readonly factory: WorkerFactory, private readonly datasetsUrl: string, private readonly spawnSearch?: () => SearchEndpoint) {}

  // ---- the state components read (delegated to the parts) ----
  get trials(): TrialView[] { return this.live.trials; }
  get running(): boolean { return this.live.running; }
  get sweepError(): string { return this.live.sweepError; }
  set sweepError(v: string) { this.live.sweepError = v; }
  get backends() { return this.live.backends; }
  get sweepStartedAt(): number { return this.live.sweepStartedAt; }
  get sweepsDone(): number { return this.live.sweepsDone; }
  get now(): number { return this.live.now; }
  get snapshot() { return this.live.snapshot; }
  get prunerSnapshot() { return this.live.prunerSnapshot; }
  get testReport() { return this.live.testReport; }
  get dataset() { return this.data.dataset; }
  get prepared() { return this.data.prepared; }
  get dataError(): string { return this.data.dataError; }
  get dataLoading(): boolean { return this.data.dataLoading; }
  get csvReport(): string { return this.data.csvReport; }
  get boundaryExtent() { return this.data.boundaryExtent; }
  get verdictOpts() { return this.data.verdictOpts; }
  get selected(): number | null { return this.filters.selected; }
  set selected(v: number | null) { this.filters.selected = v; }
  get hovered(): number | null { return this.filters.hovered; }
  set hovered(v: number | null) { this.filters.hovered = v; }
  get focus(): number | null { return this.filters.focus; }
  get brushes() { return this.filters.brushes; }
  set brushes(v: Record<string, [number, number]>) { this.filters.brushes = v; }
  get verdictFilter(): string[] { return this.filters.verdictFilter; }
  set verdictFilter(v: string[]) { this.filters.verdictFilter = v; }
  finalMetric(t: TrialView): number | undefined { return this.filters.finalMetric(t); }
  bestMetric(t: TrialView): number | undefined { return this.filters.bestMetric(t); }
  axisValue(t: TrialView, key: string): number { return this.filters.axisValue(t, key); }

  // ---- the experiment and its link ----

  /** Restores the page from a URL hash: a results link shows that study read-only; an experiment
   *  link sets the experiment; a bad hash keeps what the page had and explains why. */
  restore(hash: string): void {
    if (isTeacherLink(hash)) {
      const r = decodeTeacherLink(hash);
      if (r.kind === 'error') {
        this.urlMessage = `${r.message} The default experiment was opened instead.`;
        return;
      }
      this.experiment = r.setup.experiment;
      this.teacher = { mission: r.setup.mission, locks: r.setup.locks, lesson: r.setup.lesson };
      this.projector = r.setup.projector;
      if (r.notes.length) this.urlMessage = `This lesson link was changed after it was made: ${r.notes.join('; ')}. Everything else is as the teacher set it.`;
      return;
    }
    if (isStudyLink(hash)) {
      const r = decodeStudyLink(hash);
      if (r.kind === 'ok') this.show(r.study, { readOnly: true });
      else this.urlMessage = `${r.message} The default experiment was opened instead.`;
      return;
    }
    const r = decodeExperiment(hash);
    if (r.kind === 'ok') this.experiment = r.experiment;
    else if (r.kind === 'error') this.urlMessage = `${r.message} The default experiment was opened instead.`;
  }

  /** The shareable hash of the current experiment, or null while it is invalid. */
  get hash(): string | null {
    return this.errors.length === 0 ? encodeExperiment($state.snapshot(this.experiment) as Experiment) : null;
  }

  /** Sets one searched parameter's spec. */
  setSpec(name: ParamName, spec: Experiment['space'][ParamName]): void {
    this.experiment.space[name] = spec;
  }

  /** Loads (or generates) the data the experiment names. */
  async loadData(spec: Experiment['data']): Promise<void> {
    if (this.errors.some((e) => e.path.startsWith('data.'))) return;
    await this.data.load(spec);
  }

  /** Reads a CSV file chosen by the user (or the current one with another target or task). */
  async loadCsv(file: { name: string; text(): Promise<string> } | null, options: Parameters<DataState['loadCsv']>[1] = {}): Promise<void> {
    const current = file ? null : this.data.file;
    const text = file ? await file.text() : current?.text ?? null;
    const name = file?.name ?? current?.name ?? 'data.csv';
    if (text === null) return;
    if (!(await this.data.loadCsv({ name, text }, options))) return;
    if (this.experiment.data.id === 'csv') {
      this.data.invalidate();
      await this.loadData($state.snapshot(this.experiment.data));
    } else {
      this.experiment.data.id = 'csv';
    }
  }

  /** Looks up what the calibration measured on this device for the current network (if anything). */
  async refreshRate(): Promise<void> {
    const p = this.data.prepared?.data;
    if (!p || this.errors.length) return;
    const e = $state.snapshot(this.experiment) as Experiment;
    const shape = { model: resolveModel(e.model, {}), d: p.d, nClasses: p.nClasses, task: p.task };
    const m = await defaultCalibrationStore().get(calibrationKey(deviceId(), shape, e.backend)).catch(() => undefined);
    const mine = m?.backends.find((b) => b.backend === m.backend)?.samplesPerSec ?? m?.pool.find((q) => q.workers === 1)?.samplesPerSec;
    const best = m?.pool.length ? m.pool.reduce((a, b) => (b.samplesPerSec > a.samplesPerSec ? b : a)) : undefined;
    this.rate = mine
      ? { samplesPerSec: mine, workers: e.strategy.autoWorkers && best ? best.workers : e.strategy.concurrency, measured: true, backend: m?.backend }
      : { samplesPerSec: assumedSamplesPerSec(workOf(shape.model, p)), workers: e.strategy.concurrency, measured: false };
  }

  /**
   * What a Sweep needs besides a search to run `experiment` on the loaded data exactly as the main
   * sweep does (the main sweep and the strategy race): the data of each fold and the worker factory.
   * Null while no data is loaded.
   */
  sweepKit(experiment: Experiment): { data: ReturnType<DataState['foldData']> & object; factory: WorkerFactory; spawnSearch?: () => SearchEndpoint } | null {
    const data = this.data.foldData(experiment.data, experiment.strategy.validation.scheme, experiment.strategy.validation.k);
    return data ? { data, factory: this.factory, spawnSearch: this.spawnSearch } : null;
  }

  // ---- what components call on the parts (see src/ui/state/) ----
  run(): Promise<void> { return this.runner.run(); }
  resume(): Promise<void> { return this.runner.resume(); }
  cancel(): void { this.runner.cancel(); }
  get lesson(): LessonProgress | null { return this.lessons.lesson; }
  runLesson(lesson: Lesson): Promise<void> { return this.lessons.runLesson(lesson); }
  saveOnHide(): void { this.saving.saveOnHide(); }
  persistNow(): void { this.saving.persistNow(); }
  get manualDraft(): TrialParams { return this.manual.manualDraft; }
  get queued(): TrialParams[] { return this.manual.queued; }
  enqueue(params: TrialParams): void { this.manual.enqueue(params); }
  draftParams(): TrialParams { return this.manual.draftParams(); }
  unqueue(i: number): void { this.manual.unqueue(i); }
  get classSize(): number { return this.opening.classSize; }
  get rerun(): RerunReport | null { return this.opening.rerun; }
  showClass(records: readonly StudyRecord[]): void { this.opening.showClass(records); }
  show(record: StudyRecord, opts: { readOnly?: boolean } = {}): void { this.opening.show(record, opts); }
  open(id: string): Promise<void> { return this.opening.open(id); }
  reopenLast(hadHash: boolean): Promise<void> { return this.opening.reopenLast(hadHash); }
  openFile(file: { name: string; text(): Promise<string> }): Promise<void> { return this.opening.openFile(file); }
  studyFile(): { name: string; blob: Blob } | null { return this.opening.studyFile(); }
  resultsLink(base: string): ReturnType<Opening['resultsLink']> { return this.opening.resultsLink(base); }
  runAgainHere(): Promise<void> { return this.opening.runAgainHere(); }
}

const KEY = Symbol('study');
/** Provides the Study to child components. */
export function provideStudy(s: Study): Study {
  return setContext(KEY, s);
}
/** The Study provided by an ancestor. */
export function useStudy(): Study {
  return getContext<Study>(KEY);
}
