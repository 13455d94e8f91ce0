import { getContext, setContext } from 'svelte';
import type { DataSpec, Experiment, ParamName, TrialParams } from '../lib/experiment/types';
import { defaultExperiment } from '../lib/experiment/defaults';
import { searchedParams } from '../lib/experiment/params';
import { validateExperiment, type FieldError } from '../lib/experiment/validate';
import { decodeExperiment, encodeExperiment } from '../lib/experiment/url';
import { loadDataset } from '../lib/data/registry';
import { parseCsvDataset } from '../lib/data/csv';
import { get as idbGet, set as idbSet } from 'idb-keyval';
import { prepare, prepareFolds, type Prepared } from '../lib/data/split';
import type { Dataset } from '../lib/data/types';
import { STRATEGIES } from '../lib/search/registry';
import type { Pruner, PrunerSnapshot, Strategy, StrategySnapshot, TrialState } from '../lib/search/types';
import { createPruner, withPruner } from '../lib/search/pruners';
import { createManual } from '../lib/search/manual';
import { fromUnit } from '../lib/search/space';
import { Sweep, type WorkerFactory } from '../lib/train/pool';
import type { BackendInfo, EpochMetrics, TrialConfig, TrialResult } from '../lib/train/types';
import { fitVerdict, labelNoiseLoss, verdictOptions, type FitVerdict, type VerdictOptions } from '../lib/analysis/verdict';
import { LABEL_FLIP_PER_NOISE } from '../lib/data/generators';
import { ASSUMED_SAMPLES_PER_SEC, estimateSweep, type Rate, type SweepEstimate } from '../lib/train/estimate';
import { calibrationKey, defaultCalibrationStore, deviceId } from '../lib/train/calibrate';
import { resolveModel } from '../lib/model/spec';

/** One trial as the page shows it. Replaced (never mutated) on every change. */
export interface TrialView {
  id: number;
  params: TrialParams;
  cfg: TrialConfig;
  state: TrialState | 'cancelled';
  epochs: EpochMetrics[];
  backend: string;
  worker: number;
  startedAt: number;
  result?: TrialResult;
  verdict?: FitVerdict;
  /** while running with k-fold or repeats: which run (0-based) of how many, and its epoch. */
  run?: { run: number; runs: number; epoch: number };
  /** why the pruner stopped this trial. */
  pruneReason?: string;
  /** times the trial was started again after its worker was lost. */
  retries?: number;
}

/** Which metric the charts plot and the search optimises. */
export interface MetricInfo {
  key: 'valLoss' | 'valAcc';
  label: string;
  /** true when higher is better. */
  higherBetter: boolean;
}

const GRID = 48;
/** IndexedDB key of the last CSV file the user loaded. */
const CSV_KEY = 'hpp:csv';
/** Shortest time between two redraws of the live charts, ms. */
const MIN_REDRAW_MS = 200;

/**
 * The page's shared state: the experiment being edited, its validation, the loaded data and
 * the trials of the current sweep. Handed down by context (see useStudy).
 */
export class Study {
  experiment = $state<Experiment>(defaultExperiment());
  /** message shown when the URL could not be restored. */
  urlMessage = $state('');
  dataset = $state.raw<Dataset | null>(null);
  prepared = $state.raw<Prepared | null>(null);
  dataError = $state('');
  dataLoading = $state(false);
  /** what loading the user's CSV file kept and dropped. */
  csvReport = $state('');
  private uploaded: Dataset | null = null;
  trials = $state.raw<TrialView[]>([]);
  running = $state(false);
  /** a strategy race (src/ui/search/race.svelte.ts) is training: the main sweep waits. */
  racing = $state(false);
  /** message of a sweep-level problem (no backend, etc.). */
  sweepError = $state('');
  backends = $state.raw<Record<number, BackendInfo>>({});
  selected = $state<number | null>(null);
  hovered = $state<number | null>(null);
  sweepStartedAt = $state(0);
  /** sweeps finished (ended, cancelled or failed) since the page opened: a state tests can wait for. */
  sweepsDone = $state(0);
  /** Brushed ranges per axis key (a ParamName, or 'final' / 'best' / 'train' / 'gap'), in data units (percent for accuracy). */
  brushes = $state<Record<string, [number, number]>>({});
  /** Verdict kinds (or states) to show; empty = all. */
  verdictFilter = $state<string[]>([]);
  now = $state(0);

