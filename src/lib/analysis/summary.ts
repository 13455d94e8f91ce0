/**
 * A study summary in plain words: how the trials fitted, what the best one did, which range
 * of a hyperparameter diverged, and which hyperparameter most separates the overfitting (and
 * underfitting) trials from the rest. Numbers in, sentences out.
 */
import type { TrialParams } from '../experiment/types';
import { toUnit } from '../search/space';
import type { Dimension } from '../search/types';
import { fmtNum, fmtPct1, fmtValue, joinAnd, paramLabel } from './format';
import type { Direction } from './history';
import { mean, median, spearman } from './stats';
import { VERDICT_KINDS } from './verdict';
import type { VerdictKind } from './verdict';

/** Limits of what the summary dares to claim; one place. */
export const SUMMARY_THRESHOLDS = {
  /** trials needed in a verdict group, and in the rest, before naming what sets them apart. */
  minGroup: 2,
  /** smallest difference that counts as "set apart": for a numeric parameter, the difference of
   *  the groups' mean positions in the search range (unit cube, log-aware; 0.2 = a fifth of the
   *  range); for a categorical one, the total-variation distance of the choice shares. */
  minShift: 0.2,
  /** diverged trials a range rule ("every trial with X >= v diverged") must cover. */
  minDivergedRun: 2,
  /** |Spearman| between a parameter and the train-validation gap to name it when there are
   *  too few overfitting trials to compare groups. */
  gapSpearman: 0.5,
  /** trials with both metrics needed for that gap correlation. */
  minGapTrials: 5,
} as const;

/** One finished trial, as the summary needs it. */
export interface SummaryTrial {
  /** trial id, printed as "#id". */
  id: number;
  params: TrialParams;
  /** fit verdict; null when there was none (failed trial). */
  verdict: VerdictKind | null;
  /** the study's validation metric for this trial (as the study ranks trials); NaN when none. */
  val: number;
  /** the same metric on the training split, when known. */
  train?: number;
}

/** The metric the study ranks trials by. */
export interface SummaryMetric {
  /** name inside a sentence, e.g. 'val accuracy' or 'val loss'. */
  name: string;
  direction: Direction;
  /** print values as percentages (accuracy in 0..1). */
  percent?: boolean;
}

/** What the summary needs besides the trials. */
export interface SummaryContext {
  /** the searched dimensions (names, ranges, log flags). */
  dims: readonly Dimension[];
  metric: SummaryMetric;
}

/** How each verdict reads after a count ("5 overfit") and after "it" ("was a good fit"). */
const PLURAL: Record<VerdictKind, [string, string]> = {
  good: ['fit well', 'fit well'],
  improving: ['was still improving', 'were still improving'],
  underfitting: ['underfit', 'underfit'],
  overfitting: ['overfit', 'overfit'],
  unstable: ['was unstable', 'were unstable'],
  diverged: ['diverged', 'diverged'],
};
const AS_BEST: Record<VerdictKind, string> = {
  good: 'was a good fit',
  improving: 'was still improving when it stopped, so more epochs might do even better',
  underfitting: 'was still underfitting',
  overfitting: 'was overfitting, so stopping at its best epoch would do better still',
  unstable: 'had an unstable loss curve',
  diverged: 'diverged',
};

const metricText = (m: SummaryMetric, v: number) => (m.percent ? `${fmtPct1(v)} ${m.name}` : `${m.name} ${fmtNum(v, 3)}`);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const numeric = (d: Dimension) => d.spec.type !== 'categorical';
const valueOf = (t: SummaryTrial, d: Dimension) => t.params[d.name];

/** "Of 20 finished trials, 9 fit well, 5 overfit and 2 diverged." */
function countsSentence(trials: readonly SummaryTrial[]): string {
  const parts: string[] = [];
  for (const kind of [...VERDICT_KINDS].reverse()) {
    const n = trials.filter((t) => t.verdict === kind).length;
    if (n > 0) parts.push(`${n} ${PLURAL[kind][n === 1 ? 0 : 1]}`);
  }
  const none = trials.filter((t) => t.verdict === null).length;
  if (none > 0) parts.push(`${none} failed`);
  if (trials.length === 1) return `The one finished trial ${parts[0].replace(/^1 /, '')}.`;
  return `Of ${trials.length} finished trials, ${joinAnd(parts)}.`;
}

