import type { TrialParams } from '../experiment/types';
import { makeRng, shuffle } from './rng';
import { gridValues } from './space';
import type { Strategy, StrategyContext } from './types';

/**
 * Grid search: the Cartesian product of `gridPoints` values per continuous axis (log-spaced
 * for log ranges) and every choice of categorical axes, visited in a seeded random order so
 * that a budget smaller than the grid still covers the whole space.
 */
export function createGrid(ctx: StrategyContext): Strategy {
  const axes = ctx.dims.map((d) => gridValues(d.spec, ctx.gridPoints));
  const total = axes.reduce((n, a) => n * a.length, 1);
  const order = shuffle(makeRng(ctx.seed, 'grid'), Array.from({ length: total }, (_, i) => i));
  let next = 0;
  return {
    capacity: ctx.dims.length === 0 ? 1 : total,
    ask(): TrialParams | null {
      if (next >= total) return null;
      let k = order[next++];
      const p: TrialParams = {};
      ctx.dims.forEach((d, i) => {
        const a = axes[i];
        p[d.name] = a[k % a.length];
        k = Math.floor(k / a.length);
      });
      return p;
    },
    tell() {},
  };
}
