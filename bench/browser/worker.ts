/// <reference lib="webworker" />
// The bench worker: the project's real backend selection and trainers, timed epoch by epoch.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/lib/train/backend';
import { trainTrial } from '../../src/lib/train/trainer';
// what the app's worker runs: the fused WebAssembly kernel on the wasm backend, else batched.ts
import { trainBatch, usesFused } from '../../src/lib/train/fused/route';
import { trainBatch as trainBatchTfjs } from '../../src/lib/train/batched';
import type { BackendPref } from '../../src/lib/experiment/types';
import type { BackendInfo, TrainData, TrialConfig } from '../../src/lib/train/types';
import { trainWithFit } from './fit';

/**
 * Which trainer a run uses. 'engine': what the app runs (fused/route.ts: the fused kernel on
 * wasm, batched.ts elsewhere); 'tfjs': batched.ts on any backend (the app's trainer before the
 * fused kernel); both train all trials of a run as one batch, and their '-seq' forms train the
 * same trials one after another. 'layers': the tfjs-layers loop (trainer.ts); 'fit': model.fit.
 */
export type Trainer = 'engine' | 'engine-seq' | 'tfjs' | 'tfjs-seq' | 'layers' | 'fit';

/** Trainers that train a run's trials as one batch (the others: one after another). */
export const BATCHED: readonly Trainer[] = ['engine', 'tfjs'];

/** Timing of one run: wall time from start to the end of each epoch (ms), and in total. */
export interface RunTiming {
  /** per epoch: ms since the run started when that epoch's metrics arrived (a batched run:
   *  the first trial's epochs; otherwise every trial's epochs in sequence). */
  epochEnds: number[];
  totalMs: number;
  /** the last epoch's validation loss of each trial (sanity check). */
  finalValLoss: number[];
  numTensors: number;
  /** the code that trained: the fused kernel or tfjs (batched.ts, trainer.ts or model.fit). */
  ran: 'fused' | 'tfjs';
}

let data: TrainData | null = null;

const api = {
  init: (pref: BackendPref): Promise<BackendInfo> => selectBackend(pref),
  setData(d: TrainData): void {
    data = d;
  },
  /** Trains `cfgs` with `trainer` (see Trainer). */
  async run(trainer: Trainer, cfgs: TrialConfig[]): Promise<RunTiming> {
    if (!data) throw new Error('no data');
    const d = data;
    const batched = BATCHED.includes(trainer);
    const engine = trainer === 'engine' || trainer === 'engine-seq';
    const ran = engine && (await usesFused(cfgs.map((c) => c.model))) ? 'fused' : 'tfjs';
    const batch = engine ? trainBatch : trainBatchTfjs;
    const t0 = performance.now();
    const epochEnds: number[] = [];
    const last = new Map<number, number>();
    const mark = (id: number, valLoss: number) => {
      last.set(id, valLoss);
      if (!batched || id === cfgs[0].trialId) epochEnds.push(performance.now() - t0);
    };
    if (batched) {
      await batch(d, cfgs, (id, m) => (mark(id, m.valLoss), 'continue'));
    } else {
      for (const cfg of cfgs) {
        if (trainer === 'engine-seq' || trainer === 'tfjs-seq') await batch(d, [cfg], (id, m) => (mark(id, m.valLoss), 'continue'));
        else if (trainer === 'layers') await trainTrial(d, cfg, (m) => (mark(cfg.trialId, m.valLoss), 'continue'));
        else await trainWithFit(d, cfg, (m) => mark(cfg.trialId, m.valLoss));
      }
    }
    return { epochEnds, totalMs: performance.now() - t0, finalValLoss: cfgs.map((c) => last.get(c.trialId) ?? NaN), numTensors: tf.memory().numTensors, ran };
  },
};

/** The bench worker's API (comlink). */
export type BenchWorkerApi = typeof api;
Comlink.expose(api);
