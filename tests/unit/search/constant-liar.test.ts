import { describe, expect, it } from 'vitest';
import type { TrialParams } from '../../../src/lib/experiment/types';
import { createGp } from '../../../src/lib/search/gp';
import { paramsKey, unitFromParams } from '../../../src/lib/search/space';
import { createTpe } from '../../../src/lib/search/tpe';
import type { Dimension, Strategy, StrategyContext } from '../../../src/lib/search/types';
import { bowl, ctxOf, done } from './helpers';

/** 32 configurations: without parallel awareness the samplers propose the incumbent again and again. */
const small: Dimension[] = [
  { name: 'depth', spec: { type: 'int', low: 1, high: 4, log: false } },
  { name: 'activation', spec: { type: 'categorical', choices: ['relu', 'tanh'] } },
  { name: 'batchSize', spec: { type: 'categorical', choices: [8, 16, 32, 64] } },
];
const fSmall = (p: TrialParams) => (Number(p.depth) - 3) ** 2 + (p.activation === 'tanh' ? 0 : 1) + (p.batchSize === 16 ? 0 : 0.5);

/** 12 finished trials, then 4 asks; with `aware` each ask sees the earlier ones as pending. */
function fourAsks(create: (ctx: StrategyContext) => Strategy, dims: Dimension[], f: (p: TrialParams) => number, seed: number, aware: boolean) {
  const s = create(ctxOf(dims, seed, 30));
  const finished: TrialParams[] = [];
  for (let id = 0; id < 12; id++) {
    const p = s.ask([])!;
    s.tell(id, p, done(f(p)));
    finished.push(p);
  }
  const asked: TrialParams[] = [];
  for (let k = 0; k < 4; k++) asked.push(s.ask(aware ? asked : [])!);
  return { finished, asked };
}

const minDistance = (dims: Dimension[], ps: TrialParams[]) => {
  const u = ps.map((p) => unitFromParams(dims, p));
  let m = Infinity;
  for (let i = 0; i < u.length; i++) for (let j = 0; j < i; j++) m = Math.min(m, Math.hypot(...u[i].map((x, k) => x - u[j][k])));
  return m;
};

const SEEDS = [1, 2, 3, 4, 5];

describe.each([
  ['TPE', (ctx: StrategyContext) => createTpe(ctx)],
  ['GP', (ctx: StrategyContext) => createGp(ctx)],
] as const)('%s with 4 pending trials', (_, create) => {
  it('proposes 4 distinct configurations, none already tried (a 32-point space)', () => {
    let distinctWithout = 0;
    for (const seed of SEEDS) {
      const { finished, asked } = fourAsks(create, small, fSmall, seed, true);
      const keys = asked.map((p) => paramsKey(small, p));
      expect(new Set(keys).size).toBe(4);
      const done = new Set(finished.map((p) => paramsKey(small, p)));
      for (const k of keys) expect(done.has(k)).toBe(false);
      distinctWithout += new Set(fourAsks(create, small, fSmall, seed, false).asked.map((p) => paramsKey(small, p))).size;
    }
    // control: without the pending list the same sampler repeats itself
    expect(distinctWithout).toBeLessThan(4 * SEEDS.length);
  });

  it('spreads the 4 points apart in a continuous space (min distance > 0.02 of the range)', () => {
    for (const seed of SEEDS) {
      expect(minDistance(bowl.dims, fourAsks(create, bowl.dims, bowl.f, seed, true).asked)).toBeGreaterThan(0.02);
      expect(minDistance(bowl.dims, fourAsks(create, bowl.dims, bowl.f, seed, false).asked)).toBeLessThan(0.01);
    }
  });
});
