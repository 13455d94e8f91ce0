import type { TrialParams } from '../experiment/types';
import { median } from './stats';
import type {
  EpochDecision,
  PruneDecision,
  Pruner,
  PrunerKind,
  PrunerSnapshot,
  PruneRecord,
  RungSnapshot,
  Strategy,
  StrategySnapshot,
  TrialOutcome,
} from './types';

/** How a pruner words objective values in its reasons. */
export interface PrunerWording {
  /** name of the objective, e.g. 'val loss' or 'val accuracy'; default 'objective'. */
  label?: string;
  /** formats an objective value (which is minimised) for a student, e.g. v => (-v).toFixed(3)
   *  when the objective is -accuracy; default 3 significant digits. */
  format?: (objective: number) => string;
}

/** Options of the median stopping rule. */
export interface MedianOptions extends PrunerWording {
  /** completed trials needed before anything is pruned; default 5. */
  warmupTrials?: number;
  /** no trial is pruned at or before this epoch; default 5. */
  warmupEpochs?: number;
}

/** Options of asynchronous successive halving. */
export interface AshaOptions extends PrunerWording {
  /** epochs before the first rung, >= 1; default 1. */
  minEpochs?: number;
  /** reduction factor η >= 2: the top 1/η of a rung is promoted; default 3. */
  eta?: number;
  /** epochs of a full trial; rungs are only placed before it. Default: none (unbounded). */
  maxEpochs?: number;
  /** early-stopping rate s: rungs at minEpochs·η^(s+k), k = 0, 1, ...; default 0. */
  bracket?: number;
}

/** Options of Hyperband. */
export interface HyperbandOptions extends PrunerWording {
  /** smallest resource, epochs >= 1; default 1. */
  minEpochs?: number;
  /** epochs of a full trial (required: it decides the brackets). */
  maxEpochs: number;
  /** reduction factor η >= 2; default 3. */
  eta?: number;
}

/** A plain-data pruner choice (what an Experiment could store). */
export type PrunerSpec =
  | { kind: 'none' }
  | ({ kind: 'median' } & Omit<MedianOptions, 'format'>)
  | ({ kind: 'asha' } & Omit<AshaOptions, 'format'>)
  | ({ kind: 'hyperband' } & Omit<HyperbandOptions, 'format'>);

/** A registered pruner, for the UI. */
export interface PrunerEntry {
  label: string;
  /** one sentence for a student. */
  blurb: string;
}

/** Pruner labels and blurbs. */
export const PRUNERS: Record<PrunerKind, PrunerEntry> = {
  none: { label: 'No pruning', blurb: 'Every trial trains for all its epochs.' },
  median: { label: 'Median rule', blurb: 'Stops a trial whose best result so far is worse than the median of finished trials at the same epoch.' },
  asha: { label: 'Successive halving (ASHA)', blurb: 'At checkpoints after 1, 3, 9, ... epochs only the best third of the trials that got there may continue.' },
  hyperband: { label: 'Hyperband', blurb: 'Runs several successive-halving schedules side by side, from aggressive to patient, so a slow starter still gets a fair chance.' },
};

const fmt3 = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : String(v));

function wording(w: PrunerWording): { label: string; format: (v: number) => string } {
  return { label: w.label ?? 'objective', format: w.format ?? fmt3 };
}

/** NaN (a diverged epoch) ranks as the worst value. */
const rankValue = (v: number) => (Number.isNaN(v) ? Infinity : v);

/** Per-trial bookkeeping shared by the pruners: reported values and the prune log. */
class Reports {
  readonly values = new Map<number, Map<number, number>>();
  readonly best = new Map<number, number>();
  readonly pruned = new Map<number, PruneRecord>();

  add(id: number, epoch: number, objective: number): number {
    let m = this.values.get(id);
    if (!m) this.values.set(id, (m = new Map()));
    m.set(epoch, objective);
    const b = Math.min(this.best.get(id) ?? Infinity, rankValue(objective));
    this.best.set(id, b);
    return b;
  }

