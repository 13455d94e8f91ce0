/**
 * Lesson: the learning rate. Four learning rates on the same network and data, from far too low to
 * far too high: the lowest is still crawling down at the end, the good one settles, a high one
 * zig-zags, and the highest blows the loss up (while accuracy may still look fine, which is why the
 * reading reads the loss).
 */
import { fmtNum, fmtPct, fmtPct1 } from '../analysis/format';
import { byParam, finalVal, fmtShare, lastEpoch, pace, paramValue, peakLoss, runTrials, tailDrop, valRoughness } from './measure';
import { preset } from './preset';
import type { Lesson, LessonTrial, Reading } from './types';

const RUN = 'main';

/** What the reading calls each effect. Relative numbers are fractions (0.05 = 5%). */
export const LEARNING_RATE_RULES = {
  /** crawling: over the last fifth of the epochs the validation loss still fell at least this much... */
  crawlTailDrop: 0.01,
  /** ...at no less than this fraction of its average pace over the run (a straight slide, not a curve
   *  that has levelled off)... */
  crawlPace: 0.4,
  /** ...and ended at least this multiple of the final validation loss of the good rate (the lowest
   *  final validation loss among the rates between the lowest and the highest). */
  crawlBehind: 1.2,
  /** oscillating: validation-loss roughness over the second half at least this... */
  oscillationRoughness: 0.1,
  /** ...and at least this multiple of the smoothest curve at a lower rate. */
  oscillationRatio: 3,
  /** exploded: some epoch's loss at least this multiple of the loss of ignoring the inputs, or non-finite. */
  explosion: 3,
  /** wording: an exploded trial's accuracy "still read" well when within this (fraction 0..1) of the good rate's. */
  accuracyKept: 0.1,
} as const;

/** Two moons with a little noise: a small tanh network fits them well at a sensible rate. Tanh units
 *  never die, so a too-high rate shows as an exploding loss rather than a dead network (ReLU units
 *  stuck at zero, predicting one class for everything). At 0.00003 Adam is still sliding down at a
 *  steady pace after 40 epochs on all of seeds 1-8; at 0.3 the curve zig-zags, at 10 the loss
 *  reaches 50-100 while accuracy stays around 80%. */
const experiment = preset({
  data: { id: 'moons', noise: 0.2, samples: 300, valFraction: 0.3, testFraction: 0 },
  model: {
    layers: [{ units: 16, activation: 'tanh' }, { units: 16, activation: 'tanh' }],
    optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 40,
  },
  search: { learningRate: { type: 'categorical', choices: [0.00003, 0.01, 0.3, 10] } },
});

