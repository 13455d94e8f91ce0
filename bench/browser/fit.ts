import * as tf from '@tensorflow/tfjs';
import { buildModel, buildOptimizer, disposeOptimizer } from '../../src/lib/model/build';
import { outputUnits } from '../../src/lib/model/spec';
import type { EpochMetrics, TrainData, TrialConfig } from '../../src/lib/train/types';

/**
 * The same trial trained by tfjs' own `model.fit` (shuffled mini-batches, validation every
 * epoch): the baseline the hand-written trainers are compared with. Bench-only.
 */
export async function trainWithFit(data: TrainData, cfg: TrialConfig, onEpoch: (m: EpochMetrics) => void): Promise<void> {
  const start = performance.now();
  const nOut = outputUnits(data.task, data.nClasses);
  const classification = data.task === 'classification';
  const model = buildModel(cfg.model, data.d, data.task, data.nClasses, cfg.seed);
  const optimizer = buildOptimizer(cfg.model);
  const [x, y, xv, yv] = tf.tidy(() => {
    const t = (ys: Float32Array) => classification ? tf.oneHot(tf.tensor1d(Int32Array.from(ys), 'int32'), nOut).toFloat() : tf.tensor2d(ys, [ys.length, 1]);
    return [tf.tensor2d(data.xTrain, [data.yTrain.length, data.d]), t(data.yTrain), tf.tensor2d(data.xVal, [data.yVal.length, data.d]), t(data.yVal)];
  });
  try {
    model.compile({
      optimizer,
      loss: classification ? (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) : 'meanSquaredError',
      metrics: classification ? [(yt: tf.Tensor, yp: tf.Tensor) => tf.metrics.categoricalAccuracy(yt, yp)] : [],
    });
    await model.fit(x, y, {
      epochs: cfg.model.epochs,
      batchSize: cfg.model.batchSize,
      shuffle: true,
      validationData: [xv, yv],
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch, logs) => onEpoch({ epoch: epoch + 1, trainLoss: Number(logs?.loss), valLoss: Number(logs?.val_loss), elapsedMs: performance.now() - start }),
      },
    });
  } finally {
    tf.dispose([x, y, xv, yv]);
    model.dispose();
    disposeOptimizer(optimizer);
  }
}
