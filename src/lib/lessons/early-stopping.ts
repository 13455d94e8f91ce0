/**
 * Lesson: early stopping. The overfitting network of the dropout lesson trained twice on the same
 * data with the same seeds: once for all its epochs, once with early stopping (patience 20,
 * restore-best). Both see the same curve until the early one stops, so the full run shows where the
 * validation minimum was and how far the loss climbed after it; the test split, which neither run
 * chose anything on, shows what restoring the best weights kept.
 */
import { fmtNum, fmtPct } from '../analysis/format';
import { finalVal, lowestVal, runTrials } from './measure';
import { OVERFIT_PRESET, preset } from './preset';
import type { Experiment } from '../experiment/types';
import type { Lesson, LessonTrial, Reading } from './types';

/** Run ids. */
const FULL = 'full';
const EARLY = 'early';

/** What counts as the effect. */
export const EARLY_STOPPING_RULES = {
  /** near the minimum: the validation loss the early run kept at most this multiple of the full run's
   *  lowest (the early run did not stop at a shallow dip long before the real minimum). */
  nearBest: 1.05,
} as const;

/** The overfitting network, with a test split (50 of 200 points) that only the reading looks at. */
const data = { ...OVERFIT_PRESET.data, samples: 200, testFraction: 0.25 };
const full = preset({ ...OVERFIT_PRESET, data, strategy: { budget: 1 } });
/** Patience 20: with 10, the run stopped on an early plateau, long before the real minimum, on 2 of
 *  seeds 1-8; with 20 on none of them. */
const early = preset({ ...OVERFIT_PRESET, data, strategy: { budget: 1, earlyStopping: { enabled: true, patience: 20, minDelta: 0.001, restoreBest: true } } });

/** `a instead of b`, with a third digit when two would print them alike. */
function pair(a: number, b: number): string {
  const d = fmtNum(a) === fmtNum(b) && a !== b ? 3 : 2;
  return `${fmtNum(a, d)} instead of ${fmtNum(b, d)}`;
}

/** The one trained trial of a run (the first with epochs), or undefined. */
function only(trials: readonly LessonTrial[]): LessonTrial | undefined {
  return trials.find((t) => t.epochs.length > 0);
}

