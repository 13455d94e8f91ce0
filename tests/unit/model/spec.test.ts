import { describe, expect, it } from 'vitest';
import { paramCount, resolveModel } from '../../../src/lib/model/spec';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';

describe('resolveModel', () => {
  const base = defaultExperiment().model;
  it('applies units and activation to every hidden layer, depth repeats the last layer', () => {
    const m = resolveModel(base, { units: 5, activation: 'tanh', depth: 4, learningRate: 0.5, optimizer: 'sgd' });
    expect(m.layers).toEqual(Array.from({ length: 4 }, () => ({ units: 5, activation: 'tanh' })));
    expect(m.learningRate).toBe(0.5);
    expect(m.optimizer).toBe('sgd');
    expect(base.layers.length).toBe(3); // the base is not mutated
  });
  it('depth 0 gives a linear model', () => {
    expect(resolveModel(base, { depth: 0 }).layers).toEqual([]);
  });
});

describe('paramCount', () => {
  it.each([
    [[], 2, 2, 6],
    [[{ units: 8, activation: 'relu' as const }], 2, 2, 2 * 8 + 8 + 8 * 2 + 2],
    [[{ units: 128, activation: 'relu' as const }], 64, 10, 64 * 128 + 128 + 128 * 10 + 10],
  ])('counts weights and biases (%#)', (layers, d, k, n) => {
    expect(paramCount(layers, d, k)).toBe(n);
  });
});
