/**
 * The measurements lesson readings take from trials: final and lowest losses, the train–validation
 * gap, time per epoch, how jagged a curve is, whether a loss exploded or was still falling. Numbers
 * in, numbers out; every reading uses these so two lessons never measure one thing two ways.
 * Losses are the task loss (cross-entropy, nats) as EpochMetrics hold it; accuracies 0..1.
 */
import { fmtNum } from '../analysis/format';
import type { MetricKey } from '../analysis/metric';
import { finite, mean, median, slope } from '../analysis/stats';
import { fixedValue } from '../experiment/validate';
import type { Experiment, ParamName } from '../experiment/types';
import type { EpochMetrics } from '../train/types';
import type { LessonTrial, LessonTrials } from './types';

/** The trials of run `id` (empty when the run has none). */
export function runTrials(trials: LessonTrials, id: string): readonly LessonTrial[] {
  return trials[id] ?? [];
}

/** The value of hyperparameter `name` in trial `t`: its searched value, else the experiment's fixed one. */
export function paramValue(t: Pick<LessonTrial, 'params'>, name: ParamName, e: Experiment): number | string {
  return t.params[name] ?? fixedValue(e, name);
}

/** Trials that trained at least one epoch, sorted by the numeric value of `name` (ascending; ties by id). */
export function byParam(trials: readonly LessonTrial[], name: ParamName, e: Experiment): LessonTrial[] {
  return trials
    .filter((t) => t.epochs.length > 0 && Number.isFinite(Number(paramValue(t, name, e))))
    .sort((a, b) => Number(paramValue(a, name, e)) - Number(paramValue(b, name, e)) || a.id - b.id);
}

/** The last epoch's metrics, or undefined without epochs. */
export function lastEpoch(epochs: readonly EpochMetrics[]): EpochMetrics | undefined {
  return epochs[epochs.length - 1];
}

/** Final validation loss (NaN without epochs). */
export function finalVal(epochs: readonly EpochMetrics[]): number {
  return lastEpoch(epochs)?.valLoss ?? NaN;
}

/** Final training loss (NaN without epochs). */
export function finalTrain(epochs: readonly EpochMetrics[]): number {
  return lastEpoch(epochs)?.trainLoss ?? NaN;
}

/** The study metric after the last epoch in raw units (validation accuracy 0..1, or validation loss);
 *  NaN without epochs or without that metric. */
export function finalScore(epochs: readonly EpochMetrics[], key: MetricKey): number {
  return lastEpoch(epochs)?.[key] ?? NaN;
}

/** The generalisation gap at the end: final validation loss minus final training loss. */
export function finalGap(epochs: readonly EpochMetrics[]): number {
  const e = lastEpoch(epochs);
  return e ? e.valLoss - e.trainLoss : NaN;
}

/** The lowest finite validation loss and its epoch (the first on ties); NaN / 0 when there is none. */
export function lowestVal(epochs: readonly EpochMetrics[]): { epoch: number; loss: number } {
  let best = { epoch: 0, loss: NaN };
  for (const e of epochs) if (Number.isFinite(e.valLoss) && !(e.valLoss >= best.loss)) best = { epoch: e.epoch, loss: e.valLoss };
  return best;
}

/**
 * Typical wall time of one epoch, ms: the median of the differences between consecutive epochs'
 * `elapsedMs` (so the first epoch's one-off set-up does not count). NaN with fewer than 2 epochs.
 */
export function msPerEpoch(epochs: readonly EpochMetrics[]): number {
  const steps: number[] = [];
  for (let i = 1; i < epochs.length; i++) steps.push(epochs[i].elapsedMs - epochs[i - 1].elapsedMs);
  return median(steps);
}

/**
 * How jagged a curve is: the mean absolute distance of each point from the midpoint of its two
 * neighbours (a straight or gently bending line scores ~0, a zig-zag scores its amplitude), divided
 * by the mean of the points. Only points from index `from` on count (e.g. the second half, once the
 * fast early fall is over). NaN with fewer than 3 points or a non-finite value.
 */
