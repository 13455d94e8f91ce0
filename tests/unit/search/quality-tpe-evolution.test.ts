import { describe, expect, it } from 'vitest';
import { createEvolution } from '../../../src/lib/search/evolution';
import { createTpe } from '../../../src/lib/search/tpe';
import { bowl, quadCat } from './helpers';
import { medianBest, randomBaseline } from './quality';

// Median (12 seeds) best objective after 30 trials must be at most MARGIN × random's.
// Measured when written: bowl random 3.5e-3, TPE 5.0e-4, evolution 1.4e-4;
// quadratic+categorical random 6.6e-2, TPE 9.7e-3, evolution 3.6e-2.
const MARGIN = { tpe: 0.5, evolution: 0.75 };

describe.each([bowl, quadCat])('on the $name', (problem) => {
  const random = randomBaseline(problem);

  it(`TPE beats random by a factor of ${1 / MARGIN.tpe}`, () => {
    expect(medianBest(problem, (ctx) => createTpe(ctx))).toBeLessThanOrEqual(MARGIN.tpe * random);
  });

  it(`evolution beats random (median at most ${MARGIN.evolution} × random's)`, () => {
    expect(medianBest(problem, (ctx) => createEvolution(ctx))).toBeLessThanOrEqual(MARGIN.evolution * random);
  });
});
