/**
 * "Compare a class": many students' studies pooled. A leaderboard ranked by held-out test score
 * (each student's best configuration by validation score, scored once on the test rows), who
 * overfit and who underfit, and what the best students' settings had in common.
 */
import { finalMetric, formatMetric, isBetter, kindOf, METRICS, type MetricKey } from '../analysis/metric';
import { PARAM_META } from '../experiment/params';
import type { ParamName } from '../experiment/types';
import type { StudyRecord, StudyTrial } from './types';

/** One student's line of the leaderboard. */
export interface ClassRow {
  studyId: string;
  /** the author, else the study's name. */
  student: string;
  trials: number;
  /** the best trial by final validation metric (display units), its test score (display units). */
  bestTrial: number | null;
  val: number;
  test: number;
  /** how much the validation score flattered the test score (display units; > 0: validation looked better). */
  optimism: number;
  overfit: number;
  underfit: number;
  good: number;
}

/** The test score of a trial in display units (accuracy in %, or loss), NaN when it has none. */
function testValue(t: StudyTrial, metric: MetricKey): number {
  const s = t.result?.test;
  if (!s) return NaN;
  return metric === 'valAcc' ? (s.acc ?? NaN) * 100 : s.loss;
}

/** The leaderboard of `studies` (same metric as the first), best held-out test score first;
 *  students whose best trial has no test score come last. */
export function leaderboard(studies: readonly StudyRecord[]): ClassRow[] {
  const metric = studies[0]?.metric ?? 'valAcc';
  const rows = studies.filter((s) => s.metric === metric).map((s): ClassRow => {
    let best: StudyTrial | null = null;
    let bv = NaN;
    for (const t of s.trials) {
      if (t.state !== 'complete') continue;
      const v = finalMetric(t.epochs, metric) ?? NaN;
      if (isBetter(metric, v, bv)) {
        best = t;
        bv = v;
      }
    }
    const kinds = s.trials.map(kindOf);
    const test = best ? testValue(best, metric) : NaN;
    const sign = METRICS[metric].higherBetter ? 1 : -1;
    return {
      studyId: s.id,
      student: s.author || s.name,
      trials: s.trials.length,
      bestTrial: best?.id ?? null,
      val: bv,
      test,
      optimism: Number.isFinite(test) && Number.isFinite(bv) ? sign * (bv - test) : NaN,
      overfit: kinds.filter((k) => k === 'overfitting').length,
      underfit: kinds.filter((k) => k === 'underfitting').length,
      good: kinds.filter((k) => k === 'good').length,
    };
  });
  return rows.sort((a, b) => {
    const fa = Number.isFinite(a.test);
    const fb = Number.isFinite(b.test);
    if (fa !== fb) return fa ? -1 : 1;
    return isBetter(metric, a.test, b.test) ? -1 : isBetter(metric, b.test, a.test) ? 1 : a.student.localeCompare(b.student);
  });
}

/** Why the leaderboard ranks by test score: one sentence with this class's own numbers. */
export function whyTestScore(rows: readonly ClassRow[], metric: MetricKey): string {
  const o = rows.map((r) => r.optimism).filter(Number.isFinite);
  if (o.length === 0) return 'Ranked by the held-out test score: no study here has one yet (the test split is scored once, for the best trial, when a sweep ends).';
  const mean = o.reduce((a, b) => a + b, 0) / o.length;
  const unit = METRICS[metric].percent ? ' percentage points' : '';
  const fmt = (v: number) => (METRICS[metric].percent ? v.toFixed(1) : formatMetric(metric, v));
  const why = 'Ranked by the held-out test score, not the validation score: each student picked their best trial by its validation score, and the best of many noisy scores tends to flatter the winner. The test rows were never used to choose, so they tell the truth.';
  return mean > 0
    ? `${why} Here the validation score flattered the winners by ${fmt(mean)}${unit} on average (up to ${fmt(Math.max(...o))}).`
    : `${why} Here, by chance, the test scores came out ${fmt(-mean)}${unit} better than the validation scores on average; with more trials per student the flattery usually shows.`;
}

/** What the top students' best settings share: for each searched hyperparameter, the range (or
 *  the common choice) among the top `k` best trials, against the range among all students. */
export function commonSettings(studies: readonly StudyRecord[], rows: readonly ClassRow[], k = 3): string[] {
  const byId = new Map(studies.map((s) => [s.id, s]));
  const bestOf = (r: ClassRow) => byId.get(r.studyId)?.trials.find((t) => t.id === r.bestTrial);
  const top = rows.slice(0, k).map(bestOf).filter((t): t is StudyTrial => !!t);
  const all = rows.map(bestOf).filter((t): t is StudyTrial => !!t);
  if (top.length < 2) return [];
  const names = [...new Set(all.flatMap((t) => Object.keys(t.params)))] as ParamName[];
  const out: string[] = [];
  for (const n of names) {
    const label = PARAM_META[n]?.label ?? n;
    const tv = top.map((t) => t.params[n]).filter((v) => v !== undefined);
    const av = all.map((t) => t.params[n]).filter((v) => v !== undefined);
    if (tv.length < 2) continue;
    if (tv.every((v) => typeof v === 'number')) {
      const nums = tv as number[];
      const allNums = av.filter((v): v is number => typeof v === 'number');
      const span = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
      const [lo, hi] = span(nums);
      const [alo, ahi] = span(allNums);
      const g = (v: number) => +v.toPrecision(2);
      // a range that covers under half of the class's range (on a log scale for positive values) is "in common"
      const width = (a: number, b: number) => (a > 0 && b > 0 ? Math.log(b / a) : b - a);
      if (width(alo, ahi) > 0 && width(lo, hi) <= 0.5 * width(alo, ahi)) out.push(`${label} between ${g(lo)} and ${g(hi)} (the class tried ${g(alo)}–${g(ahi)})`);
    } else {
      const counts = new Map<string, number>();
      for (const v of tv) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const [v, c] = [...counts].sort((a, b) => b[1] - a[1])[0];
      if (c === tv.length && new Set(av.map(String)).size > 1) out.push(`${label} ${v}`);
    }
  }
  return out;
}
