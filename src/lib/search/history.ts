import type { TrialParams } from '../experiment/types';
import { paramsKey, unitFromParams } from './space';
import type { Dimension, TrialOutcome, TrialState } from './types';

/** Start-up trials of the model-based strategies (sampled at random before a model is fitted):
 *  max(5, min(10, floor(budget / 4))). */
export function defaultStartupTrials(budget: number): number {
  return Math.max(5, Math.min(10, Math.floor(budget / 4)));
}

/** A finished trial as a model-based strategy sees it. */
export interface Finished {
  id: number;
  params: TrialParams;
  /** the trial as a point of the unit cube (bin centres for ints/categoricals). */
  u: number[];
  state: Exclude<TrialState, 'running'>;
  /** objective used for ranking: a complete trial's objective, a pruned trial's last finite
   *  curve value; NaN when there is none (failed, diverged). */
  value: number;
  /** epochs the trial reported (its curve's length): where a pruned trial was stopped. */
  steps: number;
}

/** The objective a strategy should use for an outcome (NaN when unusable; see Finished.value). */
export function outcomeValue(outcome: TrialOutcome): number {
  if (outcome.state === 'failed' || outcome.state === 'diverged') return NaN;
  if (outcome.state === 'complete' && Number.isFinite(outcome.objective)) return outcome.objective;
  for (let i = outcome.curve.length - 1; i >= 0; i--) if (Number.isFinite(outcome.curve[i])) return outcome.curve[i];
  return Number.isFinite(outcome.objective) ? outcome.objective : NaN;
}

/** Finished trials of a study, kept sorted by id so that the order trials are told in does
 *  not change what a model sees. */
export class TrialHistory {
  private readonly byId = new Map<number, Finished>();
  private sorted: Finished[] | null = [];

  constructor(private readonly dims: Dimension[]) {}

  /** record the end of trial `id` (a second report of the same id replaces the first). */
  add(id: number, params: TrialParams, outcome: TrialOutcome): void {
    this.byId.set(id, { id, params, u: unitFromParams(this.dims, params), state: outcome.state, value: outcomeValue(outcome), steps: outcome.curve.length });
    this.sorted = null;
  }

  /** finished trials, by id. */
  list(): Finished[] {
    if (!this.sorted) this.sorted = [...this.byId.values()].sort((a, b) => a.id - b.id);
    return this.sorted;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Finished | undefined {
    return this.byId.get(id);
  }

  /** largest finite value seen (the "worst"), or null when there is none. */
  worst(): number | null {
    let w = -Infinity;
    for (const f of this.byId.values()) if (Number.isFinite(f.value) && f.value > w) w = f.value;
    return w === -Infinity ? null : w;
  }

  /** the value of each finished trial with NaN replaced by the worst finite value (0 if none). */
  scored(): { f: Finished; y: number }[] {
    const w = this.worst() ?? 0;
    return this.list().map((f) => ({ f, y: Number.isFinite(f.value) ? f.value : w }));
  }

  /** the best trial: lowest value among complete trials, else among any with a value. */
  best(): Finished | null {
    let best: Finished | null = null;
    for (const pass of ['complete', 'any'] as const) {
      for (const f of this.list()) {
        if (!Number.isFinite(f.value) || (pass === 'complete' && f.state !== 'complete')) continue;
        if (!best || f.value < best.value) best = f;
      }
      if (best) return best;
    }
    return null;
  }

  /** paramsKey of every finished trial. */
  keys(): Set<string> {
    return new Set(this.list().map((f) => paramsKey(this.dims, f.params)));
  }
}
