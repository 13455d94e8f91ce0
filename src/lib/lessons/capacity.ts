/**
 * Lesson: capacity. The same small, noisy training set for a tiny, a medium and a wide network: the
 * tiny one cannot even fit its training points (underfitting), the wide one fits them better than
 * any other and new points worse (overfitting).
 */
import { fmtNum } from '../analysis/format';
import { byParam, finalGap, finalTrain, finalVal, paramValue, runTrials } from './measure';
import { preset } from './preset';
import type { Lesson, LessonTrial, Reading } from './types';

const RUN = 'main';

/** What counts as under- and overfitting here, relative to the medium network (the lowest final
 *  validation loss between the smallest and the widest). */
export const CAPACITY_RULES = {
  /** underfitting: the smallest network's final training loss at least this multiple of the medium one's... */
  underfitTrain: 1.3,
  /** overfitting: the widest network's final validation loss at least this multiple of the medium
   *  one's, while its training loss is lower than the medium one's... */
  overfitVal: 1.1,
  /** ...and its final train–validation gap at least this (loss units). */
  overfitGap: 0.1,
} as const;

/**
 * A disc inside a ring with 30% noise, 75 training points: no straight line separates the classes,
 * so two units per layer are too few, eight are enough, and 64 learn the noisy points by heart.
 */
const experiment = preset({
  data: { id: 'circle', noise: 0.3, samples: 150, valFraction: 0.5, testFraction: 0 },
  model: {
    layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }],
    optimizer: 'adam', learningRate: 0.003, batchSize: 16, epochs: 100,
  },
  search: { units: { type: 'categorical', choices: [2, 8, 64] } },
});

/** Lesson 3: a tiny network underfits, a wide one overfits a small training set. */
export const capacityLesson: Lesson = {
  id: 'capacity',
  title: 'Too small, too big',
  level: 'beginner',
  minutes: 1,
  mission: 'Train three networks of two hidden layers on 75 noisy points: 2, 8 and 64 units per layer. Find the one that underfits and the one that overfits.',
  lookAt: 'The training loss of each network (how well it fits the points it learns from) next to its validation loss (how well it does on new points).',
  questions: [
    'The tiny network has a high training loss. Would more epochs fix that?',
    'The wide network has the lowest training loss. Why is that not good news?',
  ],
  runs: [{ id: RUN, label: '2, 8 and 64 units', experiment }],
  read(trials, ctx): Reading {
    const R = CAPACITY_RULES;
    const e = ctx.experiments[RUN] ?? experiment;
    const ts = byParam(runTrials(trials, RUN), 'units', e);
    if (ts.length < 3) {
      return {
        appeared: false,
        sentence: `Only ${ts.length} network size${ts.length === 1 ? '' : 's'} trained; the lesson compares a small, a medium and a wide one.`,
        numbers: {},
        advice: 'Train at least three sizes, e.g. 2, 8 and 64 units per layer.',
      };
    }
    const units = (t: LessonTrial) => Number(paramValue(t, 'units', e));
    const tiny = ts[0];
    const wide = ts[ts.length - 1];
    const mid = ts.slice(1, -1).reduce((b, t) => (finalVal(t.epochs) < finalVal(b.epochs) ? t : b));
    const numbers: Record<string, number> = {
      tinyUnits: units(tiny), tinyTrainLoss: finalTrain(tiny.epochs), tinyValLoss: finalVal(tiny.epochs),
      midUnits: units(mid), midTrainLoss: finalTrain(mid.epochs), midValLoss: finalVal(mid.epochs),
      wideUnits: units(wide), wideTrainLoss: finalTrain(wide.epochs), wideValLoss: finalVal(wide.epochs), wideGap: finalGap(wide.epochs),
    };
    const under = numbers.tinyTrainLoss >= R.underfitTrain * numbers.midTrainLoss;
    const over = numbers.wideTrainLoss < numbers.midTrainLoss && numbers.wideValLoss >= R.overfitVal * numbers.midValLoss && numbers.wideGap >= R.overfitGap;
    const n = (t: LessonTrial) => `${units(t)} unit${units(t) === 1 ? '' : 's'}`;
    const parts = [
      under
        ? `With ${n(tiny)} per layer the network could not even fit its training points: training loss ${fmtNum(numbers.tinyTrainLoss)} (validation ${fmtNum(numbers.tinyValLoss)}), where ${n(mid)} reached ${fmtNum(numbers.midTrainLoss)} (validation ${fmtNum(numbers.midValLoss)}). That is underfitting.`
        : `With ${n(tiny)} per layer the training loss ended at ${fmtNum(numbers.tinyTrainLoss)} against ${fmtNum(numbers.midTrainLoss)} with ${n(mid)} (validation ${fmtNum(numbers.tinyValLoss)} and ${fmtNum(numbers.midValLoss)}): worse, but not clearly unable to fit its training points.`,
      over
        ? `With ${n(wide)} it fitted the training points best of all (training loss ${fmtNum(numbers.wideTrainLoss)}) but new points worse: validation loss ${fmtNum(numbers.wideValLoss)} against ${fmtNum(numbers.midValLoss)}, a train–validation gap of ${fmtNum(numbers.wideGap)}. That is overfitting.`
        : `With ${n(wide)} the training loss ended at ${fmtNum(numbers.wideTrainLoss)} and the validation loss at ${fmtNum(numbers.wideValLoss)}, a train–validation gap of ${fmtNum(numbers.wideGap)} (${n(mid)}: ${fmtNum(numbers.midTrainLoss)} and ${fmtNum(numbers.midValLoss)}): no clear overfitting.`,
    ];
    const appeared = under && over ? true : under || over ? 'partly' : false;
    const reading: Reading = { appeared, sentence: parts.join(' '), numbers };
    if (appeared !== true) reading.advice = 'Make the sizes more different (1-2 units against 64 or more), keep the training set small and noisy so the wide network has noise to learn by heart, and train long enough (100 epochs or more) for it to do so.';
    return reading;
  },
};