  errors: FieldError[] = $derived(validateExperiment(this.experiment));
  errorAt = $derived(new Map(this.errors.map((e) => [e.path, e.message])));
  searched = $derived(searchedParams(this.experiment.space));
  canRun = $derived(this.errors.length === 0 && this.prepared !== null && this.dataset?.id === this.experiment.data.id && !this.running && !this.racing && !this.dataLoading);
  metric: MetricInfo = $derived(
    this.dataset?.task === 'regression'
      ? { key: 'valLoss', label: 'Validation loss (MSE, standardised units)', higherBetter: false }
      : { key: 'valAcc', label: 'Validation accuracy (%)', higherBetter: true },
  );
  /** Trials that pass every brush and the verdict filter: what every view and the table show. */
  visible: TrialView[] = $derived(this.trials.filter((t) => this.passes(t)));
  finished = $derived(this.trials.filter((t) => t.state !== 'running').length);
  focus = $derived(this.hovered ?? this.selected);

  /** The training rate the time estimate uses: measured by the calibration for this network, or assumed. */
  rate = $state.raw<Rate>({ samplesPerSec: ASSUMED_SAMPLES_PER_SEC, workers: 1, measured: false });
  /** Expected wall time of the sweep as set up now (null without data or while invalid). */
  estimate: SweepEstimate | null = $derived.by(() => {
    const p = this.prepared?.data;
    if (!p || this.errors.length) return null;
    const rate = this.rate.measured ? this.rate : { ...this.rate, workers: this.experiment.strategy.concurrency };
    return estimateSweep(this.experiment, { d: p.d, nClasses: p.nClasses, task: p.task, nTrain: p.yTrain.length, nVal: p.yVal.length }, rate);
  });

  private sweep: Sweep | null = null;
  /** the live queue the manual strategy takes trials from. */
  private manualQueue: TrialParams[] = [];
  /** trials queued by hand and not started yet (a copy of the live queue, for display). */
  queued = $state.raw<TrialParams[]>([]);
  /** the values typed in the manual "Queue a trial" form; a click on a chart fills in one of them. */
  manualDraft = $state<TrialParams>({});
  private strategy: Strategy | null = null;
  private pruner: Pruner | null = null;
  private testScores = new Map<number, { loss: number; acc?: number }>();
  private progress = new Map<number, { run: number; runs: number; epoch: number }>();
  /** what the sampler is thinking (TPE densities, GP slice, population), refreshed as trials end. */
  snapshot = $state.raw<StrategySnapshot | null>(null);
  /** the pruner's rungs and decisions, refreshed as trials end. */
  prunerSnapshot = $state.raw<PrunerSnapshot | null>(null);
  /** the best configuration's score on the held-out test split, once the sweep is over. */
  testReport = $state.raw<{ trialId: number; val: number; loss: number; acc?: number; nTest: number } | null>(null);
  private queue = new Map<number, EpochMetrics[]>();
  private ended = new Map<number, TrialResult>();
  private frame = 0;
  private lastFlush = 0;
  private starts: TrialView[] = [];
  /** trials whose worker was lost since the last redraw: their curves start again. */
  private restarts = new Map<number, number>();

  constructor(private readonly factory: WorkerFactory, private readonly datasetsUrl: string) {}

  /** Restores the experiment from a URL hash; a bad hash keeps the defaults and explains why. */
  restore(hash: string): void {
    const r = decodeExperiment(hash);
    if (r.kind === 'ok') this.experiment = r.experiment;
    else if (r.kind === 'error') this.urlMessage = `${r.message} The default experiment was opened instead.`;
  }

  /** The shareable hash of the current experiment, or null while it is invalid. */
  get hash(): string | null {
    return this.errors.length === 0 ? encodeExperiment($state.snapshot(this.experiment) as Experiment) : null;
  }

