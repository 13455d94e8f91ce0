import type { BackendName, BackendPref } from '../experiment/types';
import type { BackendInfo, EpochControl, EpochMetrics, TrainData, TrialConfig, TrialResult } from './types';
import type { ProbeShape, ProbeTiming } from './batching';

/**
 * The worker protocol: each request the main thread may send, mapped to its result type.
 * Both ends import this interface (comlink `expose` in the worker, `wrap<WorkerApi>` outside).
 * Only plain data crosses it, never tensors.
 */
export interface WorkerApi {
  /** Selects and initialises a tfjs backend. Resolves with the backend actually in use. */
  init(pref: BackendPref): Promise<BackendInfo>;
  /** Stores the training data; later `train` calls reuse it while the key matches. */
  setData(data: TrainData): Promise<void>;
  /** Trains one trial on the stored data. `onEpoch` is a comlink proxy called after every epoch.
   *  Never rejects for training problems: those come back as status 'failed' with a message. */
  train(cfg: TrialConfig, onEpoch: (m: EpochMetrics) => Promise<EpochControl> | EpochControl): Promise<TrialResult>;
  /** Trains trials that share an architecture, batch size, optimizer and data order (see
   *  `batchKey`) as one batched computation. `onEpoch` is called for every trial after every epoch.
   *  Resolves with one result per config, in order; never rejects for training problems. */
  trainBatch(cfgs: TrialConfig[], onEpoch: (trialId: number, m: EpochMetrics) => Promise<EpochControl> | EpochControl): Promise<TrialResult[]>;
  /** Times training steps of `shape` on this worker's backend (calibration). */
  probe(shape: ProbeShape, opts?: { trials?: number; minMs?: number }): Promise<ProbeTiming & { backend: BackendName }>;
  /** Current tensor count of the worker's tfjs engine (memory hygiene checks). */
  numTensors(): Promise<number>;
}

/** An error that crossed the worker boundary, as plain data. */
export interface WorkerError {
  code: 'no-data' | 'backend' | 'training' | 'crashed';
  message: string;
}
