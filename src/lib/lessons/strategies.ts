/**
 * Lesson: grid, random and Bayesian search on an equal budget. Two hyperparameters, of which only one
 * matters much (the learning rate; the L2 range is too small to change much). Nine trials each: grid
 * search spends them on 3 × 3 points and so tries only three learning rates; random search tries nine;
 * TPE (Bayesian) starts like random search and then proposes where the good trials were.
 * The reading measures how much each parameter mattered (in the grid run), how many distinct learning
 * rates each strategy tried, and the best validation loss each found.
 */
import { fmtNum } from '../analysis/format';
import { mean, median } from '../analysis/stats';
import type { Experiment } from '../experiment/types';
import { finalVal, paramValue, runTrials } from './measure';
import { preset } from './preset';
import type { Lesson, LessonTrial, Reading } from './types';

/** Run ids, in the order they train. */
const GRID = 'grid';
const RANDOM = 'random';
const BAYES = 'tpe';

/** What counts as the effect. */
export const STRATEGY_RULES = {
  /** random search "covered the learning rate better": at least this many more distinct values than grid. */
  moreValues: 2,
} as const;

const base = {
  data: { id: 'moons', noise: 0.2, samples: 300, valFraction: 0.3, testFraction: 0 },
  model: {
    layers: [{ units: 16, activation: 'tanh' as const }, { units: 16, activation: 'tanh' as const }],
    optimizer: 'adam' as const, learningRate: 0.01, batchSize: 16, epochs: 30,
  },
  search: {
    learningRate: { type: 'float' as const, low: 1e-5, high: 0.3, log: true },
    l2: { type: 'float' as const, low: 1e-6, high: 1e-4, log: true },
  },
};
const grid = preset({ ...base, strategy: { kind: 'grid', budget: 9, gridPoints: 3 } });
const random = preset({ ...base, strategy: { kind: 'random', budget: 9 } });
/** One trial at a time, so every proposal after the 5 random start-up trials sees all earlier results
 *  (with batching and two workers, 7 of the 9 would be proposed before any result came back). */
const bayes = preset({ ...base, strategy: { kind: 'tpe', budget: 9, concurrency: 1, autoWorkers: false, batching: false } });

/** A strategy's run as the reading sees it. */
interface RunSummary {
  trials: LessonTrial[];
  /** distinct learning rates tried. */
  values: number;
  best?: LessonTrial;
  bestLoss: number;
}

function summarise(ts: readonly LessonTrial[], e: Experiment): RunSummary {
  const done = ts.filter((t) => t.epochs.length > 0);
  const values = new Set(done.map((t) => Number(paramValue(t, 'learningRate', e)))).size;
  const best = done.filter((t) => Number.isFinite(finalVal(t.epochs))).reduce<LessonTrial | undefined>((b, t) => (!b || finalVal(t.epochs) < finalVal(b.epochs) ? t : b), undefined);
  return { trials: done, values, best, bestLoss: best ? finalVal(best.epochs) : NaN };
}

/**
 * How much each parameter moved the final validation loss in a grid run: `within`, the median over
 * learning rates of the range of losses across its L2 values (and initial weights: every trial has its own); `between`, the range of the per-learning-
 * rate mean losses. NaN when the grid has fewer than two trials per learning rate or two learning rates.
 */
export function gridEffects(ts: readonly LessonTrial[], e: Experiment): { within: number; between: number } {
  const groups = new Map<number, number[]>();
  for (const t of ts) {
    const v = finalVal(t.epochs);
    if (!Number.isFinite(v)) continue;
    const lr = Number(paramValue(t, 'learningRate', e));
    groups.set(lr, [...(groups.get(lr) ?? []), v]);
  }
  const full = [...groups.values()].filter((g) => g.length >= 2);
  const within = median(full.map((g) => Math.max(...g) - Math.min(...g)));
  const means = [...groups.values()].map((g) => mean(g));
  const between = means.length >= 2 ? Math.max(...means) - Math.min(...means) : NaN;
  return { within, between };
}

