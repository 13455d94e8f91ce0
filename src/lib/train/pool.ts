import * as Comlink from 'comlink';
import type { BackendPref, Experiment, TrialParams } from '../experiment/types';
import { LIMITS } from '../experiment/params';
import type { EpochDecision, TrialOutcome } from '../search/types';
import { combineRuns, endValue } from './aggregate';
import type { WorkerApi } from './protocol';
import { batchKey, MAX_BATCH } from './batching';
import { calibrate, calibrationKey, deviceId, defaultCalibrationStore, describeCalibration, probeShapeOf, type Calibration, type CalibrationStore, type ProbeRunner } from './calibrate';
import type { BackendInfo, EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from './types';
import { Watchdog } from './watchdog';
import { runSeedOffset, trialConfig } from './config';

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
    this.worker.addEventListener('messageerror', () => {
      this.rejectCrash(new Error('The training worker sent a message that could not be read.'));
    });
  }

  /** Races `p` against the worker crashing or being terminated. */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.crash]);
  }

  private ended = false;

  /** Stops the worker (once; later calls do nothing) and fails whatever it was doing with `reason`. */
  terminate(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.rejectCrash(new Error(reason));
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}

/** How long a worker is kept alive after its sweep, for the next one, ms. */
const PARK_MS = 60_000;

/** Workers kept alive between sweeps: the next sweep on the same backend starts at once, on a
 *  warm backend (wasm instantiated, shaders compiled, JIT warm). At most LIMITS.maxConcurrency. */
const parked: { w: WorkerHandle; factory: WorkerFactory; timer: ReturnType<typeof setTimeout> }[] = [];

function park(w: WorkerHandle, factory: WorkerFactory): void {
  if (parked.length >= LIMITS.maxConcurrency || !w.info) {
    w.terminate('Not needed.');
    return;
  }
  const entry = { w, factory, timer: setTimeout(() => {
    const i = parked.indexOf(entry);
    if (i >= 0) parked.splice(i, 1);
    w.terminate('Idle.');
  }, PARK_MS) };
  parked.push(entry);
}

/** A parked worker from `factory` initialised as `pref` asked, or null. */
function unpark(factory: WorkerFactory, pref: BackendPref): WorkerHandle | null {
  const i = parked.findIndex((p) => p.factory === factory && p.w.info?.requested === pref && (pref === 'auto' || p.w.info.backend === pref));
  if (i < 0) return null;
  const [p] = parked.splice(i, 1);
  clearTimeout(p.timer);
  return p.w;
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
  /** the worker training trial `id` was lost (crashed or went silent); the trial starts again
   *  from its first epoch on a fresh worker, so the epochs reported so far no longer count. */
  trialRetried?(id: number, reason: string): void;
}

/** What the sweep needs besides the listener. */
export interface SweepOptions {
  experiment: Experiment;
  /** the data of each fold: one entry for hold-out validation, k for k-fold. Every configuration
   *  trains on each of them, `experiment.strategy.repeats` times (with different seeds). */
  data: TrainData[];
  /** where trials come from and where their epochs and outcomes go: the study's search session
   *  (src/lib/study/session.ts), which also keeps the search log and hands out interrupted trials first. */
  source: SearchSource;
  /** the value to minimise from one epoch (e.g. valLoss, or -valAcc). */
  objective: (m: EpochMetrics) => number;
  factory: WorkerFactory;
  /** for 2-D data: decision surface grid side and extent (standardised space). */
  boundaryGrid?: number;
  boundaryExtent?: [number, number, number, number];
  /** where automatic backend / worker-count calibrations are cached (default: the page's IndexedDB store). */
  calibration?: CalibrationStore;
}

/** The search as the sweep sees it: the next trial to start (with its id), per-epoch reports
 *  (a pruner may answer 'prune'), and each trial's outcome. */
