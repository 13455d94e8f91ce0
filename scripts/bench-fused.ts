/**
 * The fused trainer's throughput under node (the same kernel.wasm the page loads) against native
 * PyTorch on one thread and against the batched tfjs trainer on tfjs' wasm backend, in one run:
 *
 *   nice -n 10 node bench/run-ts.mjs scripts/bench-fused.ts [--rounds=2] [--skip-tfjs]
 *
 * Models: the reference MLP (64-128-10 ReLU, Adam, batch 32) and a 3 × 256 ReLU MLP, on the
 * app's digits8x8 split (as bench/browser). Per-trial throughput = training rows / steady epoch
 * (median of epochs 2..E, with the validation pass), median over runs. K = 8: eight trials as one
 * batch against the same eight trained one after another. Rounds interleave native and fused, so
 * each round's ratios compare numbers taken under the same machine load.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadDataset } from '../src/lib/data/registry';
import { prepare } from '../src/lib/data/split';
import { defaultExperiment } from '../src/lib/experiment/defaults';
import type { ModelSpec } from '../src/lib/experiment/types';
import { trainBatch as trainBatchTfjs } from '../src/lib/train/batched';
import { setKernelSource, trainFused } from '../src/lib/train/fused';
import type { TrainData, TrialConfig, TrialResult } from '../src/lib/train/types';

const ROOT = resolve(import.meta.dirname, '..');
const REFERENCE: ModelSpec = {
  layers: [{ units: 128, activation: 'relu' }], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform',
  optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 6,
};
const DEEP: ModelSpec = { ...REFERENCE, layers: [256, 256, 256].map((units) => ({ units, activation: 'relu' as const })) };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, d = 0) => Number(x.toFixed(d));

async function digits(): Promise<TrainData> {
  const spec = { ...defaultExperiment().data, id: 'digits8x8' };
  const ds = await loadDataset(spec, `file://${ROOT}/datasets/`, async (u) => new Response(readFileSync(new URL(u))));
  return prepare(ds, spec).data;
}

type Trainer = (data: TrainData, cfgs: TrialConfig[], onEpoch: (id: number, m: { elapsedMs: number }) => 'continue') => Promise<TrialResult[]>;
/** A throughput, trial-samples/s, from wall time and from this process's CPU time. */
interface Rate { wall: number; cpu: number }

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Steady epoch of one training of `cfgs`, ms of wall and of CPU time (medians of epochs 2..E). */
async function steadyEpoch(train: Trainer, data: TrainData, cfgs: TrialConfig[]): Promise<Rate> {
  const wall: number[] = [];
  const cpu: number[] = [];
  await train(data, cfgs, (id) => {
    if (id === cfgs[0].trialId) { wall.push(performance.now()); cpu.push(cpuMs()); }
    return 'continue';
  });
  const steady = (e: number[]) => median(e.slice(1).map((t, i) => t - e[i]));
  return { wall: steady(wall), cpu: steady(cpu) };
}

const configs = (model: ModelSpec, K: number, run: number, epochs: number): TrialConfig[] => Array.from({ length: K }, (_, k) => ({
  trialId: run * 100 + k, model: { ...model, epochs, learningRate: model.learningRate * (1 + 0.1 * k) },
  seed: 1000 + run * 100 + k, shuffleSeed: 1000 + run, boundaryGrid: 0,
}));

/** Trial-samples/s of `train` on K trials as one batch (sequential: the K trained one after another). */
async function throughput(train: Trainer, data: TrainData, model: ModelSpec, K: number, runs: number, epochs: number, sequential = false): Promise<Rate> {
  const n = data.yTrain.length;
  await train(data, configs(model, K, 99, 2), () => 'continue'); // warm-up (and wasm tier-up)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const cfgs = configs(model, K, r, epochs);
    // sequential: one epoch of every trial, trained one after another
    const parts: Rate[] = [];
    if (sequential) for (const c of cfgs) parts.push(await steadyEpoch(train, data, [c]));
    else parts.push(await steadyEpoch(train, data, cfgs));
    wall.push(parts.reduce((a, p) => a + p.wall, 0));
    cpu.push(parts.reduce((a, p) => a + p.cpu, 0));
  }
  return { wall: (n * K) / (median(wall) / 1000), cpu: (n * K) / (median(cpu) / 1000) };
}

