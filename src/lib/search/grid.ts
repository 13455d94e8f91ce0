import type { TrialParams } from '../experiment/types';
import { IndexPermutation } from './permutation';
import { gridValues } from './space';
import { ConfigTree } from './tree';
import type { Strategy, StrategyContext } from './types';

/** Grid search, which also knows its exact size. */
export interface GridStrategy extends Strategy {
  /** exact number of grid points (product of the axis lengths; valid combinations only in a
   *  conditional space). `capacity` is the same number
   *  as a double: exact up to 2^53, rounded above, and Infinity past ~1.8e308, so comparing a
   *  budget with it stays right. */
  readonly size: bigint;
}

/**
 * Grid search: the Cartesian product of `gridPoints` values per continuous axis (log-spaced
 * for log ranges) and every choice of categorical axes — in a conditional space only the valid
 * combinations, a parameter varying only where its condition holds — visited in a seeded random
 * order so that a budget smaller than the grid still covers the whole space.
 *
 * Nothing is materialised: point k of the order is index π(k) of a seeded permutation of
 * [0, size) (see IndexPermutation), read as configuration π(k) of the space (see ConfigTree:
 * without conditions, a mixed-radix number with one digit per axis). Any grid size costs the same
 * to start, and each ask costs O(axes · log size).
 */
export function createGrid(ctx: StrategyContext): GridStrategy {
  const tree = new ConfigTree(ctx.dims, ctx.dims.map((d) => gridValues(d.spec, ctx.gridPoints)));
  const size = tree.size;
  const order = new IndexPermutation(size, ctx.seed, 'grid');
  let next = 0n;
  return {
    size,
    capacity: Number(size),
    ask(): TrialParams | null {
      if (next >= size) return null;
      return tree.at(order.at(next++));
    },
    tell() {},
  };
}