/** Lesson 6: early stopping stops near the validation minimum, and restore-best keeps it. */
export const earlyStoppingLesson: Lesson = {
  id: 'early-stopping',
  title: 'Early stopping',
  level: 'intermediate',
  minutes: 1,
  mission: 'Train the overfitting network for all 150 epochs, then again with early stopping (patience 20, keep the best weights). Where does it stop, and what does it keep?',
  lookAt: 'The validation-loss curve of the full run: its lowest point, and how far it climbs after. Then the epoch where the early run stopped.',
  questions: [
    'Early stopping waits 20 epochs without improvement before it stops. Why not stop at the first epoch that gets worse?',
    'The best epoch was chosen by looking at the validation loss. Why is the test loss the fairer judge of what was kept?',
  ],
  runs: [
    { id: FULL, label: 'All 150 epochs', experiment: full },
    { id: EARLY, label: 'Early stopping, restore best', experiment: early },
  ],
  read(trials, ctx): Reading {
    const R = EARLY_STOPPING_RULES;
    const f = only(runTrials(trials, FULL));
    const es = only(runTrials(trials, EARLY));
    const eEarly: Experiment = ctx.experiments[EARLY] ?? early;
    const cfg = eEarly.strategy.earlyStopping;
    if (!f || !es) {
      return {
        appeared: false,
        sentence: `The ${!f ? 'full' : 'early-stopping'} run has no trained trial, so there is nothing to compare.`,
        numbers: {},
        advice: 'Run both experiments of the lesson to the end.',
      };
    }
    const fb = lowestVal(f.epochs);
    const stop = es.epochs.length;
    const eb = es.result?.bestEpoch ?? lowestVal(es.epochs).epoch;
    const kept = es.epochs[eb - 1]?.valLoss ?? NaN;
    const numbers: Record<string, number> = {
      fullEpochs: f.epochs.length, fullBestEpoch: fb.epoch, fullBestValLoss: fb.loss, fullFinalValLoss: finalVal(f.epochs),
      stopEpoch: stop, patience: cfg.patience, keptEpoch: eb, keptValLoss: kept, stopValLoss: finalVal(es.epochs),
    };
    const stopped = es.result?.stoppedEarly ?? stop < f.epochs.length;
    const near = kept <= R.nearBest * fb.loss;
    const restored = cfg.restoreBest && (es.result?.restoredBest ?? false);
    const parts: string[] = [];
    parts.push(`Without early stopping the validation loss was lowest at epoch ${fb.epoch} (${fmtNum(fb.loss)}) and ended at ${fmtNum(numbers.fullFinalValLoss)} after ${numbers.fullEpochs} epochs.`);
    if (!stopped) {
      parts.push(`With early stopping (patience ${cfg.patience}) the run never stopped early: the validation loss kept improving by more than ${fmtNum(cfg.minDelta)} at least every ${cfg.patience} epochs.`);
    } else {
      numbers.savedEpochs = numbers.fullEpochs - stop;
      parts.push(`Early stopping ended the run at epoch ${stop}, after ${cfg.patience} epochs without an improvement larger than ${fmtNum(cfg.minDelta)}, and saved ${numbers.savedEpochs} epochs; its lowest validation loss was at epoch ${eb}.`);
      parts.push(near
        ? kept === fb.loss
          ? `That is the full run's lowest point: it stopped after the real minimum, not at an early dip.`
          : `Its lowest validation loss, ${fmtNum(kept, 3)}, is within ${fmtPct(R.nearBest - 1)} of the full run's lowest, ${fmtNum(fb.loss, 3)}.`
        : `But its best validation loss, ${fmtNum(kept)}, is above the full run's best of ${fmtNum(fb.loss)}: it stopped at an early dip, before the real minimum.`);
    }
    const at = stopped ? 'at the stop' : 'at the last epoch';
    let keptBetter = restored;
    if (restored) {
      const tf = f.result?.test?.loss;
      const te = es.result?.test?.loss;
      if (tf !== undefined && te !== undefined && Number.isFinite(tf) && Number.isFinite(te)) {
        Object.assign(numbers, { fullTestLoss: tf, earlyTestLoss: te });
        keptBetter = te < tf;
        parts.push(keptBetter
          ? `Restore-best ended with the weights of epoch ${eb} (validation ${pair(kept, numbers.stopValLoss)} ${at}), and on the test points, which neither run chose anything on, that model scored a loss of ${fmtNum(te)} where the full run's last model scored ${fmtNum(tf)}.`
          : `Restore-best ended with the weights of epoch ${eb} (validation ${pair(kept, numbers.stopValLoss)} ${at}), but on the test points that model scored a loss of ${fmtNum(te)}, no better than the ${fmtNum(tf)} of the full run's last model.`);
      } else {
        parts.push(`Restore-best ended with the weights of epoch ${eb}: validation loss ${pair(kept, numbers.stopValLoss)} ${at}.`);
      }
    } else if (stopped) {
      parts.push(cfg.restoreBest
        ? `The best epoch was the last one, so there was nothing to restore.`
        : `Restore-best was off, so it kept the weights of epoch ${stop} (validation ${fmtNum(numbers.stopValLoss)}), not those of epoch ${eb}.`);
    }
    const shown = [stopped, stopped && near, keptBetter];
    const appeared = shown.every(Boolean) ? true : shown.some(Boolean) ? 'partly' : false;
    const reading: Reading = { appeared, sentence: parts.join(' '), numbers };
    if (appeared !== true) {
      reading.advice = 'Early stopping shows on a network that clearly overfits (its validation loss climbs for many epochs after its minimum) trained for several times the epochs it needs. A patience long enough to ride out plateaus (20 epochs here) stops some way after the minimum without being fooled by an early dip; restore-best must be on to keep the minimum.';
    }
    return reading;
  },
};
