/**
 * Where each hyperparameter lives in the ModelSpec: the value a fixed parameter takes, and how a
 * trial's value is written into the model. The one table between ParamName and ModelSpec.
 */
import { DEFAULT_CONV_BLOCK, MODEL_DEFAULTS } from './defaults';
import type { Experiment, FlipKind, LayerSpec, LayerUnitsName, ModelSpec, ParamName, PoolKind, ScheduleKind } from './types';

/** Index of the hidden layer of a per-layer units parameter ('units2' -> 1). */
const layerOf = (name: LayerUnitsName): number => Number(name.slice(5)) - 1;

/** The model value that a fixed parameter takes (the default for an optional field it lacks). */
export function fixedValue(e: Experiment, name: ParamName): number | string {
  const m = e.model;
  switch (name) {
    case 'units': return m.layers[0]?.units ?? 0;
    case 'activation': return m.layers[0]?.activation ?? 'relu';
    case 'depth': return m.layers.length;
    case 'units2': case 'units3': case 'units4': case 'units5': case 'units6':
      // a layer the fixed depth lacks would copy the last one
      return m.layers[layerOf(name)]?.units ?? m.layers[m.layers.length - 1]?.units ?? 16;
    case 'lrSchedule': case 'lrWarmup': case 'lrStepSize': case 'lrDecay': case 'lrFinal': case 'momentum': case 'beta1': case 'beta2': case 'topK':
    case 'augShift': case 'augRotate': case 'augNoise': case 'augFlip':
      return m[name] ?? MODEL_DEFAULTS[name];
    case 'convBlocks': return m.conv?.length ?? 0;
    case 'filters': return m.conv?.[0]?.filters ?? DEFAULT_CONV_BLOCK.filters;
    case 'kernelSize': return m.conv?.[0]?.kernel ?? DEFAULT_CONV_BLOCK.kernel;
    case 'pooling': return m.conv?.[0]?.pool ?? DEFAULT_CONV_BLOCK.pool;
    default: return m[name];
  }
}

/** Whether the model states a fixed parameter's value itself: false for an optional field it
 *  lacks (which takes its default, see MODEL_DEFAULTS) and for the units of a layer it lacks. */
export function statesValue(e: Experiment, name: ParamName): boolean {
  if (name.startsWith('units') && name !== 'units') return e.model.layers.length > layerOf(name as LayerUnitsName);
  if (name === 'convBlocks') return e.model.conv !== undefined;
  if (name === 'filters' || name === 'kernelSize' || name === 'pooling') return (e.model.conv?.length ?? 0) > 0;
  return !(name in MODEL_DEFAULTS) || e.model[name as keyof typeof MODEL_DEFAULTS] !== undefined;
}

/**
 * Writes `value` of parameter `name` into `m` (in place): `units` applies to every hidden layer,
 * `activation` to every hidden layer and conv block, `unitsK` to layer K only (when the model has
 * it); `depth` repeats or trims the last layer and `convBlocks` the last conv block; `filters`,
 * `kernelSize` and `pooling` apply to every conv block; the others set their field.
 * Apply `depth` and `convBlocks` first, then `units`, then `unitsK`.
 */
export function applyParam(m: ModelSpec, name: ParamName, value: number | string): void {
  switch (name) {
    case 'units': m.layers.forEach((l) => (l.units = Number(value))); break;
    case 'activation':
      m.layers.forEach((l) => (l.activation = value as LayerSpec['activation']));
      m.conv?.forEach((b) => (b.activation = value as LayerSpec['activation']));
      break;
    case 'convBlocks': {
      const conv = m.conv ?? [];
      const template = conv[conv.length - 1] ?? { ...DEFAULT_CONV_BLOCK, activation: m.layers[0]?.activation ?? DEFAULT_CONV_BLOCK.activation };
      while (conv.length < Number(value)) conv.push({ ...template });
      conv.length = Number(value);
      m.conv = conv;
      break;
    }
    case 'filters': m.conv?.forEach((b) => (b.filters = Number(value))); break;
    case 'kernelSize': m.conv?.forEach((b) => (b.kernel = Number(value))); break;
    case 'pooling': m.conv?.forEach((b) => (b.pool = value as PoolKind)); break;
    case 'augFlip': m.augFlip = value as FlipKind; break;
    case 'depth': {
      const template: LayerSpec = m.layers[m.layers.length - 1] ?? { units: 16, activation: 'relu' };
      while (m.layers.length < Number(value)) m.layers.push({ ...template });
      m.layers.length = Number(value);
      break;
    }
    case 'units2': case 'units3': case 'units4': case 'units5': case 'units6': {
      const layer = m.layers[layerOf(name)];
      if (layer) layer.units = Number(value);
      break;
    }
    case 'optimizer': m.optimizer = value as ModelSpec['optimizer']; break;
    case 'lrSchedule': m.lrSchedule = value as ScheduleKind; break;
    default: m[name] = Number(value);
  }
}