  /** Loads (or generates) the dataset and prepares the split. Keeps the previous data on error. */
  async loadData(spec: DataSpec): Promise<void> {
    if (this.errors.some((e) => e.path.startsWith('data.'))) return;
    this.dataLoading = true;
    try {
      const ds = this.dataset?.id === spec.id && !this.dataset.is2d ? this.dataset
        : spec.id === 'csv' ? await this.storedCsv()
        : await loadDataset(spec, this.datasetsUrl);
      if (JSON.stringify(spec) !== JSON.stringify($state.snapshot(this.experiment.data))) return; // superseded
      this.dataset = ds;
      this.prepared = prepare(ds, spec);
      this.dataError = '';
    } catch (e) {
      this.dataError = `Could not load the dataset: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.dataLoading = false;
    }
  }

  /** The CSV file this browser loaded last (kept in IndexedDB), parsed again. */
  private async storedCsv(): Promise<Dataset> {
    if (this.uploaded) return this.uploaded;
    const saved = await idbGet<{ name: string; text: string }>(CSV_KEY).catch(() => undefined);
    if (!saved) throw new Error('this experiment uses a CSV file that is not stored in this browser: load it with "Load CSV file".');
    this.uploaded = parseCsvDataset(saved.text, saved.name).dataset;
    return this.uploaded;
  }

  /** Reads a CSV file chosen by the user. On success it becomes the dataset (and is kept in
   *  IndexedDB for the next visit); a broken file leaves the current data as it was and explains. */
  async loadCsv(file: File): Promise<void> {
    try {
      const text = await file.text();
      const { dataset, report } = parseCsvDataset(text, file.name);
      this.uploaded = dataset;
      this.csvReport = `${report.rows} rows loaded as ${dataset.task}${report.droppedRows ? `; ${report.droppedRows} incomplete row${report.droppedRows === 1 ? '' : 's'} dropped` : ''}${report.droppedColumns.length ? `; text column${report.droppedColumns.length === 1 ? '' : 's'} ${report.droppedColumns.join(', ')} ignored` : ''}.`;
      this.dataError = '';
      await idbSet(CSV_KEY, { name: file.name, text }).catch(() => {
        this.csvReport += ' (It could not be stored in this browser, so a reload will ask for it again.)';
      });
      if (this.experiment.data.id === 'csv') {
        this.dataset = null;
        await this.loadData($state.snapshot(this.experiment.data));
      } else {
        this.experiment.data.id = 'csv';
      }
    } catch (e) {
      this.dataError = `Could not read ${file.name}: ${e instanceof Error ? e.message : String(e)} Your current data is unchanged.`;
    }
  }

  /** Looks up what the calibration measured on this device for the current network (if anything). */
  async refreshRate(): Promise<void> {
    const p = this.prepared?.data;
    if (!p || this.errors.length) return;
    const e = $state.snapshot(this.experiment) as Experiment;
    const shape = { model: resolveModel(e.model, {}), d: p.d, nClasses: p.nClasses, task: p.task };
    const m = await defaultCalibrationStore().get(calibrationKey(deviceId(), shape, e.backend)).catch(() => undefined);
    const mine = m?.backends.find((b) => b.backend === m.backend)?.samplesPerSec ?? m?.pool.find((q) => q.workers === 1)?.samplesPerSec;
    const best = m?.pool.length ? m.pool.reduce((a, b) => (b.samplesPerSec > a.samplesPerSec ? b : a)) : undefined;
    this.rate = mine
      ? { samplesPerSec: mine, workers: e.strategy.autoWorkers && best ? best.workers : e.strategy.concurrency, measured: true, backend: m?.backend }
      : { samplesPerSec: ASSUMED_SAMPLES_PER_SEC, workers: e.strategy.concurrency, measured: false };
  }

  /** Extent of the 2-D decision-surface grid in standardised units (covers every point with a margin). */
  get boundaryExtent(): [number, number, number, number] | undefined {
    const p = this.prepared;
    if (!p || !this.dataset?.is2d) return undefined;
    let lo = [Infinity, Infinity];
    let hi = [-Infinity, -Infinity];
    for (const x of [p.data.xTrain, p.data.xVal]) {
      for (let i = 0; i < x.length; i += 2) {
        for (const j of [0, 1]) {
          lo[j] = Math.min(lo[j], x[i + j]);
          hi[j] = Math.max(hi[j], x[i + j]);
        }
      }
    }
    const pad = (j: number) => 0.08 * (hi[j] - lo[j]);
    lo = lo.map((v, j) => v - pad(j));
    hi = hi.map((v, j) => v + pad(j));
    return [lo[0], hi[0], lo[1], hi[1]];
  }

  /** Starts a sweep with the current experiment. Previous trials are replaced. */
  async run(): Promise<void> {
    if (!this.canRun || !this.prepared) return;
    const experiment = $state.snapshot(this.experiment) as Experiment;
    const entry = STRATEGIES[experiment.strategy.kind];
    if (!entry) {
      this.sweepError = `The ${experiment.strategy.kind} strategy is not available.`;
      return;
    }
    // Manual search continues the study: each run adds the queued trials to the ones already there.
    const manual = experiment.strategy.kind === 'manual';
    const firstId = manual ? this.trials.reduce((m, t) => Math.max(m, t.id + 1), 0) : 0;
    if (manual) {
      experiment.strategy.budget -= this.trials.length;
      if (experiment.strategy.budget <= 0) {
        this.sweepError = `The trial budget (${experiment.strategy.budget + this.trials.length}) is used up: raise it to queue more trials.`;
        return;
      }
      if (this.manualQueue.length === 0) {
        this.sweepError = 'Queue a trial first: type its values under "Queue a trial", or click a point on a hyperparameter chart.';
        return;
      }
    }
    const base = manual ? createManual({ dims: searchedParams(experiment.space), seed: 0, gridPoints: 0, budget: 0 }, this.manualQueue) : entry.create({
      dims: searchedParams(experiment.space),
      seed: experiment.strategy.seed,
      gridPoints: experiment.strategy.gridPoints,
      budget: experiment.strategy.budget,
    });
    const kit = this.sweepKit(experiment);
    if (!kit) return;
    const { pruner, data, objective } = kit;
    const strategy = pruner ? withPruner(base, pruner) : base;
    this.strategy = strategy;
    this.pruner = pruner;
    this.snapshot = null;
    this.prunerSnapshot = pruner?.describe() ?? null;
    this.testScores.clear();
    this.testReport = null;
    if (!manual) {
      this.trials = [];
      this.starts = [];
      this.selected = null;
    }
    this.backends = {};
    this.sweepError = '';
    this.running = true;
    this.sweepStartedAt = performance.now();
    const tick = setInterval(() => (this.now = performance.now()), 250);
    this.sweep = new Sweep({
      experiment,
      data,
      strategy,
      objective,
      factory: this.factory,
      boundaryGrid: this.dataset?.is2d ? GRID : 0,
      boundaryExtent: this.boundaryExtent,
      firstId,
    }, {
      trialStarted: (id, params, cfg, worker) => {
        if (manual) this.queued = [...this.manualQueue];
        // Queued like every other event, so a short trial's start and end land in the same redraw
        // and the page never shows more trials running than there are.
        this.starts.push({ id, params, cfg, state: 'running', epochs: [], backend: this.backends[worker]?.backend ?? '…', worker, startedAt: performance.now() });
        this.schedule();
      },
      epoch: (id, m, run, runs) => {
        // The live curve is the first run's; later folds/repeats show as progress, and the
        // finished trial's curve is the mean over all runs.
        if (run === 0) {
          const q = this.queue.get(id) ?? [];
          q.push(m);
          this.queue.set(id, q);
        }
        this.progress.set(id, { run, runs, epoch: m.epoch });
        this.schedule();
      },
      trialEnded: (id, result) => {
        if (result.status === 'failed') console.warn(`Trial ${id + 1} failed: ${result.message}`);
        // The test score is kept out of sight until the sweep is over, and then shown for the best trial only.
        if (result.test) this.testScores.set(id, result.test);
        this.ended.set(id, { ...result, test: undefined });
        this.schedule();
      },
      backend: (worker, info) => {
        this.backends = { ...this.backends, [worker]: info };
        const set = (t: TrialView) => (t.worker === worker && t.state === 'running' ? { ...t, backend: info.backend } : t);
        this.trials = this.trials.map(set);
        this.starts = this.starts.map(set);
      },
      error: (message) => (this.sweepError = message),
      trialRetried: (id, reason) => {
        console.warn(`Trial ${id + 1} is retried on a fresh worker: ${reason}`);
        this.queue.delete(id);
        this.restarts.set(id, (this.restarts.get(id) ?? 0) + 1);
        this.schedule();
      },
    });
    try {
      await this.sweep.run();
    } catch (e) {
      this.sweepError = `The sweep stopped: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      clearInterval(tick);
      this.flush();
      this.trials = this.trials.map((t) => (t.state === 'running' ? { ...t, state: 'cancelled' } : t));
      if (!this.sweep?.isCancelled) this.revealTest();
      this.running = false;
      this.sweep = null;
      this.sweepsDone++;
      void this.refreshRate();
    }
  }

