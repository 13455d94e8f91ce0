import * as tf from '@tensorflow/tfjs';
import type { ModelSpec, Task } from '../experiment/types';
import { modelValue } from '../experiment/defaults';
import { outputUnits } from './spec';

/** Builds the dense network of `spec` for `d` input features. Output: logits [n, nClasses]
 *  for classification (softmax is applied in the loss), a linear unit for regression.
 *  Penalties are not attached to layers: the trainer adds them to the loss itself. */
export function buildModel(spec: ModelSpec, d: number, task: Task, nClasses: number, seed: number): tf.LayersModel {
  const model = tf.sequential();
  const init = (i: number) => initializer(spec.init, seed * 101 + i);
  spec.layers.forEach((l, i) => {
    model.add(tf.layers.dense({
      units: l.units,
      activation: l.activation,
      kernelInitializer: init(i),
      biasInitializer: 'zeros',
      ...(i === 0 ? { inputShape: [d] } : {}),
    }));
    // No seed: a seeded tfjs dropout layer draws the same mask at every step, which is no dropout at all.
    if (spec.dropout > 0) model.add(tf.layers.dropout({ rate: spec.dropout }));
  });
  model.add(tf.layers.dense({
    units: outputUnits(task, nClasses),
    activation: 'linear',
    kernelInitializer: init(spec.layers.length),
    ...(spec.layers.length === 0 ? { inputShape: [d] } : {}),
  }));
  return model;
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
