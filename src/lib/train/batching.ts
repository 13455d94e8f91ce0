import { modelValue } from '../experiment/defaults';
import type { ModelSpec } from '../experiment/types';
import type { TrainData, TrialConfig } from './types';

/** Most trials one batched training stacks: the speed-up flattens beyond it while memory grows. */
export const MAX_BATCH = 8;

/**
 * What trials must share to train as one batch (see batched.ts): the layers (units,
 * activations), the mini-batch size, the optimizer with its constants (momentum; Adam's betas),
 * the input features (`topK`) and the data order (`shuffleSeed`). Learning rate and its schedule, dropout, L1, L2, init, seed
 * and epochs may differ. Free of tfjs, so the pool on the main thread can group trials without
 * loading it.
 */
export function batchKey(cfg: Pick<TrialConfig, 'model' | 'seed' | 'shuffleSeed'> & Partial<Pick<TrialConfig, 'trialId'>>): string {
  const m = cfg.model;
  // conv networks and augmented images train on the tfjs-layers trainer, one trial at a time
  if (trainsAlone(m)) return JSON.stringify(['alone', cfg.trialId ?? -1, cfg.seed]);
  const constants = m.optimizer === 'momentum' ? [modelValue(m, 'momentum')] : m.optimizer === 'adam' ? [modelValue(m, 'beta1'), modelValue(m, 'beta2')] : [];
  return JSON.stringify([m.layers.map((l) => [l.units, l.activation]), m.batchSize, m.optimizer, constants, Math.round(modelValue(m, 'topK')), cfg.shuffleSeed ?? `seed:${cfg.seed}`]);
}

/** Whether trials of `m` train one at a time on the tfjs-layers trainer (trainer.ts): conv
 *  networks and augmented images, which the batched and fused dense trainers do not cover. */
export function trainsAlone(m: ModelSpec): boolean {
  return (m.conv?.length ?? 0) > 0 || modelValue(m, 'augShift') > 0 || modelValue(m, 'augRotate') > 0 || modelValue(m, 'augNoise') > 0 || modelValue(m, 'augFlip') !== 'off';
}

/** The shape of the trials a calibration measures: the model (layers, batch size, optimizer) and the data's width. */
export interface ProbeShape {
  model: ModelSpec;
  d: number;
  /** image layout, for conv networks. */
  image?: { width: number; height: number; channels: number };
  nClasses: number;
  task: TrainData['task'];
}

/** What a calibration probe measured on one backend. */
export interface ProbeTiming {
  /** the first step(s), which build the kernels (and compile shaders on GPU backends), ms. */
  warmupMs: number;
  /** steady-state time of one optimisation step of all the probe's trials, ms. */
  stepMs: number;
  /** trial-samples per second in the steady state: trials × batch size / step time. */
  samplesPerSec: number;
  /** timed steps. */
  steps: number;
}
