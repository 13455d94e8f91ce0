import type { LayerSpec, ModelSpec, TrialParams } from '../experiment/types';

/** The model of one trial: the base ModelSpec with the trial's searched params applied.
 *  `units` and `activation` apply to every hidden layer; `depth` repeats or trims the last layer. */
export function resolveModel(base: ModelSpec, params: TrialParams): ModelSpec {
  const m: ModelSpec = { ...base, layers: base.layers.map((l) => ({ ...l })) };
  if (params.depth !== undefined) {
    const depth = Number(params.depth);
    const template: LayerSpec = m.layers[m.layers.length - 1] ?? { units: 16, activation: 'relu' };
    while (m.layers.length < depth) m.layers.push({ ...template });
    m.layers.length = depth;
  }
  if (params.units !== undefined) m.layers.forEach((l) => (l.units = Number(params.units)));
  if (params.activation !== undefined) m.layers.forEach((l) => (l.activation = params.activation as LayerSpec['activation']));
  for (const k of ['learningRate', 'batchSize', 'dropout', 'l1', 'l2', 'epochs'] as const) {
    if (params[k] !== undefined) m[k] = Number(params[k]);
  }
  if (params.optimizer !== undefined) m.optimizer = params.optimizer as ModelSpec['optimizer'];
  return m;
}

/** Trainable parameters of a dense network: d inputs, hidden `layers`, `nOut` outputs. */
export function paramCount(layers: LayerSpec[], d: number, nOut: number): number {
  let prev = d;
  let n = 0;
  for (const l of layers) {
    n += prev * l.units + l.units;
    prev = l.units;
  }
  return n + prev * nOut + nOut;
}

/** Output units for a task: 1 for regression, nClasses for classification (softmax). */
export function outputUnits(task: 'classification' | 'regression', nClasses: number): number {
  return task === 'regression' ? 1 : nClasses;
}