export interface SearchSource {
  /** the next trial, or null (budget spent, or nothing now: asked again when a trial ends). A
   *  search in a worker answers later (the sweep waits); one on this thread may answer at once. */
  next(): { id: number; params: TrialParams } | null | Promise<{ id: number; params: TrialParams } | null>;
  tellEpoch(id: number, epoch: number, objective: number): EpochDecision | Promise<EpochDecision>;
  tell(id: number, params: TrialParams, outcome: TrialOutcome): void;
  /** trials the source can still hand out. */
  readonly remaining: number;
}

/** Time limits of one backend's calibration probe, ms: starting the backend, then its probe
 *  (shorter for software renderers, whose shader compilation alone can take seconds). */
const PROBE_START_MS = 6000;
const PROBE_MS = { hardware: 4000, software: 1500 };

/** One trial waiting in a lane: its id, params and config. */
interface Queued {
  id: number;
  params: TrialParams;
  cfg: TrialConfig;
}

/**
 * Runs a sweep: asks the strategy for params whenever a worker is free, trains each trial in a
 * dedicated worker, reports every epoch to the strategy (which may prune) and to the listener,
 * and tells the strategy the outcome. `cancel()` terminates the workers at once; finished trials stay.
 *
 * With `strategy.batching`, a free worker asks for several trials at once (up to MAX_BATCH, and
 * no more than its share of the budget left) and trains those sharing an architecture, batch size
 * and optimizer as one batched computation; every trial still reports its own epochs and result.
 * With `backend: 'auto'` or `strategy.autoWorkers`, the backend and worker count come from a
 * calibration (measured once per device and model shape, then cached). Workers of a sweep that
 * ends normally are kept warm for a minute, for the next sweep on the same backend.
 */
export class Sweep {
  private workers: (WorkerHandle | null)[] = [];
  private cancelled = false;
  private readonly pending = new Map<number, TrialParams>();
  private waiters: (() => void)[] = [];
  /** workers the calibration started on the chosen backend, handed to the lanes. */
  private spare: WorkerHandle[] = [];
  /** the backend every worker initialises (the calibrated one, or the user's choice). */
  private pref: BackendPref = 'auto';
  /** what calibration found, reported with each worker's backend. */
  private calibrated: { note: string; samplesPerSec?: number } | null = null;
  private announced = new WeakSet<WorkerHandle>();
  /** workers measuring a backend right now (terminated by cancel). */
  private probing = new Set<WorkerHandle>();

  constructor(private readonly opts: SweepOptions, private readonly listener: SweepListener) {}

  /** Resolves when the budget is spent, the strategy is exhausted, or the sweep is cancelled. */
  async run(): Promise<void> {
    const { experiment } = this.opts;
    const s = experiment.strategy;
    const left = this.opts.source.remaining;
    if (left <= 0) return;
    let n = Math.max(1, Math.min(s.concurrency, left));
    this.pref = experiment.backend;
    if (experiment.backend === 'auto' || s.autoWorkers) {
      const plan = await this.plan(n).catch(() => null);
      if (plan) {
        this.pref = plan.calibration.backend;
        n = Math.max(1, Math.min(plan.calibration.workers, left));
        const mine = plan.calibration.backends.find((m) => m.backend === plan.calibration.backend);
        const sps = mine?.samplesPerSec ?? plan.calibration.pool.find((p) => p.workers === 1)?.samplesPerSec;
        this.calibrated = { note: describeCalibration(plan.calibration, plan.cached), samplesPerSec: sps ?? undefined };
      }
    }
    if (this.cancelled) {
      this.spare.forEach((w) => w.terminate('Cancelled.'));
      this.spare = [];
      return;
    }
    this.workers = Array.from({ length: n }, (_, i) => this.spare[i] ?? null);
    this.spare.slice(n).forEach((w) => w.terminate('Not needed.'));
    this.spare = [];
    await Promise.all(this.workers.map((_, i) => this.lane(i)));
    if (this.cancelled) return;
    // Finished normally: keep the workers warm for the next sweep.
    this.workers.forEach((w) => w && park(w, this.opts.factory));
    this.workers = this.workers.map(() => null);
    this.wakeAll();
  }

