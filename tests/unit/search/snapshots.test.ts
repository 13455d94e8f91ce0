import { describe, expect, it } from 'vitest';
import type { TrialParams } from '../../../src/lib/experiment/types';
import { createEvolution } from '../../../src/lib/search/evolution';
import { createGp } from '../../../src/lib/search/gp';
import { createTpe } from '../../../src/lib/search/tpe';
import type { GpSnapshot, Strategy, TpeSnapshot } from '../../../src/lib/search/types';
import { bowl, ctxOf, done, fMixed, mixedDims, run } from './helpers';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const argmin = (xs: number[]) => xs.indexOf(Math.min(...xs));
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

/** describe() must not change what ask() returns next. */
function askSequence(make: () => Strategy, f: (p: TrialParams) => number, n: number, describeEvery: boolean): TrialParams[] {
  const s = make();
  const out: TrialParams[] = [];
  for (let id = 0; id < n; id++) {
    if (describeEvery) s.describe?.();
    const p = s.ask([])!;
    s.tell(id, p, done(f(p)));
    out.push(p);
  }
  return out;
}

describe('TPE snapshot', () => {
  it('reports the start-up phase, then good/bad densities per dimension', () => {
    const s = createTpe(ctxOf(mixedDims, 3, 20));
    run(s, fMixed, 3);
    expect(s.describe!()).toMatchObject({ kind: 'tpe', phase: 'startup', nStartup: 5, nFinished: 3, dims: [] });
    run(s, fMixed, 12, 3);
    const snap = s.describe!() as TpeSnapshot;
    expect(snap.phase).toBe('model');
    expect([...snap.goodIds, ...snap.badIds].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(snap.goodIds.length).toBe(2); // ceil(0.1 · 15)
    expect(snap.dims.map((d) => d.name)).toEqual(mixedDims.map((d) => d.name));
    for (const d of snap.dims) {
      if (d.type === 'numeric') {
        expect(d.xs.length).toBe(100);
        expect(d.values.length).toBe(100);
        // densities on [0,1]: their grid mean is their integral
        expect(mean(d.good)).toBeCloseTo(1, 1);
        expect(mean(d.bad)).toBeCloseTo(1, 1);
        expect(d.goodPoints.length).toBe(2);
      } else {
        expect(d.good.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        expect(d.bad.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      }
    }
    const lr = snap.dims[0];
    if (lr.type !== 'numeric') throw new Error('numeric expected');
    expect(lr.values[0]).toBeGreaterThanOrEqual(1e-4);
    expect(lr.values[99]).toBeLessThanOrEqual(1);
    expect(lr.values[50] / lr.values[49]).toBeCloseTo(lr.values[20] / lr.values[19], 6); // log-spaced
    expect(snap.lastCandidates.filter((c) => c.chosen).length).toBe(1);
  });

  it('puts the good density where the optimum is (log-lr bowl: optimum at unit 0.5)', () => {
    const s = createTpe(ctxOf(bowl.dims, 2, 30));
    run(s, bowl.f, 30);
    const d = (s.describe!() as TpeSnapshot).dims[0];
    if (d.type !== 'numeric') throw new Error('numeric expected');
    const ratio = d.good.map((g, i) => g / d.bad[i]);
    expect(Math.abs(d.xs[argmax(ratio)] - 0.5)).toBeLessThan(0.1);
  });

  it('is pure: describing between asks does not change the proposals', () => {
    const make = () => createTpe(ctxOf(mixedDims, 8, 20));
    expect(askSequence(make, fMixed, 12, true)).toEqual(askSequence(make, fMixed, 12, false));
  });
});

describe('GP snapshot', () => {
  it('slices the posterior through the incumbent with mean, sd and EI', () => {
    const s = createGp(ctxOf(bowl.dims, 4, 20));
    run(s, bowl.f, 3);
    expect(s.describe!()).toMatchObject({ kind: 'gp', phase: 'startup', hyper: null, slices: [] });
    run(s, bowl.f, 12, 3);
    const snap = s.describe!() as GpSnapshot;
    expect(snap.phase).toBe('model');
    expect(snap.observations.length).toBe(15);
    expect(snap.incumbent!.objective).toBe(Math.min(...snap.observations.map((o) => o.objective)));
    const slice = snap.slices[0];
    expect(slice.xs.length).toBe(100);
    for (const sd of slice.sd) expect(sd).toBeGreaterThan(0);
    for (const ei of slice.ei) expect(ei).toBeGreaterThanOrEqual(0);
    // the posterior mean has its minimum near the bowl's optimum (unit 0.5)
    expect(Math.abs(slice.xs[argmin(slice.mean)] - 0.5)).toBeLessThan(0.1);
    expect(snap.hyper!.lengthscales.learningRate).toBeGreaterThan(0);
  });

  it('has one slice point per choice for categoricals', () => {
    const s = createGp(ctxOf(mixedDims, 4, 20));
    run(s, fMixed, 8);
    const snap = s.describe!() as GpSnapshot;
    const act = snap.slices.find((x) => x.name === 'activation')!;
    expect(act.type).toBe('categorical');
    expect(act.values).toEqual(['relu', 'tanh']);
  });

  it('is pure: describing between asks does not change the proposals', () => {
    const make = () => createGp(ctxOf(bowl.dims, 8, 20));
    expect(askSequence(make, bowl.f, 9, true)).toEqual(askSequence(make, bowl.f, 9, false));
  });
});

describe('evolution snapshot', () => {
  it('lists the population of every generation with fitness, origin and parents', () => {
    const s = createEvolution(ctxOf(mixedDims, 5, 30), { populationSize: 4, elites: 1 });
    run(s, fMixed, 10); // 4 + 3 + 3
    const snap = s.describe();
    expect(snap).toMatchObject({ kind: 'evolution', populationSize: 4, elites: 1 });
    expect(snap.generations.map((g) => g.members.length)).toEqual([4, 4, 4]);
    expect(snap.generations[0].members.every((m) => m.origin === 'random' && m.fitness !== null)).toBe(true);
    for (const g of snap.generations.slice(1)) {
      expect(g.members.filter((m) => m.origin === 'elite').length).toBe(1);
      expect(g.members.filter((m) => m.origin === 'child').length).toBe(3);
    }
    expect(snap.generations.flatMap((g) => g.members.filter((m) => m.origin !== 'elite').map((m) => m.id))).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});
