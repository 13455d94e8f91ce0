import { getContext, setContext } from 'svelte';
import type { Experiment, ParamName, TrialParams } from '../lib/experiment/types';
import { defaultExperiment } from '../lib/experiment/defaults';
import { searchedParams } from '../lib/experiment/params';
import { validateExperiment, type FieldError } from '../lib/experiment/validate';
import { decodeExperiment, encodeExperiment } from '../lib/experiment/url';
import { metricForTask, objectiveFn, type StudyMetric } from '../lib/analysis/metric';
import { fromUnit } from '../lib/search/space';
import type { WorkerFactory } from '../lib/train/pool';
import { trialConfig } from '../lib/train/config';
import { assumedSamplesPerSec, estimateSweep, workOf, type Rate, type SweepEstimate } from '../lib/train/estimate';
import { calibrationKey, defaultCalibrationStore, deviceId } from '../lib/train/calibration-store';
import { resolveModel } from '../lib/model/spec';
import { metricKeyOf } from '../lib/search/create';
import { makeStudyId, newStudy, storeTrial, trialResultOf, withTrials, canResume, interruptedTrials } from '../lib/study/record';
import { resumeBlocker, openLiveSearch, askedCount } from '../lib/study/resume';
import type { LiveSearch } from '../lib/study/live-search';
import type { SearchEndpoint } from '../lib/study/remote-search';
import { decodeStudyFile, encodeStudyFile, studyFileName, STUDY_FILE_TYPE } from '../lib/study/file';
import { decodeStudyLink, isStudyLink, studyLink } from '../lib/study/link';
import type { StudyRecord, StudyTrial } from '../lib/study/types';
import { DataState } from './state/data.svelte';
import { Filters } from './state/filters.svelte';
import { SweepHost } from './state/sweep.svelte';
import { Library, type TabMessage } from './state/library.svelte';
import type { TrialView } from './state/trial-view';
import { compareRuns, type RerunReport } from '../lib/study/rerun';
import { decodeTeacherLink, isTeacherLink, type TeacherSetup } from '../lib/classroom/teacher-link';
import type { Lesson, LessonTrial, Reading } from '../lib/lessons/types';

export type { TrialView } from './state/trial-view';
/** Which metric the charts plot and the search optimises. */
export type MetricInfo = StudyMetric;

/** Side of the decision-surface grid of 2-D data. */
const GRID = 48;
/** Time between saves of running trials' progress while a sweep runs, ms (finished trials are saved at once). */
const SAVE_RUNNING_MS = 3000;
/** Longest wait of a save for the search to answer its calls in flight, ms. */
const SETTLE_MS = 500;
/** Web Locks name held by the tab that runs a study's sweep. */
const lockName = (id: string) => `hpp-run-${id}`;

