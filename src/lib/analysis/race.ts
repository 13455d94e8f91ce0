/**
 * The strategy race in words: how many trials each strategy needed to reach a common target,
 * read from the median best-so-far curves (see history.ts raceSpread).
 */
import type { Direction, SpreadPoint } from './history';

/** One strategy's curve in the race. */
export interface RaceLine {
  /** strategy kind, e.g. 'tpe'. */
  key: string;
  /** short name for a sentence, e.g. 'TPE'. */
  label: string;
  /** median (and band) of the best-so-far over seeds, step = trials finished. */
  spread: readonly SpreadPoint[];
}

/** The last finite median of a race curve (its best so far); NaN when there is none. */
export function finalBest(spread: readonly SpreadPoint[]): number {
  for (let i = spread.length - 1; i >= 0; i--) if (Number.isFinite(spread[i].median)) return spread[i].median;
  return NaN;
}

/** Whether `v` is at least as good as `target`. */
function reaches(v: number, target: number, direction: Direction): boolean {
  return Number.isFinite(v) && (direction === 'max' ? v >= target : v <= target);
}

/** The first step (trials, 1-based) at which the median best-so-far reaches `target`; null if never. */
export function trialsToReach(spread: readonly SpreadPoint[], target: number, direction: Direction): number | null {
  if (!Number.isFinite(target)) return null;
  const hit = spread.find((p) => reaches(p.median, target, direction));
  return hit ? hit.step : null;
}

/**
 * The yardstick of the race: the line whose key is `preferred` (random search, the usual
 * baseline) when it has a result, else the line with the worst final best — the level every
 * strategy is asked to reach. -1 when no line has a finite result.
 */
export function raceBaseline(lines: readonly RaceLine[], direction: Direction, preferred = 'random'): number {
  const p = lines.findIndex((l) => l.key === preferred && Number.isFinite(finalBest(l.spread)));
  if (p >= 0) return p;
  let worst = -1;
  lines.forEach((l, i) => {
    const v = finalBest(l.spread);
    if (!Number.isFinite(v)) return;
    if (worst < 0 || (direction === 'max' ? v < finalBest(lines[worst].spread) : v > finalBest(lines[worst].spread))) worst = i;
  });
  return worst;
}

/** What a race sentence says about one line, as numbers. */
export interface RaceReach {
  key: string;
  label: string;
  /** this line's final best (median over seeds). */
  final: number;
  /** the target: the baseline's final best. */
  target: number;
  /** trials this line needed to reach the target; null when it did not. */
  reachedIn: number | null;
  /** trials the baseline needed to reach its own best. */
  baselineIn: number | null;
  /** trials this line has finished (length of its curve). */
  trials: number;
  isBaseline: boolean;
}

/** The numbers behind each line's sentence, against the baseline `b` (see raceBaseline). */
export function raceReaches(lines: readonly RaceLine[], direction: Direction, b: number): RaceReach[] {
  const base = b >= 0 ? lines[b] : undefined;
  const target = base ? finalBest(base.spread) : NaN;
  const baselineIn = base ? trialsToReach(base.spread, target, direction) : null;
  return lines.map((l, i) => ({
    key: l.key,
    label: l.label,
    final: finalBest(l.spread),
    target,
    reachedIn: trialsToReach(l.spread, target, direction),
    baselineIn,
    trials: l.spread.length,
    isBaseline: i === b,
  }));
}

const trials = (n: number) => `${n} trial${n === 1 ? '' : 's'}`;

/**
 * One plain sentence per line, e.g. "TPE reached 97.8% (Random's best) in 9 trials; Random
 * needed 23." `fmt` formats a metric value (e.g. v => `${v.toFixed(1)}%`).
 */
export function raceSentence(r: RaceReach, baselineLabel: string, fmt: (v: number) => string): string {
  if (r.trials === 0 || !Number.isFinite(r.final)) return `${r.label} has no finished trial yet.`;
  if (r.isBaseline) {
    return `${r.label} is the yardstick: its best, ${fmt(r.final)}, came after ${trials(r.baselineIn ?? r.trials)}.`;
  }
  if (!Number.isFinite(r.target)) return `${r.label}'s best so far is ${fmt(r.final)}.`;
  if (r.reachedIn === null) {
    return `${r.label} did not reach ${fmt(r.target)} (${baselineLabel}'s best) in its ${trials(r.trials)}; its best was ${fmt(r.final)}.`;
  }
  const same = r.baselineIn === r.reachedIn;
  const tail = r.baselineIn === null ? '' : `; ${baselineLabel} needed ${r.baselineIn}${same ? ' too' : ''}`;
  const better = fmt(r.final) !== fmt(r.target) ? ` It went on to ${fmt(r.final)}.` : '';
  return `${r.label} reached ${fmt(r.target)} (${baselineLabel}'s best) in ${trials(r.reachedIn)}${tail}.${better}`;
}