/** Lesson 7: grid against random against Bayesian search on an equal budget. */
export const strategiesLesson: Lesson = {
  id: 'strategies',
  title: 'Grid, random or Bayesian?',
  level: 'advanced',
  minutes: 1,
  mission: 'Search the learning rate and the L2 penalty with 9 trials three times: grid search, random search, and TPE (a Bayesian method). Which finds the lowest validation loss, and why?',
  lookAt: 'The learning rate of every trial on the hyperparameter chart: how many different values each strategy tried, and where the best ones are.',
  questions: [
    'Grid search tries 3 L2 values for each of its 3 learning rates. If L2 hardly matters, what did those trials buy?',
    'TPE starts with 5 random trials. With 4 trials left, how much can it learn?',
  ],
  runs: [
    { id: GRID, label: 'Grid search (3 × 3)', experiment: grid },
    { id: RANDOM, label: 'Random search', experiment: random },
    { id: BAYES, label: 'TPE (Bayesian)', experiment: bayes },
  ],
  read(trials, ctx): Reading {
    const R = STRATEGY_RULES;
    const g = summarise(runTrials(trials, GRID), ctx.experiments[GRID] ?? grid);
    const r = summarise(runTrials(trials, RANDOM), ctx.experiments[RANDOM] ?? random);
    const b = summarise(runTrials(trials, BAYES), ctx.experiments[BAYES] ?? bayes);
    if (!g.best || !r.best) {
      return {
        appeared: false,
        sentence: `The ${!g.best ? 'grid' : 'random'} search has no finished trial, so the strategies cannot be compared.`,
        numbers: {},
        advice: 'Run all three searches of the lesson to the end.',
      };
    }
    const lrOf = (t: LessonTrial, id: string, e: Experiment) => Number(paramValue(t, 'learningRate', ctx.experiments[id] ?? e));
    const numbers: Record<string, number> = {
      gridTrials: g.trials.length, gridValues: g.values, gridBestValLoss: g.bestLoss, gridBestLearningRate: lrOf(g.best, GRID, grid),
      randomTrials: r.trials.length, randomValues: r.values, randomBestValLoss: r.bestLoss, randomBestLearningRate: lrOf(r.best, RANDOM, random),
    };
    const parts: string[] = [];
    const fx = gridEffects(g.trials, ctx.experiments[GRID] ?? grid);
    if (Number.isFinite(fx.within) && Number.isFinite(fx.between)) {
      Object.assign(numbers, { l2Effect: fx.within, learningRateEffect: fx.between });
      parts.push(`In the grid, trials with the same learning rate but another L2 (and other initial weights) typically ended ${fmtNum(fx.within)} apart in validation loss, while the learning rate moved it by up to ${fmtNum(fx.between)}: ${fx.within < fx.between / 3 ? 'the learning rate mattered far more' : 'L2 or the initial weights mattered too here'}.`);
    }
    parts.push(`With ${g.trials.length} trials grid search tried ${g.values} different learning rates and random search ${r.values}.`);
    const covered = r.values >= g.values + R.moreValues;
    const better = r.bestLoss <= g.bestLoss;
    parts.push(better
      ? `Random search found the lower validation loss, ${fmtNum(r.bestLoss)} at learning rate ${fmtNum(numbers.randomBestLearningRate)}, against grid search's ${fmtNum(g.bestLoss)} at ${fmtNum(numbers.gridBestLearningRate)}.`
      : `Yet grid search found the lower validation loss here, ${fmtNum(g.bestLoss)} at learning rate ${fmtNum(numbers.gridBestLearningRate)}, against random search's ${fmtNum(r.bestLoss)} at ${fmtNum(numbers.randomBestLearningRate)}: one of its three learning rates happened to fall in the good region.`);
    if (b.best) {
      Object.assign(numbers, { bayesTrials: b.trials.length, bayesValues: b.values, bayesBestValLoss: b.bestLoss, bayesBestLearningRate: lrOf(b.best, BAYES, bayes) });
      const beat = b.bestLoss < Math.min(r.bestLoss, g.bestLoss);
      parts.push(beat
        ? `TPE did best of the three, ${fmtNum(b.bestLoss)} at learning rate ${fmtNum(numbers.bayesBestLearningRate)}, by proposing its last trials near the good ones.`
        : `TPE reached ${fmtNum(b.bestLoss)} (learning rate ${fmtNum(numbers.bayesBestLearningRate)}): with 9 trials, 5 of them random start-up trials, it had little room to do better than random search.`);
    }
    const appeared = covered && better ? true : covered || better ? 'partly' : false;
    const reading: Reading = { appeared, sentence: parts.join(' '), numbers };
    if (appeared !== true) {
      reading.advice = 'Random search wins most clearly when the important parameter\'s good region is narrow and falls between the grid\'s points; run the lesson with a few seeds and compare how often each strategy finds the lowest loss, since with 9 trials one run is partly luck.';
    }
    return reading;
  },
};
