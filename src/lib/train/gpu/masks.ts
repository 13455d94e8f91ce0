import { aleaState } from '../fused/stack';

/**
 * Sets the dropout mask bits of one (step, hidden layer, trial) at `words[at..]`: bit r·units + j
 * (row r, unit j) is 1 where the unit is kept. The draws are the wasm kernel's (asm/elementwise.ts
 * dropoutMask): seedrandom's alea from the state tfjs' randomUniform starts from for `seed`, in
 * [units, rows] order for the first hidden layer (`unitMajor`) and [rows, units] after, each
 * rounded to f32 and kept when >= rate (f32). The region must be zeroed beforehand.
 */
export function setMaskBits(words: Uint32Array, at: number, rows: number, units: number, unitMajor: boolean, seed: number, rate: number): void {
  let [c, s0, s1, s2] = aleaState(seed);
  const r32 = Math.fround(rate);
  const next = (): number => {
    // alea in f64, exactly as asm/alea.ts and seedrandom step it
    const t = 2091639.0 * s0 + c * 2.3283064365386963e-10;
    s0 = s1;
    s1 = s2;
    c = t | 0;
    s2 = t - c;
    return s2;
  };
  const set = (bit: number) => { words[at + (bit >>> 5)] |= 1 << (bit & 31); };
  if (unitMajor) {
    for (let j = 0; j < units; j++) for (let r = 0; r < rows; r++) if (Math.fround(next()) >= r32) set(r * units + j);
  } else {
    const n = rows * units;
    for (let i = 0; i < n; i++) if (Math.fround(next()) >= r32) set(i);
  }
}