export function roughness(values: readonly number[], from = 0): number {
  const v = values.slice(Math.max(0, from));
  if (v.length < 3 || v.some((x) => !Number.isFinite(x))) return NaN;
  let s = 0;
  for (let i = 1; i < v.length - 1; i++) s += Math.abs(v[i] - (v[i - 1] + v[i + 1]) / 2);
  const level = v.reduce((a, b) => a + b, 0) / v.length;
  return s / (v.length - 2) / level;
}

/** Roughness (see `roughness`) of the validation loss over the second half of the epochs. */
export function valRoughness(epochs: readonly EpochMetrics[]): number {
  return roughness(epochs.map((e) => e.valLoss), Math.floor(epochs.length / 2));
}

/**
 * How much the validation loss was still falling at the end: the least-squares line through the last
 * `fraction` of the epochs (at least 3), its fall over that window divided by the loss at the
 * window's start. 0.1 = still coming down 10% over the window; <= 0 = flat or rising. NaN with fewer
 * than 3 epochs or a non-finite loss there.
 */
export function tailDrop(epochs: readonly EpochMetrics[], fraction = 0.2): number {
  const n = epochs.length;
  const w = Math.min(n, Math.max(3, Math.round(fraction * n)));
  const ys = epochs.slice(n - w).map((e) => e.valLoss);
  if (n < 3 || ys.some((y) => !Number.isFinite(y))) return NaN;
  const fall = -slope(ys) * (w - 1);
  const start = ys.reduce((a, b) => a + b, 0) / w + fall / 2;
  return fall / start;
}

/**
 * How steadily the validation loss was still falling at the end: its fall per epoch over the last
 * `fraction` of the epochs (least-squares line, at least 3 epochs) divided by its average fall per
 * epoch over the whole run (first to last epoch). About 1 for a straight slide (a learning rate
 * that is too low), near 0 once the curve has levelled off, < 0 when it rises at the end. NaN when
 * the loss did not fall overall or with fewer than 3 epochs.
 */
export function pace(epochs: readonly EpochMetrics[], fraction = 0.2): number {
  const n = epochs.length;
  if (n < 3) return NaN;
  const overall = (epochs[0].valLoss - epochs[n - 1].valLoss) / (n - 1);
  const w = Math.min(n, Math.max(3, Math.round(fraction * n)));
  const ys = epochs.slice(n - w).map((e) => e.valLoss);
  if (!(overall > 0) || ys.some((y) => !Number.isFinite(y))) return NaN;
  return -slope(ys) / overall;
}

/**
 * The highest loss (training or validation) of any epoch and its epoch; `finite` is false when a loss
 * went NaN or infinite (the trainer stops there; `epoch` is then that epoch and `loss` Infinity).
 */
export function peakLoss(epochs: readonly EpochMetrics[]): { loss: number; epoch: number; finite: boolean } {
  let peak = { loss: NaN, epoch: 0, finite: true };
  for (const e of epochs) {
    if (!Number.isFinite(e.trainLoss) || !Number.isFinite(e.valLoss)) return { loss: Infinity, epoch: e.epoch, finite: false };
    const l = Math.max(e.trainLoss, e.valLoss);
    if (!(l <= peak.loss)) peak = { loss: l, epoch: e.epoch, finite: true };
  }
  return peak;
}

/** Sample standard deviation (n − 1) of the finite entries; NaN with fewer than 2. */
export function sdOf(xs: readonly number[]): number {
  const f = finite(xs);
  if (f.length < 2) return NaN;
  const m = mean(f);
  return Math.sqrt(f.reduce((a, b) => a + (b - m) ** 2, 0) / (f.length - 1));
}

/**
 * A fraction as a percentage to two significant digits, for small shares that whole percentages
 * would round to 0: 0.126 -> "13%", 0.0038 -> "0.38%", 0 -> "0%".
 */
export function fmtShare(fraction: number): string {
  return `${fmtNum(fraction * 100)}%`;
}