  /** Once, at the end of a sweep that was not cancelled: the best configuration by validation
   *  score and its test score. No other trial's test score is ever shown. */
  private revealTest(): void {
    let best: TrialView | undefined;
    for (const t of this.trials) {
      if (t.state !== 'complete') continue;
      const v = this.finalMetric(t);
      if (v === undefined || !Number.isFinite(v)) continue;
      const bv = best ? this.finalMetric(best)! : NaN;
      if (!best || (this.metric.higherBetter ? v > bv : v < bv)) best = t;
    }
    const score = best && this.testScores.get(best.id);
    this.testReport = best && score ? { trialId: best.id, val: this.finalMetric(best)!, loss: score.loss, acc: score.acc, nTest: this.prepared?.test?.y.length ?? 0 } : null;
    this.testScores.clear();
  }

  /** Stops the sweep now; finished trials stay (and, in manual search, the queue is emptied). */
  cancel(): void {
    this.sweep?.cancel();
    this.manualQueue.length = 0;
    this.queued = [];
  }

  /** Manual search: queues a trial with these searched values and starts it when nothing runs. */
  enqueue(params: TrialParams): void {
    this.manualQueue.push(params);
    this.queued = [...this.manualQueue];
    if (!this.running && this.canRun) void this.run();
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
   * What a Sweep needs besides a strategy to run `experiment` on the loaded data exactly as the
   * main sweep does: the data of each fold, the objective (minimised: -accuracy, or validation
   * loss), the worker factory, and a fresh pruner as the experiment configures it. For the
   * main sweep and the strategy race; the race's trials never enter `trials`. Null while no data is loaded.
   */
  sweepKit(experiment: Experiment): { data: Prepared['data'][]; objective: (m: EpochMetrics) => number; factory: WorkerFactory; pruner: Pruner | null } | null {
    if (!this.prepared) return null;
    const accuracy = this.metric.key === 'valAcc';
    const pr = experiment.strategy.pruner;
    const label = accuracy ? 'val accuracy' : 'val loss';
    const pruner = pr.kind === 'none' ? null : createPruner(
      pr.kind === 'median' ? { kind: 'median', warmupTrials: pr.warmupTrials, warmupEpochs: pr.warmupEpochs, label }
        : pr.kind === 'asha' ? { kind: 'asha', minEpochs: pr.minEpochs, eta: pr.eta, maxEpochs: experiment.model.epochs, label }
        : { kind: 'hyperband', minEpochs: pr.minEpochs, eta: pr.eta, maxEpochs: experiment.model.epochs, label },
      accuracy ? (v) => `${(-v * 100).toFixed(1)}%` : (v) => v.toPrecision(3),
    );
    const ds = this.dataset;
    const data = experiment.strategy.validation.scheme === 'kfold' && ds
      ? prepareFolds(ds, experiment.data, experiment.strategy.validation.k).map((p) => p.data)
      : [this.prepared.data];
    return { data, objective: accuracy ? (m) => -(m.valAcc ?? 0) : (m) => m.valLoss, factory: this.factory, pruner };
  }

  /** Batches epoch and end events into one state update per animation frame, and at most one
   *  every MIN_REDRAW_MS: redrawing every chart costs tens of ms, and epochs of a small model can
   *  arrive hundreds of times a second. */
  private schedule(): void {
    if (this.frame) return;
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: () => void) => setTimeout(f, 16);
    const wait = Math.max(0, this.lastFlush + MIN_REDRAW_MS - performance.now());
    this.frame = setTimeout(() => raf(() => this.flush()), wait) as unknown as number;
  }

