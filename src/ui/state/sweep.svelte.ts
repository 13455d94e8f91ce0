import type { Experiment } from '../../lib/experiment/types';
import type { PrunerSnapshot, StrategySnapshot } from '../../lib/search/types';
import type { LiveSearch } from '../../lib/study/live-search';
import { finalMetric, isBetter, type MetricKey } from '../../lib/analysis/metric';
import { fitVerdict, type VerdictOptions } from '../../lib/analysis/verdict';
// the pool (and the calibration it runs) loads with the first sweep, not with the page
import type { Sweep, WorkerFactory } from '../../lib/train/pool';
import { calibrationKey, defaultCalibrationStore, deviceId, probeShapeOf, recordSweep } from '../../lib/train/calibration-store';
import { sweepThroughput } from '../../lib/train/estimate';
import type { BackendInfo, EpochMetrics, TrainData, TrialResult } from '../../lib/train/types';
import type { TrialView } from './trial-view';

/** Shortest time between two redraws of the live charts, ms. */
const MIN_REDRAW_MS = 200;
/** A redraw is followed by at least this many times its own cost of idle main thread, so a page
 *  whose redraws grow (hundreds of trials) still answers input between them. */
const IDLE_PER_REDRAW = 3;

/** What one sweep needs. */
export interface SweepPlan {
  experiment: Experiment;
  data: TrainData[];
  session: LiveSearch;
  objective: (m: EpochMetrics) => number;
  factory: WorkerFactory;
  boundaryGrid: number;
  boundaryExtent?: [number, number, number, number];
  metric: MetricKey;
  /** the verdict rules' yardsticks (read when a trial ends). */
  verdictOpts: () => VerdictOptions | null;
  /** held-out test rows (for the test report). */
  nTest: number;
  /** a sentence shown with the sweep from its start (e.g. that a resumed search diverged). */
  notice?: string;
  /** after every redraw that changed trials (e.g. to save the study). */
  changed: () => void;
}

/** The best configuration's score on the held-out test split, once the sweep is over. */
export interface TestReportView {
  trialId: number;
  val: number;
  loss: number;
  acc?: number;
  nTest: number;
}

/**
 * The live sweep: hosts the pool, turns its events into trial views, and redraws at most once per
 * animation frame and every MIN_REDRAW_MS (epochs of a small model arrive hundreds of times a second).
 */
export class SweepHost {
  trials = $state.raw<TrialView[]>([]);
  running = $state(false);
  /** message of a sweep-level problem (no backend, etc.). */
  sweepError = $state('');
  backends = $state.raw<Record<number, BackendInfo>>({});
  sweepStartedAt = $state(0);
  /** sweeps finished (ended, cancelled or failed) since the page opened: a state tests can wait for. */
  sweepsDone = $state(0);
  now = $state(0);
  /** what the sampler is thinking (TPE densities, GP slice, population), refreshed as trials end. */
  snapshot = $state.raw<StrategySnapshot | null>(null);
  /** the pruner's rungs and decisions, refreshed as trials end. */
  prunerSnapshot = $state.raw<PrunerSnapshot | null>(null);
  testReport = $state.raw<TestReportView | null>(null);
  /** test scores of finished trials: kept out of sight until the sweep is over (and in the saved study). */
  readonly testScores = new Map<number, { loss: number; acc?: number }>();
  private sweep: Sweep | null = null;
  private session: LiveSearch | null = null;
  private plan: SweepPlan | null = null;
  private queue = new Map<number, EpochMetrics[]>();
  private ended = new Map<number, TrialResult>();
  private progress = new Map<number, { run: number; runs: number; epoch: number }>();
  private restarts = new Map<number, number>();
  private starts: TrialView[] = [];
  private frame = 0;
  private lastFlush = 0;
  /** what the last redraw cost: its script and the rendering of the frame after it, ms. */
  private lastCost = 0;
  /** the strategy / pruner pictures and the saving, due after the trials' redraw (a frame later). */
  private after = 0;
  /** when the sweep's first training started (performance.now() ms), for its throughput. */
  private trainFrom = Infinity;
  /** Cancel was pressed before the pool had loaded. */
  private cancelEarly = false;
  /** trials that ended in the running sweep (not cancelled). */
  private endedHere = new Set<number>();

