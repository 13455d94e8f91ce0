import type { StrategyKind } from '../experiment/types';
import { createEvolution } from './evolution';
import { createGp } from './gp';
import { createGrid } from './grid';
import { createManual } from './manual';
import { createQuasiRandom } from './quasirandom';
import { createRandom } from './random';
import { createTpe } from './tpe';
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
  quasirandom: { label: 'Quasi-random (Halton)', blurb: 'Like random search, but each new point fills the biggest gaps left by the earlier ones, so the space is covered evenly.', create: createQuasiRandom },
  tpe: { label: 'TPE (Bayesian)', blurb: 'Splits finished trials into good and bad and proposes values that are common among the good ones but rare among the bad.', create: (ctx) => createTpe(ctx) },
  gp: { label: 'Gaussian process (Bayesian)', blurb: 'Fits a smooth guess of the score with error bars and tries the point where the expected improvement over the best so far is largest.', create: (ctx) => createGp(ctx) },
  manual: { label: 'Manual', blurb: 'You choose each trial: type its values, or click a point on a hyperparameter chart to queue a trial there.', create: (ctx) => createManual(ctx) },
  evolution: { label: 'Evolution (genetic)', blurb: 'Breeds each generation of trials from the winners of the last one by mixing their settings and adding small random mutations.', create: (ctx) => createEvolution(ctx) },
};
