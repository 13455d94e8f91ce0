import { describe, expect, it } from 'vitest';
import { createEvolution, defaultPopulationSize } from '../../../src/lib/search/evolution';
import { ctxOf, done, fMixed, mixedDims, run } from './helpers';

describe('evolution', () => {
  it('sizes the population from the budget', () => {
    expect([8, 12, 30, 100, 256].map(defaultPopulationSize)).toEqual([4, 4, 8, 16, 16]);
  });

  it('tells the generation of each trial and carries the best trials over as elites', () => {
    const s = createEvolution(ctxOf(mixedDims, 2, 30), { populationSize: 5, elites: 2 });
    const { ys } = run(s, fMixed, 11); // 5 + 3 + 3
    expect(Array.from({ length: 11 }, (_, id) => s.generationOf(id))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    const gen1 = s.describe().generations[1].members;
    const bestTwo = ys.slice(0, 5).map((y, id) => ({ y, id })).sort((a, b) => a.y - b.y).slice(0, 2).map((x) => x.id);
    expect(gen1.filter((m) => m.origin === 'elite').map((m) => m.id)).toEqual(bestTwo);
    // children's parents come from generation 0
    for (const m of gen1.filter((x) => x.origin === 'child')) for (const p of m.parents) expect(p).toBeLessThan(5);
  });

  it('waits (ask -> null) while most of a generation is still running, but never with nothing running', () => {
    const s = createEvolution(ctxOf(mixedDims, 3, 30), { populationSize: 4 });
    const running = Array.from({ length: 4 }, () => s.ask([])!);
    expect(s.ask(running)).toBeNull();
    s.tell(0, running[0], done(fMixed(running[0])));
    expect(s.ask(running.slice(1))).toBeNull(); // 1 of 4 evaluated < half
    s.tell(1, running[1], done(fMixed(running[1])));
    const child = s.ask(running.slice(2));
    expect(child).not.toBeNull();
    expect(s.generationOf(4)).toBe(1);

    const lonely = createEvolution(ctxOf(mixedDims, 3, 30), { populationSize: 2 });
    for (let i = 0; i < 4; i++) expect(lonely.ask([])).not.toBeNull();
  });

  it('follows the pool\'s ids when they do not start at 0 (a continued study)', () => {
    const s = createEvolution(ctxOf(mixedDims, 2, 30), { populationSize: 4, elites: 1 });
    run(s, fMixed, 7, 100);
    expect([100, 103, 104, 106].map((id) => s.generationOf(id))).toEqual([0, 0, 1, 1]);
    const running = s.ask([])!; // id 107, still running
    expect(s.generationOf(107)).toBe(2);
    const members = s.describe().generations.flatMap((g) => g.members);
    for (const m of members) {
      if (m.state === 'queued') expect(m.id).toBeNull();
      else expect(m.id).toBeGreaterThanOrEqual(100);
    }
    expect(members.find((m) => m.id === 107)).toMatchObject({ state: 'running', params: running });
  });

  it('gives failed trials the worst fitness and pruned ones their last value', () => {
    const s = createEvolution(ctxOf(mixedDims, 4, 30), { populationSize: 3, elites: 1 });
    const ps = Array.from({ length: 3 }, () => s.ask([])!);
    s.tell(0, ps[0], { state: 'failed', objective: NaN, curve: [] });
    s.tell(1, ps[1], { state: 'pruned', objective: NaN, curve: [3, 2] });
    s.tell(2, ps[2], done(5));
    s.ask([]);
    const g = s.describe().generations;
    expect(g[0].members.map((m) => [m.fitness, m.state])).toEqual([[Infinity, 'failed'], [2, 'pruned'], [5, 'complete']]);
    expect(g[1].members[0]).toMatchObject({ origin: 'elite', id: 1 });
  });
});
