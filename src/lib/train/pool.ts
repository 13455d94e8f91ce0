import * as Comlink from 'comlink';
import type { BackendPref, Experiment, TrialParams } from '../experiment/types';
import { resolveModel } from '../model/spec';
import type { Strategy, TrialOutcome } from '../search/types';
import { combineRuns, endValue } from './aggregate';
import type { WorkerApi } from './protocol';
import type { BackendInfo, EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from './types';

/** Creates a dedicated worker running src/lib/train/worker.ts. Injected so tests and hosts can differ. */
export type WorkerFactory = () => Worker;

/** One dedicated worker and its comlink proxy. A crash rejects the trial it was running. */
class WorkerHandle {
  readonly worker: Worker;
  readonly api: Comlink.Remote<WorkerApi>;
  dataKey = '';
  info: BackendInfo | null = null;
  private crash: Promise<never>;
  private rejectCrash!: (e: Error) => void;

  constructor(factory: WorkerFactory) {
    this.worker = factory();
    this.api = Comlink.wrap<WorkerApi>(this.worker);
    this.crash = new Promise<never>((_, reject) => (this.rejectCrash = reject));
    this.crash.catch(() => {});
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.rejectCrash(new Error(`The training worker crashed${e.message ? `: ${e.message}` : ''}.`));
    });
  }

  /** Races `p` against the worker crashing or being terminated. */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.crash]);
  }

  terminate(reason: string): void {
    this.rejectCrash(new Error(reason));
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}

/** Events a sweep reports to its host (the UI). */
export interface SweepListener {
  trialStarted(id: number, params: TrialParams, cfg: TrialConfig, worker: number): void;
  /** an epoch of run `run` (0-based) of `runs` (folds × repeats) of trial `id`. */
  epoch(id: number, m: EpochMetrics, run: number, runs: number): void;
  trialEnded(id: number, result: TrialResult): void;
  backend(worker: number, info: BackendInfo): void;
  /** a problem that is not one trial's (e.g. no backend could start). */
  error(message: string): void;
}

/** What the sweep needs besides the listener. */
export interface SweepOptions {
  experiment: Experiment;
  /** the data of each fold: one entry for hold-out validation, k for k-fold. Every configuration
   *  trains on each of them, `experiment.strategy.repeats` times (with different seeds). */
  data: TrainData[];
  strategy: Strategy;
  /** the value to minimise from one epoch (e.g. valLoss, or -valAcc). */
  objective: (m: EpochMetrics) => number;
  factory: WorkerFactory;
  /** for 2-D data: decision surface grid side and extent (standardised space). */
  boundaryGrid?: number;
  boundaryExtent?: [number, number, number, number];
  /** id of the first trial (continuing a study). */
  firstId?: number;
}

/**
 * Runs a sweep: asks the strategy for params whenever a worker is free, trains each trial in a
 * dedicated worker, reports every epoch to the strategy (which may prune) and to the listener,
 * and tells the strategy the outcome. `cancel()` terminates the workers at once; finished trials stay.
 */
export class Sweep {
  private workers: (WorkerHandle | null)[] = [];
  private cancelled = false;
  private started = 0;
  private readonly pending = new Map<number, TrialParams>();
  private waiters: (() => void)[] = [];

  constructor(private readonly opts: SweepOptions, private readonly listener: SweepListener) {}

  /** Resolves when the budget is spent, the strategy is exhausted, or the sweep is cancelled. */
  async run(): Promise<void> {
    const { experiment } = this.opts;
    const n = Math.max(1, Math.min(experiment.strategy.concurrency, experiment.strategy.budget));
    this.workers = Array.from({ length: n }, () => null);
    await Promise.all(this.workers.map((_, i) => this.lane(i)));
    this.shutdown('The sweep is over.');
  }

  /** Stops everything now; running trials end as cancelled. */
  cancel(): void {
    this.cancelled = true;
    this.shutdown('Cancelled.');
  }

  private shutdown(reason: string): void {
    this.workers.forEach((w) => w?.terminate(reason));
    this.workers = this.workers.map(() => null);
    this.wakeAll();
  }

