import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compatible,
  containsInternal,
  distributionJson,
  distributionOfSpec,
  parseDistribution,
  toExternal,
  toInternal,
  type OptunaDistribution,
} from '../../../src/lib/interop/optuna-distributions';

describe('distributionJson: the text optuna.distributions.distribution_to_json writes (copied from an Optuna 3.1 journal)', () => {
  it.each([
    [{ type: 'float', low: 0.001, high: 0.1, log: true }, '{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.001, "high": 0.1, "log": true}}'],
    [{ type: 'float', low: 0, high: 1, log: false }, '{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0, "high": 1.0, "log": false}}'],
    [{ type: 'float', low: 1e-6, high: 0.01, log: true }, '{"name": "FloatDistribution", "attributes": {"step": null, "low": 1e-06, "high": 0.01, "log": true}}'],
    [{ type: 'int', low: 4, high: 32, log: true }, '{"name": "IntDistribution", "attributes": {"log": true, "step": 1, "low": 4, "high": 32}}'],
    [{ type: 'categorical', choices: ['sgd', 'adam'] }, '{"name": "CategoricalDistribution", "attributes": {"choices": ["sgd", "adam"]}}'],
    [{ type: 'categorical', choices: [8, 16, 32] }, '{"name": "CategoricalDistribution", "attributes": {"choices": [8, 16, 32]}}'],
  ] as const)('%j', (spec, text) => {
    expect(distributionJson(distributionOfSpec(structuredClone(spec) as never))).toBe(text);
  });
});

describe('parseDistribution', () => {
  it.each([
    ['{"name": "UniformDistribution", "attributes": {"low": 0, "high": 2}}', { name: 'FloatDistribution', low: 0, high: 2, log: false, step: null }],
    ['{"name": "LogUniformDistribution", "attributes": {"low": 0.1, "high": 2}}', { name: 'FloatDistribution', low: 0.1, high: 2, log: true, step: null }],
    ['{"name": "DiscreteUniformDistribution", "attributes": {"low": 0, "high": 1, "q": 0.25}}', { name: 'FloatDistribution', low: 0, high: 1, log: false, step: 0.25 }],
    ['{"name": "IntUniformDistribution", "attributes": {"low": 1, "high": 9, "step": 2}}', { name: 'IntDistribution', low: 1, high: 9, log: false, step: 2 }],
    ['{"name": "IntLogUniformDistribution", "attributes": {"low": 1, "high": 64, "step": 1}}', { name: 'IntDistribution', low: 1, high: 64, log: true, step: 1 }],
    ['{"type": "float", "low": 0.5, "high": 1.5, "log": false}', { name: 'FloatDistribution', low: 0.5, high: 1.5, log: false, step: null }],
    ['{"type": "int", "low": 1, "high": 3}', { name: 'IntDistribution', low: 1, high: 3, log: false, step: 1 }],
    ['{"type": "categorical", "choices": ["a", null, true, 1.5]}', { name: 'CategoricalDistribution', choices: ['a', null, true, 1.5] }],
  ])('%s', (text, dist) => {
    expect(parseDistribution(text)).toEqual(dist);
  });

  it('reads back what distributionJson writes', () => {
    const specs = fc.oneof(
      fc.record({ type: fc.constant('float' as const), low: fc.double({ min: 1e-6, max: 1, noNaN: true }), high: fc.double({ min: 1, max: 100, noNaN: true }), log: fc.boolean() }),
      fc.record({ type: fc.constant('int' as const), low: fc.integer({ min: 1, max: 10 }), high: fc.integer({ min: 10, max: 1000 }), log: fc.boolean() }),
      fc.record({ type: fc.constant('categorical' as const), choices: fc.uniqueArray(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { minLength: 1, maxLength: 6 }) }),
    );
    fc.assert(fc.property(specs, (spec) => {
      const d = distributionOfSpec(spec);
      expect(parseDistribution(distributionJson(d))).toEqual(d);
    }));
  });

  it.each([
    ['not json', /not valid JSON/], ['[1]', /not an object/], ['{"name": "BetaDistribution", "attributes": {}}', /not a distribution/],
    ['{"name": "FloatDistribution", "attributes": {"low": 2, "high": 1, "log": false}}', /above its high/],
    ['{"name": "FloatDistribution", "attributes": {"low": 0, "high": 1, "log": true}}', /log range/],
    ['{"name": "IntDistribution", "attributes": {"low": 0.5, "high": 1}}', /whole numbers/],
    ['{"name": "CategoricalDistribution", "attributes": {"choices": []}}', /choices/],
    ['{"name": "CategoricalDistribution", "attributes": {"choices": [[1]]}}', /choices/],
    [42, /not an object/],
  ])('refuses %j', (input, why) => {
    expect(parseDistribution(input)).toMatch(why);
  });
});

describe('values', () => {
  const f: OptunaDistribution = { name: 'FloatDistribution', low: 0, high: 1, log: false, step: 0.25 };
  const i: OptunaDistribution = { name: 'IntDistribution', low: 2, high: 10, log: false, step: 2 };
  const c: OptunaDistribution = { name: 'CategoricalDistribution', choices: ['a', 1, null] };

  it.each([
    [f, 0.5, 0.5, true], [f, 0.3, 0.3, false], [i, 6, 6, true], [i, 7, 7, false], [c, 'a', 0, true], [c, null, 2, true], [c, 1, 1, true],
  ] as const)('%j holds %j as %j', (d, value, internal, contained) => {
    expect(toInternal(d, value)).toBe(internal);
    expect(containsInternal(d, internal)).toBe(contained);
  });

  it('toExternal: ints truncated, choices by index, invalid as undefined', () => {
    expect(toExternal(i, 6.0)).toBe(6);
    expect(toExternal(c, 2)).toBe(null);
    expect(toExternal(c, 3)).toBeUndefined();
    expect(toExternal(c, 0.5)).toBeUndefined();
    expect(toExternal(f, '0.5')).toBeUndefined();
    expect(toInternal(c, '1')).toBeUndefined();
  });

  it('compatible as Optuna checks: same class, same log, same choices', () => {
    expect(compatible(f, { ...f, low: -5 })).toBe(true);
    expect(compatible(f, { ...f, log: true })).toBe(false);
    expect(compatible(f, i)).toBe(false);
    expect(compatible(c, { ...c, choices: ['a', 1, null] })).toBe(true);
    expect(compatible(c, { ...c, choices: ['a', 1] })).toBe(false);
  });
});