/** "The best trial (#7, 96.5% val accuracy) used learning rate 0.03 and dropout 0.2, and was a good fit." */
function bestSentence(trials: readonly SummaryTrial[], ctx: SummaryContext): string | null {
  let best: SummaryTrial | null = null;
  for (const t of trials) {
    if (t.verdict === 'diverged' || !Number.isFinite(t.val)) continue;
    if (!best || (ctx.metric.direction === 'min' ? t.val < best.val : t.val > best.val)) best = t;
  }
  if (!best) return null;
  const b = best;
  const used = ctx.dims.filter((d) => valueOf(b, d) !== undefined).map((d) => `${paramLabel(d.name)} ${fmtValue(valueOf(b, d)!)}`);
  const head = `The best trial (#${b.id}, ${metricText(ctx.metric, b.val)})`;
  const verdict = b.verdict ? AS_BEST[b.verdict] : '';
  if (used.length === 0) return verdict ? `${head} ${verdict}.` : null;
  const comma = used.length > 1 && verdict ? ',' : '';
  return `${head} used ${joinAnd(used)}${comma}${verdict ? ` and ${verdict}` : ''}.`;
}

/** A rule "every trial with <param> <op> <value> diverged" and how many trials it covers. */
interface DivergeRule {
  covered: number;
  text: string;
}

/** The best rule on one numeric dimension: the longest all-diverged run at the top or bottom of its values. */
function numericRule(trials: readonly SummaryTrial[], d: Dimension): DivergeRule | null {
  const pts = trials
    .map((t) => ({ v: Number(valueOf(t, d)), div: t.verdict === 'diverged' }))
    .filter((p) => Number.isFinite(p.v))
    .sort((a, b) => a.v - b.v);
  const values = [...new Set(pts.map((p) => p.v))];
  const groupDiverged = (v: number) => pts.filter((p) => p.v === v).every((p) => p.div);
  let best: DivergeRule | null = null;
  for (const side of ['high', 'low'] as const) {
    const order = side === 'high' ? [...values].reverse() : values;
    let k = 0;
    while (k < order.length && groupDiverged(order[k])) k++;
    if (k === 0 || k === order.length) continue;
    const edge = order[k - 1];
    const safe = order[k];
    const covered = pts.filter((p) => (side === 'high' ? p.v >= edge : p.v <= edge)).length;
    const label = paramLabel(d.name);
    const text = side === 'high'
      ? `every trial with ${label} ≥ ${fmtValue(edge)} diverged (COUNT), while the highest ${label} that did not diverge was ${fmtValue(safe)}`
      : `every trial with ${label} ≤ ${fmtValue(edge)} diverged (COUNT), while the lowest ${label} that did not diverge was ${fmtValue(safe)}`;
    if (!best || covered > best.covered) best = { covered, text };
  }
  return best;
}

/** The best rule on one categorical dimension: a choice whose trials all diverged. */
function choiceRule(trials: readonly SummaryTrial[], d: Dimension): DivergeRule | null {
  if (d.spec.type !== 'categorical') return null;
  let best: DivergeRule | null = null;
  for (const c of d.spec.choices) {
    const with_ = trials.filter((t) => String(valueOf(t, d)) === String(c));
    if (with_.length === 0 || with_.length === trials.length || !with_.every((t) => t.verdict === 'diverged')) continue;
    if (!best || with_.length > best.covered) best = { covered: with_.length, text: `every trial with ${paramLabel(d.name)} ${c} diverged (COUNT)` };
  }
  return best;
}

/** "Every trial with learning rate ≥ 0.8 diverged (4 trials), while the highest learning rate that did not diverge was 0.45." */
function divergedSentence(trials: readonly SummaryTrial[], ctx: SummaryContext): string | null {
  const diverged = trials.filter((t) => t.verdict === 'diverged');
  if (diverged.length === 0) return null;
  if (diverged.length === trials.length) {
    return trials.length === 1 ? null : `All ${trials.length} finished trials diverged.`;
  }
  let best: DivergeRule | null = null;
  for (const d of ctx.dims) {
    const r = numeric(d) ? numericRule(trials, d) : choiceRule(trials, d);
    if (r && (!best || r.covered > best.covered)) best = r;
  }
  if (best && best.covered >= SUMMARY_THRESHOLDS.minDivergedRun) {
    const count = best.covered === diverged.length ? `${best.covered} trials` : `${best.covered} of the ${diverged.length} that diverged`;
    const text = best.text.replace('COUNT', count);
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  }
  if (diverged.length === 1) return `Only trial #${diverged[0].id} diverged.`;
  return `${diverged.length} trials diverged, with no single hyperparameter range to blame.`;
}

/** How far a verdict group sits from the rest on one dimension, and the words for it. */
interface Shift {
  score: number;
  text: string;
}