/**
 * The page's shared state: the experiment being edited, the data, the live sweep, the saved
 * study it belongs to, and the reader's filters. Composed of small state classes
 * (src/ui/state/); the decisions live in src/lib. Handed down by context (see useStudy).
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
  /** the lesson being run or read: which run of how many, and the reading once every run ended. */
  lesson = $state.raw<{ id: string; run: number; of: number; label: string; reading?: Reading; error?: string } | null>(null);
  /** studies pooled in the views by "Compare a class" (0: one study). */
  classSize = $state(0);
  /** after "Run it again here": how the new run compares with the linked one. */
  rerun = $state.raw<RerunReport | null>(null);
  /** the values typed in the manual "Queue a trial" form; a click on a chart fills in one of them. */
  manualDraft = $state<TrialParams>({});
  /** trials queued by hand and not started yet (a copy of the live queue, for display). */
  queued = $state.raw<TrialParams[]>([]);
  /** The training rate the time estimate uses: measured by the calibration for this network, or assumed. */
  rate = $state.raw<Rate>({ samplesPerSec: assumedSamplesPerSec(1000), workers: 1, measured: false });

  readonly data = new DataState(() => this.datasetsUrl, () => $state.snapshot(this.experiment.data), () => this.experiment.data.noise);
  readonly filters = new Filters(() => this.metric.key, () => this.experiment);
  readonly live = new SweepHost();
  readonly library = new Library((m) => void this.onTabMessage(m));
  private manualQueue: TrialParams[] = [];
  private session: LiveSearch | null = null;
  /** a linked study being run again here: compared with the new run when it ends. */
  private linked: StudyRecord | null = null;

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

  // ---- running ----

  /** Starts a new study with the current experiment (manual search continues the current one). */
  async run(): Promise<void> {
    if (!this.canRun || !this.data.prepared) return;
    const experiment = $state.snapshot(this.experiment) as Experiment;
    const manual = experiment.strategy.kind === 'manual';
    if (manual && this.manualQueue.length === 0) {
      this.live.sweepError = 'Queue a trial first: type its values under "Queue a trial", or click a point on a hyperparameter chart.';
      return;
    }
    const continuing = manual && this.record && !this.readOnly && resumeBlocker(this.record, experiment) === '';
    if (manual && continuing && this.record && askedCount(this.record.log ?? []) >= experiment.strategy.budget) {
      this.live.sweepError = `The trial budget (${experiment.strategy.budget}) is used up: raise it to queue more trials.`;
      return;
    }
    if (!continuing) {
      const ds = this.data.dataset;
      this.record = newStudy({
        id: makeStudyId(Date.now(), Math.random),
        now: Date.now(),
        experiment,
        metric: this.metric.key,
        dataset: { id: experiment.data.id, name: ds?.name, task: ds?.task, rows: ds?.n, features: ds?.d, classes: ds?.classes?.length, dataHash: ds?.hash },
      });
      this.live.show([]);
      this.filters.selected = null;
    }
    this.readOnly = false;
    await this.sweepRecord(experiment);
  }

  /** Continues the current study: re-runs its interrupted trials, then the budget left, exactly as
   *  an uninterrupted run would have. */
  async resume(): Promise<void> {
    if (!this.record || this.resumeWhy || !this.canRun) return;
    // interrupted trials are trained again: their views go until they start
    this.live.show(this.live.trials.filter((t) => t.state !== 'running' && t.state !== 'cancelled'), new Map(this.live.testScores));
    await this.sweepRecord($state.snapshot(this.experiment) as Experiment);
  }

  /** Runs the current record's search (new, continued or resumed) while holding its lock. */
  private async sweepRecord(experiment: Experiment): Promise<void> {
    const record = this.record;
    const prepared = this.data.prepared;
    if (!record || !prepared) return;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const go = async () => {
      const data = this.data.foldData(experiment.data, experiment.strategy.validation.scheme, experiment.strategy.validation.k);
      if (!data) return;
      const accuracy = this.metric.key === 'valAcc';
      let session: LiveSearch;
      try {
        session = await openLiveSearch(record, { experiment, manualQueue: this.manualQueue, onEvent: () => this.persist(), spawn: this.spawnSearch });
      } catch (e) {
        this.live.sweepError = e instanceof Error ? e.message : `The sweep could not start: ${String(e)}`;
        return;
      }
      this.session = session;
      this.record = { ...record, experiment };
      this.library.lastId = record.id;
      this.library.running = true;
      // in the store before its first trial: another tab (or a reload) finds the study at once,
      // whatever the spacing of the saves while it runs
      this.persistNow();
      await this.library.flush();
      await this.live.run({
        experiment,
        data,
        session,
        objective: objectiveFn(metricKeyOf(accuracy)),
        factory: this.factory,
        boundaryGrid: this.data.dataset?.is2d ? GRID : 0,
        boundaryExtent: this.data.boundaryExtent,
        metric: this.metric.key,
        verdictOpts: () => this.data.verdictOpts,
        nTest: prepared.test?.y.length ?? 0,
        notice: session.divergedAt === null ? undefined : `This version of the app would have proposed trial #${session.divergedAt + 1} differently: the study continues from its saved trials, but later trials may differ from an uninterrupted run.`,
        // trials ended: saved at once (the library spaces its writes), not with the epochs' 3 s
        changed: () => {
          this.queued = [...this.manualQueue];
          this.persist(0);
        },
      });
      this.library.running = false;
      // the calibration may have measured this device during the sweep: the estimate uses it now
      void this.refreshRate();
      this.persistNow();
      await this.library.flush();
      if (this.linked) this.compareWithLinked();
    };
    if (!locks) return go();
    await locks.request(lockName(record.id), { ifAvailable: true }, async (lock) => {
      if (!lock) {
        this.followedTab = true;
        this.live.sweepError = 'Another tab is running this study: this tab follows it live.';
        return;
      }
      await go();
    });
  }

  /**
   * Runs a lesson: each of its experiments in turn through the ordinary sweep (each is a study in
   * "My studies"), then reads the trials just trained: did the lesson's effect appear here?
   */
  async runLesson(lesson: Lesson): Promise<void> {
    if (this.live.running) return;
    try {
      await this.lessonRuns(lesson);
    } catch (e) {
      this.lesson = { id: lesson.id, run: 0, of: lesson.runs.length, label: '', error: `The lesson stopped: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private async lessonRuns(lesson: Lesson): Promise<void> {
    const trials: Record<string, LessonTrial[]> = {};
    const experiments: Record<string, Experiment> = {};
    for (const [i, run] of lesson.runs.entries()) {
      this.lesson = { id: lesson.id, run: i, of: lesson.runs.length, label: run.label };
      this.readOnly = false;
      this.experiment = structuredClone(run.experiment);
      await this.data.load($state.snapshot(this.experiment.data));
      if (!this.canRun) {
        this.lesson = { ...this.lesson, error: this.data.dataError || this.errors[0]?.message || 'The lesson could not start.' };
        return;
      }
      await this.run();
      if (this.live.cancelled) {
        this.lesson = { ...this.lesson, error: 'The lesson was cancelled: start it again to get its reading.' };
        return;
      }
      experiments[run.id] = $state.snapshot(this.experiment) as Experiment;
      // a lesson reads every trial's test score (the sweep itself shows only the best one's)
      trials[run.id] = this.live.trials.map((t) => ({ ...t, result: t.result ? { ...t.result, test: this.live.testScores.get(t.id) } : undefined }));
    }
    const reading = lesson.read(trials, { experiments, metric: this.metric.key });
    this.lesson = { id: lesson.id, run: lesson.runs.length, of: lesson.runs.length, label: '', reading };
  }

  /** Stops the sweep now; finished trials stay (and, in manual search, the queue is emptied). */
  cancel(): void {
    this.live.cancel();
    this.manualQueue.length = 0;
    this.queued = [];
  }

  /** Trials already converted for the record, by view (views are replaced on every change, so an
   *  unchanged trial is never encoded twice: its surface is the costly part). */
  private stored = new WeakMap<TrialView, StudyTrial>();
  private persistTimer: ReturnType<typeof setTimeout> | null = null;
  /** when the pending save is due (performance.now() ms). */
  private persistDue = 0;

  /** The study changed: its record is rebuilt and saved after `delay` ms (an earlier pending save
   *  stands). Trials that ended are saved at once; epochs of running trials every SAVE_RUNNING_MS
   *  while a sweep runs (a reload trains an interrupted trial again anyway). */
  private persist(delay = this.live.running ? SAVE_RUNNING_MS : 400): void {
    if (!this.record || this.readOnly) return;
    const due = performance.now() + delay;
    if (this.persistTimer) {
      if (this.persistDue <= due) return;
      clearTimeout(this.persistTimer);
    }
    this.persistDue = due;
    this.persistTimer = setTimeout(() => void this.persistSettled(), delay);
  }

  /** persistNow once the search has answered the calls made so far (their events are then in its
   *  log, which so agrees with the trials shown), or after SETTLE_MS when calls keep coming. */
  private async persistSettled(): Promise<void> {
    const search = this.session;
    if (search) await Promise.race([search.settled(), new Promise((r) => setTimeout(r, SETTLE_MS))]);
    this.persistNow();
  }

  /** The page is being hidden or left: whatever the study holds is written now, so a closed or
   *  reloaded tab loses no finished trial (saves are otherwise spaced out during a sweep). */
  saveOnHide(): void {
    this.persistNow();
    void this.library.flush();
  }

  /** Rebuilds the current study's record from the trials as shown and hands it to the library. */
  persistNow(): void {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = null;
    const r = this.record;
    if (!r || this.readOnly) return;
    this.live.syncNow();
    const trials: StudyTrial[] = this.live.trials.map((t) => {
      const known = this.stored.get(t);
      if (known && (known.result?.test !== undefined || !this.live.testScores.has(t.id))) return known;
      const test = this.live.testScores.get(t.id);
      const s = storeTrial({ ...t, result: t.result && test ? { ...t.result, test } : t.result });
      this.stored.set(t, s);
      return s;
    });
    this.record = withTrials(r, trials, this.session?.log ?? r.log, Date.now(), this.manualQueue);
    this.library.save(this.record);
  }

  // ---- manual search ----

  /** Manual search: queues a trial with these searched values and starts it when nothing runs. */
  enqueue(params: TrialParams): void {
    this.manualQueue.push(params);
    this.queued = [...this.manualQueue];
    if (!this.live.running && this.canRun) void this.run();
  }

  /** The manual draft as a full trial: typed values, the middle of the range for the rest. */
  draftParams(): TrialParams {
    const p: TrialParams = {};
    for (const d of this.searched) {
      const v = this.manualDraft[d.name] ?? fromUnit(d.spec, 0.5);
      p[d.name] = d.spec.type === 'categorical' ? d.spec.choices.find((c) => String(c) === String(v)) ?? v : Number(v);
    }
    return p;
  }

  /** Manual search: removes queued trial `i` before it starts. */
  unqueue(i: number): void {
    this.manualQueue.splice(i, 1);
    this.queued = [...this.manualQueue];
  }

  /**
   * What a Sweep needs besides a search to run `experiment` on the loaded data exactly as the main
   * sweep does (the strategy race): the data of each fold and the worker factory. Null while no data is loaded.
   */
  sweepKit(experiment: Experiment): { data: ReturnType<DataState['foldData']> & object; factory: WorkerFactory; spawnSearch?: () => SearchEndpoint } | null {
    const data = this.data.foldData(experiment.data, experiment.strategy.validation.scheme, experiment.strategy.validation.k);
    return data ? { data, factory: this.factory, spawnSearch: this.spawnSearch } : null;
  }

  // ---- studies: open, files, links ----

  /** Every trial of a class's studies in the page's views (read-only), each tagged with its student. */
  showClass(records: readonly StudyRecord[]): void {
    if (this.live.running || records.length === 0) return;
    const pooled: StudyTrial[] = [];
    const students: string[] = [];
    for (const r of records) {
      for (const t of r.trials) {
        students[pooled.length] = r.author || r.name;
        pooled.push({ ...t, id: pooled.length });
      }
    }
    this.show({ ...records[0], id: 'class', name: `A class of ${records.length}`, trials: pooled, log: undefined, origin: 'link' }, { readOnly: true });
    this.live.show(this.live.trials.map((t) => ({ ...t, student: students[t.id] })));
    this.classSize = records.length;
  }

  /** Shows a saved study: its experiment and every trial, as they were. */
  show(record: StudyRecord, opts: { readOnly?: boolean } = {}): void {
    this.classSize = 0;
    if (this.live.running) return;
    this.record = record;
    this.readOnly = opts.readOnly ?? false;
    this.followedTab = false;
    this.experiment = structuredClone(record.experiment);
    this.manualQueue.splice(0, this.manualQueue.length, ...(record.queued ?? []));
    this.queued = [...this.manualQueue];
    const tests = new Map<number, { loss: number; acc?: number }>();
    const extent = this.data.boundaryExtent;
    const views = record.trials.map((t): TrialView => {
      const result = trialResultOf(t);
      if (result?.test) tests.set(t.id, result.test);
      return {
        id: t.id,
        params: t.params,
        cfg: trialConfig(record.experiment, t.id, t.params, { grid: record.dataset.id && this.data.dataset?.is2d ? GRID : 0, extent }),
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
    this.live.show(views, tests);
    this.filters.selected = null;
    this.filters.clear();
    if (this.unfinished === 0) this.live.revealTest(record.metric, this.data.prepared?.test?.y.length ?? 0);
    if (!this.readOnly) this.library.lastId = record.id;
  }

  /** Opens a saved study by id. */
  async open(id: string): Promise<void> {
    const r = await this.library.get(id);
    if (r) this.show(r);
    else this.urlMessage = 'That study is no longer stored in this browser.';
  }

  /** On start: the study this browser worked on last, when it belongs to the experiment on the page. */
  async reopenLast(hadHash: boolean): Promise<void> {
    await this.library.refresh();
    const id = this.library.lastId;
    if (!id || this.readOnly || this.live.running) return;
    const r = await this.library.get(id);
    if (!r) return;
    const same = !hadHash || resumeBlocker({ ...r, log: r.log ?? [] }, $state.snapshot(this.experiment) as Experiment) === '' || encodeExperiment(r.experiment) === this.hash;
    if (!same) return;
    this.show(r);
    await this.checkFollowed();
  }

  /** Whether another tab holds this study's run lock (it is running it right now). */
  private async checkFollowed(): Promise<void> {
    const r = this.record;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!r || !locks) return;
    const held = await locks.query().then((q) => q.held?.some((l) => l.name === lockName(r.id)) ?? false).catch(() => false);
    this.followedTab = held;
  }

  /** Another tab saved or deleted a study: follow it when it is the one shown here. */
  private async onTabMessage(m: TabMessage): Promise<void> {
    if (!this.record || m.id !== this.record.id || this.live.running) return;
    if (m.kind === 'deleted') return;
    const r = await this.library.get(m.id);
    if (!r) return;
    this.show(r);
    this.followedTab = m.running;
    if (m.running) this.live.sweepError = 'Another tab is running this study: this tab follows it live.';
    else if (this.live.sweepError.startsWith('Another tab')) this.live.sweepError = '';
  }

  /** A study file chosen or dropped by the user: opened and kept in "My studies". Nothing changes on error. */
  async openFile(file: { name: string; text(): Promise<string> }): Promise<void> {
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      this.urlMessage = `Could not read ${file.name}: ${e instanceof Error ? e.message : String(e)}. Nothing was changed.`;
      return;
    }
    const r = decodeStudyFile(text);
    if (r.kind === 'error') {
      this.urlMessage = `Could not open ${file.name}: ${r.message} Nothing was changed.`;
      return;
    }
    // A copy of its own: opening the same file twice never overwrites a study already here.
    const record: StudyRecord = { ...r.study, id: makeStudyId(Date.now(), Math.random) };
    await this.library.put(record);
    this.show(record);
  }

  /** The current study as a file to download. */
  studyFile(): { name: string; blob: Blob } | null {
    const r = this.record;
    if (!r) return null;
    return { name: studyFileName(r), blob: new Blob([encodeStudyFile(r)], { type: STUDY_FILE_TYPE }) };
  }

  /** The results link of the current study (a full URL), or why there is none. */
  resultsLink(base: string): { kind: 'ok'; url: string; chars: number } | { kind: 'error'; message: string } {
    const r = this.record;
    if (!r || r.trials.length === 0) return { kind: 'error', message: 'Run a sweep first: a results link holds its finished trials.' };
    const l = studyLink(r);
    if (l.kind === 'too-long') return { kind: 'error', message: `This study's results need ${l.chars.toLocaleString('en')} characters, more than a link may hold (${l.limit.toLocaleString('en')}): save it to a file and hand that on instead.` };
    return { kind: 'ok', url: `${base}#${l.hash}`, chars: l.hash.length };
  }

  /** A read-only linked study: runs the same experiment here, then compares the two. */
  async runAgainHere(): Promise<void> {
    if (!this.record || !this.readOnly) return;
    this.linked = this.record;
    this.rerun = null;
    this.readOnly = false;
    this.experiment = structuredClone(this.record.experiment);
    history.replaceState(null, '', `#${encodeExperiment(this.record.experiment)}`);
    await this.data.load($state.snapshot(this.experiment.data));
    await this.run();
  }

  private compareWithLinked(): void {
    const a = this.linked;
    const b = this.record;
    this.linked = null;
    if (!a || !b) return;
    this.rerun = compareRuns(a, b, [...new Set(Object.values(this.live.backends).map((i) => i.backend))]);
  }
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
