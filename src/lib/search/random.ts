import { makeRng } from './rng';
import { paramsFromUnit } from './space';
import type { Strategy, StrategyContext } from './types';

/** Random search: each dimension sampled independently and uniformly in its (log) unit interval. */
export function createRandom(ctx: StrategyContext): Strategy {
  const rng = makeRng(ctx.seed, 'random');
  return {
    capacity: Infinity,
    ask: () => paramsFromUnit(ctx.dims, ctx.dims.map(() => rng())),
    tell() {},
  };
}
