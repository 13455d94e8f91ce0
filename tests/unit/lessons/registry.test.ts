import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { decodeExperiment, encodeExperiment } from '../../../src/lib/experiment/url';
import { parseExperiment, validateExperiment } from '../../../src/lib/experiment/validate';
import { searchedParams } from '../../../src/lib/experiment/params';
import { categoricalGridSize, mainExperiment, presetContext } from '../../../src/lib/lessons/preset';
import { getLesson, LESSONS } from '../../../src/lib/lessons/registry';
import { LESSON_LEVELS, type LessonTrial } from '../../../src/lib/lessons/types';
import { paramCount, outputUnits, resolveModel } from '../../../src/lib/model/spec';
import type { TrialSnapshot } from '../../../src/lib/study/record';
import type { StudyTrial } from '../../../src/lib/study/types';
import { assumedSamplesPerSec, estimateSweep } from '../../../src/lib/train/estimate';
import { foldData } from './harness';

const every = LESSONS.flatMap((l) => l.runs.map((r) => [l.id, r.id, r.experiment] as const));

describe('lesson registry', () => {
  it('lists the nine lessons once each, with what the lesson list shows', () => {
    expect(LESSONS.map((l) => l.id)).toEqual([
      'learning-rate', 'batch-size', 'capacity', 'dropout', 'weight-decay', 'early-stopping', 'kfold', 'strategies', 'winners-curse',
    ]);
    const levels = LESSONS.map((l) => LESSON_LEVELS.indexOf(l.level));
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    for (const l of LESSONS) {
      expect(l.id).toMatch(/^[a-z0-9-]+$/);
      expect(getLesson(l.id)).toBe(l);
      expect(LESSON_LEVELS).toContain(l.level);
      expect(l.minutes).toBeGreaterThan(0);
      expect(l.minutes).toBeLessThanOrEqual(1);
      expect(l.title.length).toBeGreaterThan(5);
      expect(l.mission.length).toBeGreaterThan(40);
      expect(l.lookAt.length).toBeGreaterThan(20);
      expect(l.questions.length).toBeGreaterThanOrEqual(1);
      expect(l.questions.length).toBeLessThanOrEqual(2);
      expect(l.runs.length).toBeGreaterThanOrEqual(1);
      expect(new Set(l.runs.map((r) => r.id)).size).toBe(l.runs.length);
      for (const r of l.runs) expect(r.id).toMatch(/^[a-z0-9-]+$/);
      expect(mainExperiment(l)).toBe(l.runs[0].experiment);
      // Every run of a lesson trains on the same points, so the page loads the data once.
      for (const r of l.runs) expect(r.experiment.data).toEqual(l.runs[0].experiment.data);
    }
    expect(getLesson('nope')).toBeUndefined();
  });

  it.each(every)('%s / %s: a valid experiment that survives a link and a file', (_, __, e) => {
    expect(validateExperiment(e)).toEqual([]);
    const parsed = parseExperiment(JSON.parse(JSON.stringify(e)));
    expect(parsed).toEqual({ ok: true, experiment: e });
    expect(decodeExperiment(encodeExperiment(e))).toEqual({ kind: 'ok', experiment: e });
  });

  it.each(every)('%s / %s: a grid over choices runs every choice exactly once', (_, __, e) => {
    const size = categoricalGridSize(e.space);
    if (e.strategy.kind === 'grid' && size !== null && searchedParams(e.space).length > 0) expect(e.strategy.budget).toBe(size);
  });

  it.each(LESSONS.map((l) => [l.id, l] as const))('%s: the app\'s own estimate, at the rate it assumes before measuring and on one worker, is within the lesson\'s minutes', (_, l) => {
    let seconds = 0;
    for (const r of l.runs) {
      const d = foldData(r.experiment)[0];
      const base = resolveModel(r.experiment.model, {});
      const rate = { samplesPerSec: assumedSamplesPerSec(paramCount(base.layers, d.d, outputUnits(d.task, d.nClasses))), workers: 1, measured: false };
      seconds += estimateSweep(r.experiment, { d: d.d, nClasses: d.nClasses, task: d.task, nTrain: d.yTrain.length, nVal: d.yVal.length }, rate).seconds;
    }
    expect(seconds).toBeLessThanOrEqual(l.minutes * 60);
  });

  it('presetContext maps every run to its experiment', () => {
    for (const l of LESSONS) {
      const ctx = presetContext(l);
      expect(Object.keys(ctx.experiments)).toEqual(l.runs.map((r) => r.id));
      expect(ctx.metric).toBe('valAcc');
    }
  });

  it('reads the page\'s trials and saved trials as they are', () => {
    expectTypeOf<StudyTrial>().toMatchTypeOf<LessonTrial>();
    expectTypeOf<TrialSnapshot>().toMatchTypeOf<LessonTrial>();
  });

  it('src/lib/lessons stays pure: no tfjs, no Svelte, no UI, no trainer', () => {
    const dir = fileURLToPath(new URL('../../../src/lib/lessons/', import.meta.url));
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      const imports = [...readFileSync(dir + f, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      for (const i of imports) expect(i, `${f} imports ${i}`).not.toMatch(/tensorflow|svelte|\/ui\/|\/train\/(batched|trainer|pool|worker)/);
    }
  });
});
