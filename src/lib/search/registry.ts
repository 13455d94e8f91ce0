import type { StrategyKind } from '../experiment/types';
import { createGrid } from './grid';
import { createRandom } from './random';
import type { Strategy, StrategyContext } from './types';

/** A registered search strategy. Adding a strategy = one file + one line here. */
export interface StrategyEntry {
  label: string;
  /** one sentence for a student. */
  blurb: string;
  create: (ctx: StrategyContext) => Strategy;
}

/** Registered strategies; kinds absent here are not offered by the UI yet. */
export const STRATEGIES: Partial<Record<StrategyKind, StrategyEntry>> = {
  grid: { label: 'Grid', blurb: 'Tries every combination of evenly spaced values (log-spaced for log ranges).', create: createGrid },
  random: { label: 'Random', blurb: 'Samples each hyperparameter independently at random (uniform in log space for log ranges).', create: createRandom },
};
