import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../../src/lib/search/registry';
import type { StrategyKind } from '../../../src/lib/experiment/types';
import { ctxOf, fMixed, mixedDims, outsideSpace, runPool } from './helpers';

const KINDS: StrategyKind[] = ['grid', 'random', 'quasirandom', 'tpe', 'gp', 'evolution'];

describe.each(KINDS)('%s', (kind) => {
  const entry = STRATEGIES[kind]!;
  const sequence = (seed: number, concurrency = 2) => runPool(entry.create(ctxOf(mixedDims, seed, 24)), fMixed, 24, concurrency);

  it('is registered with a label and a blurb', () => {
    expect(entry.label.length).toBeGreaterThan(0);
    expect(entry.blurb).toMatch(/\.$/);
  });

  it('gives the same trials for the same seed and different ones for another seed', () => {
    const a = sequence(11);
    expect(a.length).toBe(24);
    expect(sequence(11)).toEqual(a);
    expect(sequence(12)).not.toEqual(a);
  });

  it('keeps every value inside the space (ints integral, log ranges, valid choices)', () => {
    for (const seed of [1, 2]) {
      for (const p of sequence(seed, 3)) expect(outsideSpace(mixedDims, p)).toBeNull();
    }
  });
});