  prune(id: number, epoch: number, reason: string): PruneDecision {
    this.pruned.set(id, { id, epoch, reason });
    return { action: 'prune', reason };
  }

  log(): PruneRecord[] {
    return [...this.pruned.values()];
  }
}

/** A pruner that never prunes. */
export function createNoPruner(): Pruner {
  return {
    kind: 'none',
    report: () => ({ action: 'continue', reason: '' }),
    complete() {},
    reasonFor: () => null,
    describe: () => ({ kind: 'none', pruned: [] }),
  };
}

/**
 * The median stopping rule (Golovin et al. 2017; Optuna's MedianPruner): after epoch e, a
 * trial is pruned when its best objective so far is worse than the median of the objectives
 * that completed trials had at epoch e. Nothing is pruned until `warmupTrials` trials have
 * completed, nor at or before epoch `warmupEpochs`. Only completed trials set the median
 * (pruned trials stopped because they were bad, and would drag it down).
 */
export function createMedianPruner(options: MedianOptions = {}): Pruner {
  const warmupTrials = options.warmupTrials ?? 5;
  const warmupEpochs = options.warmupEpochs ?? 5;
  const { label, format } = wording(options);
  const reports = new Reports();
  /** objective curves of completed trials: curve[e - 1] is the value after epoch e. */
  const completed = new Map<number, number[]>();

  function othersAt(id: number, epoch: number): number[] {
    const out: number[] = [];
    for (const [other, curve] of completed) {
      if (other !== id && curve.length >= epoch && !Number.isNaN(curve[epoch - 1])) out.push(curve[epoch - 1]);
    }
    return out;
  }

  return {
    kind: 'median',
    report(id, epoch, objective) {
      const best = reports.add(id, epoch, objective);
      const already = reports.pruned.get(id);
      if (already) return { action: 'prune', reason: already.reason };
      if (epoch <= warmupEpochs || completed.size < warmupTrials) return { action: 'continue', reason: '' };
      const others = othersAt(id, epoch);
      if (others.length === 0) return { action: 'continue', reason: '' };
      const med = median(others);
      if (best > med) {
        return reports.prune(id, epoch, `at epoch ${epoch}: best ${label} so far ${format(best)} was worse than the median ${format(med)} of ${others.length} completed trials at epoch ${epoch}`);
      }
      return { action: 'continue', reason: `at epoch ${epoch}: best ${label} so far ${format(best)} is no worse than the median ${format(med)}` };
    },
    complete(id, outcome: TrialOutcome) {
      if (outcome.state !== 'complete') return;
      const reported = reports.values.get(id);
      let curve = outcome.curve;
      if (curve.length === 0 && reported) {
        const last = Math.max(...reported.keys());
        curve = Array.from({ length: last }, (_, i) => reported.get(i + 1) ?? NaN);
      }
      completed.set(id, [...curve]);
    },
    reasonFor: (id) => reports.pruned.get(id)?.reason ?? null,
    describe(): PrunerSnapshot {
      const maxEpoch = Math.max(0, ...[...completed.values()].map((c) => c.length));
      const medians: { epoch: number; median: number; count: number }[] = [];
      for (let e = 1; e <= maxEpoch; e++) {
        const vals = othersAt(-1, e);
        if (vals.length > 0) medians.push({ epoch: e, median: median(vals), count: vals.length });
      }
      return { kind: 'median', warmupTrials, warmupEpochs, medians, pruned: reports.log() };
    },
  };
}

/** Rung epochs minEpochs·η^(s+k) below maxEpochs (at most 30 when unbounded). */
export function rungEpochs(minEpochs: number, eta: number, bracket: number, maxEpochs?: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < 30; k++) {
    const e = Math.round(minEpochs * eta ** (bracket + k));
    if (maxEpochs !== undefined && e >= maxEpochs) break;
    out.push(e);
  }
  return out;
}

interface Rung {
  epoch: number;
  entries: { id: number; value: number; promoted: boolean }[];
}

