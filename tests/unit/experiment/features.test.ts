import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import type { Experiment } from '../../../src/lib/experiment/types';
import { decodeExperiment, encodeExperiment } from '../../../src/lib/experiment/url';
import { fixedValue, validateExperiment } from '../../../src/lib/experiment/validate';
import { resolveModel } from '../../../src/lib/model/spec';
import { createSearch } from '../../../src/lib/search/create';
import { batchKey } from '../../../src/lib/train/batching';
import { trialConfig } from '../../../src/lib/train/config';

const iris = (): Experiment => {
  const e = defaultExperiment();
  e.data.id = 'iris';
  return e;
};

describe('features and top-k in the experiment', () => {
  it('a link carries the kept features and the top-k search', () => {
    const e = iris();
    e.data.features = ['sepal_length_cm', 'petal_length_cm', 'petal_width_cm'];
    e.space.topK = { type: 'int', low: 1, high: 3, log: false };
    expect(decodeExperiment(encodeExperiment(e))).toEqual({ kind: 'ok', experiment: e });
  });

  it('top-k defaults to every feature and reaches the trial\'s model when searched', () => {
    const e = iris();
    expect(fixedValue(e, 'topK')).toBe(0);
    e.space.topK = { type: 'int', low: 1, high: 3, log: false };
    const s = createSearch(e, { accuracy: true }).strategy;
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const p = s.ask([])!;
      const k = resolveModel(e.model, p).topK!;
      expect(k).toBe(p.topK);
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('trials with another top-k never share a batch (their inputs differ)', () => {
    const e = iris();
    const key = (topK?: number) => batchKey(trialConfig(e, 1, topK === undefined ? {} : { topK }));
    expect(key(2)).not.toBe(key(3));
    expect(key(0)).toBe(key());
  });

  it.each([
    [(e: Experiment) => (e.data.features = []), 'data.features', /at least one/],
    [(e: Experiment) => (e.data.features = ['a', 'a']), 'data.features', /twice/],
    [(e: Experiment) => (e.model.topK = -1), 'model.topK', /at least 0/],
    [(e: Experiment) => (e.space.topK = { type: 'float', low: 1, high: 3, log: false }), 'space.topK', /whole number/],
  ] as [(e: Experiment) => void, string, RegExp][])('refuses a bad setting at %#', (edit, path, message) => {
    const e = iris();
    edit(e);
    expect(validateExperiment(e).find((x) => x.path === path)?.message).toMatch(message);
  });
});
