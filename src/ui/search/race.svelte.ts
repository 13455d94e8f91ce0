import type { Experiment, StrategyKind } from '../../lib/experiment/types';
import { LIMITS, searchedParams } from '../../lib/experiment/params';
import { STRATEGIES } from '../../lib/search/registry';
import { metricKeyOf } from '../../lib/search/create';
import { openLiveSearch } from '../../lib/study/resume';
import { Sweep } from '../../lib/train/pool';
import type { TrialResult } from '../../lib/train/types';
import { finalMetric, objectiveFn } from '../../lib/analysis/metric';
import { raceSpread, type Direction, type SpreadPoint } from '../../lib/analysis/history';
import { raceBaseline, raceReaches, raceSentence, type RaceLine } from '../../lib/analysis/race';
import { shortLabel } from '../../lib/charts/strategy-style';
import type { MetricInfo, Study } from '../study.svelte';

/** Seeds per strategy the race offers: 1..RACE_MAX_SEEDS. */
export const RACE_MAX_SEEDS = 5;

/** One sweep of the race: one strategy with one seed. */
export interface RaceRun {
  kind: StrategyKind;
  /** seed index, 0-based (the strategy's seed is the experiment's seed + this). */
  seed: number;
  /** the study metric of each finished trial, in completion order; NaN for trials that did not
   *  train to the end (pruned, failed, diverged): they use budget but cannot set the best. */
  values: number[];
  done: boolean;
}

/** What a race was started with (kept, so editing the experiment afterwards does not relabel results). */
export interface RaceSetup {
  kinds: StrategyKind[];
  seeds: number;
  budget: number;
  epochs: number;
  metric: MetricInfo;
  /** the experiment's pruner kind ('none' when off). */
  pruner: string;
}

/** One strategy's line in the race chart and its sentence. */
export interface RaceResult extends RaceLine {
  kind: StrategyKind;
  sentence: string;
}

/**
 * The strategy race: several strategies, each with a few seeds, run one sweep after another on
 * the current experiment and budget. Results stay here and never touch `study.trials`. While it
 * runs `study.racing` is true, so the main sweep waits; it does not start while a sweep runs.
 */
export class RaceState {
  private readonly study: Study;
  /** strategies to race (registry kinds), in the order they were ticked. */
  kinds = $state<StrategyKind[]>(['random', 'tpe']);
  /** seeds per strategy, 1..RACE_MAX_SEEDS. */
  seeds = $state(1);
  setup = $state.raw<RaceSetup | null>(null);
  runs = $state.raw<RaceRun[]>([]);
  /** the sweep being trained: its place in the plan and its trials finished so far. */
  current = $state.raw<{ kind: StrategyKind; seed: number; index: number; of: number; finished: number } | null>(null);
  error = $state('');
  /** the last race was cancelled before it ended. */
  cancelled = $state(false);

  private sweep: Sweep | null = null;
  private stopped = false;

  constructor(study: Study) {
    this.study = study;
  }

  /** True while the race trains (mirrors study.racing, which the Run button reads). */
  get racing(): boolean {
    return this.study.racing;
  }

  /** Trainings per trial: folds × repeats. */
  get runsPerTrial(): number {
    const s = this.study.experiment.strategy;
    return (s.validation.scheme === 'kfold' ? s.validation.k : 1) * Math.max(1, s.repeats);
  }

  /** Networks the race will train with the current choices: strategies × seeds × budget (× folds × repeats). */
  trainings: number = $derived.by(() => this.kinds.length * (Number.isInteger(this.seeds) ? this.seeds : 0) * this.study.experiment.strategy.budget * this.runsPerTrial);

  /** Rough wall time of the race at the pace of the finished trials of the current sweep, ms; NaN when unknown. */
  get estimateMs(): number {
    const timed = this.study.trials.filter((t) => t.result && t.result.timeMs > 0 && t.epochs.length > 0);
    if (timed.length === 0) return NaN;
    const perEpoch = timed.reduce((a, t) => a + t.result!.timeMs / t.epochs.length, 0) / timed.length;
    const lanes = Math.max(1, this.study.experiment.strategy.concurrency);
    // per-epoch times of the last sweep already include its folds and repeats
    return (perEpoch * this.study.experiment.model.epochs * this.kinds.length * this.seeds * this.study.experiment.strategy.budget) / lanes;
  }

  /** Why the race cannot start now ('' when it can). */
  blocker: string = $derived.by(() => {
    const s = this.study;
    if (this.racing) return 'The race is running.';
    if (s.running) return 'Wait for the sweep to finish (or cancel it) first.';
    if (s.errors.length) return `Fix the experiment first: ${s.errors[0].message}`;
    if (s.dataLoading || !s.prepared) return 'Loading data…';
    if (this.kinds.length < 1) return 'Tick at least one strategy.';
    if (!Number.isInteger(this.seeds) || this.seeds < 1 || this.seeds > RACE_MAX_SEEDS) return `Seeds must be a whole number from 1 to ${RACE_MAX_SEEDS}.`;
    if (this.trainings > LIMITS.maxBudget * 8) return `That is ${this.trainings} trainings; keep it under ${LIMITS.maxBudget * 8} (fewer strategies, seeds or trials).`;
    return '';
  });

