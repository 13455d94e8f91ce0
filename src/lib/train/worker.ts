/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { trainTrial } from './trainer';
import type { WorkerApi } from './protocol';
import type { TrainData } from './types';

let data: TrainData | null = null;

const api: WorkerApi = {
  init: (pref) => selectBackend(pref),
  async setData(d) {
    data = d;
  },
  async train(cfg, onEpoch) {
    if (!data) {
      return { trialId: cfg.trialId, status: 'failed', epochs: [], backend: tf.getBackend() as never, timeMs: 0, message: 'The worker has no data yet.' };
    }
    try {
      return await trainTrial(data, cfg, (m) => onEpoch(m));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { trialId: cfg.trialId, status: 'failed', epochs: [], backend: tf.getBackend() as never, timeMs: 0, message: `Training failed: ${message}` };
    }
  },
  async numTensors() {
    return tf.memory().numTensors;
  },
};

Comlink.expose(api);
