/**
 * Lesson: dropout. A wide network overfits 75 noisy training points; the same network with dropout
 * 0.5 overfits less. The reading reads the loss: final validation loss and the train–validation gap.
 */
import { readRegulariser } from './regulariser';
import { runTrials } from './measure';
import { OVERFIT_PRESET, preset } from './preset';
import type { Lesson } from './types';

const RUN = 'main';

const experiment = preset({ ...OVERFIT_PRESET, search: { dropout: { type: 'categorical', choices: [0, 0.5] } } });

/** Lesson 4: dropout reduces overfitting. */
export const dropoutLesson: Lesson = {
  id: 'dropout',
  title: 'Dropout against overfitting',
  level: 'beginner',
  minutes: 1,
  mission: 'Make the model overfit, then fix it with dropout: the same wide network on 75 noisy training points, once without dropout and once with dropout 0.5.',
  lookAt: 'The gap between the training and the validation loss curves, and where the validation loss turns up. (The training loss of the dropout trial is measured with dropout switched on, so it sits higher.)',
  questions: [
    'Without dropout, the training loss keeps falling. Why does the validation loss turn up?',
    'Dropout makes training worse on purpose. Why can that make the model better on new points?',
  ],
  runs: [{ id: RUN, label: 'Dropout 0 and 0.5', experiment }],
  read(trials, ctx) {
    return readRegulariser(runTrials(trials, RUN), ctx.experiments[RUN] ?? experiment, {
      param: 'dropout',
      name: 'dropout',
      delay: false,
      negativeGap: 'The gap with dropout is below zero because its training loss is measured while dropout switches units off; the validation loss is measured with every unit on.',
      advice: 'Dropout shows most when a wide network overfits a small, noisy training set: fewer training points, more label noise, more units or more epochs make the gap open up without it. If the plain network did not overfit, there was nothing for dropout to fix.',
    });
  },
};