function shiftOf(group: readonly SummaryTrial[], rest: readonly SummaryTrial[], d: Dimension): Shift | null {
  const label = paramLabel(d.name);
  if (d.spec.type === 'categorical') {
    const share = (ts: readonly SummaryTrial[], c: number | string) => ts.filter((t) => String(valueOf(t, d)) === String(c)).length;
    let tv = 0;
    let top: { c: number | string; gain: number } | null = null;
    for (const c of d.spec.choices) {
      const gain = share(group, c) / group.length - share(rest, c) / rest.length;
      tv += Math.abs(gain) / 2;
      if (!top || gain > top.gain) top = { c, gain };
    }
    if (!top) return null;
    const g = share(group, top.c);
    const how = g / group.length > 0.5 ? 'mostly used' : 'more often used';
    return { score: tv, text: `${how} ${label} ${top.c} (${g} of ${group.length}, against ${share(rest, top.c)} of the other ${rest.length})` };
  }
  const spec = d.spec;
  const unit = (ts: readonly SummaryTrial[]) => ts.filter((t) => valueOf(t, d) !== undefined).map((t) => toUnit(spec, valueOf(t, d)!));
  const raw = (ts: readonly SummaryTrial[]) => ts.map((t) => Number(valueOf(t, d))).filter(Number.isFinite);
  const delta = mean(unit(group)) - mean(unit(rest));
  if (!Number.isFinite(delta)) return null;
  const dir = delta > 0 ? 'higher' : 'lower';
  return {
    score: Math.abs(delta),
    text: `used ${dir} ${label} than the other ${rest.length} (median ${fmtValue(median(raw(group)))} against ${fmtValue(median(raw(rest)))})`,
  };
}

/** Which hyperparameter sets the trials of `kind` apart from the other (non-diverged) trials. */
function driverSentence(trials: readonly SummaryTrial[], kind: 'overfitting' | 'underfitting', ctx: SummaryContext): string | null {
  const judged = trials.filter((t) => t.verdict !== null && t.verdict !== 'diverged');
  const group = judged.filter((t) => t.verdict === kind);
  const rest = judged.filter((t) => t.verdict !== kind);
  if (group.length < SUMMARY_THRESHOLDS.minGroup || rest.length < SUMMARY_THRESHOLDS.minGroup) {
    return kind === 'overfitting' && group.length < SUMMARY_THRESHOLDS.minGroup ? gapSentence(judged, ctx) : null;
  }
  let best: Shift | null = null;
  for (const d of ctx.dims) {
    const s = shiftOf(group, rest, d);
    if (s && (!best || s.score > best.score)) best = s;
  }
  const who = `The ${group.length} ${kind} trials`;
  if (!best || best.score < SUMMARY_THRESHOLDS.minShift) return `${who} do not differ clearly from the others in any single hyperparameter.`;
  return `${who} ${best.text}, the clearest difference of any hyperparameter.`;
}

/** With too few overfitting trials to compare: the numeric parameter that best tracks the train-validation gap. */
function gapSentence(judged: readonly SummaryTrial[], ctx: SummaryContext): string | null {
  const withGap = judged.filter((t) => t.train !== undefined && Number.isFinite(t.train) && Number.isFinite(t.val));
  if (withGap.length < SUMMARY_THRESHOLDS.minGapTrials) return null;
  const gap = withGap.map((t) => (ctx.metric.direction === 'min' ? t.val - t.train! : t.train! - t.val));
  let best: { d: Dimension; rho: number } | null = null;
  for (const d of ctx.dims) {
    if (!numeric(d)) continue;
    const rho = spearman(withGap.map((t) => Number(valueOf(t, d))), gap);
    if (!best || Math.abs(rho) > Math.abs(best.rho)) best = { d, rho };
  }
  if (!best || Math.abs(best.rho) < SUMMARY_THRESHOLDS.gapSpearman) return null;
  return `The gap between training and validation ${ctx.metric.name.replace(/^val(idation)? /, '')} grew with ${best.rho > 0 ? 'higher' : 'lower'} ${paramLabel(best.d.name)} (Spearman ${fmtNum(best.rho)} over ${withGap.length} trials).`;
}

/**
 * Plain-language summary of a study from its finished trials, as an array of sentences:
 * verdict counts, the best trial, a divergence range, and what sets the overfitting and
 * underfitting trials apart. Sentences with nothing to say are left out.
 */
export function summarizeStudy(trials: readonly SummaryTrial[], ctx: SummaryContext): string[] {
  if (trials.length === 0) return ['No trials have finished yet.'];
  return [
    countsSentence(trials),
    bestSentence(trials, ctx),
    divergedSentence(trials, ctx),
    driverSentence(trials, 'overfitting', ctx),
    driverSentence(trials, 'underfitting', ctx),
  ].filter((s): s is string => s !== null);
}
