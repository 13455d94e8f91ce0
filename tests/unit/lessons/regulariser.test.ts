import { beforeAll, describe, expect, it } from 'vitest';
import { dropoutLesson } from '../../../src/lib/lessons/dropout';
import { weightDecayLesson } from '../../../src/lib/lessons/weight-decay';
import type { LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, decay, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

const last = (t: LessonTrial) => t.epochs[t.epochs.length - 1];
const argminVal = (t: LessonTrial) => t.epochs.reduce((b, e) => (e.valLoss < b.valLoss ? e : b)).epoch;

describe('dropout lesson', () => {
  it('a real run: dropout 0.5 lowers the final validation loss and closes the gap', async () => {
    const { trials, experiments } = await runLesson(dropoutLesson);
    const r = dropoutLesson.read(trials, ctxOf(dropoutLesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const at = (p: number) => trials.main.find((t) => t.params.dropout === p)!;
    expect(r.numbers).toMatchObject({ plainValue: 0, regValue: 0.5 });
    expect(r.numbers.plainFinalValLoss).toBe(last(at(0)).valLoss);
    expect(r.numbers.regFinalValLoss).toBe(last(at(0.5)).valLoss);
    expect(r.numbers.plainGap).toBe(last(at(0)).valLoss - last(at(0)).trainLoss);
    expect(r.numbers.regGap).toBe(last(at(0.5)).valLoss - last(at(0.5)).trainLoss);
    expect(r.numbers.regFinalValLoss).toBeLessThan(0.95 * r.numbers.plainFinalValLoss);
    expect(r.numbers.regGap).toBeLessThan(0.5 * r.numbers.plainGap);
    expect(r.sentence).toMatch(/^Dropout 0\.5 lowered the final validation loss from [\d.]+ to [\d.]+ and closed the train–validation gap from/);
  }, RUN_TIMEOUT_MS);
});

describe('weight-decay lesson', () => {
  it('a real run: L2 0.01 lowers the final validation loss, closes the gap and delays the validation minimum', async () => {
    const { trials, experiments } = await runLesson(weightDecayLesson);
    const r = weightDecayLesson.read(trials, ctxOf(weightDecayLesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const at = (p: number) => trials.main.find((t) => t.params.l2 === p)!;
    expect(r.numbers).toMatchObject({ plainValue: 0, regValue: 0.01, plainBestEpoch: argminVal(at(0)), regBestEpoch: argminVal(at(0.01)) });
    expect(r.numbers.plainFinalValLoss).toBe(last(at(0)).valLoss);
    expect(r.numbers.regFinalValLoss).toBe(last(at(0.01)).valLoss);
    expect(r.numbers.regBestEpoch).toBeGreaterThan(r.numbers.plainBestEpoch);
    expect(r.sentence).toMatch(/delayed the validation minimum/);
  }, RUN_TIMEOUT_MS);
});

/** An overfitting curve: validation loss bottoms at `best` and climbs to `end`; training loss falls to `train`. */
const overfit = (best: number, end: number, train: number, bestEpoch = 30) => curve(100, (e) => ({
  train: decay(0.7, train, 15)(e),
  val: e <= bestEpoch ? 0.7 - ((0.7 - best) * (e - 1)) / (bestEpoch - 1) : best + ((end - best) * (e - bestEpoch)) / (100 - bestEpoch),
}));
const flat = (val: number, train: number) => curve(100, (e) => ({ train: decay(0.7, train, 15)(e), val: decay(0.7, val, 15)(e) }));

describe('regulariser readings on hand-made trials', () => {
  it.each([
    ['dropout changes nothing', dropoutLesson, 'dropout', [trial(0, { dropout: 0 }, overfit(0.35, 0.6, 0.1)), trial(1, { dropout: 0.5 }, overfit(0.35, 0.6, 0.1))], false, /did not lower .* nor close/],
    ['the plain network does not overfit', dropoutLesson, 'dropout', [trial(0, { dropout: 0 }, flat(0.3, 0.28)), trial(1, { dropout: 0.5 }, flat(0.31, 0.3))], false, /hardly overfitted.*little for dropout to fix/],
    ['lower loss, gap not closed', dropoutLesson, 'dropout', [trial(0, { dropout: 0 }, overfit(0.35, 0.6, 0.1)), trial(1, { dropout: 0.5 }, overfit(0.3, 0.5, 0.05))], 'partly', /lowered .* but did not close/],
    ['L2 lowers and closes but the minimum comes no later', weightDecayLesson, 'l2', [trial(0, { l2: 0 }, overfit(0.35, 0.6, 0.1, 30)), trial(1, { l2: 0.01 }, overfit(0.33, 0.36, 0.3, 20))], 'partly', /did not delay the validation minimum: without L2 .* epoch 30 .* epoch 20/],
    ['L2: one trial', weightDecayLesson, 'l2', [trial(0, { l2: 0 }, overfit(0.35, 0.6, 0.1))], false, /nothing to compare/],
  ] as const)('%s', (_, lesson, __, ts, appeared, words) => {
    const r = lesson.read({ main: ts as readonly LessonTrial[] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });
});