  /** whether the last sweep ended by Cancel (kept after it ended, for whoever started it). */
  private endedCancelled = false;

  /** The running sweep was cancelled, or, between sweeps, the last one was. */
  get cancelled(): boolean {
    return this.sweep?.isCancelled ?? (this.cancelEarly || this.endedCancelled);
  }

  /** Replaces the trials shown (a study opened or resumed); clears the test report. */
  show(trials: TrialView[], tests: Map<number, { loss: number; acc?: number }> = new Map()): void {
    this.trials = trials;
    this.testReport = null;
    this.testScores.clear();
    tests.forEach((v, k) => this.testScores.set(k, v));
  }

  /** Runs a sweep to its end (or cancel). The trials already shown stay; new ones are added. */
  async run(plan: SweepPlan): Promise<void> {
    this.plan = plan;
    this.session = plan.session;
    this.snapshot = null;
    this.prunerSnapshot = null;
    void this.pictures();
    this.testReport = null;
    this.backends = {};
    this.sweepError = plan.notice ?? '';
    this.running = true;
    this.sweepStartedAt = performance.now();
    this.trainFrom = Infinity;
    this.endedHere.clear();
    const tick = setInterval(() => (this.now = performance.now()), 250);
    let Pool: typeof Sweep;
    this.cancelEarly = false;
    this.endedCancelled = false;
    try {
      Pool = (await import('../../lib/train/pool')).Sweep;
      if (this.cancelEarly) throw new Error('Cancelled.');
    } catch (e) {
      clearInterval(tick);
      if (!this.cancelEarly) this.sweepError = `The sweep could not start: ${e instanceof Error ? e.message : String(e)}`;
      this.running = false;
      this.sweepsDone++;
      plan.changed();
      return;
    }
    this.sweep = new Pool({
      experiment: plan.experiment,
      data: plan.data,
      source: plan.session,
      objective: plan.objective,
      factory: plan.factory,
      boundaryGrid: plan.boundaryGrid,
      boundaryExtent: plan.boundaryExtent,
    }, {
      trialStarted: (id, params, cfg, worker) => {
        // Queued like every other event, so a short trial's start and end land in the same redraw
        // and the page never shows more trials running than there are.
        this.starts.push({ id, params, cfg, state: 'running', epochs: [], backend: this.backends[worker]?.backend ?? '…', worker, startedAt: Date.now() });
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
        this.trainFrom = Math.min(this.trainFrom, performance.now() - m.elapsedMs);
        this.schedule();
      },
      trialEnded: (id, result) => {
        if (result.status === 'failed') console.warn(`Trial ${id + 1} failed: ${result.message}`);
        if (result.test) this.testScores.set(id, result.test);
        this.ended.set(id, { ...result, test: undefined });
        if (result.status !== 'cancelled' && result.status !== 'failed') this.endedHere.add(id);
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
      // the last outcomes reach the log before the search worker goes; the pictures and the
      // save are due now, not a frame later
      await plan.session.settled();
      if (this.after) await this.later(true);
      plan.session.close();
      if (!this.sweep?.isCancelled && !this.sweepError) await this.measure(plan).catch(() => undefined);
      this.trials = this.trials.map((t) => (t.state === 'running' ? { ...t, state: 'cancelled' } : t));
      if (!this.sweep?.isCancelled) this.revealTest(plan.metric, plan.nTest);
      this.endedCancelled = this.sweep?.isCancelled ?? false;
      this.running = false;
      this.sweep = null;
      this.sweepsDone++;
      plan.changed();
    }
  }

  /** Keeps the finished sweep's throughput with its calibration, so later sweeps choose their
   *  worker count from it (only when the backend or worker count was calibrated). */
  private async measure(plan: SweepPlan): Promise<void> {
    const e = plan.experiment;
    const d0 = plan.data[0];
    if ((e.backend !== 'auto' && !e.strategy.autoWorkers) || !d0) return;
    const data = { d: d0.d, nClasses: d0.nClasses, task: d0.task, nTrain: d0.yTrain.length, nVal: d0.yVal.length, image: d0.image };
    const done = this.trials.filter((t) => this.endedHere.has(t.id)).map((t) => ({ params: t.params, epochs: t.epochs.length, runs: t.result?.runs?.length ?? 1 }));
    const m = sweepThroughput(e, data, done, performance.now() - this.trainFrom, Object.keys(this.backends).length);
    if (m) await recordSweep(defaultCalibrationStore(), calibrationKey(deviceId(), probeShapeOf(e, d0), e.backend), m);
  }

  /** Stops the sweep now; finished trials stay. */
  cancel(): void {
    // pressed while the pool's code was still loading: the sweep never starts
    if (!this.sweep && this.running) this.cancelEarly = true;
    this.sweep?.cancel();
  }

  /** Once, at the end of a sweep that was not cancelled (or when a finished study opens): the
   *  best configuration by validation score and its test score. No other trial's is ever shown. */
  revealTest(metric: MetricKey, nTest: number): void {
    let best: TrialView | undefined;
    let bv = NaN;
    for (const t of this.trials) {
      if (t.state !== 'complete') continue;
      const v = finalMetric(t.epochs, metric);
      if (v !== undefined && isBetter(metric, v, bv)) {
        best = t;
        bv = v;
      }
    }
    const score = best && this.testScores.get(best.id);
    this.testReport = best && score ? { trialId: best.id, val: bv, loss: score.loss, acc: score.acc, nTest } : null;
  }

  private schedule(): void {
    if (this.frame) return;
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: () => void) => setTimeout(f, 16);
    const gap = Math.max(MIN_REDRAW_MS, IDLE_PER_REDRAW * this.lastCost);
    const wait = Math.max(0, this.lastFlush + gap - performance.now());
    this.frame = setTimeout(() => raf(() => this.redraw(raf)), wait) as unknown as number;
  }

  /** One scheduled redraw: the flush, then (measured from the next frame) what it cost. */
  private redraw(raf: (f: () => void) => unknown): void {
    const t0 = performance.now();
    this.flush();
    // the frame after the flush starts once its style, layout and paint are done
    raf(() => (this.lastCost = performance.now() - t0));
  }

  /** Applies every pending update now, e.g. before a save: the trials shown then agree with the
   *  search log, where a trial is told the moment it ends (a save between the two would record a
   *  told trial as still running, and a resume would neither show nor train it again). */
  syncNow(): void {
    if (this.frame) clearTimeout(this.frame);
    this.flush();
  }

  private flush(): void {
    this.frame = 0;
    this.lastFlush = performance.now();
    if (this.queue.size === 0 && this.ended.size === 0 && this.progress.size === 0 && this.starts.length === 0 && this.restarts.size === 0) return;
    if (this.starts.length) {
      // a trial started again (resume) replaces its interrupted view
      const again = new Set(this.starts.map((t) => t.id));
      this.trials = [...this.trials.filter((t) => !again.has(t.id)), ...this.starts].sort((a, b) => a.id - b.id);
      this.starts = [];
    }
    const opts = this.plan?.verdictOpts() ?? null;
    const anyEnded = this.ended.size > 0;
    const search = this.session;
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
      const verdict = r.status === 'cancelled' || r.status === 'failed' ? undefined : (opts ? fitVerdict(all, r.status, opts) ?? undefined : undefined);
      const pruneReason = r.status === 'pruned' ? search?.reasonFor(t.id) ?? 'Stopped by the pruner.' : undefined;
      return { ...t, epochs: all, state: r.status, result: r, backend: r.backend, verdict, pruneReason, run: undefined, retries, endedAt: Date.now() };
    });
    this.queue.clear();
    this.ended.clear();
    this.progress.clear();
    this.restarts.clear();
    if (anyEnded) void this.later();
  }

  /** The sampler and pruner pictures and the save, a frame after the trials' redraw: one long
   *  frame split in two shorter ones. */
  private async later(now = false): Promise<void> {
    if (this.after && !now) return;
    clearTimeout(this.after);
    const run = async () => {
      this.after = 0;
      this.plan?.changed();
      await this.pictures();
    };
    if (now || !this.running) return run();
    this.after = setTimeout(() => void run(), 16) as unknown as number;
  }

  /** The sampler's and pruner's pictures, drawn by the search (in its worker) as it is now. */
  private async pictures(): Promise<void> {
    const search = this.session;
    const p = await search?.describe().catch(() => null);
    if (!p || search !== this.session) return;
    this.snapshot = p.strategy;
    this.prunerSnapshot = p.pruner;
  }
}