  private flush(): void {
    this.frame = 0;
    this.lastFlush = performance.now();
    if (this.queue.size === 0 && this.ended.size === 0 && this.progress.size === 0 && this.starts.length === 0 && this.restarts.size === 0) return;
    if (this.starts.length) {
      this.trials = [...this.trials, ...this.starts];
      this.starts = [];
    }
    const opts = this.verdictOpts;
    const anyEnded = this.ended.size > 0;
    this.trials = this.trials.map((t) => {
      const q = this.queue.get(t.id);
      const r = this.ended.get(t.id);
      const pg = this.progress.get(t.id);
      const restarted = this.restarts.get(t.id);
      if (!q && !r && !pg && !restarted) return t;
      const kept = restarted ? [] : t.epochs;
      const epochs = q ? [...kept, ...q] : kept;
      const retries = (t.retries ?? 0) + (restarted ?? 0) || undefined;
      if (!r) return { ...t, epochs, run: pg ?? t.run, retries };
      // Keep the epochs the page already drew when a cancelled trial returns none.
      const all = r.epochs.length >= epochs.length ? r.epochs : epochs;
      const state: TrialView['state'] = r.status;
      const verdict = r.status === 'cancelled' || r.status === 'failed' ? undefined : (opts ? fitVerdict(all, r.status, opts) ?? undefined : undefined);
      const pruneReason = r.status === 'pruned' ? this.pruner?.reasonFor(t.id) ?? 'Stopped by the pruner.' : undefined;
      return { ...t, epochs: all, state, result: r, backend: r.backend, verdict, pruneReason, run: undefined, retries };
    });
    this.queue.clear();
    this.ended.clear();
    this.progress.clear();
    this.restarts.clear();
    if (anyEnded) {
      this.snapshot = this.strategy?.describe?.() ?? null;
      this.prunerSnapshot = this.pruner?.describe() ?? null;
    }
  }

