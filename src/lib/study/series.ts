/**
 * Several studies side by side: a best-so-far series per study for a comparison chart, and all
 * their trials pooled and tagged by study and author (for a classroom view).
 */
import { finalMetric, kindOf, METRICS, type MetricKey, type TrialKind } from '../analysis/metric';
import { bestSoFarTrace, type BestPoint } from '../analysis/history';
import type { StudyRecord, StudyTrial } from './types';

/** One study's best-so-far line. */
export interface StudySeries {
  studyId: string;
  /** the author when there is one, else the study's name. */
  label: string;
  metric: MetricKey;
  /** one point per finished trial in the order they ended; values in display units (percent for
   *  accuracy); trials that did not complete have value NaN and never set the best. */
  points: BestPoint[];
}

/** Trials that ended (not running or cancelled), in the order they ended (end time, then id). */
export function finishedInOrder(study: StudyRecord): StudyTrial[] {
  return study.trials
    .filter((t) => t.state !== 'running' && t.state !== 'cancelled')
    .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0) || a.id - b.id);
}

/** The study metric at the end of a completed trial (display units); NaN for any other trial. */
export function trialValue(t: StudyTrial, metric: MetricKey): number {
  return t.state === 'complete' ? finalMetric(t.epochs, metric) ?? NaN : NaN;
}

/** Best-so-far series of each study, for one comparison chart. */
export function bestSoFarSeries(studies: readonly StudyRecord[]): StudySeries[] {
  return studies.map((s) => ({
    studyId: s.id,
    label: s.author || s.name,
    metric: s.metric,
    points: bestSoFarTrace(finishedInOrder(s).map((t) => trialValue(t, s.metric)), METRICS[s.metric].higherBetter ? 'max' : 'min'),
  }));
}

/** One trial of a pool of studies, tagged with where it comes from. */
export interface PooledTrial {
  studyId: string;
  studyName: string;
  author?: string;
  /** the study's metric and this trial's final value of it (display units; NaN unless complete). */
  metric: MetricKey;
  value: number;
  kind: TrialKind;
  trial: StudyTrial;
}

/**
 * Every trial of `studies`, tagged by study and author, in study order then id order. Studies
 * optimising another metric than the first study's are left out (their values do not compare).
 */
export function poolTrials(studies: readonly StudyRecord[]): PooledTrial[] {
  const metric = studies[0]?.metric;
  return studies
    .filter((s) => s.metric === metric)
    .flatMap((s) => s.trials.map((trial) => ({
      studyId: s.id,
      studyName: s.name,
      ...(s.author ? { author: s.author } : {}),
      metric: s.metric,
      value: trialValue(trial, s.metric),
      kind: kindOf(trial),
      trial,
    })));
}