/** Lesson 1: learning rate too high (oscillation, then divergence) and too low (still crawling). */
export const learningRateLesson: Lesson = {
  id: 'learning-rate',
  title: 'Learning rate: too low, too high',
  level: 'beginner',
  minutes: 1,
  mission: 'Train the same network at four learning rates, from 0.00003 to 10, and find the one that is too slow, the one that is just right, and the ones that are too fast.',
  lookAt: 'The validation-loss curves: a slow straight slide, a quick fall that levels off, a zig-zag, and a curve that shoots up. Compare the loss with the accuracy of the highest rate.',
  questions: [
    'Which learning rate would still improve if you gave it more epochs, and which never would?',
    'At the highest rate, why can the accuracy look fine while the loss has exploded?',
  ],
  runs: [{ id: RUN, label: 'Four learning rates', experiment }],
  read(trials, ctx): Reading {
    const R = LEARNING_RATE_RULES;
    const e = ctx.experiments[RUN] ?? experiment;
    const base = ctx.baselineLoss ?? Math.LN2;
    const ts = byParam(runTrials(trials, RUN), 'learningRate', e);
    if (ts.length < 3) {
      return {
        appeared: false,
        sentence: `Only ${ts.length} learning rate${ts.length === 1 ? '' : 's'} trained, so there is nothing to compare.`,
        numbers: {},
        advice: 'Run at least three learning rates, spread over several powers of ten (e.g. 0.00003, 0.01, 0.3 and 10).',
      };
    }
    const exploded = (t: LessonTrial) => {
      const p = peakLoss(t.epochs);
      return !p.finite || p.loss >= R.explosion * base;
    };
    const low = ts[0];
    const high = ts[ts.length - 1];
    const middle = ts.slice(1, -1);
    const rate = (t: LessonTrial) => Number(paramValue(t, 'learningRate', e));
    const lr = (t: LessonTrial) => `learning rate ${fmtNum(rate(t))}`;
    const numbers: Record<string, number> = {};
    const parts: string[] = [];

    // The good rate: the lowest final validation loss between the extremes.
    const calm = middle.filter((t) => !exploded(t) && Number.isFinite(finalVal(t.epochs)));
    const best = calm.reduce<LessonTrial | undefined>((b, t) => (!b || finalVal(t.epochs) < finalVal(b.epochs) ? t : b), undefined);
    let crawl = false;
    if (best) {
      const drop = tailDrop(low.epochs);
      const window = Math.min(low.epochs.length, Math.max(3, Math.round(0.2 * low.epochs.length)));
      crawl = drop >= R.crawlTailDrop && pace(low.epochs) >= R.crawlPace && finalVal(low.epochs) >= R.crawlBehind * finalVal(best.epochs);
      Object.assign(numbers, { lowLearningRate: rate(low), lowFinalValLoss: finalVal(low.epochs), lowTailDrop: drop, lowPace: pace(low.epochs), tailEpochs: window, bestLearningRate: rate(best), bestFinalValLoss: finalVal(best.epochs) });
      parts.push(crawl
        ? `At ${lr(low)} the validation loss was still falling at the end (down ${fmtPct(drop)} over the last ${window} epochs, at ${fmtPct(pace(low.epochs))} of its average pace) and stopped at ${fmtNum(finalVal(low.epochs))}, against ${fmtNum(finalVal(best.epochs))} at ${lr(best)}: too low, still crawling.`
        : `At ${lr(low)} the validation loss ended at ${fmtNum(finalVal(low.epochs))} (${fmtNum(finalVal(best.epochs))} at ${lr(best)}), changing ${fmtPct(drop)} over the last ${window} epochs at ${fmtPct(pace(low.epochs))} of its average pace: not the steady slide of a rate that is too low.`);
    }

    // The zig-zag: the roughest curve between the extremes, against the smoothest of the others below it.
    const osc = middle.reduce<LessonTrial | undefined>((b, t) => (!b || valRoughness(t.epochs) > valRoughness(b.epochs) ? t : b), undefined);
    const calmer = osc ? ts.filter((t) => t !== high && t !== osc && rate(t) < rate(osc) && Number.isFinite(valRoughness(t.epochs))) : [];
    const smooth = calmer.reduce<LessonTrial | undefined>((b, t) => (!b || valRoughness(t.epochs) < valRoughness(b.epochs) ? t : b), undefined);
    let oscillated = false;
    if (osc && smooth) {
      const r = valRoughness(osc.epochs);
      const rs = valRoughness(smooth.epochs);
      oscillated = r >= R.oscillationRoughness && r >= R.oscillationRatio * rs;
      Object.assign(numbers, { oscLearningRate: rate(osc), oscRoughness: r, smoothLearningRate: rate(smooth), smoothRoughness: rs });
      parts.push(oscillated
        ? `At ${lr(osc)} the validation loss zig-zagged: over the second half it jumped ${fmtShare(r)} of its level from epoch to epoch, against ${fmtShare(rs)} at ${fmtNum(rate(smooth))}.`
        : `At ${lr(osc)} the validation loss moved ${fmtShare(r)} of its level from epoch to epoch over the second half (${fmtShare(rs)} at ${fmtNum(rate(smooth))}): no clear zig-zag.`);
    }

    const peak = peakLoss(high.epochs);
    const blew = exploded(high);
    const acc = lastEpoch(high.epochs)?.valAcc;
    numbers.highLearningRate = rate(high);
    if (!peak.finite) {
      numbers.highNonFiniteEpoch = peak.epoch;
      parts.push(`At ${lr(high)} the loss blew up: at epoch ${peak.epoch} it was no longer a finite number, so training stopped (the weights diverged).`);
    } else {
      Object.assign(numbers, { highPeakLoss: peak.loss, highPeakEpoch: peak.epoch, baselineLoss: base });
      // Accuracy can stay high while the loss explodes (confidently wrong on a few points): say so when
      // it did, against the good rate's accuracy; otherwise just report where it ended.
      const bestAcc = best ? lastEpoch(best.epochs)?.valAcc : undefined;
      let accText = '';
      if (blew && acc !== undefined && Number.isFinite(acc)) {
        numbers.highFinalValAcc = acc;
        if (best && bestAcc !== undefined && Number.isFinite(bestAcc)) {
          numbers.bestFinalValAcc = bestAcc;
          accText = acc >= bestAcc - R.accuracyKept
            ? `, while its validation accuracy still read ${fmtPct1(acc)} (${fmtPct1(bestAcc)} at ${lr(best)}): accuracy only asks which class scores highest, the loss also asks how confidently wrong the model is`
            : `; its validation accuracy ended at ${fmtPct1(acc)} (${fmtPct1(bestAcc)} at ${lr(best)})`;
        } else {
          accText = `; its validation accuracy ended at ${fmtPct1(acc)}`;
        }
      }
      parts.push(blew
        ? `At ${lr(high)} the loss exploded: it reached ${fmtNum(peak.loss)} at epoch ${peak.epoch}, far above the ${fmtNum(base)} of a model that ignores its inputs${accText}.`
        : `At ${lr(high)} the highest loss was ${fmtNum(peak.loss)} (epoch ${peak.epoch}), under ${R.explosion} times the ${fmtNum(base)} of a model that ignores its inputs: no explosion.`);
    }

    const shown = [crawl, oscillated, blew].filter(Boolean).length;
    const appeared = shown === 3 ? true : shown === 0 ? false : 'partly';
    const reading: Reading = { appeared, sentence: parts.join(' '), numbers };
    if (appeared !== true) {
      reading.advice = 'Spread the learning rates wider: a rate a few hundred times below the good one is still crawling after 40 epochs, and with Adam a rate near 10 makes a tanh network\'s loss explode within a few epochs. A higher rate between the two zig-zags.';
    }
    return reading;
  },
};
