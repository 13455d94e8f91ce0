import type { LayerSpec, ModelSpec, ParamName, TrialParams } from '../experiment/types';
import { PARAMS } from '../experiment/params';
import { applyParam } from '../experiment/values';

/** The model of one trial: the base ModelSpec with the trial's searched params applied (see
 *  applyParam: `units` and `activation` apply to every hidden layer; `depth` repeats or trims the
 *  last layer). `depth` first, then PARAMS order: the layers exist before `units` and `unitsK` size them.
 *  A parameter the trial lacks (fixed, or inactive under its condition) keeps the base value. */
export function resolveModel(base: ModelSpec, params: TrialParams): ModelSpec {
  const m: ModelSpec = { ...base, layers: base.layers.map((l) => ({ ...l })), ...(base.conv ? { conv: base.conv.map((b) => ({ ...b })) } : {}) };
  const first: ParamName[] = ['depth', 'convBlocks'];
  const order: ParamName[] = [...first, ...PARAMS.map((p) => p.name).filter((n) => !first.includes(n))];
  for (const name of order) {
    const v = params[name];
    if (v !== undefined) applyParam(m, name, v);
  }
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