  /** What the verdict rules compare against: the loss of ignoring the inputs (from the training
   *  class priors) and, for generated 2-D data, the loss that its label noise makes unavoidable. */
  get verdictOpts(): VerdictOptions | null {
    const p = this.prepared;
    const ds = this.dataset;
    if (!p || !ds) return null;
    if (p.data.task === 'regression') return verdictOptions('regression', 1);
    const k = p.data.nClasses;
    const counts = new Array<number>(k).fill(0);
    for (const y of p.data.yTrain) counts[y]++;
    const priors = counts.map((c) => c / p.data.yTrain.length);
    const noise = ds.is2d ? labelNoiseLoss(this.experiment.data.noise * LABEL_FLIP_PER_NOISE, k) : 0;
    return verdictOptions('classification', k, priors, noise);
  }

  /** The value of the study metric at the end of trial `t` (percent for accuracy). */
  finalMetric(t: TrialView): number | undefined {
    const last = t.epochs[t.epochs.length - 1];
    if (!last) return undefined;
    return this.metric.key === 'valAcc' ? (last.valAcc ?? NaN) * 100 : last.valLoss;
  }

  /** The best value of the study metric over the trial's epochs. */
  bestMetric(t: TrialView): number | undefined {
    if (t.epochs.length === 0) return undefined;
    const vals = t.epochs.map((e) => (this.metric.key === 'valAcc' ? (e.valAcc ?? NaN) * 100 : e.valLoss)).filter(Number.isFinite);
    if (!vals.length) return NaN;
    return this.metric.higherBetter ? Math.max(...vals) : Math.min(...vals);
  }

  /** Value of trial `t` on axis `key`: a searched param (categoricals as their index in the
   *  choices), or a metric: 'final' / 'best' (study metric), 'train' (final train metric), 'gap'
   *  (final validation minus training loss). NaN when unknown. */
  axisValue(t: TrialView, key: string): number {
    const last = t.epochs[t.epochs.length - 1];
    switch (key) {
      case 'final': return this.finalMetric(t) ?? NaN;
      case 'best': return this.bestMetric(t) ?? NaN;
      case 'train': return last ? (this.metric.key === 'valAcc' ? (last.trainAcc ?? NaN) * 100 : last.trainLoss) : NaN;
      case 'gap': return last ? last.valLoss - last.trainLoss : NaN;
    }
    const v = t.params[key as ParamName];
    if (typeof v === 'number') return v;
    const spec = this.experiment.space[key as ParamName];
    if (v !== undefined && spec?.type === 'categorical') return spec.choices.map(String).indexOf(String(v));
    return NaN;
  }

  private passes(t: TrialView): boolean {
    const kind = t.verdict?.kind ?? t.state;
    if (this.verdictFilter.length && !this.verdictFilter.includes(kind)) return false;
    for (const [key, [lo, hi]] of Object.entries(this.brushes)) {
      const v = this.axisValue(t, key);
      if (!(v >= Math.min(lo, hi) && v <= Math.max(lo, hi))) return false;
    }
    return true;
  }

  /** Sets one searched parameter's spec. */
  setSpec(name: ParamName, spec: Experiment['space'][ParamName]): void {
    this.experiment.space[name] = spec;
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
