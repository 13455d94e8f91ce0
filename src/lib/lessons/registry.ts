/**
 * Every lesson of "The classroom", in the order the lesson list shows them: by level (beginner,
 * intermediate, advanced), each building on the ones before.
 * Adding a lesson = one file + one line here.
 */
import { batchSizeLesson } from './batch-size';
import { capacityLesson } from './capacity';
import { dropoutLesson } from './dropout';
import { earlyStoppingLesson } from './early-stopping';
import { kfoldLesson } from './kfold';
import { learningRateLesson } from './learning-rate';
import { strategiesLesson } from './strategies';
import { weightDecayLesson } from './weight-decay';
import { winnersCurseLesson } from './winners-curse';
import type { Lesson } from './types';

/** The lessons, in display order. */
export const LESSONS: readonly Lesson[] = [
  learningRateLesson,
  batchSizeLesson,
  capacityLesson,
  dropoutLesson,
  weightDecayLesson,
  earlyStoppingLesson,
  kfoldLesson,
  strategiesLesson,
  winnersCurseLesson,
];

/** The lesson with id `id`, or undefined. */
export function getLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
