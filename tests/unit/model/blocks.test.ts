import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { blockLabel, blockMacs, blockParams, blocksOf, convSide } from '../../../src/lib/model/blocks';
import { buildModel } from '../../../src/lib/model/build';
import type { ModelSpec } from '../../../src/lib/experiment/types';

const cnn: ModelSpec = {
  conv: [
    { filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu', pool: 'max' },
    { filters: 16, kernel: 3, stride: 1, padding: 'valid', activation: 'relu', pool: 'avg' },
  ],
  layers: [{ units: 32, activation: 'relu' }],
  dropout: 0.25, l1: 0, l2: 0, init: 'heNormal', optimizer: 'adam', learningRate: 1e-3, batchSize: 32, epochs: 2,
};
const mnist = { d: 784, image: { width: 28, height: 28, channels: 1 } };

describe('blocks of a network', () => {
  it('lists conv, pool, flatten, dense, dropout and output with their shapes and parameters', () => {
    const b = blocksOf(cnn, mnist, 'classification', 10);
    expect(b.map((x) => [x.kind, x.out, x.params])).toEqual([
      ['conv', [28, 28, 8], 3 * 3 * 1 * 8 + 8],
      ['pool', [14, 14, 8], 0],
      ['conv', [12, 12, 16], 3 * 3 * 8 * 16 + 16],
      ['pool', [6, 6, 16], 0],
      ['flatten', [576], 0],
      ['dense', [32], 576 * 32 + 32],
      ['dropout', [32], 0],
      ['output', [10], 32 * 10 + 10],
    ]);
    expect(b.map(blockLabel)).toEqual(['conv 8 × 3×3, same, relu', 'max pool 2×2', 'conv 16 × 3×3, valid, relu', 'avg pool 2×2', 'flatten', 'dense 32, relu', 'dropout 0.25', 'output 10']);
    expect(blockMacs(b)).toBe(72 * 784 + 1152 * 144 + 576 * 32 + 320);
  });

  it('counts the same parameters as the tfjs model the trainer builds', () => {
    const model = buildModel(cnn, 784, 'classification', 10, 1, mnist.image);
    expect(model.countParams()).toBe(blockParams(blocksOf(cnn, mnist, 'classification', 10)));
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('is the dense network when there is no conv block', () => {
    const dense = { ...cnn, conv: [] };
    expect(blocksOf(dense, { d: 4 }, 'regression', 1).map((x) => x.kind)).toEqual(['dense', 'dropout', 'output']);
  });

  it('follows TensorFlow for strides and padding', () => {
    expect([convSide(28, 5, 1, 'valid'), convSide(28, 5, 2, 'same'), convSide(7, 3, 2, 'valid'), convSide(8, 3, 2, 'same')]).toEqual([24, 14, 3, 4]);
  });

  it('says which block does not fit the image, and that conv blocks need an image', () => {
    const deep = { ...cnn, conv: Array.from({ length: 4 }, () => ({ ...cnn.conv![0] })) };
    expect(() => blocksOf(deep, { d: 64, image: { width: 8, height: 8, channels: 1 } }, 'classification', 10)).toThrow(/Conv block 4: 2×2 pooling needs at least 2×2 pixels but gets 1×1/);
    expect(() => blocksOf({ ...cnn, conv: [{ ...cnn.conv![0], kernel: 7, padding: 'valid' }] }, { d: 25, image: { width: 5, height: 5, channels: 1 } }, 'classification', 2)).toThrow(/Conv block 1: a 7×7 kernel does not fit the 5×5 image/);
    expect(() => blocksOf(cnn, { d: 30 }, 'classification', 2)).toThrow(/need image data/);
  });
});

describe('a strided convolution', () => {
  it('is built as stride 1 then sampled, and gives exactly what a strided conv2d gives', async () => {
    await tf.setBackend('cpu');
    for (const side of [5, 6, 7, 8, 11]) for (const kernel of [1, 2, 3, 4, 5]) for (const padding of ['same', 'valid'] as const) {
      if (padding === 'valid' && kernel > side) continue;
      const spec: ModelSpec = { ...cnn, conv: [{ filters: 2, kernel, stride: 2, padding, activation: 'linear', pool: 'none' }], layers: [], dropout: 0 };
      const image = { width: side, height: side, channels: 1 };
      const model = buildModel(spec, side * side, 'regression', 1, 3, image);
      const x = tf.tensor2d(Array.from({ length: 2 * side * side }, (_, i) => Math.sin(i * 0.7)), [2, side * side]);
      const conv = model.layers.find((l) => l.getClassName() === 'Conv2D')!;
      const [w, b] = conv.getWeights();
      const sampled = tf.model({ inputs: model.inputs, outputs: model.layers[model.layers.length - 3].output as tf.SymbolicTensor });
      const got = sampled.predict(x) as tf.Tensor;
      const want = tf.conv2d(x.reshape([2, side, side, 1]) as tf.Tensor4D, w as tf.Tensor4D, 2, padding).add(b);
      expect(got.shape).toEqual(want.shape);
      expect(got.shape.slice(1, 3)).toEqual(blocksOf(spec, { d: side * side, image }, 'regression', 1)[0].out.slice(0, 2));
      const diff = tf.max(tf.abs(got.sub(want))).dataSync()[0];
      expect(diff, `side ${side}, kernel ${kernel}, ${padding}`).toBeLessThan(1e-5);
      tf.dispose([x, got, want]);
      model.dispose();
    }
  });
});
