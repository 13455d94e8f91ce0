// Test-only page (tests/e2e/gpu-fused.test.mjs builds it with vite and drives it): runs the same
// trials on the wasm fused trainer (the reference, proven equal to the tfjs trainers by
// tests/unit/train/fused.test.ts) and on the GPU fused trainer, and hands both results back as
// plain data. No tfjs backend is set up here: both trainers create no tensors.
import { probeFused, trainBatch as trainWasm } from '../../src/lib/train/fused';
import { gpuFusedAvailable, probeGpu, trainGpu } from '../../src/lib/train/gpu';
import type { ModelSpec } from '../../src/lib/experiment/types';
import type { EpochMetrics, TrialConfig, TrialResult } from '../../src/lib/train/types';
import { blobData, blobFlat, blobRegression } from '../fixtures/blobs';

const [data, regression, flat] = [blobData, blobRegression, blobFlat];
const DATA = { classification: data, regression, flat } as const;

const base: ModelSpec = {
  layers: [{ units: 12, activation: 'relu' }, { units: 8, activation: 'tanh' }], dropout: 0, l1: 1e-4, l2: 1e-3,
  init: 'glorotUniform', optimizer: 'adam', learningRate: 0.02, batchSize: 16, epochs: 5,
};
const lrOf = (o: ModelSpec['optimizer']) => (o === 'sgd' ? 0.2 : o === 'momentum' ? 0.05 : 0.02);
const cfg = (trialId: number, model: Partial<ModelSpec> = {}, extra: Partial<TrialConfig> = {}): TrialConfig => ({
  trialId, model: { ...base, ...model }, seed: 10 + trialId, shuffleSeed: 77, boundaryGrid: 0, ...extra,
});

/** Eight trials of one network with different rates, penalties, dropout, inits, epochs and early stopping. */
const mixed = (optimizer: ModelSpec['optimizer']): TrialConfig[] => [
  cfg(10, { optimizer, learningRate: lrOf(optimizer) * 0.2 }),
  cfg(11, { optimizer, learningRate: lrOf(optimizer), l2: 0, dropout: 0.3 }),
  cfg(12, { optimizer, learningRate: lrOf(optimizer) * 0.5, l1: 0, init: 'heNormal', epochs: 3 }),
  cfg(13, { optimizer, learningRate: lrOf(optimizer), l2: 0.01, dropout: 0.1, init: 'leCunNormal' }),
  cfg(14, { optimizer, learningRate: lrOf(optimizer) * 2, l1: 0, l2: 0, init: 'randomNormal', epochs: 4 }),
  cfg(15, { optimizer, learningRate: lrOf(optimizer), l1: 1e-3, l2: 0, dropout: 0.5, epochs: 2 }),
  cfg(16, { optimizer, learningRate: lrOf(optimizer) * 0.7 }, { earlyStopping: { patience: 1, minDelta: 0, restoreBest: true } }),
  cfg(17, { optimizer, learningRate: lrOf(optimizer) * 1.5, dropout: 0.2, l1: 0 }),
];

