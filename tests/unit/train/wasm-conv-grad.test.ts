import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvGrad } from '../../../src/lib/train/wasm-conv-grad';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

beforeAll(() => {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(`${ROOT}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  registerWasmConvGrad();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** The gradients of sum(conv2d(x, f)²) with respect to x and f, on `backend`. */
async function grads(backend: string, stride: number, pad: 'same' | 'valid', k: number): Promise<number[][]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => Math.sin(i * 0.37)), [2, 7, 6, 3]);
    const f = tf.tensor4d(Array.from({ length: k * k * 3 * 4 }, (_, i) => Math.cos(i * 0.91)), [k, k, 3, 4]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).square().sum());
    return g([x, f]).map((t) => Array.from(t.dataSync()));
  });
}

describe('Conv2DBackpropFilter on the wasm backend', () => {
  it.each([[1, 'same', 3], [1, 'same', 4], [1, 'valid', 5], [1, 'valid', 2]] as const)('matches the cpu backend (stride %d, %s, %d-pixel kernel)', async (stride, pad, k) => {
    const cpu = await grads('cpu', stride, pad, k);
    const wasm = await grads('wasm', stride, pad, k);
    expect(tf.getBackend()).toBe('wasm');
    for (let i = 0; i < 2; i++) {
      const scale = Math.max(...cpu[i].map(Math.abs));
      const err = Math.max(...cpu[i].map((v, j) => Math.abs(v - wasm[i][j])));
      expect(err / scale, `gradient ${i ? "of the filter" : "of the input"}`).toBeLessThan(1e-5);
    }
    expect(tf.memory().numTensors).toBe(0);
  });

  it('refuses strides above 1 (the 3-D kernel it uses is wrong there) rather than training on wrong gradients', async () => {
    await expect(grads('wasm', 2, 'same', 3)).rejects.toThrow(/only stride 1/);
  });
});
