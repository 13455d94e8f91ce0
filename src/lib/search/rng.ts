import seedrandom from 'seedrandom';

/** A seeded uniform generator on [0, 1). Built on seedrandom's alea. */
export type Rng = () => number;

/** A deterministic RNG for `seed` (any integer), optionally namespaced by `stream`. */
export function makeRng(seed: number, stream = ''): Rng {
  const r = seedrandom.alea(`${seed}:${stream}`);
  return () => r();
}

/** Standard normal sample (Box–Muller). */
export function normal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** In-place Fisher–Yates shuffle. */
export function shuffle<T>(rng: Rng, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
