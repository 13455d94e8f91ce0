import { describe, expect, it } from 'vitest';
import { createGp } from '../../../src/lib/search/gp';
import { bowl, quadCat } from './helpers';
import { medianBest, randomBaseline } from './quality';

// Median (12 seeds) best objective after 30 trials must be at most MARGIN × random's.
// Measured when written: bowl random 3.5e-3, GP 5.0e-6; quadratic+categorical random 6.6e-2,
// GP 5.8e-4. (Its own file so that it runs beside the others: the GP is the slow one.)
const MARGIN = 0.1;

describe.each([bowl, quadCat])('on the $name', (problem) => {
  it(`GP-EI beats random by a factor of ${1 / MARGIN}`, () => {
    expect(medianBest(problem, (ctx) => createGp(ctx))).toBeLessThanOrEqual(MARGIN * randomBaseline(problem));
  });
});
