import type { TrialParams } from '../experiment/types';
import { distinctCapacity, drawDistinct, takenKeys, type DedupeOptions } from './distinct';
import { makeRng } from './rng';
import { paramsKey } from './space';
import type { Strategy, StrategyContext } from './types';

/**
 * Random search: each dimension sampled independently and uniformly in its (log) unit interval.
 * A draw whose configuration (ints rounded, choices picked) already finished or is running is
 * drawn again; in a small discrete space it stops (ask -> null) once every configuration ran.
 */
export function createRandom(ctx: StrategyContext, options: DedupeOptions = {}): Strategy {
  const rng = makeRng(ctx.seed, 'random');
  const finished = new Set<string>();
  return {
    capacity: distinctCapacity(ctx.dims, options.repeats),
    ask: (pending: TrialParams[]) => drawDistinct(ctx.dims, rng, takenKeys(ctx.dims, finished, pending, options.repeats)),
    tell(_id, params) {
      finished.add(paramsKey(ctx.dims, params));
    },
  };
}
