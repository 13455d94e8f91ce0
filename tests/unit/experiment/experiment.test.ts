import { describe, expect, it } from 'vitest';
import LZString from 'lz-string';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import { checkParamSpec, parseExperiment, validateExperiment } from '../../../src/lib/experiment/validate';
import { decodeExperiment, encodeExperiment, HASH_PREFIX, MAX_HASH_LENGTH } from '../../../src/lib/experiment/url';
import type { Experiment } from '../../../src/lib/experiment/types';

const withEdit = (f: (e: Experiment) => void): Experiment => {
  const e = defaultExperiment();
  f(e);
  return e;
};
const hashOf = (json: string) => HASH_PREFIX + LZString.compressToEncodedURIComponent(json);

describe('validateExperiment', () => {
  it('accepts the default experiment', () => {
    expect(validateExperiment(defaultExperiment())).toEqual([]);
  });

  it.each([
    ['inverted range', (e: Experiment) => (e.space.learningRate = { type: 'float', low: 0.1, high: 0.01, log: true }), 'space.learningRate', /greater than maximum/],
    ['empty range', (e: Experiment) => (e.space.dropout = { type: 'float', low: 0.2, high: 0.2, log: false }), 'space.dropout', /range is empty/],
    ['lr <= 0 in a range', (e: Experiment) => (e.space.learningRate = { type: 'float', low: 0, high: 0.1, log: false }), 'space.learningRate', /greater than 0/],
    ['log range from 0', (e: Experiment) => (e.space.l2 = { type: 'float', low: 0, high: 0.1, log: true }), 'space.l2', /log range needs a minimum above 0/],
    ['empty choices', (e: Experiment) => (e.space.batchSize = { type: 'categorical', choices: [] }), 'space.batchSize', /empty/],
    ['dropout >= 1', (e: Experiment) => (e.space.dropout = { type: 'float', low: 0, high: 1, log: false }), 'space.dropout', /less than 1/],
    ['non-integer batch choice', (e: Experiment) => (e.space.batchSize = { type: 'categorical', choices: [16, 2.5] }), 'space.batchSize', /whole number/],
    ['NaN typed as a choice', (e: Experiment) => (e.space.units = { type: 'categorical', choices: [8, NaN] }), 'space.units', /must be a number/],
    ['unknown optimizer choice', (e: Experiment) => (e.space.optimizer = { type: 'categorical', choices: ['adam', 'lbfgs'] }), 'space.optimizer', /must be one of/],
    ['fixed lr <= 0', (e: Experiment) => (e.model.learningRate = 0), 'model.learningRate', /greater than 0/],
    ['fixed lr empty (NaN)', (e: Experiment) => (e.model.learningRate = NaN), 'model.learningRate', /must be a number/],
    ['fixed dropout 1', (e: Experiment) => (e.model.dropout = 1), 'model.dropout', /less than 1/],
    ['zero units', (e: Experiment) => (e.model.layers[1].units = 0), 'model.layers.1.units', /between 1 and/],
    ['noise 60%', (e: Experiment) => (e.data.noise = 0.6), 'data.noise', /between 0 and 50%/],
    ['val split 95%', (e: Experiment) => (e.data.valFraction = 0.95), 'data.valFraction', /between 10% and 90%/],
    ['budget 0', (e: Experiment) => (e.strategy.budget = 0), 'strategy.budget', /between 1 and/],
    ['2 folds', (e: Experiment) => (e.strategy.validation = { scheme: 'kfold', k: 2 }), 'strategy.validation.k', /between 3 and 10/],
    ['eta 1', (e: Experiment) => (e.strategy.pruner = { ...e.strategy.pruner, kind: 'asha', eta: 1 }), 'strategy.pruner.eta', /between 2 and/],
    ['first rung after the last epoch', (e: Experiment) => (e.strategy.pruner = { ...e.strategy.pruner, kind: 'asha', minEpochs: 500 }), 'strategy.pruner.minEpochs', /below the 80 epochs/],
    ['patience 0', (e: Experiment) => (e.strategy.earlyStopping = { ...e.strategy.earlyStopping, enabled: true, patience: 0 }), 'strategy.earlyStopping.patience', /between 1 and/],
    ['test split 60%', (e: Experiment) => (e.data.testFraction = 0.6), 'data.testFraction', /0 \(none\) or between 10% and 40%/],
    ['6 repeats', (e: Experiment) => (e.strategy.repeats = 6), 'strategy.repeats', /between 1 and 5/],
    ['unknown dataset', (e: Experiment) => (e.data.id = 'nope'), 'data.id', /Unknown dataset/],
  ])('refuses %s at the field, with a reason', (_name, edit, path, message) => {
    const errs = validateExperiment(withEdit(edit));
    const hit = errs.find((x) => x.path === path);
    expect(hit, JSON.stringify(errs)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it('checks int and categorical spec kinds', () => {
    expect(checkParamSpec('units', { type: 'float', low: 4, high: 8, log: false })).toMatch(/whole number/);
    expect(checkParamSpec('optimizer', { type: 'int', low: 1, high: 2, log: false })).toMatch(/list of choices/);
    expect(checkParamSpec('units', { type: 'int', low: 4, high: 64, log: true })).toBe('');
  });
});

describe('URL codec', () => {
  it('round-trips the default and an edited experiment exactly', () => {
    for (const e of [defaultExperiment(), withEdit((x) => {
      x.data.id = 'penguins';
      x.model.layers = [{ units: 7, activation: 'sigmoid' }];
      x.space.optimizer = { type: 'categorical', choices: ['sgd', 'rmsprop'] };
      x.space.batchSize = { type: 'categorical', choices: [8, 128] };
      x.strategy = { ...x.strategy, kind: 'grid', budget: 30, concurrency: 3, seed: 99, gridPoints: 4, repeats: 2, validation: { scheme: 'kfold', k: 4 } };
      x.strategy.pruner = { kind: 'asha', minEpochs: 3, eta: 2, warmupTrials: 4, warmupEpochs: 5 };
      x.strategy.earlyStopping = { enabled: true, patience: 7, minDelta: 0.01, restoreBest: false };
      x.data.testFraction = 0.25;
      x.backend = 'wasm';
    })]) {
      const r = decodeExperiment('#' + encodeExperiment(e));
      expect(r).toEqual({ kind: 'ok', experiment: e });
    }
  });

  it('treats an empty hash as empty', () => {
    expect(decodeExperiment('')).toEqual({ kind: 'empty' });
    expect(decodeExperiment('#')).toEqual({ kind: 'empty' });
  });

  it.each([
    ['a foreign hash', '#section-2', /not a Hyperparameter Playground link/],
    ['an unknown version', '#x9=abc', /format version 9/],
    ['undecodable data', '#x1=%%%%', /damaged/],
    ['truncated data', '#' + encodeExperiment(defaultExperiment()).slice(0, 40), /damaged|invalid/],
    ['not JSON', '#' + hashOf('{"version": 1,'), /not valid JSON/],
    ['a JSON array', '#' + hashOf('[1,2,3]'), /invalid settings/],
    ['a missing field', '#' + hashOf(JSON.stringify({ ...defaultExperiment(), model: undefined })), /model/],
    ['an extra field', '#' + hashOf(JSON.stringify({ ...defaultExperiment(), evil: '<script>' })), /evil/],
    ['a prototype-pollution attempt', '#' + hashOf('{"__proto__": {"polluted": 1}, "version": 1}'), /invalid settings/],
    ['a wrong type', '#' + hashOf(JSON.stringify(withEdit((e) => ((e.strategy as unknown as { budget: string }).budget = 'lots')))), /strategy\.budget/],
    ['semantically invalid values', '#' + hashOf(JSON.stringify(withEdit((e) => (e.space.learningRate = { type: 'float', low: 1, high: 0.1, log: true })))), /greater than maximum/],
    ['too many layers', '#' + hashOf(JSON.stringify(withEdit((e) => (e.model.layers = Array.from({ length: 50 }, () => ({ units: 4, activation: 'relu' })))))), /layers/],
    ['an over-long hash', '#x1=' + 'A'.repeat(MAX_HASH_LENGTH + 10), /too long/],
  ])('explains %s instead of throwing', (_name, hash, message) => {
    const r = decodeExperiment(hash);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('opens links made before the pruner, early-stopping, validation, repeats and test fields existed', () => {
    const old = JSON.parse(JSON.stringify(defaultExperiment()));
    for (const k of ['pruner', 'earlyStopping', 'validation', 'repeats']) delete old.strategy[k];
    delete old.data.testFraction;
    const r = decodeExperiment('#' + hashOf(JSON.stringify(old)));
    expect(r).toEqual({ kind: 'ok', experiment: defaultExperiment() });
  });

  it('parseExperiment rejects non-objects', () => {
    for (const x of [null, 42, 'x', undefined, []]) expect(parseExperiment(x).ok).toBe(false);
  });
});
