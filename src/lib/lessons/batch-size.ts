/**
 * Lesson: batch size. Three batch sizes on the same network and data, one trial after another on
 * one worker so their times are comparable: small batches make many small, noisy steps per epoch
 * (slow epochs, a jagged curve), large batches few smooth ones (fast epochs, a smooth curve).
 * Both sides are measured in this run: time per epoch from the trials' clocks, noise from the curves.
 */
import { fmtNum } from '../analysis/format';
import { byParam, finalVal, fmtShare, msPerEpoch, paramValue, runTrials, valRoughness } from './measure';
import { preset } from './preset';
import type { Lesson, LessonTrial, Reading } from './types';

const RUN = 'main';

/** What counts as the effect: the smallest batch against the largest. */
export const BATCH_SIZE_RULES = {
  /** slower: the smallest batch's time per epoch at least this multiple of the largest's. */
  slower: 2,
  /** noisier: the smallest batch's validation-loss roughness (second half) at least this multiple of the largest's... */
  noisier: 2,
  /** ...and at least this in absolute terms (0.01 = 1% of the loss's level per epoch). */
  minRoughness: 0.01,
} as const;

/** Two moons, 210 training points: batch 4 makes 53 steps an epoch, batch 128 two. One worker,
 *  so no trial's clock runs while another trains. */
const experiment = preset({
  data: { id: 'moons', noise: 0.2, samples: 300, valFraction: 0.3, testFraction: 0 },
  model: {
    layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }],
    optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 30,
  },
  search: { batchSize: { type: 'categorical', choices: [4, 32, 128] } },
  strategy: { concurrency: 1, autoWorkers: false },
});

/** Lesson 2: batch size trades time per epoch against the noise of the curve. */
export const batchSizeLesson: Lesson = {
  id: 'batch-size',
  title: 'Batch size: speed against noise',
  level: 'beginner',
  minutes: 1,
  mission: 'Train the same network with batches of 4, 32 and 128 points, one after another, and measure what each costs and what each curve looks like.',
  lookAt: 'The time each trial took for its epochs, and how jagged each validation-loss curve is.',
  questions: [
    'Batch 4 makes 32 times as many weight updates per epoch as batch 128. Why is its curve noisier, not smoother?',
    'If you had one minute of compute, which batch size would you pick, and would you change the learning rate with it?',
  ],
  runs: [{ id: RUN, label: 'Batch 4, 32 and 128', experiment }],
  read(trials, ctx): Reading {
    const R = BATCH_SIZE_RULES;
    const e = ctx.experiments[RUN] ?? experiment;
    const ts = byParam(runTrials(trials, RUN), 'batchSize', e).filter((t) => t.epochs.length >= 3);
    if (ts.length < 2) {
      return {
        appeared: false,
        sentence: `Only ${ts.length} batch size${ts.length === 1 ? '' : 's'} trained for 3 epochs or more, so there is nothing to compare.`,
        numbers: {},
        advice: 'Train at least two batch sizes far apart, e.g. 4 and 128, for 20 epochs or more.',
      };
    }
    const size = (t: LessonTrial) => Number(paramValue(t, 'batchSize', e));
    const small = ts[0];
    const large = ts[ts.length - 1];
    const numbers: Record<string, number> = {
      smallBatch: size(small), largeBatch: size(large),
      smallMsPerEpoch: msPerEpoch(small.epochs), largeMsPerEpoch: msPerEpoch(large.epochs),
      smallRoughness: valRoughness(small.epochs), largeRoughness: valRoughness(large.epochs),
      smallFinalValLoss: finalVal(small.epochs), largeFinalValLoss: finalVal(large.epochs),
    };
    numbers.timeRatio = numbers.smallMsPerEpoch / numbers.largeMsPerEpoch;
    const slower = numbers.timeRatio >= R.slower;
    const noisier = numbers.smallRoughness >= R.minRoughness && numbers.smallRoughness >= R.noisier * numbers.largeRoughness;
    const ms = (x: number) => `${fmtNum(x)} ms`;
    const parts = [
      slower
        ? `An epoch took ${ms(numbers.smallMsPerEpoch)} with batch ${size(small)} and ${ms(numbers.largeMsPerEpoch)} with batch ${size(large)}, ${fmtNum(numbers.timeRatio)} times as long: many small steps cost more than a few large ones.`
        : `An epoch took ${ms(numbers.smallMsPerEpoch)} with batch ${size(small)} and ${ms(numbers.largeMsPerEpoch)} with batch ${size(large)} (${fmtNum(numbers.timeRatio)} times as long): no clear difference in speed.`,
      noisier
        ? `In return batch ${size(large)} gave the smoother curve: over the second half its validation loss moved ${fmtShare(numbers.largeRoughness)} of its level from epoch to epoch, batch ${size(small)}'s ${fmtShare(numbers.smallRoughness)}, because a small batch is a noisy estimate of the gradient.`
        : `The curves were about as jagged: over the second half the validation loss moved ${fmtShare(numbers.smallRoughness)} of its level from epoch to epoch with batch ${size(small)}, ${fmtShare(numbers.largeRoughness)} with batch ${size(large)}.`,
      `Final validation loss: ${fmtNum(numbers.smallFinalValLoss)} with batch ${size(small)}, ${fmtNum(numbers.largeFinalValLoss)} with batch ${size(large)}.`,
    ];
    const appeared = slower && noisier ? true : slower || noisier ? 'partly' : false;
    const reading: Reading = { appeared, sentence: parts.join(' '), numbers };
    if (appeared !== true) {
      reading.advice = 'Use batch sizes far apart (4 against 128 or more) on a few hundred training points, one worker (so no other trial shares the processor while the clocks run), and a learning rate high enough (Adam 0.01) for the small batches\' noise to show.';
    }
    return reading;
  },
};
