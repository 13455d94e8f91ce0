/**
 * Lesson: k-fold cross-validation against a single split. One fixed configuration is validated twice:
 * on one 80/20 split, and with 5-fold cross-validation, which trains it five times, each time holding
 * out another fifth. Each fold's score is exactly what a single split with those rows held out would
 * have reported, so their spread shows how much a single split's score depends on which rows it holds
 * out; their mean is the steadier estimate.
 */
import { fmtNum } from '../analysis/format';
import { formatMetric, METRICS, toDisplay } from '../analysis/metric';
import { mean } from '../analysis/stats';
import { finalScore, runTrials, sdOf } from './measure';
import { preset } from './preset';
import type { Lesson, LessonTrial, Reading } from './types';

/** Run ids. */
const SINGLE = 'single';
const KFOLD = 'kfold';

/** What counts as the effect: the folds' scores spread at least this much (max − min). */
export const KFOLD_RULES = {
  /** accuracy, as a fraction (0.05 = 5 points). */
  accuracyRange: 0.05,
  /** loss, relative to the mean fold loss. */
  lossRange: 0.2,
} as const;

/** Expected range (max − min) of k draws from a normal distribution, in standard deviations (the d2
 *  constant of quality control), k = 2..10: reads a kept standard deviation as a spread of scores. */
const RANGE_PER_SD: Readonly<Record<number, number>> = { 2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.97, 10: 3.078 };

/** 150 noisy moons, no test split: each fold holds out 30 points, as does the single 80/20 split. */
const base = {
  data: { id: 'moons', noise: 0.3, samples: 150, valFraction: 0.2, testFraction: 0 },
  model: {
    layers: [{ units: 16, activation: 'relu' as const }, { units: 16, activation: 'relu' as const }],
    optimizer: 'adam' as const, learningRate: 0.01, batchSize: 16, epochs: 40,
  },
};
const single = preset({ ...base, strategy: { budget: 1 } });
const kfold = preset({ ...base, strategy: { budget: 1, validation: { scheme: 'kfold', k: 5 } } });

/** The trained trial of a run, or undefined. */
function only(trials: readonly LessonTrial[]): LessonTrial | undefined {
  return trials.find((t) => t.epochs.length > 0);
}

/** Lesson 9: how much a single split's score varies, against k-fold cross-validation. */
export const kfoldLesson: Lesson = {
  id: 'kfold',
  title: 'One split or five folds?',
  level: 'intermediate',
  minutes: 1,
  mission: 'Validate one network on a single 80/20 split, then with 5-fold cross-validation. How far apart are the scores of the five folds, each of which is a perfectly good single split?',
  lookAt: 'The score of each fold next to the single split\'s score, and the mean of the folds.',
  questions: [
    'Two configurations differ by 2 points on a single split of 30 points. Is that a real difference?',
    'k-fold trains the network k times. What do you get for that price, and when is one split enough?',
  ],
  runs: [
    { id: SINGLE, label: 'One 80/20 split', experiment: single },
    { id: KFOLD, label: '5-fold cross-validation', experiment: kfold },
  ],
  read(trials, ctx): Reading {
    const R = KFOLD_RULES;
    const key = ctx.metric;
    const t = only(runTrials(trials, KFOLD));
    const s = only(runTrials(trials, SINGLE));
    const folds = (t?.result?.runs ?? []).map((r) => (r.epochs ? finalScore(r.epochs, key) : NaN)).filter(Number.isFinite);
    const losses = (t?.result?.runs ?? []).map((r) => (r.epochs ? finalScore(r.epochs, 'valLoss') : NaN)).filter(Number.isFinite);
    const show = (raw: number) => formatMetric(key, toDisplay(key, raw));
    const pts = (x: number) => (METRICS[key].percent ? `${fmtNum(x * 100)} points` : fmtNum(x));
    if (!t || folds.length < 2) {
      // A saved study keeps only the mean curve and the spread (standard deviation across folds).
      const sds = key === 'valAcc' ? t?.result?.spread?.valAcc : t?.result?.spread?.valLoss;
      const sd = sds?.[sds.length - 1];
      const k = t?.result?.runs?.length ?? 0;
      if (t && sd !== undefined && Number.isFinite(sd) && RANGE_PER_SD[k] !== undefined) {
        const avg = finalScore(t.epochs, key);
        const range = RANGE_PER_SD[k] * sd;
        const numbers = { foldMean: avg, foldSd: sd, folds: k, expectedRange: range };
        const wide = key === 'valAcc' ? range >= R.accuracyRange : range >= R.lossRange * avg;
        return {
          appeared: wide ? 'partly' : false,
          sentence: `Only the mean over the ${k} folds was kept, ${show(avg)}, with a standard deviation of ${pts(sd)} between them: ${k} folds that spread that much typically lie ${pts(range)} apart from the lowest to the highest, ${wide ? 'enough for single splits to disagree by several points' : 'so single splits would have agreed closely here'}.`,
          numbers,
          advice: 'Run the lesson again to see each fold\'s own score: a saved study keeps only their mean and spread.',
        };
      }
      return {
        appeared: false,
        sentence: 'The k-fold run has no per-fold scores, so the spread between single splits cannot be read.',
        numbers: {},
        advice: 'Run the k-fold experiment of the lesson to the end (k = 5).',
      };
    }
    const lo = Math.min(...folds);
    const hi = Math.max(...folds);
    const avg = mean(folds);
    const sd = sdOf(folds);
    const numbers: Record<string, number> = {
      folds: folds.length, foldMin: lo, foldMax: hi, foldRange: hi - lo, foldMean: avg, foldSe: sd / Math.sqrt(folds.length),
    };
    if (losses.length >= 2) Object.assign(numbers, { foldMinLoss: Math.min(...losses), foldMaxLoss: Math.max(...losses) });
    const wide = key === 'valAcc' ? numbers.foldRange >= R.accuracyRange : numbers.foldRange >= R.lossRange * avg;
    const parts = [
      `The same network scored between ${show(lo)} and ${show(hi)} on the ${folds.length} folds, a spread of ${pts(numbers.foldRange)}${key === 'valAcc' && losses.length >= 2 ? ` (validation loss ${fmtNum(numbers.foldMinLoss)} to ${fmtNum(numbers.foldMaxLoss)})` : ''}: each fold is a single split, and which rows it held out (and its own initial weights) decided where in that range it landed.`,
    ];
    const single1 = s ? finalScore(s.epochs, key) : NaN;
    if (Number.isFinite(single1)) {
      numbers.singleScore = single1;
      parts.push(`The single 80/20 split reported ${show(single1)}.`);
    }
    parts.push(`The mean of the folds, ${show(avg)}, is steadier: its standard error is ${pts(numbers.foldSe)}.`);
    parts.push(wide
      ? 'So a difference of a few points between two configurations on one split of this size can be luck of the split.'
      : 'Here the folds agreed closely, so a single split would have told much the same story.');
    const reading: Reading = { appeared: wide, sentence: parts.join(' '), numbers };
    if (!wide) reading.advice = 'Single splits disagree most on small, noisy data: fewer points or more noise make each held-out fifth a rougher sample, and the folds spread further apart.';
    return reading;
  },
};
