import { describe, expect, it } from 'vitest';
import { leaderboard, whyTestScore, commonSettings } from '../../src/lib/study/classroom';
import { decodeTeacherLink, encodeTeacherLink } from '../../src/lib/classroom/teacher-link';
import { newStudy, withTrials } from '../../src/lib/study/record';
import { defaultExperiment } from '../../src/lib/experiment/defaults';
import type { StudyRecord, StudyTrial } from '../../src/lib/study/types';
import fc from 'fast-check';

const trial = (id: number, val: number, test: number, lr: number): StudyTrial => ({
  id, params: { learningRate: lr }, state: 'complete',
  epochs: [{ epoch: 1, trainLoss: 0.3, valLoss: 0.4, trainAcc: val, valAcc: val, elapsedMs: 1 }],
  result: { status: 'complete', backend: 'wasm', timeMs: 1, test: { loss: 0.4, acc: test } },
});
const studyOf = (author: string, trials: StudyTrial[]): StudyRecord =>
  ({ ...withTrials(newStudy({ id: author, now: 1, experiment: defaultExperiment(), metric: 'valAcc' }), trials, [], 1), author });

describe('leaderboard', () => {
  it('takes each student\'s best trial by validation and ranks by its test score', () => {
    const rows = leaderboard([
      studyOf('Ann', [trial(0, 0.9, 0.7, 0.01), trial(1, 0.8, 0.85, 0.1)]),
      studyOf('Bob', [trial(0, 0.85, 0.8, 0.02)]),
    ]);
    expect(rows.map((r) => [r.student, r.val, r.test])).toEqual([['Bob', 85, 80], ['Ann', 90, 70]]);
    expect(rows[1].optimism).toBeCloseTo(20);
    expect(whyTestScore(rows, 'valAcc')).toMatch(/flattered the winners by 12\.5 percentage points on average \(up to 20\.0\)/);
  });

  it('names what the top students share', () => {
    const studies = ['A', 'B', 'C', 'D', 'E'].map((n, i) => studyOf(n, [trial(0, 0.9 - i * 0.01, 0.9 - i * 0.01, i < 3 ? 0.01 * (1 + i * 0.1) : 0.5 + i)]));
    expect(commonSettings(studies, leaderboard(studies)).join()).toMatch(/^Learning rate between 0\.01 and 0\.012/);
  });
});

describe('teacher links', () => {
  it('round-trips the experiment, mission, locks and projector mode', () => {
    const setup = { experiment: defaultExperiment(), mission: 'Overfit, then fix it.', lesson: 'dropout', locks: { network: 'locked' as const, data: 'hidden' as const }, projector: true };
    const r = decodeTeacherLink('#' + encodeTeacherLink(setup));
    expect(r).toEqual({ kind: 'ok', setup, notes: [] });
  });

  it('never throws on hostile input, and always says why', () => {
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (s) => {
      const r = decodeTeacherLink(`#t1=${s}`);
      expect(r.kind === 'ok' || r.message.length > 0).toBe(true);
    }), { numRuns: 300 });
  });
});
