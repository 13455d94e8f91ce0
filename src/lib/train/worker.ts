/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
// trainBatch/probeSteps of batched.ts, routed to the fused WebAssembly kernel on the wasm backend
import { probeSteps, trainBatch } from './fused/route';
import type { WorkerApi } from './protocol';
import type { BackendName } from '../experiment/types';
import type { TrainData, TrialConfig, TrialResult } from './types';
import { topKData } from '../data/features';

let data: TrainData | null = null;

/** A failed result for each config (the worker keeps going). */
function failed(cfgs: TrialConfig[], message: string): TrialResult[] {
  return cfgs.map((c) => ({ trialId: c.trialId, status: 'failed', epochs: [], backend: tf.getBackend() as BackendName, timeMs: 0, message }));
}

const api: WorkerApi = {
  init: (pref) => selectBackend(pref),
  async setData(d) {
    data = d;
  },
  // One trial is a batch of one: the hand-written trainer is the fastest single-trial loop too
  // (see the bench), so every trial in the app trains through trainBatch.
  async train(cfg, onEpoch) {
    const [r] = await api.trainBatch([cfg], (_, m) => onEpoch(m));
    return r;
  },
  async trainBatch(cfgs, onEpoch) {
    if (!data) return failed(cfgs, 'The worker has no data yet.');
    try {
      // the batch's input features: its top k by the filter ranking (batchKey groups trials by k)
      return await trainBatch(topKData(data, cfgs[0].model.topK), cfgs, (id, m) => onEpoch(id, m));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return failed(cfgs, `Training failed: ${message}`);
    }
  },
  async probe(shape, opts) {
    return { ...(await probeSteps(shape, opts)), backend: tf.getBackend() as BackendName };
  },
  async numTensors() {
    return tf.memory().numTensors;
  },
};

Comlink.expose(api);
