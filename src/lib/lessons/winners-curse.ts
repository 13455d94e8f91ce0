/**
 * Lesson: overfitting the validation set. Many trials of similar quality, judged on a small validation
 * split: the best of many noisy scores is partly luck, so the winner's validation score flatters it.
 * A large test split that no trial was chosen on tells how good the winner really is.
 * The winner is chosen as the sweep chooses it: the best final value of the study metric (validation
 * accuracy for classification), the first trial on ties.
 */
import { fmtNum } from '../analysis/format';
import { bestIndex, formatMetric, METRICS, toDisplay, type MetricKey } from '../analysis/metric';
import { finalScore, runTrials } from './measure';
import { mean } from '../analysis/stats';
import { preset } from './preset';
import type { Lesson, LessonTrial, Reading } from './types';

const RUN = 'main';

/** What counts as the effect (metric units: accuracy as a fraction, or loss). */
export const WINNERS_CURSE_RULES = {
  /** flattered: the winner's lead over the average trial shrank by at least this much from the
   *  validation split to the test split. Leads, not raw scores, because every trial shares the same
   *  validation split: if it happens to be harder than the test split, all trials score lower on it,
   *  and only the lead shows what picking the best added. */
  shrink: 0.02,
} as const;

/**
 * Moons at the highest noise, 300 points: 40% test (120 points), and 20% of the rest for validation
 * (36 points, so one point is worth 2.8% accuracy). 24 random configurations of learning rate, dropout
 * and L2 on one network. The noise leaves a wide band of points near the boundary on which models
 * disagree, so each trial's validation score carries its own luck (with 30% noise and 48 validation
 * points the trials agreed on almost every point, and the winner's lead held up on 3 of 6 seeds; here
 * it shrank by 3-7 points on all of seeds 1-8).
 */
const experiment = preset({
  data: { id: 'moons', noise: 0.5, samples: 300, valFraction: 0.2, testFraction: 0.4 },
  model: {
    layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }],
    optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 40,
  },
  search: {
    learningRate: { type: 'float', low: 1e-3, high: 0.1, log: true },
    dropout: { type: 'float', low: 0, high: 0.5, log: false },
    l2: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  },
  strategy: { kind: 'random', budget: 24 },
});

/** A score as a person reads it: '85.3%' or '0.412'. */
const show = (key: MetricKey, raw: number): string => formatMetric(key, toDisplay(key, raw));

/** The trial's test score in the metric's raw units (accuracy fraction or loss); NaN without one. */
function testScore(t: LessonTrial, key: MetricKey): number {
  const s = t.result?.test;
  if (!s) return NaN;
  return (key === 'valAcc' ? s.acc : s.loss) ?? NaN;
}

/** Lesson 8: the best of many validation scores flatters the winner; the test split tells the truth. */
export const winnersCurseLesson: Lesson = {
  id: 'winners-curse',
  title: 'The winner\'s curse: overfitting the validation set',
  level: 'advanced',
  minutes: 1,
  mission: 'Run 24 random configurations and pick the winner by its validation accuracy, as a search does. Then look at the winner\'s score on the test split, which no trial was chosen on.',
  lookAt: 'The winner\'s validation accuracy next to its test accuracy, and the same two numbers for the other trials.',
  questions: [
    'If every configuration were equally good, which one would win on a validation set of 48 points?',
    'Why does the test score of the winner come out lower, while the test scores of all trials together are no lower than their validation scores?',
  ],
  runs: [{ id: RUN, label: '24 random configurations', experiment }],
  read(trials, ctx): Reading {
    const R = WINNERS_CURSE_RULES;
    const key = ctx.metric;
    const higher = METRICS[key].higherBetter;
    const done = runTrials(trials, RUN).filter((t) => t.state === 'complete' && t.epochs.length > 0).sort((a, b) => a.id - b.id);
    const vals = done.map((t) => finalScore(t.epochs, key));
    const w = bestIndex(vals.map((v) => toDisplay(key, v)), key);
    const tests = done.map((t) => testScore(t, key));
    if (done.length < 5 || w < 0 || !Number.isFinite(tests[w])) {
      return {
        appeared: false,
        sentence: done.length < 5
          ? `Only ${done.length} trial${done.length === 1 ? '' : 's'} finished; the winner's curse needs many.`
          : 'The winner has no test score (the run had no test split), so there is nothing to check its validation score against.',
        numbers: {},
        advice: 'Run many trials (20 or more) with a test split of 30-40% of the data and a small validation split.',
      };
    }
    // A lead is "better than the average trial by", in the metric's direction.
    const lead = (x: number, xs: number[]) => (higher ? x - mean(xs) : mean(xs) - x);
    const rank = 1 + tests.filter((t, i) => i !== w && Number.isFinite(t) && (higher ? t > tests[w] : t < tests[w])).length;
    const numbers: Record<string, number> = {
      trials: done.length, winnerId: done[w].id + 1,
      winnerVal: vals[w], winnerTest: tests[w], meanVal: mean(vals), meanTest: mean(tests),
      valLead: lead(vals[w], vals), testLead: lead(tests[w], tests), winnerTestRank: rank,
    };
    numbers.shrink = numbers.valLead - numbers.testLead;
    const flattered = numbers.shrink >= R.shrink;
    const name = METRICS[key].name;
    const pts = (x: number) => (METRICS[key].percent ? `${fmtNum(x * 100)} points` : fmtNum(x));
    const parts = [
      `The winner, trial ${numbers.winnerId}, had the best ${name} of ${done.length} trials, ${show(key, vals[w])}: ${pts(numbers.valLead)} above the average trial's ${show(key, numbers.meanVal)}.`,
      `On the test split, which chose nothing, it scored ${show(key, tests[w])} against an average of ${show(key, numbers.meanTest)}: ${numbers.testLead >= 0 ? `${pts(numbers.testLead)} above` : `${pts(-numbers.testLead)} below`} it, ranking ${rank} of ${done.length}.`,
      flattered
        ? `So ${pts(numbers.shrink)} of its lead on the validation split was luck: the best of many noisy scores picks luck as well as quality. Its test score is the honest one.`
        : `Its lead held up on the test split (it shrank by ${pts(numbers.shrink)}), so here the validation score did not flatter the winner noticeably.`,
    ];
    const reading: Reading = { appeared: flattered, sentence: parts.join(' '), numbers };
    if (!flattered) reading.advice = 'The curse grows with the number of trials and shrinks with the size of the validation split: run more trials of similar quality, or make the validation split smaller, and it shows more often. One run is partly luck; compare a few seeds.';
    return reading;
  },
};