/**
 * The cut-off of a rung holding `values` (including the newcomer): the ⌊n/η⌋-th best value. A
 * newcomer continues when its value is <= the cut-off. With fewer than η trials at the rung
 * only a new best continues (as Optuna does: trials cannot be paused here and resumed later,
 * so a trial is judged on arrival instead of waiting for the rung to fill up).
 */
export function rungCutoff(values: readonly number[], eta: number): { cutoff: number; top: number } {
  const sorted = values.map(rankValue).sort((a, b) => a - b);
  const top = Math.floor(sorted.length / eta);
  return { cutoff: sorted[Math.max(0, top - 1)], top };
}

/** ASHA bookkeeping for one bracket, shared by createAsha and createHyperband. */
class Asha {
  readonly rungs: Rung[];
  /** next rung each trial still has to pass. */
  private readonly next = new Map<number, number>();

  constructor(
    readonly minEpochs: number,
    readonly eta: number,
    bracket: number,
    readonly maxEpochs: number | undefined,
    private readonly reports: Reports,
    private readonly words: { label: string; format: (v: number) => string },
    private readonly prefix: string,
  ) {
    this.rungs = rungEpochs(minEpochs, eta, bracket, maxEpochs).map((epoch) => ({ epoch, entries: [] }));
  }

  report(id: number, epoch: number, objective: number): PruneDecision {
    const best = this.reports.add(id, epoch, objective);
    const already = this.reports.pruned.get(id);
    if (already) return { action: 'prune', reason: already.reason };
    let decision: PruneDecision = { action: 'continue', reason: '' };
    const { label, format } = this.words;
    // a report may skip epochs, so it can pass several rungs at once
    for (let r = this.next.get(id) ?? 0; r < this.rungs.length && this.rungs[r].epoch <= epoch; r++) {
      const rung = this.rungs[r];
      const { cutoff, top } = rungCutoff([...rung.entries.map((x) => x.value), best], this.eta);
      const promoted = rankValue(best) <= cutoff;
      rung.entries.push({ id, value: best, promoted });
      this.next.set(id, r + 1);
      const n = rung.entries.length;
      const where = `${this.prefix}at epoch ${epoch}, rung ${r + 1} (epoch ${rung.epoch})`;
      if (!promoted) {
        const why = top === 0
          ? `was not the best of the ${n} trials at this rung so far (best ${format(cutoff)}); until ${this.eta} trials get here only a new best goes on`
          : `was not in the top 1/${this.eta} of the ${n} trials at this rung (top ${top}, cut-off ${format(cutoff)})`;
        return this.reports.prune(id, epoch, `${where}: ${label} ${format(best)} ${why}`);
      }
      decision = { action: 'continue', reason: `${where}: ${label} ${format(best)} promoted (cut-off ${format(cutoff)})` };
    }
    return decision;
  }

  snapshot(): RungSnapshot[] {
    return this.rungs.map((r, index) => ({
      index,
      epoch: r.epoch,
      entries: r.entries.map((e) => ({ ...e })),
      cutoff: r.entries.length ? rungCutoff(r.entries.map((e) => e.value), this.eta).cutoff : null,
    }));
  }
}

/**
 * Asynchronous successive halving (Li et al. 2020, ASHA): rungs at minEpochs·η^k epochs. When a
 * trial reaches a rung its best objective so far is compared with every trial that reached that
 * rung before; it goes on only if it is in the top 1/η of them (see rungCutoff).
 */
export function createAsha(options: AshaOptions = {}): Pruner {
  const minEpochs = Math.max(1, options.minEpochs ?? 1);
  const eta = Math.max(2, options.eta ?? 3);
  const reports = new Reports();
  const asha = new Asha(minEpochs, eta, options.bracket ?? 0, options.maxEpochs, reports, wording(options), '');
  return {
    kind: 'asha',
    report: (id, epoch, objective) => asha.report(id, epoch, objective),
    complete() {},
    reasonFor: (id) => reports.pruned.get(id)?.reason ?? null,
    describe: () => ({ kind: 'asha', eta, minEpochs, maxEpochs: options.maxEpochs ?? null, rungs: asha.snapshot(), pruned: reports.log() }),
  };
}

