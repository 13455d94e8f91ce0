/// <reference lib="webworker" />
// The bench worker: the project's real backend selection and trainers, timed epoch by epoch.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/lib/train/backend';
import { trainTrial } from '../../src/lib/train/trainer';
import { trainBatch } from '../../src/lib/train/batched';
import type { BackendPref } from '../../src/lib/experiment/types';
import type { BackendInfo, TrainData, TrialConfig } from '../../src/lib/train/types';
import { trainWithFit } from './fit';

/** Which trainer a run uses: the app's engine (trainBatch: all trials as one batch, or
 *  'engine-seq': one trial after another), the tfjs-layers loop (trainTrial), or model.fit. */
export type Trainer = 'engine' | 'engine-seq' | 'layers' | 'fit';

/** Timing of one run: wall time from start to the end of each epoch (ms), and in total. */
export interface RunTiming {
  /** per epoch: ms since the run started when that epoch's metrics arrived. */
  epochEnds: number[];
  totalMs: number;
  /** the last epoch's validation loss of each trial (sanity check). */
  finalValLoss: number[];
  numTensors: number;
}

let data: TrainData | null = null;

const api = {
  init: (pref: BackendPref): Promise<BackendInfo> => selectBackend(pref),
  setData(d: TrainData): void {
    data = d;
  },
  /** Trains `cfgs` with `trainer`: 'engine' trains them as one batch, the others one after another. */
  async run(trainer: Trainer, cfgs: TrialConfig[]): Promise<RunTiming> {
    if (!data) throw new Error('no data');
    const d = data;
    const t0 = performance.now();
    const epochEnds: number[] = [];
    const last = new Map<number, number>();
    const mark = (id: number, epoch: number, valLoss: number) => {
      last.set(id, valLoss);
      if (id === cfgs[0].trialId || trainer !== 'engine') epochEnds.push(performance.now() - t0);
      void epoch;
    };
    if (trainer === 'engine') {
      await trainBatch(d, cfgs, (id, m) => (mark(id, m.epoch, m.valLoss), 'continue'));
    } else {
      for (const cfg of cfgs) {
        if (trainer === 'engine-seq') await trainBatch(d, [cfg], (id, m) => (mark(id, m.epoch, m.valLoss), 'continue'));
        else if (trainer === 'layers') await trainTrial(d, cfg, (m) => (mark(cfg.trialId, m.epoch, m.valLoss), 'continue'));
        else await trainWithFit(d, cfg, (m) => mark(cfg.trialId, m.epoch, m.valLoss));
      }
    }
    return { epochEnds, totalMs: performance.now() - t0, finalValLoss: cfgs.map((c) => last.get(c.trialId) ?? NaN), numTensors: tf.memory().numTensors };
  },

};

/** The bench worker's API (comlink). */
export type BenchWorkerApi = typeof api;
Comlink.expose(api);