  private wakeAll(): void {
    const ws = this.waiters;
    this.waiters = [];
    ws.forEach((w) => w());
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** One worker's loop: take a trial, train it, repeat. */
  private async lane(slot: number): Promise<void> {
    const { experiment, strategy } = this.opts;
    while (!this.cancelled && this.started < experiment.strategy.budget) {
      const params = strategy.ask([...this.pending.values()]);
      if (params === null) {
        // Nothing to propose right now: wait for a running trial to end, or stop if none runs.
        if (this.pending.size === 0) return;
        await new Promise<void>((r) => this.waiters.push(r));
        continue;
      }
      const id = (this.opts.firstId ?? 0) + this.started++;
      this.pending.set(id, params);
      const result = await this.runTrial(slot, id, params);
      this.pending.delete(id);
      if (result.status !== 'cancelled') strategy.tell(id, params, this.outcome(result));
      this.listener.trialEnded(id, result);
      this.wakeAll();
    }
  }

  /** What the strategy learns: the mean over runs of each run's end value (best epoch when
   *  restore-best applied). Never the test score. */
  private outcome(r: TrialResult): TrialOutcome {
    const curve = r.epochs.map(this.opts.objective);
    const ends = (r.runs ?? [r]).map((run) => endValue(run, this.opts.objective));
    const value = ends.reduce((a, b) => a + b, 0) / ends.length;
    const failed = r.status === 'failed' || r.status === 'diverged' || !Number.isFinite(value);
    return {
      state: r.status === 'cancelled' ? 'failed' : r.status,
      objective: failed ? NaN : value,
      curve,
    };
  }

  private async ensureWorker(slot: number, pref: BackendPref): Promise<WorkerHandle> {
    let w = this.workers[slot];
    if (w) return w;
    w = new WorkerHandle(this.opts.factory);
    this.workers[slot] = w;
    w.info = await w.guard(w.api.init(pref));
    this.listener.backend(slot, w.info);
    return w;
  }

  private async runTrial(slot: number, id: number, params: TrialParams): Promise<TrialResult> {
    const { experiment, data, strategy } = this.opts;
    const es = experiment.strategy.earlyStopping;
    const cfg: TrialConfig = {
      trialId: id,
      model: resolveModel(experiment.model, params),
      seed: experiment.strategy.seed * 1000 + id,
      boundaryGrid: this.opts.boundaryGrid ?? 0,
      boundaryExtent: this.opts.boundaryExtent,
      ...(es.enabled ? { earlyStopping: { patience: es.patience, minDelta: es.minDelta, restoreBest: es.restoreBest } } : {}),
    };
    this.listener.trialStarted(id, params, cfg, slot);
    const runs = data.length * Math.max(1, experiment.strategy.repeats);
    const results: TrialResult[] = [];
    for (let run = 0; run < runs && !this.cancelled; run++) {
      // Fold-major within a repeat: run = repeat * folds + fold; each repeat gets its own seed.
      const fold = run % data.length;
      const repeat = Math.floor(run / data.length);
      const r = await this.runOnce(slot, { ...cfg, seed: cfg.seed + repeat * 7919 + fold * 104729, boundaryGrid: run === 0 ? cfg.boundaryGrid : 0 }, data[fold], run, runs, run === 0 ? strategy : null);
      results.push(r);
      if (r.status !== 'complete') break;
    }
    return results.length ? combineRuns(results) : { trialId: id, status: 'cancelled', epochs: [], backend: 'cpu', timeMs: 0, message: 'Cancelled.' };
  }

  /** One training of one configuration on one fold. Only the first run of a trial reports to the
   *  pruner: the later folds and repeats refine the estimate of a configuration it let through. */
  private async runOnce(slot: number, cfg: TrialConfig, data: TrainData, run: number, runs: number, pruner: Strategy | null): Promise<TrialResult> {
    const id = cfg.trialId;
    let w: WorkerHandle | null = null;
    try {
      try {
        w = await this.ensureWorker(slot, this.opts.experiment.backend);
      } catch (e) {
        // A worker that cannot even start (script failed to load, no backend) will not start
        // for the next trial either: stop the sweep with one clear message instead of failing every trial.
        const message = e instanceof Error ? e.message : String(e);
        if (!this.cancelled) {
          this.listener.error(`A training worker could not start: ${message}`);
          this.cancel();
        }
        throw e;
      }
      if (w.dataKey !== data.key) {
        await w.guard(w.api.setData(data));
        w.dataKey = data.key;
      }
      const onEpoch = (m: EpochMetrics): EpochControl => {
        if (this.cancelled) return 'stop';
        this.listener.epoch(id, m, run, runs);
        const decision = pruner?.tellEpoch?.(id, m.epoch, this.opts.objective(m)) ?? 'continue';
        return decision === 'prune' ? 'prune' : 'continue';
      };
      return await w.guard(w.api.train(cfg, Comlink.proxy(onEpoch)));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // A crashed worker is replaced before the next trial; the sweep goes on.
      if (w && this.workers[slot] === w) {
        w.terminate(message);
        this.workers[slot] = null;
      }
      return {
        trialId: id,
        status: this.cancelled ? 'cancelled' : 'failed',
        epochs: [],
        backend: w?.info?.backend ?? 'cpu',
        timeMs: 0,
        message: this.cancelled ? 'Cancelled.' : message,
      };
    }
  }
}
