/** Index of the first largest of `k` values of `out` starting at `at` (tf.argMax's choice on ties). */
export function argMax(out: Float32Array, at: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (out[at + j] > out[at + best]) best = j;
  return best;
}

/** Confusion matrix [true][predicted] of outputs [n, k] against class indices `y`. */
export function confusionOf(out: Float32Array, y: Float32Array, k: number): number[][] {
  const mat = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < y.length; i++) mat[y[i]][argMax(out, i * k, k)]++;
  return mat;
}

/**
 * The decision-surface encoding of outputs [n, k] (as trainer.ts' encodeSurface): the class-1
 * softmax probability for two classes (f32 steps as tfjs' softmax), the argmax class for more,
 * the prediction for regression (k = 1).
 */
export function encodeSurface(out: Float32Array, n: number, classification: boolean, k: number): Float32Array {
  if (!classification) return Float32Array.from(out.subarray(0, n));
  const enc = new Float32Array(n);
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    if (k === 2) {
      const m = Math.max(out[2 * i], out[2 * i + 1]);
      const e0 = f(Math.exp(f(out[2 * i] - m)));
      const e1 = f(Math.exp(f(out[2 * i + 1] - m)));
      enc[i] = f(e1 / f(e0 + e1));
    } else {
      enc[i] = argMax(out, i * k, k);
    }
  }
  return enc;
}
