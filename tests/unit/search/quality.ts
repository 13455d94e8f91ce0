import { createRandom } from '../../../src/lib/search/random';
import type { Strategy, StrategyContext } from '../../../src/lib/search/types';
import { ctxOf, medianOf, run, type Problem } from './helpers';

/** Seeds of the quality comparisons (12 >= the 10 the brief asks for). */
export const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);
/** Trials per study in the comparisons. */
export const BUDGET = 30;

/** Median over SEEDS of the best objective found in BUDGET sequential trials. */
export function medianBest(problem: Problem, create: (ctx: StrategyContext) => Strategy): number {
  return medianOf(SEEDS.map((seed) => Math.min(...run(create(ctxOf(problem.dims, seed, BUDGET)), problem.f, BUDGET).ys)));
}

/** The same for random search, the baseline. */
export function randomBaseline(problem: Problem): number {
  return medianBest(problem, createRandom);
}
