import type { Experiment } from '../../lib/experiment/types';
import type { PrunerSnapshot, StrategySnapshot } from '../../lib/search/types';
import type { SearchSession } from '../../lib/study/session';
import { finalMetric, isBetter, type MetricKey } from '../../lib/analysis/metric';
import { fitVerdict, type VerdictOptions } from '../../lib/analysis/verdict';
import { Sweep, type WorkerFactory } from '../../lib/train/pool';
import type { BackendInfo, EpochMetrics, TrainData, TrialResult } from '../../lib/train/types';
import type { TrialView } from './trial-view';

/** Shortest time between two redraws of the live charts, ms. */
const MIN_REDRAW_MS = 200;

/** What one sweep needs. */
export interface SweepPlan {
  experiment: Experiment;
  data: TrainData[];
  session: SearchSession;
  objective: (m: EpochMetrics) => number;
  factory: WorkerFactory;
  boundaryGrid: number;
  boundaryExtent?: [number, number, number, number];
  metric: MetricKey;
  /** the verdict rules' yardsticks (read when a trial ends). */
  verdictOpts: () => VerdictOptions | null;
  /** held-out test rows (for the test report). */
  nTest: number;
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
  private session: SearchSession | null = null;
  private plan: SweepPlan | null = null;
  private queue = new Map<number, EpochMetrics[]>();
  private ended = new Map<number, TrialResult>();
  private progress = new Map<number, { run: number; runs: number; epoch: number }>();
  private restarts = new Map<number, number>();
  private starts: TrialView[] = [];
  private frame = 0;
  private lastFlush = 0;

  get cancelled(): boolean {
    return this.sweep?.isCancelled ?? false;
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
    this.prunerSnapshot = plan.session.pruner?.describe() ?? null;
    this.testReport = null;
    this.backends = {};
    this.sweepError = '';
    this.running = true;
    this.sweepStartedAt = performance.now();
    const tick = setInterval(() => (this.now = performance.now()), 250);
    this.sweep = new Sweep({
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
        this.schedule();
      },
      trialEnded: (id, result) => {
        if (result.status === 'failed') console.warn(`Trial ${id + 1} failed: ${result.message}`);
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
      if (!this.sweep?.isCancelled) this.revealTest(plan.metric, plan.nTest);
      this.running = false;
      this.sweep = null;
      this.sweepsDone++;
      plan.changed();
    }
  }

  /** Stops the sweep now; finished trials stay. */
  cancel(): void {
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
    const wait = Math.max(0, this.lastFlush + MIN_REDRAW_MS - performance.now());
    this.frame = setTimeout(() => raf(() => this.flush()), wait) as unknown as number;
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
    const pruner = this.session?.pruner;
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
      const pruneReason = r.status === 'pruned' ? pruner?.reasonFor(t.id) ?? 'Stopped by the pruner.' : undefined;
      return { ...t, epochs: all, state: r.status, result: r, backend: r.backend, verdict, pruneReason, run: undefined, retries, endedAt: Date.now() };
    });
    this.queue.clear();
    this.ended.clear();
    this.progress.clear();
    this.restarts.clear();
    if (anyEnded) {
      this.snapshot = this.session?.strategy.describe?.() ?? null;
      this.prunerSnapshot = pruner?.describe() ?? null;
      this.plan?.changed();
    }
  }
}

