import * as tf from '@tensorflow/tfjs';
import type { ModelSpec, Task } from '../experiment/types';
import { modelValue } from '../experiment/defaults';
import { blocksOf, type InputShape } from './blocks';

/** Builds the network of `spec` (blocks: see blocksOf) for `d` input features, read as an image
 *  of `image`'s layout when the spec has conv blocks. Output: logits [n, nClasses] for
 *  classification (softmax is applied in the loss), a linear unit for regression.
 *  Penalties are not attached to layers: the trainer adds them to the loss itself. */
export function buildModel(spec: ModelSpec, d: number, task: Task, nClasses: number, seed: number, image?: InputShape['image']): tf.LayersModel {
  const model = tf.sequential();
  const init = (i: number) => initializer(spec.init, seed * 101 + i);
  const input = (): { inputShape?: number[] } => (model.layers.length === 0 ? { inputShape: [d] } : {});
  let dense = 0;
  let conv = 0;
  let side: readonly number[] = image ? [image.height, image.width] : [];
  for (const b of blocksOf(spec, { d, image }, task, nClasses)) {
    switch (b.kind) {
      case 'conv': {
        if (conv === 0 && image) model.add(tf.layers.reshape({ targetShape: [image.height, image.width, image.channels], ...input() }));
        // A strided convolution is built as the stride-1 convolution sampled every `stride`
        // pixels (the same numbers): tfjs-wasm's weight gradient is wrong for strides above 1.
        model.add(tf.layers.conv2d({
          filters: b.filters, kernelSize: b.kernel, strides: 1, padding: b.padding, activation: b.activation,
          kernelInitializer: init(1000 + conv++), biasInitializer: 'zeros',
        }));
        if (b.stride > 1) {
          const [top, left] = side.map((n) => strideOffset(n, b.kernel, b.stride, b.padding));
          if (top > 0 || left > 0) model.add(tf.layers.cropping2D({ cropping: [[top, 0], [left, 0]] }));
          model.add(tf.layers.maxPooling2d({ poolSize: 1, strides: b.stride, padding: 'valid' }));
        }
        break;
      }
      case 'pool':
        model.add(b.pool === 'max' ? tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }) : tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
        break;
      case 'flatten': model.add(tf.layers.flatten()); break;
      case 'dense':
      case 'output':
        model.add(tf.layers.dense({
          units: b.units, activation: b.activation, kernelInitializer: init(dense++),
          ...(b.kind === 'dense' ? { biasInitializer: 'zeros' } : {}), ...input(),
        }));
        break;
      // No seed: a seeded tfjs dropout layer draws the same mask at every step, which is no dropout at all.
      case 'dropout': model.add(tf.layers.dropout({ rate: b.rate })); break;
    }
    if (b.kind === 'conv' || b.kind === 'pool') side = b.out.slice(0, 2);
  }
  return model;
}

/**
 * Where the samples of a strided convolution start in the stride-1 output of the same padding:
 * 0 for 'valid'; for 'same', the stride-1 top padding less the strided one (TensorFlow pads
 * max((out − 1)·stride + kernel − side, 0) in total, the smaller half on top).
 */
export function strideOffset(side: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  if (padding === 'valid') return 0;
  const out = Math.ceil(side / stride);
  return Math.floor((kernel - 1) / 2) - Math.floor(Math.max((out - 1) * stride + kernel - side, 0) / 2);
}

function initializer(kind: ModelSpec['init'], seed: number): ReturnType<typeof tf.initializers.glorotUniform> {
  switch (kind) {
    case 'glorotUniform': return tf.initializers.glorotUniform({ seed });
    case 'heNormal': return tf.initializers.heNormal({ seed });
    case 'leCunNormal': return tf.initializers.leCunNormal({ seed });
    case 'randomNormal': return tf.initializers.randomNormal({ mean: 0, stddev: 0.05, seed });
  }
}

/** The optimizer of `spec` at learning rate `lr` (default: its base rate), with its momentum and
 *  Adam betas. The caller owns it and must dispose it (model.dispose() does not). */
export function buildOptimizer(spec: ModelSpec, lr = spec.learningRate): tf.Optimizer {
  switch (spec.optimizer) {
    case 'sgd': return tf.train.sgd(lr);
    case 'momentum': return tf.train.momentum(lr, modelValue(spec, 'momentum'));
    case 'adam': return tf.train.adam(lr, modelValue(spec, 'beta1'), modelValue(spec, 'beta2'));
    case 'rmsprop': return tf.train.rmsprop(lr);
  }
}

/**
 * Sets the learning rate of an optimizer made by buildOptimizer (a schedule's value for the next
 * epoch). tfjs reads Adam's and RMSprop's `learningRate` at every step; SGD and momentum keep it
 * as a scalar tensor, which setLearningRate replaces.
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  // not instanceof: tfjs' Optimizer[Symbol.hasInstance] accepts every optimizer
  const sgd = opt as Partial<Pick<tf.SGDOptimizer, 'setLearningRate'>>;
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(lr);
  else (opt as unknown as { learningRate: number }).learningRate = lr;
}

/** Disposes an optimizer completely. tfjs 4.22's MomentumOptimizer.dispose() forgets the
 *  learning-rate scalar `c` of its SGD parent (one tensor leaked per trial), so free it here. */
export function disposeOptimizer(opt: tf.Optimizer): void {
  opt.dispose();
  const c = (opt as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}
