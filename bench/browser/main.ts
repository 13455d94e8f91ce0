// The bench page: loads digits8x8 exactly as the app does and runs timed trainings in fresh
// workers on request from bench/bench.mjs (through window.bench).
import * as Comlink from 'comlink';
import { loadDataset } from '../../src/lib/data/registry';
import { prepare } from '../../src/lib/data/split';
import { defaultExperiment } from '../../src/lib/experiment/defaults';
import type { BackendName, ModelSpec } from '../../src/lib/experiment/types';
import type { TrainData, TrialConfig } from '../../src/lib/train/types';
import type { BenchWorkerApi, RunTiming, Trainer } from './worker';
import { openSearch } from '../../src/lib/study/session';
import { Sweep } from '../../src/lib/train/pool';
import { memoryStore } from '../../src/lib/train/calibrate';
import { createRandom } from '../../src/lib/search/random';
import { searchedParams } from '../../src/lib/experiment/params';
import type { Experiment } from '../../src/lib/experiment/types';

/** The reference MLP: 64 inputs, one hidden layer of 128 ReLU units, 10 classes, Adam, batch 32. */
export const REFERENCE_MODEL: ModelSpec = {
  layers: [{ units: 128, activation: 'relu' }], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform',
  optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 5,
};

let dataPromise: Promise<TrainData> | null = null;
/** digits8x8 split and standardised with the app's default data settings. */
function referenceData(): Promise<TrainData> {
  dataPromise ??= (async () => {
    const spec = { ...defaultExperiment().data, id: 'digits8x8' };
    const ds = await loadDataset(spec, new URL('../datasets/', document.baseURI).href);
    return prepare(ds, spec).data;
  })();
  return dataPromise;
}

/** What one measurement asks for. `trainRows` limits the training rows, and the validation rows
 *  in proportion (slow software backends). */
export interface MeasureRequest {
  backend: BackendName;
  trainer: Trainer;
  /** trials per run: 'engine' and 'tfjs' train them as one batch, the other trainers one after another. */
  trials: number;
  epochs: number;
  /** runs in the same (fresh) worker; the first includes backend warm-up and shader compilation. */
  runs: number;
  trainRows?: number;
  model?: Partial<ModelSpec>;
}

/** Result: the backend that really ran, the training rows, and every run's timing. */
export interface MeasureResult {
  backend: string;
  note: string;
  nTrain: number;
  startMs: number;
  runs: RunTiming[];
}

async function measure(req: MeasureRequest): Promise<MeasureResult> {
  const full = await referenceData();
  const n = Math.min(full.yTrain.length, req.trainRows ?? Infinity);
  // Fewer training rows (slow software backends) come with proportionally fewer validation rows,
  // so an epoch keeps the app's balance of training and validation work.
  const nv = Math.max(1, Math.round((full.yVal.length * n) / full.yTrain.length));
  const data: TrainData = {
    ...full, key: `${full.key}|rows=${n}`, xTrain: full.xTrain.slice(0, n * full.d), yTrain: full.yTrain.slice(0, n),
    xVal: full.xVal.slice(0, nv * full.d), yVal: full.yVal.slice(0, nv),
  };
  const t0 = performance.now();
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'bench' });
  const api = Comlink.wrap<BenchWorkerApi>(worker);
  try {
    const info = await api.init(req.backend);
    await api.setData(data);
    const startMs = performance.now() - t0;
    const runs: RunTiming[] = [];
    for (let r = 0; r < req.runs; r++) {
      const cfgs: TrialConfig[] = Array.from({ length: req.trials }, (_, k) => ({
        trialId: r * 100 + k,
        model: { ...REFERENCE_MODEL, epochs: req.epochs, learningRate: REFERENCE_MODEL.learningRate * (1 + 0.1 * k), ...req.model },
        seed: 1000 + r * 100 + k,
        shuffleSeed: 1000 + r,
        boundaryGrid: 0,
      }));
      runs.push(await api.run(req.trainer, cfgs));
    }
    return { backend: info.backend, note: info.note, nTrain: n, startMs, runs };
  } finally {
    api[Comlink.releaseProxy]();
    worker.terminate();
  }
}

/** The app's training worker. One function for every sweep, as in the app: the pool keeps a
 *  finished sweep's workers warm for the next sweep with the same factory. */
const trainerWorker = () => new Worker(new URL('../../src/lib/train/worker.ts', import.meta.url), { type: 'module', name: 'trainer' });

/** The reference sweep through the app's own pool and worker (src/lib/train/worker.ts), without
 *  the page around it: what the pool can do when no UI competes for the CPU. */
async function sweep(req: { workers: number; batching: boolean; backend: BackendName; trials: number; epochs: number }): Promise<{ wallMs: number; firstEpochMs: number; trials: number }> {
  const data = await referenceData();
  const base = defaultExperiment();
  const experiment: Experiment = {
    ...base,
    data: { ...base.data, id: 'digits8x8' },
    model: { ...REFERENCE_MODEL, epochs: req.epochs },
    space: { ...base.space, units: { type: 'fixed' } },
    strategy: { ...base.strategy, budget: req.trials, concurrency: req.workers, autoWorkers: false, batching: req.batching },
    backend: req.backend,
  };
  const source = openSearch({ strategy: createRandom({ dims: searchedParams(experiment.space), seed: experiment.strategy.seed, gridPoints: 3, budget: req.trials }), pruner: null }, [], { budget: req.trials });
  const t0 = performance.now();
  let first = NaN;
  let ended = 0;
  await new Sweep({
    experiment, data: [data], source, objective: (m) => -(m.valAcc ?? 0), calibration: memoryStore(),
    factory: trainerWorker,
  }, {
    trialStarted: () => {},
    epoch: () => { if (Number.isNaN(first)) first = performance.now() - t0; },
    trialEnded: (_, r) => { if (r.status === 'complete') ended++; },
    backend: () => {},
    error: (m) => { throw new Error(m); },
  }).run();
  return { wallMs: performance.now() - t0, firstEpochMs: first, trials: ended };
}

/** The reference data as plain arrays (for the native PyTorch run). */
async function exportData(): Promise<{ d: number; nClasses: number; xTrain: number[]; yTrain: number[]; xVal: number[]; yVal: number[] }> {
  const d = await referenceData();
  return { d: d.d, nClasses: d.nClasses, xTrain: [...d.xTrain], yTrain: [...d.yTrain], xVal: [...d.xVal], yVal: [...d.yVal] };
}

(window as unknown as { bench: unknown }).bench = { measure, sweep, exportData, referenceModel: REFERENCE_MODEL };
document.body.dataset.ready = 'true';