/** Native PyTorch (one thread) on the same data and model, as bench/native.py measures it. */
function native(data: TrainData, model: ModelSpec, runs: number, epochs: number): Rate {
  const file = join(tmpdir(), `fused-bench-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({
    d: data.d, nClasses: data.nClasses, xTrain: [...data.xTrain], yTrain: [...data.yTrain], xVal: [...data.xVal], yVal: [...data.yVal],
    layers: model.layers.map((l) => l.units), batchSize: model.batchSize, learningRate: model.learningRate, epochs, runs,
  }));
  const p = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts/bench-fused-native.py'), file], { encoding: 'utf8' });
  const out = JSON.parse(p.stdout.trim().split('\n').pop() || '{}') as { samplesPerSec?: number; cpuSamplesPerSec?: number; skipped?: string };
  if (!out.samplesPerSec || !out.cpuSamplesPerSec) throw new Error(`native: ${out.skipped ?? p.stderr}`);
  return { wall: out.samplesPerSec, cpu: out.cpuSamplesPerSec };
}

/** a / b for both clocks, 2 decimals. */
const ratio = (a: Rate, b: Rate, scale = 1) => ({ wall: round(a.wall / scale / b.wall, 2), cpu: round(a.cpu / scale / b.cpu, 2) });
const rounded = (r: Record<string, Rate>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { wall: round(v.wall), cpu: round(v.cpu) }]));

export async function main(args: string[]): Promise<void> {
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
  setKernelSource(() => readFile(join(ROOT, 'src/lib/train/fused/kernel.wasm')));
  const data = await digits();
  const fused: Trainer = (d, c, cb) => trainFused(d, c, cb);
  const out: Record<string, unknown>[] = [];
  const report = (o: Record<string, unknown>) => { out.push(o); console.error(JSON.stringify(o)); };
  for (let i = 1; i <= rounds; i++) {
    const r = {
      nativeRef: native(data, REFERENCE, 5, 6),
      fusedRef: await throughput(fused, data, REFERENCE, 1, 5, 6),
      nativeDeep: native(data, DEEP, 3, 4),
      fusedDeep: await throughput(fused, data, DEEP, 1, 3, 4),
      fusedRefK8: await throughput(fused, data, REFERENCE, 8, 3, 4),
      fusedRefSeq8: await throughput(fused, data, REFERENCE, 8, 1, 4, true),
    };
    report({
      round: i, samplesPerSec: rounded(r),
      ratios: {
        refVsNative: ratio(r.fusedRef, r.nativeRef), deepVsNative: ratio(r.fusedDeep, r.nativeDeep),
        k8VsSequential: ratio(r.fusedRefK8, r.fusedRefSeq8), k8TotalVsNative: ratio(r.fusedRefK8, r.nativeRef),
      },
    });
  }
  if (!args.includes('--skip-tfjs')) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(`${ROOT}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend did not start');
    await tf.ready();
    const tfjs: Trainer = (d, c, cb) => trainBatchTfjs(d, c, cb);
    const r = {
      nativeRef: native(data, REFERENCE, 3, 4),
      fusedRef: await throughput(fused, data, REFERENCE, 1, 3, 4),
      tfjsWasmRef: await throughput(tfjs, data, REFERENCE, 1, 3, 4),
      fusedRefK8: await throughput(fused, data, REFERENCE, 8, 2, 3),
      tfjsWasmRefK8: await throughput(tfjs, data, REFERENCE, 8, 2, 3),
      tfjsWasmRefSeq8: await throughput(tfjs, data, REFERENCE, 8, 1, 3, true),
    };
    report({
      round: 'tfjs-wasm (batched.ts on tfjs\' wasm backend, the trainer the page used before)', samplesPerSec: rounded(r),
      ratios: {
        tfjsWasmVsNative: ratio(r.tfjsWasmRef, r.nativeRef), fusedVsTfjsWasm: ratio(r.fusedRef, r.tfjsWasmRef),
        tfjsK8VsTfjsSequential: ratio(r.tfjsWasmRefK8, r.tfjsWasmRefSeq8), fusedK8VsTfjsWasmK8: ratio(r.fusedRefK8, r.tfjsWasmRefK8),
        fusedK8VsTfjsWasmSequential: ratio(r.fusedRefK8, r.tfjsWasmRefSeq8),
      },
    });
  }
  console.log(JSON.stringify({ date: new Date().toISOString(), nTrain: data.yTrain.length, nVal: data.yVal.length, results: out }, null, 2));
}