/** The cases the e2e test runs, by name: a dataset and the trials trained as one stack. */
const CASES: Record<string, { data: keyof typeof DATA; cfgs: TrialConfig[] }> = {};
for (const o of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
  CASES[`${o} K=1 L1/L2`] = { data: 'classification', cfgs: [cfg(1, { optimizer: o, learningRate: lrOf(o) })] };
  CASES[`${o} K=1 dropout`] = { data: 'classification', cfgs: [cfg(2, { optimizer: o, learningRate: lrOf(o), dropout: 0.3, epochs: 4 })] };
  CASES[`${o} K=8 mixed`] = { data: 'classification', cfgs: mixed(o) };
}
for (const [o, lr] of [['sgd', 0.3], ['momentum', 0.05], ['adam', 0.05], ['rmsprop', 0.02]] as const) {
  CASES[`${o} early stopping restore-best`] = { data: 'classification', cfgs: [{ ...cfg(6, { optimizer: o, epochs: 40, learningRate: lr, l1: 0, l2: 0 }), earlyStopping: { patience: 3, minDelta: 0, restoreBest: true } }] };
}
CASES['regression K=8 sigmoid/relu'] = {
  data: 'regression',
  cfgs: mixed('adam').map((c) => ({ ...c, model: { ...c.model, layers: [{ units: 9, activation: 'sigmoid' as const }, { units: 5, activation: 'relu' as const }] } })),
};
CASES['linear model and surface'] = { data: 'flat', cfgs: [cfg(4, { layers: [], init: 'leCunNormal' }, { boundaryGrid: 7, boundaryExtent: [-2, 2, -2, 2] })] };
CASES['linear hidden layer, surface, K=2'] = {
  data: 'flat',
  cfgs: [4, 5].map((id) => cfg(id, { layers: [{ units: 6, activation: 'linear' }], dropout: 0.25 }, { boundaryGrid: 7, boundaryExtent: [-2, 2, -2, 2] })),
};
CASES['pruned, stopped and diverged trials'] = {
  data: 'classification',
  cfgs: [20, 21, 22, 23].map((id) => cfg(id, { optimizer: 'sgd', learningRate: id === 21 ? 1e6 : 0.2, layers: [{ units: 12, activation: 'relu' }] })),
};

/** A result as plain data (typed arrays as arrays). */
function plain(r: TrialResult) {
  return { ...r, boundary: r.boundary ? Array.from(r.boundary) : undefined };
}

/** The host's answers: trial 22 is pruned after epoch 2, trial 23 stopped after epoch 3. */
const control = (id: number, m: EpochMetrics) => (id === 22 && m.epoch === 2 ? 'prune' as const : id === 23 && m.epoch === 3 ? 'stop' as const : 'continue' as const);

const api = {
  cases: () => Object.keys(CASES),
  available: () => gpuFusedAvailable(),
  /** The adapter the GPU trainer runs on (vendor, architecture, description, fallback). */
  async adapter() {
    const a = await navigator.gpu.requestAdapter();
    const info = a?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    return info ? { vendor: info.vendor, architecture: info.architecture, description: info.description, fallback: info.isFallbackAdapter ?? null } : null;
  },
  /** Case `name` on both trainers: per trial, its wasm and GPU results and the epochs each reported. */
  async run(name: string) {
    const c = CASES[name];
    const seen = { wasm: [] as number[][], gpu: [] as number[][] };
    const cb = (to: number[][]) => (id: number, m: EpochMetrics) => (to.push([id, m.epoch]), control(id, m));
    const wasm = await trainWasm(DATA[c.data], c.cfgs, cb(seen.wasm));
    const gpu = await trainGpu(DATA[c.data], c.cfgs, cb(seen.gpu));
    return { wasm: wasm.map(plain), gpu: gpu.map(plain), seen };
  },
  /** probeGpu (what the calibration times on the webgpu backend) for K stacked trials of the base network. */
  probe: (trials: number) => probeGpu({ model: base, d: 3, nClasses: 3, task: 'classification' }, { trials, minMs: 5 }),
  /** Samples/s of K stacked trials of the reference MLP shape (d inputs, 64-128-nOut) on each fused trainer. */
  async speed(opts: { d: number; nClasses: number; trials: number; batchSize: number; minMs: number }) {
    const model: ModelSpec = { ...base, layers: [{ units: 64, activation: 'relu' }, { units: 128, activation: 'relu' }], l1: 0, l2: 0, batchSize: opts.batchSize };
    const shape = { model, d: opts.d, nClasses: opts.nClasses, task: 'classification' as const };
    const probe = { trials: opts.trials, minMs: opts.minMs, maxSteps: 100_000 };
    return { wasm: await probeFused(shape, probe), gpu: await probeGpu(shape, probe) };
  },
};

(window as unknown as { gpuTest: typeof api }).gpuTest = api;
document.body.dataset.ready = 'true';
