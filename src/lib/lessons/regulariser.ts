/**
 * The reading shared by the regularisation lessons (dropout, L2): the same overfitting network
 * trained without and with the regulariser, compared on the final validation loss, the final
 * train–validation gap, and (for L2) the epoch of the lowest validation loss.
 */
import { fmtNum } from '../analysis/format';
import type { Experiment, ParamName } from '../experiment/types';
import { byParam, finalGap, finalTrain, finalVal, lowestVal, paramValue } from './measure';
import type { LessonTrial, Reading } from './types';

/** What counts as the effect. Fractions are relative (0.05 = 5%). */
export const REGULARISER_RULES = {
  /** lowered: the regularised trial's final validation loss at least this fraction below the plain one's. */
  lower: 0.05,
  /** closed: the regularised trial's final gap at most this fraction of the plain one's... */
  closeTo: 0.5,
  /** ...where the plain one's gap is at least this (loss units): otherwise nothing overfitted. */
  minGap: 0.05,
} as const;

/** How to word one regulariser. */
export interface RegulariserWords {
  /** the parameter compared. */
  param: ParamName;
  /** its name in a sentence, e.g. 'dropout' or 'L2'. */
  name: string;
  /** also judge whether it delayed the validation minimum (its epoch came later). */
  delay: boolean;
  /** what usually makes the effect show. */
  advice: string;
  /** said when the regularised trial's gap is negative (validation loss below the training loss). */
  negativeGap?: string;
}

/**
 * Reads the trials of one run that vary `w.param`: the lowest value (normally 0) against the highest.
 * `numbers`: plain/regularised final validation loss, final gap, final training loss, value of the
 * parameter, and with `delay` the epoch and value of each trial's lowest validation loss.
 */
export function readRegulariser(trials: readonly LessonTrial[], e: Experiment, w: RegulariserWords): Reading {
  const R = REGULARISER_RULES;
  const ts = byParam(trials, w.param, e);
  if (ts.length < 2) {
    return {
      appeared: false,
      sentence: `Only ${ts.length} trial${ts.length === 1 ? '' : 's'} finished, so there is nothing to compare.`,
      numbers: {},
      advice: `Train the same network with ${w.name} off and on (e.g. the two choices of the preset).`,
    };
  }
  const plain = ts[0];
  const reg = ts[ts.length - 1];
  const v0 = Number(paramValue(plain, w.param, e));
  const v1 = Number(paramValue(reg, w.param, e));
  const numbers: Record<string, number> = {
    plainValue: v0, regValue: v1,
    plainFinalValLoss: finalVal(plain.epochs), regFinalValLoss: finalVal(reg.epochs),
    plainGap: finalGap(plain.epochs), regGap: finalGap(reg.epochs),
  };
  const lowered = numbers.regFinalValLoss <= (1 - R.lower) * numbers.plainFinalValLoss;
  const overfit = numbers.plainGap >= R.minGap;
  const closed = overfit && numbers.regGap <= R.closeTo * numbers.plainGap;
  const label = (v: number) => (v === 0 ? `without ${w.name}` : `with ${w.name} ${fmtNum(v)}`);
  const parts: string[] = [];
  const loss = `the final validation loss from ${fmtNum(numbers.plainFinalValLoss)} to ${fmtNum(numbers.regFinalValLoss)}`;
  const gap = `the train–validation gap from ${fmtNum(numbers.plainGap)} to ${fmtNum(numbers.regGap)}`;
  const Name = `${w.name.charAt(0).toUpperCase()}${w.name.slice(1)} ${fmtNum(v1)}`;
  if (lowered && closed) parts.push(`${Name} lowered ${loss} and closed ${gap}.`);
  else if (lowered) parts.push(`${Name} lowered ${loss}, but did not close ${gap} by half.`);
  else if (closed) parts.push(`${Name} closed ${gap}, but did not lower ${loss} by ${R.lower * 100}% or more.`);
  else parts.push(`${Name} did not lower ${loss} by ${R.lower * 100}% or more, nor close ${gap} by half.`);
  if (numbers.regGap < 0 && w.negativeGap) parts.push(w.negativeGap);
  if (!overfit) {
    numbers.plainFinalTrainLoss = finalTrain(plain.epochs);
    parts.push(`The network ${label(v0)} hardly overfitted: its training loss ended at ${fmtNum(numbers.plainFinalTrainLoss)}, so there was little for ${w.name} to fix.`);
  }
  let delayed = true;
  if (w.delay) {
    const b0 = lowestVal(plain.epochs);
    const b1 = lowestVal(reg.epochs);
    Object.assign(numbers, { plainBestEpoch: b0.epoch, plainBestValLoss: b0.loss, regBestEpoch: b1.epoch, regBestValLoss: b1.loss });
    delayed = b1.epoch > b0.epoch;
    const at = (b: { epoch: number; loss: number }) => `epoch ${b.epoch} (${fmtNum(b.loss)})`;
    parts.push(delayed
      ? `It also delayed the validation minimum: ${label(v0)} the validation loss was lowest at ${at(b0)} and climbed afterwards, ${label(v1)} at ${at(b1)}.`
      : `It did not delay the validation minimum: ${label(v0)} the validation loss was lowest at ${at(b0)}, ${label(v1)} at ${at(b1)}.`);
  }
  const shown = [lowered, closed, ...(w.delay ? [delayed] : [])];
  const appeared = shown.every(Boolean) ? true : shown.some(Boolean) ? 'partly' : false;
  const reading: Reading = { appeared, sentence: parts.join(' '), numbers };
  if (appeared !== true) reading.advice = w.advice;
  return reading;
}
