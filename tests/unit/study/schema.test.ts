import { describe, expect, it } from 'vitest';
import { decodeStudyFile, STUDY_FORMAT } from '../../../src/lib/study/file';
import { migrate, MIGRATIONS, type Migration } from '../../../src/lib/study/migrate';
import { canResume, interruptedTrials, makeStudyId, newStudy, storeTrial, trialResultOf, withTrials } from '../../../src/lib/study/record';
import { parseStudy } from '../../../src/lib/study/schema';
import { logProblem } from '../../../src/lib/study/log';
import { STUDY_VERSION, type SearchEvent } from '../../../src/lib/study/types';
import { experimentWith, simulatedStudy } from './fixtures';

const study = simulatedStudy(experimentWith('gp', 'median', { budget: 6, epochs: 4 }));
const jsonOf = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('Study record schema', () => {
  it('round-trips through JSON unchanged', () => {
    expect(parseStudy(jsonOf(study))).toEqual({ kind: 'ok', study });
  });

  it('keeps only known keys and sorts trials by id', () => {
    const doc = jsonOf({ ...study, extra: 1, trials: [...study.trials].reverse().map((t) => ({ ...t, secret: 'x' })) });
    const r = parseStudy(doc);
    expect(r).toEqual({ kind: 'ok', study });
  });

  it('stores a TrialResult and gives it back (surface to 1/255, per-run curves dropped)', () => {
    const boundary = Float32Array.from({ length: 9 }, (_, i) => i / 8);
    const t = study.trials[0];
    const stored = storeTrial({ ...t, result: { trialId: t.id, status: 'complete', epochs: t.epochs, backend: 'wasm', timeMs: 12, boundary, runs: [{ status: 'complete', epochs: t.epochs }] } });
    const back = trialResultOf(stored)!;
    expect(back).toMatchObject({ trialId: t.id, status: 'complete', backend: 'wasm', timeMs: 12, epochs: t.epochs, runs: [{ status: 'complete', epochs: [] }] });
    back.boundary!.forEach((v, i) => expect(Math.abs(v - boundary[i])).toBeLessThanOrEqual(0.5 / 255 + 1e-6));
    expect(trialResultOf({ ...t, result: undefined })).toBeUndefined();
  });

  it('updates a record without mutating it', () => {
    const s = newStudy({ id: makeStudyId(1_700_000_000_000, () => 0.5), now: 1, experiment: experimentWith('random'), metric: 'valAcc' });
    expect(s.id).toMatch(/^[a-z0-9]+-i{8}$/);
    const next = withTrials(s, [...study.trials].reverse(), study.log, 2, [{ dropout: 0.1 }]);
    expect(s.trials).toEqual([]);
    expect(next.trials.map((t) => t.id)).toEqual(study.trials.map((t) => t.id));
    expect(next).toMatchObject({ updatedAt: 2, createdAt: 1, queued: [{ dropout: 0.1 }] });
    expect(canResume(next)).toBe(true);
    expect(interruptedTrials({ ...next, trials: [{ ...next.trials[0], state: 'running' }] })).toHaveLength(1);
  });

  it.each<[string, SearchEvent[], RegExp | '']>([
    ['a good log', [{ k: 'ask', id: 0, params: {} }, { k: 'epoch', id: 0, epoch: 1, objective: 1 }, { k: 'wait' }, { k: 'tell', id: 0, outcome: { state: 'complete', objective: 1, curve: [1] } }], ''],
    ['an id asked twice', [{ k: 'ask', id: 0, params: {} }, { k: 'ask', id: 0, params: {} }], /second time/],
    ['an epoch of an unknown trial', [{ k: 'epoch', id: 3, epoch: 1, objective: 1 }], /not running/],
    ['epochs going back', [{ k: 'ask', id: 0, params: {} }, { k: 'epoch', id: 0, epoch: 2, objective: 1 }, { k: 'epoch', id: 0, epoch: 1, objective: 1 }], /after epoch 2/],
    ['a tell after a drop', [{ k: 'ask', id: 0, params: {} }, { k: 'drop', id: 0 }, { k: 'tell', id: 0, outcome: { state: 'failed', objective: NaN, curve: [] } }], /not running/],
  ])('logProblem: %s', (_, log, expected) => {
    expect(logProblem(log)).toMatch(expected);
  });
});

/** A synthetic older format: v0 had `title` and ISO dates, and trials without epochs. */
const V0_TO_V1: Migration = {
  from: 0,
  note: 'title -> name; ISO dates -> ms; epochs default to [].',
  up: ({ title, created, trials, ...rest }) => ({
    ...rest,
    name: title,
    createdAt: Date.parse(String(created)),
    updatedAt: Date.parse(String(created)),
    trials: (trials as Record<string, unknown>[]).map((t) => ({ epochs: [], ...t })),
  }),
};

describe('migrations', () => {
  const v1 = jsonOf(study) as Record<string, unknown>;
  const { name: _name, createdAt: _c, updatedAt: _u, ...rest } = v1;
  const v0 = { ...rest, version: 0, title: 'Old study', created: '2024-01-02T03:04:05.000Z', trials: (v1.trials as Record<string, unknown>[]).map(({ epochs: _e, ...t }) => t) };

  it('the app has no migration yet: version 1 is the first', () => {
    expect(STUDY_VERSION).toBe(1);
    expect(MIGRATIONS).toEqual([]);
  });

  it('brings a v0 file to v1 through the migration table and validates it', () => {
    const r = decodeStudyFile(JSON.stringify({ format: STUDY_FORMAT, ...v0 }), { migrations: [V0_TO_V1] });
    if (r.kind === 'error') throw new Error(r.message);
    expect(r.study).toMatchObject({ version: 1, name: 'Old study', createdAt: Date.parse('2024-01-02T03:04:05.000Z') });
    expect(r.study.trials.every((t) => t.epochs.length === 0)).toBe(true);
    expect(r.study.log).toEqual(study.log);
  });

  it('runs the steps in order up to the target and does not touch the input', () => {
    const steps: Migration[] = [
      { from: 1, note: 'b', up: (d) => ({ ...d, trail: `${d.trail}b` }) },
      { from: 0, note: 'a', up: (d) => ({ ...d, trail: 'a' }) },
    ];
    const doc = { version: 0 };
    expect(migrate(doc, steps, 2)).toEqual({ ok: true, from: 0, doc: { version: 2, trail: 'ab' } });
    expect(doc).toEqual({ version: 0 });
  });

  it.each([
    ['a newer version', { version: 3 }, [], /newer version.*format 3/],
    ['a missing step', { version: 0 }, [], /format 0 is too old/],
    ['a step that throws', { version: 0 }, [{ from: 0, note: '', up: () => { throw new Error('boom'); } }], /from format 0 to 1 \(boom\)/],
    ['a step that returns no object', { version: 0 }, [{ from: 0, note: '', up: () => [] as unknown as Record<string, unknown> }], /gave no study/],
    ['no version', { version: 1.5 }, [], /no valid version/],
  ] as const)('explains %s', (_, doc, steps, message) => {
    const r = migrate(doc, steps as readonly Migration[], 1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
