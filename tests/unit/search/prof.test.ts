import { test } from 'vitest';
import { createGp } from '../../../src/lib/search/gp';
import { createTpe } from '../../../src/lib/search/tpe';
import { ctxOf, quadCat, run } from './helpers';

test('prof', () => {
  for (let rep = 0; rep < 2; rep++) {
    for (const [name, o] of [['default', {}], ['no-cands', { nRandomCandidates: 1, nLocalCandidates: 0 }]] as const) {
      const t = performance.now();
      for (let seed = 1; seed <= 4; seed++) run(createGp(ctxOf(quadCat.dims, seed, 30), o), quadCat.f, 30);
      console.log(name, ((performance.now() - t) / 4).toFixed(0), 'ms per run');
    }
    const t = performance.now();
    for (let seed = 1; seed <= 4; seed++) run(createTpe(ctxOf(quadCat.dims, seed, 30)), quadCat.f, 30);
    console.log('tpe', ((performance.now() - t) / 4).toFixed(0), 'ms per run');
  }
});