  /** Stops everything now; running trials end as cancelled. */
  cancel(): void {
    this.cancelled = true;
    this.probing.forEach((w) => w.terminate('Cancelled.'));
    this.spare.forEach((w) => w.terminate('Cancelled.'));
    this.spare = [];
    this.shutdown('Cancelled.');
  }

  /** The search failed (its worker crashed or stopped answering): the sweep stops with the
   *  reason; finished trials stay, and the study's log lets Resume continue it. */
  private searchFailed(e: unknown): void {
    if (this.cancelled) return;
    this.listener.error(`The sweep stopped: ${e instanceof Error ? e.message : String(e)} Finished trials are kept; Resume continues the study.`);
    this.cancel();
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

  /** The calibration for this sweep's model shape: cached, or measured now in workers. */
  private async plan(fixedWorkers: number): Promise<{ calibration: Calibration; cached: boolean } | null> {
    const { experiment, data, factory } = this.opts;
    const d0 = data[0];
    if (!d0) return null;
    const shape = probeShapeOf(experiment, d0);
    const cores = (typeof navigator === 'undefined' ? 0 : navigator.hardwareConcurrency) || 2;
    const device = deviceId();
    const s = experiment.strategy;
    // The winner's worker is kept (already on its backend) to become the first lane's worker.
    let best: { w: WorkerHandle; sps: number } | null = null;
    const runner: ProbeRunner = {
      backend: async (name) => {
        const w = new WorkerHandle(factory);
        this.probing.add(w);
        let software = '';
        try {
          const info = await w.guard(withTimeout(w.api.init(name), PROBE_START_MS, 'did not start in time'));
          software = info.software ?? '';
          if (info.backend !== name) {
            w.terminate('Not this backend.');
            return { backend: name, samplesPerSec: null, software, error: 'unavailable' };
          }
          w.info = info;
          const limit = software ? PROBE_MS.software : PROBE_MS.hardware;
          const t = await w.guard(withTimeout(w.api.probe(shape, { minMs: 150 }), limit, `no result within ${limit / 1000} s`));
          if (this.cancelled) {
            w.terminate('Cancelled.');
          } else if (!best || t.samplesPerSec > best.sps) {
            best?.w.terminate('Slower.');
            best = { w, sps: t.samplesPerSec };
          } else {
            w.terminate('Slower.');
          }
          return { backend: name, samplesPerSec: t.samplesPerSec, warmupMs: t.warmupMs, software };
        } catch (e) {
          w.terminate('Calibration failed.');
          return { backend: name, samplesPerSec: null, software, error: e instanceof Error ? e.message : String(e) };
        } finally {
          this.probing.delete(w);
        }
      },
    };
    try {
      const r = await calibrate({
        key: calibrationKey(device, shape, experiment.backend),
        store: this.opts.calibration ?? defaultCalibrationStore(),
        runner,
        pref: experiment.backend,
        autoWorkers: s.autoWorkers,
        fixedWorkers: fixedWorkers,
        maxWorkers: Math.min(LIMITS.maxConcurrency, s.budget, Math.max(2, cores)),
        cancelled: () => this.cancelled,
      });
      const winner = best as { w: WorkerHandle; sps: number } | null;
      if (winner && !this.spare.includes(winner.w)) {
        if (r && winner.w.info?.backend === r.calibration.backend) this.spare.unshift(winner.w);
        else winner.w.terminate('Not needed.');
      }
      return r;
    } catch (e) {
      this.spare.forEach((w) => w.terminate('Calibration failed.'));
      this.spare = [];
      throw e;
    }
  }

  /** One worker's loop: take a trial (or, with batching, a few), train, repeat. */
  private async lane(slot: number): Promise<void> {
    while (!this.cancelled && this.opts.source.remaining > 0) {
      const asked = await this.ask();
      if (asked.length === 0) {
        // Nothing to propose right now: wait for a running trial to end, or stop if none runs.
        if (this.pending.size === 0) return;
        await new Promise<void>((r) => this.waiters.push(r));
        continue;
      }
      // Trials that can share a batch train together; the groups run one after another.
      const groups = new Map<string, Queued[]>();
      for (const q of asked) {
        const key = batchKey(q.cfg);
        groups.set(key, [...(groups.get(key) ?? []), q]);
      }
      for (const group of groups.values()) {
        if (this.cancelled) {
          for (const q of group) this.end(q, { trialId: q.id, status: 'cancelled', epochs: [], backend: 'cpu', timeMs: 0, message: 'Cancelled.' }, false);
          continue;
        }
        const results = await this.runGroup(slot, group);
        group.forEach((q, i) => this.end(q, results[i], true));
      }
    }
  }

  /** Asks the strategy for the next trial, or with batching for up to this lane's share of the
   *  budget left (at most MAX_BATCH). Ids follow the order of asking. */
  private async ask(): Promise<Queued[]> {
    const { experiment, source } = this.opts;
    const lanes = Math.max(1, this.workers.length);
    const max = experiment.strategy.batching ? Math.max(1, Math.min(MAX_BATCH, Math.ceil(source.remaining / lanes))) : 1;
    const out: Queued[] = [];
    while (out.length < max && source.remaining > 0) {
      let next: { id: number; params: TrialParams } | null;
      try {
        next = await source.next();
      } catch (e) {
        this.searchFailed(e);
        break;
      }
      if (next === null) break;
      this.pending.set(next.id, next.params);
      out.push({ id: next.id, params: next.params, cfg: trialConfig(experiment, next.id, next.params, { grid: this.opts.boundaryGrid ?? 0, extent: this.opts.boundaryExtent }) });
    }
    return out;
  }

  /** A trial is over: tell the strategy (unless cancelled) and the listener. */
  private end(q: Queued, result: TrialResult, tell: boolean): void {
    this.pending.delete(q.id);
    if (tell && result.status !== 'cancelled') this.opts.source.tell(q.id, q.params, this.outcome(result));
    this.listener.trialEnded(q.id, result);
    this.wakeAll();
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

  private async ensureWorker(slot: number): Promise<WorkerHandle> {
    let w = this.workers[slot];
    if (!w) {
      w = unpark(this.opts.factory, this.pref);
      if (w) {
        this.workers[slot] = w;
      } else {
        w = new WorkerHandle(this.opts.factory);
        this.workers[slot] = w;
        w.info = await w.guard(w.api.init(this.pref));
      }
    }
    if (!this.announced.has(w) && w.info) {
      this.announced.add(w);
      const info = this.calibrated
        ? { ...w.info, requested: this.opts.experiment.backend, note: [this.calibrated.note, w.info.note].filter(Boolean).join('; '), samplesPerSec: this.calibrated.samplesPerSec }
        : w.info;
      this.listener.backend(slot, info);
    }
    return w;
  }

  /** Trains a group of trials (one batch, or a single trial) through all their runs (folds ×
   *  repeats, fold-major within a repeat, each repeat with its own seeds). A trial's later runs
   *  are skipped once one of its runs does not complete. */
  private async runGroup(slot: number, group: Queued[]): Promise<TrialResult[]> {
    const { experiment, data } = this.opts;
    group.forEach((q) => this.listener.trialStarted(q.id, q.params, q.cfg, slot));
    const runs = data.length * Math.max(1, experiment.strategy.repeats);
    const results: TrialResult[][] = group.map(() => []);
    const retries = group.map(() => 0);
    for (let run = 0; run < runs && !this.cancelled; run++) {
      const fold = run % data.length;
      const repeat = Math.floor(run / data.length);
      const alive = group.map((_, i) => i).filter((i) => results[i].every((r) => r.status === 'complete'));
      if (alive.length === 0) break;
      const offset = runSeedOffset(repeat, fold);
      const cfgs = alive.map((i) => {
        const c = group[i].cfg;
        return { ...c, seed: c.seed + offset, shuffleSeed: c.shuffleSeed! + offset, boundaryGrid: run === 0 ? c.boundaryGrid : 0 };
      });
      let rs = await this.runOnce(slot, cfgs, data[fold], run, runs, run === 0);
      if (rs.lost && !this.cancelled) {
        // A lost worker is not the trial's fault: train it again, once, on a fresh worker.
        const reason = rs.lost;
        alive.forEach((i) => {
          retries[i]++;
          this.listener.trialRetried?.(group[i].id, reason);
        });
        rs = await this.runOnce(slot, cfgs, data[fold], run, runs, run === 0);
        if (rs.lost) {
          rs.results = rs.results.map((r) => ({ ...r, message: `${r.message} It had already been retried once on a fresh worker after: ${reason}` }));
        }
      }
      alive.forEach((i, j) => results[i].push(rs.results[j]));
    }
    return results.map((rs, i) => {
      const r: TrialResult = rs.length ? combineRuns(rs) : { trialId: group[i].id, status: 'cancelled', epochs: [], backend: 'cpu', timeMs: 0, message: 'Cancelled.' };
      return retries[i] ? { ...r, retries: retries[i] } : r;
    });
  }

  /** One training of some configurations on one fold, as one batch. Only the first run of a
   *  trial reports to the pruner: the later folds and repeats refine the estimate of a
   *  configuration it let through. `lost` says why, when the worker crashed or went silent
   *  (the results are then failures the caller may retry). */
  private async runOnce(slot: number, cfgs: TrialConfig[], data: TrainData, run: number, runs: number, report: boolean): Promise<{ results: TrialResult[]; lost?: string }> {
    let w: WorkerHandle | null = null;
    let dog: Watchdog | null = null;
    try {
      try {
        w = await this.ensureWorker(slot);
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
      const worker = w;
      dog = new Watchdog((message) => worker.terminate(message));
      if (w.dataKey !== data.key) {
        await w.guard(w.api.setData(data));
        w.dataKey = data.key;
      }
      const onEpoch = (id: number, m: EpochMetrics): EpochControl | Promise<EpochControl> => {
        if (this.cancelled) return 'stop';
        dog?.beat();
        this.listener.epoch(id, m, run, runs);
        // (A retried trial reports its early epochs again: the source answers each epoch once.)
        if (!report) return 'continue';
        const decide = (d: EpochDecision): EpochControl => (this.cancelled ? 'stop' : d === 'prune' ? 'prune' : 'continue');
        const d = this.opts.source.tellEpoch(id, m.epoch, this.opts.objective(m));
        return d instanceof Promise ? d.then(decide, (e: unknown) => (this.searchFailed(e), 'stop' as const)) : decide(d);
      };
      return { results: await w.guard(w.api.trainBatch(cfgs, Comlink.proxy(onEpoch))) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const lost = !this.cancelled && w !== null;
      // A crashed worker is replaced before the next trial; the sweep goes on.
      if (w && this.workers[slot] === w) {
        w.terminate(message);
        this.workers[slot] = null;
      }
      const results = cfgs.map((c): TrialResult => ({
        trialId: c.trialId,
        status: this.cancelled ? 'cancelled' : 'failed',
        epochs: [],
        backend: w?.info?.backend ?? 'cpu',
        timeMs: 0,
        message: this.cancelled ? 'Cancelled.' : message,
      }));
      return lost ? { results, lost: message } : { results };
    } finally {
      dog?.stop();
    }
  }
}

/** `p`, or a rejection with `message` after `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
