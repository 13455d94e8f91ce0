// Baagoe's alea generator exactly as seedrandom implements it (f64 state), so masks drawn here
// equal tfjs' randomUniform with the same seed. The host seeds it (seedrandom's Mash over the seed
// string) and writes the state (c, s0, s1, s2) as four f64.

let c: f64 = 0;
let s0: f64 = 0;
let s1: f64 = 0;
let s2: f64 = 0;

/** Loads the generator state (c, s0, s1, s2) from p. */
export function aleaLoad(p: usize): void {
  c = load<f64>(p);
  s0 = load<f64>(p, 8);
  s1 = load<f64>(p, 16);
  s2 = load<f64>(p, 24);
}

/** The next draw in [0, 1). */
@inline export function aleaNext(): f64 {
  const t = 2091639.0 * s0 + c * 2.3283064365386963e-10; // 2^-32
  s0 = s1;
  s1 = s2;
  c = <f64><i32>t; // t | 0 (t is in [0, 2^31))
  s2 = t - c;
  return s2;
}