  /** Whether smaller or larger values of the race's metric are better. */
  get direction(): Direction {
    return (this.setup?.metric ?? this.study.metric).higherBetter ? 'max' : 'min';
  }

  /** One line per raced strategy: median and IQR of the best-so-far over seeds, and its sentence. */
  results: RaceResult[] = $derived.by(() => {
    const setup = this.setup;
    if (!setup) return [];
    const dir = this.direction;
    const lines = setup.kinds.map((kind) => {
      const series = this.runs.filter((r) => r.kind === kind && r.values.length > 0).map((r) => r.values);
      const spread: SpreadPoint[] = raceSpread(series, dir);
      return { key: kind, kind, label: shortLabel(STRATEGIES[kind]?.label ?? kind), spread };
    });
    const b = raceBaseline(lines, dir);
    const reaches = raceReaches(lines, dir, b);
    const fmt = setup.metric.higherBetter ? (v: number) => `${v.toFixed(1)}%` : (v: number) => String(Number(v.toPrecision(3)));
    const baseLabel = b >= 0 ? lines[b].label : '';
    return lines.map((l, i) => ({ ...l, sentence: raceSentence(reaches[i], baseLabel, fmt) }));
  });

  /** Ticks or unticks a strategy. */
  toggle(kind: StrategyKind, on: boolean): void {
    this.kinds = on ? [...this.kinds.filter((k) => k !== kind), kind] : this.kinds.filter((k) => k !== kind);
  }

  /** Runs the race: for each seed, each ticked strategy in turn, one sweep at a time. */
  async start(): Promise<void> {
    if (this.blocker) return;
    const study = this.study;
    const base = $state.snapshot(study.experiment) as Experiment;
    const kinds = this.kinds.filter((k) => STRATEGIES[k] && k !== 'manual');
    const seeds = this.seeds;
    this.setup = { kinds, seeds, budget: base.strategy.budget, epochs: base.model.epochs, metric: { ...study.metric }, pruner: base.strategy.pruner.kind };
    this.runs = [];
    this.error = '';
    this.cancelled = false;
    this.stopped = false;
    study.racing = true;
    const plan = Array.from({ length: seeds }, (_, seed) => kinds.map((kind) => ({ kind, seed }))).flat();
    const accuracy = this.setup.metric.key === 'valAcc';
    try {
      // the data is taken once, so editing the experiment during the race cannot change it midway
      const kit = study.sweepKit(base);
      if (!kit) throw new Error('The data is not loaded.');
      for (const [index, { kind, seed }] of plan.entries()) {
        if (this.stopped) break;
        // every sweep gets a fresh search and pruner: rungs and medians must not carry over between sweeps
        const experiment: Experiment = { ...base, strategy: { ...base.strategy, kind, seed: base.strategy.seed + seed } };
        const session = await openLiveSearch({ experiment, log: [], metric: this.setup.metric.key }, { spawn: kit.spawnSearch });
        const run: RaceRun = { kind, seed, values: [], done: false };
        this.runs = [...this.runs, run];
        this.current = { kind, seed, index, of: plan.length, finished: 0 };
        const value = (r: TrialResult): number => (r.status === 'complete' ? finalMetric(r.epochs, this.setup!.metric.key) ?? NaN : NaN);
        this.sweep = new Sweep({
          experiment,
          data: kit.data,
          source: session,
          objective: objectiveFn(metricKeyOf(accuracy)),
          factory: kit.factory,
        }, {
          trialStarted: () => {},
          epoch: () => {},
          trialEnded: (_id, result) => {
            if (result.status === 'cancelled') return;
            this.update(run, { values: [...this.find(run).values, value(result)] });
            this.current = this.current && { ...this.current, finished: this.current.finished + 1 };
          },
          backend: () => {},
          error: (message) => (this.error = message),
        });
        try {
          await this.sweep.run();
        } finally {
          await session.settled();
          session.close();
        }
        this.update(run, { done: !this.stopped });
        if (this.error) break;
      }
    } catch (e) {
      this.error = `The race stopped: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.sweep = null;
      this.current = null;
      this.cancelled = this.stopped;
      study.racing = false;
    }
  }

  /** Stops the race now; finished trials keep their place in the curves. */
  cancel(): void {
    this.stopped = true;
    this.sweep?.cancel();
  }

  /** The stored version of `run` (runs are replaced, never mutated, so the page redraws). */
  private find(run: RaceRun): RaceRun {
    return this.runs.find((r) => r.kind === run.kind && r.seed === run.seed) ?? run;
  }

  private update(run: RaceRun, patch: Partial<RaceRun>): void {
    this.runs = this.runs.map((r) => (r.kind === run.kind && r.seed === run.seed ? { ...r, ...patch } : r));
  }
}
