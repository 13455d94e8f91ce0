import { beforeAll, describe, expect, it } from 'vitest';
import { median } from '../../../src/lib/analysis/stats';
import { batchSizeLesson as lesson } from '../../../src/lib/lessons/batch-size';
import { valRoughness } from '../../../src/lib/lessons/measure';
import type { LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, decay, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

describe('batch-size lesson', () => {
  it('a real run: batch 4 takes several times as long per epoch as batch 128 and its curve is rougher', async () => {
    const { trials, experiments } = await runLesson(lesson);
    const r = lesson.read(trials, ctxOf(lesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const at = (b: number) => trials.main.find((t) => t.params.batchSize === b)!;
    const steps = (t: LessonTrial) => t.epochs.slice(1).map((e, i) => e.elapsedMs - t.epochs[i].elapsedMs);
    expect(r.numbers).toMatchObject({ smallBatch: 4, largeBatch: 128 });
    expect(r.numbers.smallMsPerEpoch).toBe(median(steps(at(4))));
    expect(r.numbers.largeMsPerEpoch).toBe(median(steps(at(128))));
    expect(r.numbers.timeRatio).toBeGreaterThan(2);
    expect(r.numbers.smallRoughness).toBe(valRoughness(at(4).epochs));
    expect(r.numbers.smallRoughness).toBeGreaterThan(2 * r.numbers.largeRoughness);
    expect(r.numbers.largeFinalValLoss).toBe(at(128).epochs[29].valLoss);
  }, RUN_TIMEOUT_MS);

  const bs = (v: number) => ({ batchSize: v });
  const smooth = (id: number, b: number, ms: number) => trial(id, bs(b), curve(30, (e) => ({ train: decay(0.7, 0.2, 5)(e), val: decay(0.7, 0.25, 5)(e) }), ms));
  const jagged = (id: number, b: number, ms: number) => trial(id, bs(b), curve(30, (e) => ({ train: 0.25, val: e % 2 ? 0.25 : 0.35 }), ms));

  it.each([
    ['same speed, same smoothness', [smooth(0, 4, 10), smooth(1, 128, 10)], false, /no clear difference in speed.*about as jagged/],
    ['slower, but just as smooth', [smooth(0, 4, 40), smooth(1, 128, 2)], 'partly', /20 times as long.*about as jagged/],
    ['rougher, but no slower', [jagged(0, 4, 10), smooth(1, 128, 10)], 'partly', /no clear difference in speed.*smoother curve/],
    ['both', [jagged(0, 4, 40), smooth(1, 32, 8), smooth(2, 128, 2)], true, /20 times as long.*smoother curve/],
    ['one batch size', [smooth(0, 4, 10)], false, /nothing to compare/],
  ] as const)('%s', (_, ts, appeared, words) => {
    const r = lesson.read({ main: ts as readonly LessonTrial[] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });
});
