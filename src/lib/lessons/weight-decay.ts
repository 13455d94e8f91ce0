/**
 * Lesson: L2 (weight decay). The overfitting network of the dropout lesson, without and with an L2
 * penalty: the penalty keeps the weights small, so the validation loss ends lower, the gap narrows,
 * and the validation loss turns up later (or not at all).
 */
import { runTrials } from './measure';
import { OVERFIT_PRESET, preset } from './preset';
import { readRegulariser } from './regulariser';
import type { Lesson } from './types';

const RUN = 'main';

const experiment = preset({ ...OVERFIT_PRESET, search: { l2: { type: 'categorical', choices: [0, 0.01] } } });

/** Lesson 5: L2 / weight decay reduces overfitting and delays the validation minimum. */
export const weightDecayLesson: Lesson = {
  id: 'weight-decay',
  title: 'L2 weight decay',
  level: 'intermediate',
  minutes: 1,
  mission: 'Train the overfitting network again, once without and once with an L2 penalty of 0.01 on its weights, and see whether the penalty holds the overfitting back.',
  lookAt: 'The validation-loss curves: where each one is lowest, and how fast it climbs afterwards. Then the gap to the training loss at the end.',
  questions: [
    'An L2 penalty makes large weights expensive. Why would a network with small weights overfit less?',
    'What would happen with a much larger penalty, say 1?',
  ],
  runs: [{ id: RUN, label: 'L2 0 and 0.01', experiment }],
  read(trials, ctx) {
    return readRegulariser(runTrials(trials, RUN), ctx.experiments[RUN] ?? experiment, {
      param: 'l2',
      name: 'L2',
      delay: true,
      advice: 'L2 shows when the plain network clearly overfits (a small, noisy training set and a wide network) and the penalty is strong enough to matter: 1e-4 barely changes a network this size, 0.01 does; far larger penalties make it underfit instead.',
    });
  },
};
