import { describe, expect, it } from 'vitest';
import { memoryStudyStore, summarize } from '../../../src/lib/study/store';
import { newStudy, withTrials } from '../../../src/lib/study/record';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import type { StudyTrial } from '../../../src/lib/study/types';

const epochs = (acc: number) => [{ epoch: 1, trainLoss: 0.5, valLoss: 0.6, trainAcc: acc, valAcc: acc, elapsedMs: 10 }];
const trial = (id: number, acc: number, state: StudyTrial['state'] = 'complete'): StudyTrial => ({ id, params: {}, state, epochs: epochs(acc) });

describe('study store', () => {
  it('summarises a study: finished trials, what is left, the best final metric', () => {
    const s = withTrials(newStudy({ id: 'a', now: 1, experiment: defaultExperiment(), metric: 'valAcc' }), [trial(0, 0.8), trial(1, 0.9), trial(2, 0.99, 'running')], [], 2);
    const sum = summarize(s, 1234);
    expect(sum).toMatchObject({ id: 'a', trials: 2, unfinished: defaultExperiment().strategy.budget - 2, best: '90.0% val acc.', bytes: 1234 });
  });

  it('keeps, lists newest first, and forgets', async () => {
    const store = memoryStudyStore();
    const a = newStudy({ id: 'a', now: 1, experiment: defaultExperiment(), metric: 'valAcc' });
    const b = { ...newStudy({ id: 'b', now: 5, experiment: defaultExperiment(), metric: 'valLoss' }), name: 'B' };
    await store.put(a);
    await store.put(b);
    expect((await store.list()).map((x) => x.id)).toEqual(['b', 'a']);
    expect((await store.get('b'))?.name).toBe('B');
    await store.delete('b');
    expect(await store.get('b')).toBeUndefined();
    expect((await store.list()).map((x) => x.id)).toEqual(['a']);
  });
});

describe('compareRuns', () => {
  it.each([
    ['the same finals (to the link\'s 4 digits)', 0.91234, 0.91231, 'exact'],
    ['a small difference', 0.9123, 0.9023, 'close'],
    ['a large difference', 0.9123, 0.5, 'different'],
  ] as const)('%s', async (_, a, b, verdict) => {
    const { compareRuns } = await import('../../../src/lib/study/rerun');
    const linked = { ...withTrials(newStudy({ id: 'l', now: 1, experiment: defaultExperiment(), metric: 'valAcc' }), [trial(0, Number(a.toPrecision(4)))], [], 1), origin: 'link' as const };
    const fresh = withTrials(newStudy({ id: 'f', now: 1, experiment: defaultExperiment(), metric: 'valAcc' }), [trial(0, b)], [], 1);
    const r = compareRuns(linked, fresh, ['wasm']);
    expect(r.verdict).toBe(verdict);
    expect(r.compared).toBe(1);
  });
});

describe('storageError', () => {
  it('names a full disk and tells what to do', async () => {
    const { storageError } = await import('../../../src/lib/study/store');
    const full = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    const e = storageError(full);
    expect(e.reason).toBe('quota');
    expect(e.message).toMatch(/storage for this site is full: delete or save to a file some studies/);
    expect(storageError(new Error('boom')).reason).toBe('other');
  });
});