/** Number of Hyperband brackets: ⌊log_η(maxEpochs / minEpochs)⌋ + 1. */
export function hyperbandBrackets(minEpochs: number, maxEpochs: number, eta: number): number {
  return Math.floor(Math.log(maxEpochs / minEpochs) / Math.log(eta) + 1e-9) + 1;
}

/**
 * Hyperband (Li et al. 2018) as a pruner: brackets s = 0 .. s_max, each an ASHA whose first rung
 * is at minEpochs·η^s (bracket 0 stops early and often; the last bracket rarely or never).
 * Trials are dealt to brackets round-robin by id (id mod brackets) and compete only with
 * trials of their own bracket.
 */
export function createHyperband(options: HyperbandOptions): Pruner {
  const minEpochs = Math.max(1, options.minEpochs ?? 1);
  const eta = Math.max(2, options.eta ?? 3);
  const maxEpochs = Math.max(minEpochs, options.maxEpochs);
  const reports = new Reports();
  const words = wording(options);
  const n = hyperbandBrackets(minEpochs, maxEpochs, eta);
  const brackets = Array.from({ length: n }, (_, s) => new Asha(minEpochs, eta, s, maxEpochs, reports, words, `bracket ${s}, `));
  const members = brackets.map(() => new Set<number>());
  const bracketOf = (id: number) => ((id % n) + n) % n;
  return {
    kind: 'hyperband',
    report(id, epoch, objective) {
      const s = bracketOf(id);
      members[s].add(id);
      return brackets[s].report(id, epoch, objective);
    },
    complete() {},
    reasonFor: (id) => reports.pruned.get(id)?.reason ?? null,
    describe: () => ({
      kind: 'hyperband',
      eta,
      minEpochs,
      maxEpochs,
      brackets: brackets.map((b, index) => ({
        index,
        minEpochs: Math.round(minEpochs * eta ** index),
        trialIds: [...members[index]].sort((a, b2) => a - b2),
        rungs: b.snapshot(),
      })),
      pruned: reports.log(),
    }),
  };
}

/** Builds a pruner from its plain-data spec (`format` of the wording is passed separately). */
export function createPruner(spec: PrunerSpec, format?: (objective: number) => string): Pruner {
  switch (spec.kind) {
    case 'none':
      return createNoPruner();
    case 'median':
      return createMedianPruner({ ...spec, format });
    case 'asha':
      return createAsha({ ...spec, format });
    case 'hyperband':
      return createHyperband({ ...spec, format });
  }
}

/** A strategy with a pruner attached; `pruner.describe()` feeds the rungs panel. */
export interface PrunedStrategy extends Strategy {
  readonly pruner: Pruner;
}

/**
 * Attaches `pruner` to `strategy`: `tellEpoch` asks the pruner (and the strategy's own
 * tellEpoch, if any; either may prune), `tell` informs both. ask/capacity/describe are the
 * strategy's.
 */
export function withPruner(strategy: Strategy, pruner: Pruner): PrunedStrategy {
  const wrapped: PrunedStrategy = {
    pruner,
    get capacity() {
      return strategy.capacity;
    },
    ask: (pending: TrialParams[]) => strategy.ask(pending),
    tellEpoch(id: number, epoch: number, objective: number): EpochDecision {
      const own = strategy.tellEpoch?.(id, epoch, objective) ?? 'continue';
      const d = pruner.report(id, epoch, objective);
      return own === 'prune' || d.action === 'prune' ? 'prune' : 'continue';
    },
    tell(id: number, params: TrialParams, outcome: TrialOutcome) {
      pruner.complete(id, outcome);
      strategy.tell(id, params, outcome);
    },
  };
  if (strategy.describe) wrapped.describe = (): StrategySnapshot => strategy.describe!();
  return wrapped;
}
