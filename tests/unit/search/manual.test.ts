import { describe, expect, it } from 'vitest';
import { createManual } from '../../../src/lib/search/manual';
import type { Dimension } from '../../../src/lib/search/types';

const dims: Dimension[] = [
  { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 1, log: true } },
  { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'adam'] } },
];

describe('manual strategy', () => {
  it('hands out exactly the queued trials, in order, then nothing', () => {
    const m = createManual({ dims, seed: 1, gridPoints: 3, budget: 10 });
    expect(m.ask([])).toBeNull();
    m.enqueue({ learningRate: 0.01, optimizer: 'adam' });
    m.enqueue({ learningRate: 0.3, optimizer: 'sgd', dropout: 0.9 });
    expect(m.queued).toHaveLength(2);
    expect(m.ask([])).toEqual({ learningRate: 0.01, optimizer: 'adam' });
    // fields that are not searched are dropped
    expect(m.ask([])).toEqual({ learningRate: 0.3, optimizer: 'sgd' });
    expect(m.ask([])).toBeNull();
    m.enqueue({ learningRate: 0.5 });
    expect(m.ask([])).toEqual({ learningRate: 0.5 });
  });

  it('can start from a queue filled beforehand', () => {
    const q = [{ learningRate: 0.1 }];
    const m = createManual({ dims, seed: 1, gridPoints: 3, budget: 10 }, q);
    expect(m.ask([])).toEqual({ learningRate: 0.1 });
  });
});
