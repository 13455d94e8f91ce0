import type { Experiment, ParamName } from '../../lib/experiment/types';
import { epochMetric, finalMetric, bestMetric, kindOf, type MetricKey } from '../../lib/analysis/metric';
import type { TrialView } from './trial-view';

/**
 * What the reader has picked out: the selected and hovered trial, brushed ranges per axis and the
 * verdict filter. Every view and the table show `visible` trials.
 */
export class Filters {
  selected = $state<number | null>(null);
  hovered = $state<number | null>(null);
  /** Brushed ranges per axis key (a ParamName, or 'final' / 'best' / 'train' / 'gap'), in display units (percent for accuracy). */
  brushes = $state<Record<string, [number, number]>>({});
  /** Verdict kinds (or states) to show; empty = all. */
  verdictFilter = $state<string[]>([]);
  /** in a class comparison: the students to show; empty = all. */
  students = $state<string[]>([]);
  focus = $derived(this.hovered ?? this.selected);

  constructor(private readonly metric: () => MetricKey, private readonly experiment: () => Experiment) {}

  /** The study metric at the end of trial `t`, in display units (percent for accuracy). */
  finalMetric(t: TrialView): number | undefined {
    return finalMetric(t.epochs, this.metric());
  }

  /** The best value of the study metric over the trial's epochs, in display units. */
  bestMetric(t: TrialView): number | undefined {
    return bestMetric(t.epochs, this.metric());
  }

  /** Value of trial `t` on axis `key`: a searched param (categoricals as their index in the
   *  choices), or a metric: 'final' / 'best' (study metric), 'train' (final train metric), 'gap'
   *  (final validation minus training loss). NaN when unknown. */
  axisValue(t: TrialView, key: string): number {
    const last = t.epochs[t.epochs.length - 1];
    switch (key) {
      case 'final': return this.finalMetric(t) ?? NaN;
      case 'best': return this.bestMetric(t) ?? NaN;
      case 'train': return last ? epochMetric(last, this.metric(), 'train') : NaN;
      case 'gap': return last ? last.valLoss - last.trainLoss : NaN;
    }
    const v = t.params[key as ParamName];
    if (typeof v === 'number') return v;
    const spec = this.experiment().space[key as ParamName];
    if (v !== undefined && spec?.type === 'categorical') return spec.choices.map(String).indexOf(String(v));
    return NaN;
  }

  /** Whether `t` passes every brush and the verdict filter. */
  passes(t: TrialView): boolean {
    if (this.verdictFilter.length && !this.verdictFilter.includes(kindOf(t))) return false;
    if (this.students.length && !this.students.includes(t.student ?? '')) return false;
    for (const [key, [lo, hi]] of Object.entries(this.brushes)) {
      const v = this.axisValue(t, key);
      if (!(v >= Math.min(lo, hi) && v <= Math.max(lo, hi))) return false;
    }
    return true;
  }

  /** Clears brushes and the verdict filter. */
  clear(): void {
    this.brushes = {};
    this.verdictFilter = [];
    this.students = [];
  }
}
