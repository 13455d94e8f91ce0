import { describe, expect, it } from 'vitest';
import type { TrialParams } from '../../../src/lib/experiment/types';
import { configurationCount, discreteValues, drawDistinct, untakenAtRandom } from '../../../src/lib/search/distinct';
import { createEvolution } from '../../../src/lib/search/evolution';
import { createGp } from '../../../src/lib/search/gp';
import { createQuasiRandom } from '../../../src/lib/search/quasirandom';
import { createRandom } from '../../../src/lib/search/random';
import { STRATEGIES } from '../../../src/lib/search/registry';
import { makeRng } from '../../../src/lib/search/rng';
import { paramsKey } from '../../../src/lib/search/space';
import { createTpe } from '../../../src/lib/search/tpe';
import type { Dimension, Strategy, StrategyContext } from '../../../src/lib/search/types';
import type { StrategyKind } from '../../../src/lib/experiment/types';
import { ctxOf, done, fMixed, mixedDims, runPool, tinyDims } from './helpers';

const fTiny = (p: TrialParams) => (Number(p.depth) - 2) ** 2 + (p.activation === 'tanh' ? 0 : 0.5) + (p.batchSize === 16 ? 0 : 0.25);
const keysOf = (dims: Dimension[], ps: TrialParams[]) => ps.map((p) => paramsKey(dims, p));

describe('configuration counting', () => {
  it.each([
    // [spec, values]
    [{ type: 'categorical', choices: ['a', 'b'] }, ['a', 'b']],
    [{ type: 'int', low: 2, high: 5, log: false }, [2, 3, 4, 5]],
    [{ type: 'int', low: 1, high: 8, log: true }, [1, 2, 3, 4, 5, 6, 7, 8]],
    [{ type: 'float', low: 0.3, high: 0.3, log: false }, [0.3]],
    [{ type: 'float', low: 0, high: 1, log: false }, null],
  ] as [Dimension['spec'], (number | string)[] | null][])('values of %o', (spec, values) => {
    expect(discreteValues(spec)).toEqual(values);
  });

  it('multiplies discrete sizes, and is infinite with a continuous dimension', () => {
    expect(configurationCount(tinyDims)).toBe(12);
    expect(configurationCount([])).toBe(1);
    expect(configurationCount(mixedDims)).toBe(Infinity);
  });

  it('draws what is left of a discrete space, and null once it is exhausted', () => {
    const all = [1, 2, 3].flatMap((depth) => ['relu', 'tanh'].flatMap((activation) => [16, 64].map((batchSize) => ({ depth, activation, batchSize }))));
    const taken = new Set(keysOf(tinyDims, all));
    expect(taken.size).toBe(12);
    const rng = makeRng(1, 'test');
    expect(drawDistinct(tinyDims, rng, taken)).toBeNull();
    const last = keysOf(tinyDims, [all[7]])[0];
    taken.delete(last);
    // a draw that always repeats a taken configuration still finds the free one
    expect(paramsKey(tinyDims, drawDistinct(tinyDims, rng, taken, () => all[0])!)).toBe(last);
    expect(paramsKey(tinyDims, untakenAtRandom(tinyDims, rng, taken)!)).toBe(last);
  });
});

const KINDS: StrategyKind[] = ['grid', 'random', 'quasirandom', 'tpe', 'gp', 'evolution'];

describe.each(KINDS)('%s never proposes a configuration twice', (kind) => {
  const create = STRATEGIES[kind]!.create;

  it.each([1, 3])('runs all 12 configurations of a tiny space once each, then stops (concurrency %i)', (concurrency) => {
    for (const seed of [1, 2, 3]) {
      const s = create(ctxOf(tinyDims, seed, 20));
      const asked = runPool(s, fTiny, 20, concurrency);
      const keys = keysOf(tinyDims, asked);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(12);
      expect(s.ask([])).toBeNull();
    }
  });

  it('repeats nothing in a mixed space (ints and choices snapped)', () => {
    const keys = keysOf(mixedDims, runPool(create(ctxOf(mixedDims, 5, 40)), fMixed, 40, 3));
    expect(keys.length).toBe(40);
    expect(new Set(keys).size).toBe(40);
  });
});

describe('repeats on request', () => {
  it.each([
    ['random', (ctx: StrategyContext) => createRandom(ctx, { repeats: true })],
    ['quasirandom', (ctx: StrategyContext) => createQuasiRandom(ctx, { repeats: true })],
    ['tpe', (ctx: StrategyContext) => createTpe(ctx, { repeats: true })],
    ['gp', (ctx: StrategyContext) => createGp(ctx, { repeats: true })],
    ['evolution', (ctx: StrategyContext) => createEvolution(ctx, { repeats: true })],
  ] as const)('%s with repeats: true runs the whole budget of a tiny space', (_, create) => {
    const s = create(ctxOf(tinyDims, 4, 20));
    expect(s.capacity).toBe(Infinity);
    const asked = runPool(s, fTiny, 20, 1);
    expect(asked.length).toBe(20);
    expect(new Set(keysOf(tinyDims, asked)).size).toBeLessThan(20);
  });
});

/**
 * Records every ask (with its pending list) and tell of a pool run, so that it can be replayed
 * call by call on a fresh strategy, as a resumed study does.
 */
type Call = { ask: TrialParams[]; got: TrialParams | null } | { tell: number; params: TrialParams; y: number };

function recordRun(s: Strategy, n: number): Call[] {
  const calls: Call[] = [];
  const running: { id: number; params: TrialParams }[] = [];
  let id = 0;
  while (id < n) {
    const pending = running.map((r) => r.params);
    const got = s.ask(pending);
    calls.push({ ask: pending, got });
    if (got) running.push({ id: id++, params: got });
    else if (running.length === 0) break;
    if (!got || running.length >= 3) {
      const t = running.shift()!;
      const y = fMixed(t.params);
      s.tell(t.id, t.params, done(y));
      calls.push({ tell: t.id, params: t.params, y });
    }
  }
  return calls;
}

describe.each(KINDS)('%s replays', (kind) => {
  it('gives the same proposals for the same seed and the same ask/tell calls, and goes on identically', () => {
    const create = STRATEGIES[kind]!.create;
    const original = create(ctxOf(mixedDims, 9, 30));
    const calls = recordRun(original, 14);
    const replayed = create(ctxOf(mixedDims, 9, 30));
    for (const c of calls) {
      if ('ask' in c) expect(replayed.ask(c.ask)).toEqual(c.got);
      else replayed.tell(c.tell, c.params, done(c.y));
    }
    expect(replayed.ask([])).toEqual(original.ask([]));
  });
});
