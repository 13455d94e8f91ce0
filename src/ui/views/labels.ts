/** Labels with units for the analysis views' axes, and small facts about a TrialView. */
import type { ParamName } from '../../lib/experiment/types';
import { PARAM_META } from '../../lib/experiment/params';
import { fmtNum } from '../../lib/analysis/format';
import type { Study, TrialView } from '../study.svelte';
import { kindLabel, orderKinds, verdictStyle } from '../../lib/charts/palette';
import type { LegendItem } from '../../lib/charts/legend';

export { kindOf } from '../../lib/analysis/metric';

/** Whether the trial has stopped (its final numbers will not change). */
export const isDone = (t: TrialView): boolean => t.state !== 'running';

/** The metric keys a view may plot besides the searched parameters. */
export type MetricKey = 'final' | 'best' | 'train' | 'gap';

/** Whether an axis key names a metric rather than a hyperparameter. */
export const isMetricKey = (k: string): k is MetricKey => k === 'final' || k === 'best' || k === 'train' || k === 'gap';

/** Axis title with units: a hyperparameter ("Units per hidden layer (neurons, log)") or a metric. */
export function axisTitle(study: Study, key: string, short = false): string {
  const acc = study.metric.key === 'valAcc';
  const regression = study.dataset?.task === 'regression';
  switch (key) {
    case 'final': return acc ? (short ? 'Final val. acc. (%)' : 'Final validation accuracy (%)') : (short ? 'Final val. loss (MSE)' : 'Final validation loss (MSE, standardised)');
    case 'best': return acc ? 'Best val. accuracy (%)' : 'Best val. loss (MSE)';
    case 'train': return acc ? (short ? 'Final train acc. (%)' : 'Final training accuracy (%)') : (short ? 'Final train loss (MSE)' : 'Final training loss (MSE, standardised)');
    case 'gap': return regression ? 'Gap: val − train MSE' : (short ? 'Gap: val − train loss (nats)' : 'Gap: validation − training loss (cross-entropy, nats)');
  }
  const meta = PARAM_META[key as ParamName];
  if (!meta) return key;
  const spec = study.experiment.space[key as ParamName];
  const log = spec && spec.type !== 'fixed' && spec.type !== 'categorical' && spec.log;
  const extra = [meta.unit, log ? 'log' : ''].filter(Boolean).join(', ');
  return extra ? `${meta.label} (${extra})` : meta.label;
}

/** A value of axis `key` for a tooltip or filter label, with `digits` significant digits (percent sign for accuracy). */
export function fmtAxisValue(study: Study, key: string, v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '—';
  const spec = study.experiment.space[key as ParamName];
  if (spec?.type === 'categorical') return String(spec.choices[Math.round(v)] ?? fmtNum(v, 3));
  const pct = (key === 'final' || key === 'best' || key === 'train') && study.metric.key === 'valAcc';
  return pct ? `${fmtNum(v, digits)}%` : fmtNum(v, digits);
}

/** The study metric's value for a sentence: "85.3%" or "0.412". */
export function fmtMetric(study: Study, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return study.metric.key === 'valAcc' ? `${v.toFixed(1)}%` : fmtNum(v, 3);
}

/** Words for a brush on axis `key`: "0.001–0.02" or, on a categorical axis, the choices it keeps. */
export function brushLabel(study: Study, key: string, range: readonly [number, number]): string {
  const lo = Math.min(range[0], range[1]);
  const hi = Math.max(range[0], range[1]);
  const spec = study.experiment.space[key as ParamName];
  if (spec?.type === 'categorical') {
    const kept = spec.choices.filter((_, i) => i >= lo && i <= hi).map(String);
    return kept.length ? kept.join(', ') : 'none';
  }
  return `${fmtAxisValue(study, key, lo, 3)} – ${fmtAxisValue(study, key, hi, 3)}`;
}

/** Legend entries for verdict kinds (shape, colour and glyph), in KIND_ORDER. */
export function verdictItems(kinds: Iterable<string>): LegendItem[] {
  return orderKinds(kinds).map((k) => {
    const s = verdictStyle(k);
    return { label: `${s.glyph} ${kindLabel(k)}`, color: s.color, mark: 'symbol', kind: k };
  });
}
