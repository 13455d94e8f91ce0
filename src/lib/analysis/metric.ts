/**
 * The study metric, in one place: which number a study optimises (validation accuracy for
 * classification, validation loss for regression), how it is read from a trial's epochs, how it
 * is shown (accuracy as a percentage), which way is better, and how it becomes the objective the
 * search minimises. Also the kind of a trial (its verdict, or its state) that views colour by.
 *
 * Units: EpochMetrics hold accuracies as fractions 0..1. "Display units" are what a person reads:
 * accuracy in percent 0..100, loss as it is. The objective is always minimised: -accuracy as a
 * fraction, or the loss.
 */
import type { Task } from '../experiment/types';
import type { TrialState } from '../search/types';
import type { EpochMetrics } from '../train/types';
import { fmtNum } from './format';
import type { VerdictKind } from './verdict';

/** The EpochMetrics field a study optimises. */
export type MetricKey = 'valLoss' | 'valAcc';

/** Which curve of a trial: validation or training. */
export type Split = 'val' | 'train';

/** Everything a view needs to know about the study metric. */
export interface StudyMetric {
  key: MetricKey;
  /** axis / column title with units, e.g. 'Validation accuracy (%)'. */
  label: string;
  /** the metric inside a sentence, e.g. 'val accuracy'. */
  name: string;
  /** short column word: 'acc.' or 'loss'. */
  short: string;
  /** slug for CSV column names: 'acc_pct' or 'loss'. */
  slug: string;
  /** true when higher is better. */
  higherBetter: boolean;
  /** true when display values are percentages (value = fraction × 100). */
  percent: boolean;
}

/** The two study metrics. */
export const METRICS: Record<MetricKey, StudyMetric> = {
  valAcc: { key: 'valAcc', label: 'Validation accuracy (%)', name: 'val accuracy', short: 'acc.', slug: 'acc_pct', higherBetter: true, percent: true },
  valLoss: { key: 'valLoss', label: 'Validation loss (MSE, standardised units)', name: 'val loss', short: 'loss', slug: 'loss', higherBetter: false, percent: false },
};

/** The metric of a task: loss for regression, accuracy otherwise (also while no data is loaded). */
export function metricForTask(task: Task | undefined): StudyMetric {
  return METRICS[task === 'regression' ? 'valLoss' : 'valAcc'];
}

/** A raw value (accuracy fraction 0..1, or loss) in display units (percent for accuracy). NaN when missing. */
export function toDisplay(key: MetricKey, raw: number | undefined): number {
  if (raw === undefined) return NaN;
  return METRICS[key].percent ? raw * 100 : raw;
}

/** A display value back to the raw unit (fraction for accuracy). */
export function fromDisplay(key: MetricKey, value: number): number {
  return METRICS[key].percent ? value / 100 : value;
}

/** The metric of one epoch in display units: validation or training accuracy (%) or loss. NaN when missing. */
export function epochMetric(e: EpochMetrics, key: MetricKey, split: Split = 'val'): number {
  if (key === 'valAcc') return toDisplay(key, split === 'val' ? e.valAcc : e.trainAcc);
  return split === 'val' ? e.valLoss : e.trainLoss;
}

/** A curve of the metric in display units: one point {x: epoch (1-based), y} per epoch. */
export function metricCurve(epochs: readonly EpochMetrics[], key: MetricKey, split: Split = 'val'): { x: number; y: number }[] {
  return epochs.map((e) => ({ x: e.epoch, y: epochMetric(e, key, split) }));
}

/** The metric after the last epoch (display units); undefined when there are no epochs. */
export function finalMetric(epochs: readonly EpochMetrics[], key: MetricKey, split: Split = 'val'): number | undefined {
  const last = epochs[epochs.length - 1];
  return last ? epochMetric(last, key, split) : undefined;
}

/** The best validation metric over the epochs (display units); undefined without epochs, NaN when none is finite. */
export function bestMetric(epochs: readonly EpochMetrics[], key: MetricKey): number | undefined {
  if (epochs.length === 0) return undefined;
  const vals = epochs.map((e) => epochMetric(e, key)).filter(Number.isFinite);
  if (vals.length === 0) return NaN;
  return METRICS[key].higherBetter ? Math.max(...vals) : Math.min(...vals);
}

/** Whether `a` is strictly better than `b` (display or raw units alike). A non-finite `a` is never
 *  better; any finite `a` beats a non-finite `b`. */
export function isBetter(key: MetricKey, a: number, b: number): boolean {
  if (!Number.isFinite(a)) return false;
  if (!Number.isFinite(b)) return true;
  return METRICS[key].higherBetter ? a > b : a < b;
}

/** Index of the best finite value (the first on ties), or -1 when none is finite. */
export function bestIndex(values: readonly number[], key: MetricKey): number {
  let best = -1;
  values.forEach((v, i) => {
    if (isBetter(key, v, best < 0 ? NaN : values[best])) best = i;
  });
  return best;
}

/** The search objective (minimised) of one epoch: -accuracy (fraction) or the validation loss.
 *  A missing accuracy counts as 0. */
export function objectiveFn(key: MetricKey): (m: EpochMetrics) => number {
  return key === 'valAcc' ? (m) => -(m.valAcc ?? 0) : (m) => m.valLoss;
}

/** An objective value (as the search minimises it) in display units: -objective × 100 for accuracy. */
export function objectiveToDisplay(key: MetricKey, objective: number): number {
  return key === 'valAcc' ? toDisplay(key, -objective) : objective;
}

/** A metric value in display units for a person: '85.3%' or '0.412'; '—' when missing or not finite. */
export function formatMetric(key: MetricKey, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return METRICS[key].percent ? `${value.toFixed(1)}%` : fmtNum(value, 3);
}

/** An objective value for a person (the pruners' sentences): '85.3%' or '0.412'. */
export function formatObjective(key: MetricKey, objective: number): string {
  return formatMetric(key, objectiveToDisplay(key, objective));
}

/** The kind of a trial that views colour and filter by: its fit verdict, or its state without one. */
export type TrialKind = VerdictKind | TrialState | 'cancelled';

/** A trial as `kindOf` needs it (a TrialView, a StudyTrial...). */
export interface KindSource {
  state: TrialState | 'cancelled';
  verdict?: { kind: VerdictKind } | null;
}

/** The trial's verdict kind if it has one, else its state. The one definition every view uses. */
export function kindOf(t: KindSource): TrialKind {
  return t.verdict?.kind ?? t.state;
}
