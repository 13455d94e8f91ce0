/**
 * Builds the tabular benchmark fixture (bench/tabular/digits-mlp.json): every grid point of
 * TABLE_SPEC trained with every seed by the app's own trainer (src/lib/train/trainer.ts), under
 * node, recording the per-epoch curves.
 *
 *   nice -n 10 npm run bench:search:generate       # the whole grid (about 10 min of one core)
 *   npm run bench:search:generate -- --probe       # only time a few trainings on cpu and wasm
 *   npm run bench:search:generate -- --backend cpu --limit 2 --out /tmp/t.json   # smoke test
 *
 * Run through bench/run-ts.mjs (a Vite module runner), which the npm script does.
 */
import { createHash } from 'node:crypto';
import { execSync } from 'node:child_process';
import { cpus, getPriority } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseMlpg } from '../../src/lib/data/mlpg';
import { prepare } from '../../src/lib/data/split';
import type { TrialParams } from '../../src/lib/experiment/types';
import { resolveModel } from '../../src/lib/model/spec';
import { trainTrial } from '../../src/lib/train/trainer';
import type { TrainData } from '../../src/lib/train/types';
import { allIndices, TABLE_PATH, TABLE_SPEC, type TableConfig, type TableFile, type TableRun } from './table';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The files whose code decides the stored curves (their hashes go into the header). */
const SOURCES = ['src/lib/train/trainer.ts', 'src/lib/model/build.ts', 'src/lib/model/spec.ts', 'src/lib/data/split.ts', 'src/lib/data/mlpg.ts'];
/** Backends the generator can use under node (no GPU here). */
type NodeBackend = 'cpu' | 'wasm';

async function useBackend(name: NodeBackend): Promise<void> {
  if (name === 'wasm') {
    // the single-threaded SIMD build: the generator is meant to use one core of a shared machine
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(`${ROOT}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} did not start`);
  await tf.ready();
}

function loadData(): { data: TrainData; nTrain: number; nVal: number } {
  const id = TABLE_SPEC.data.id;
  const header: unknown = JSON.parse(readFileSync(`${ROOT}datasets/${id}.json`, 'utf8'));
  const bin = readFileSync(`${ROOT}datasets/${id}.bin`);
  const ds = parseMlpg(header, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const { data } = prepare(ds, TABLE_SPEC.data);
  return { data, nTrain: data.yTrain.length, nVal: data.yVal.length };
}

/** 4 significant digits (losses), or 4 decimals (accuracies); null for non-finite values. */
const sig4 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? Number(v.toPrecision(4)) : null);
const dec4 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null);

async function trainOne(data: TrainData, params: TrialParams, seed: number): Promise<TableRun> {
  const model = resolveModel(TABLE_SPEC.model, params);
  const r = await trainTrial(data, { trialId: 0, model, seed, boundaryGrid: 0 }, () => 'continue');
  if (r.status === 'pruned' || r.status === 'cancelled') throw new Error(`unexpected status ${r.status}`);
  return {
    seed,
    status: r.status,
    valLoss: r.epochs.map((m) => sig4(m.valLoss)),
    valAcc: r.epochs.map((m) => dec4(m.valAcc)),
    trainLoss: r.epochs.map((m) => sig4(m.trainLoss)),
    ms: Math.round(r.timeMs),
  };
}

function paramsOf(idx: number[]): TrialParams {
  const p: TrialParams = {};
  TABLE_SPEC.axes.forEach((a, i) => (p[a.name] = a.values[idx[i]]));
  return p;
}

/** Mean ms per epoch of a few short trainings covering the cheap and dear corners of the grid. */
async function probe(data: TrainData, epochs = 3): Promise<number> {
  const corners: TrialParams[] = [
    { learningRate: 1e-3, batchSize: 32, dropout: 0.25, l2: 1e-4, units: 64 },
    { learningRate: 1e-3, batchSize: 128, dropout: 0.25, l2: 1e-4, units: 64 },
    { learningRate: 1e-3, batchSize: 32, dropout: 0.25, l2: 1e-4, units: 16 },
    { learningRate: 1e-3, batchSize: 128, dropout: 0.25, l2: 1e-4, units: 16 },
  ];
  await trainTrial(data, { trialId: 0, model: resolveModel(TABLE_SPEC.model, { ...corners[0], epochs: 1 }), seed: 0, boundaryGrid: 0 }, () => 'continue');
  const t0 = performance.now();
  for (const p of corners) {
    await trainTrial(data, { trialId: 0, model: resolveModel(TABLE_SPEC.model, { ...p, epochs }), seed: 0, boundaryGrid: 0 }, () => 'continue');
  }
  return (performance.now() - t0) / (corners.length * epochs);
}

function git(cmd: string): string {
  try {
    return execSync(`git ${cmd}`, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Entry point (see the file comment for the options). */
export async function main(args: string[]): Promise<void> {
  // what is about to run (the modules are loaded by now; hash them before anyone edits them)
  const sources = Object.fromEntries(SOURCES.map((f) => [f, createHash('sha256').update(readFileSync(`${ROOT}${f}`)).digest('hex').slice(0, 16)]));
  const commit = git('rev-parse HEAD');
  const dirty = git('status --porcelain -- src/lib/train src/lib/model src/lib/data') !== '';
  const { data, nTrain, nVal } = loadData();
  const log = (s: string) => process.stderr.write(`${s}\n`);

  // Both node backends on the same few trainings, in two interleaved rounds keeping each
  // backend's faster one: the machine is shared, and the minimum is the least disturbed.
  const backendProbe: Record<string, number> = {};
  for (let round = 0; round < 2; round++) {
    for (const b of ['cpu', 'wasm'] as const) {
      await useBackend(b);
      const ms = Math.round(await probe(data));
      backendProbe[b] = Math.min(backendProbe[b] ?? Infinity, ms);
      log(`probe: ${b} ${ms} ms/epoch`);
    }
  }
  if (args.includes('--probe')) return;
  const chosen = (option(args, '--backend') as NodeBackend | undefined) ?? (backendProbe.wasm <= backendProbe.cpu ? 'wasm' : 'cpu');
  await useBackend(chosen);
  const out = option(args, '--out') ?? fileURLToPath(TABLE_PATH);

  // --limit n: only the first n grid points (a smoke test of the generator; not a valid fixture)
  const grid = allIndices(TABLE_SPEC.axes).slice(0, Number(option(args, '--limit') ?? Infinity));
  const total = grid.length * TABLE_SPEC.seeds.length;
  log(`training ${grid.length} grid points x ${TABLE_SPEC.seeds.length} seeds x ${TABLE_SPEC.model.epochs} epochs on ${chosen}`);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage().user + process.cpuUsage().system;
  const configs: TableConfig[] = [];
  let done = 0;
  for (const idx of grid) {
    const params = paramsOf(idx);
    const runs: TableRun[] = [];
    for (const seed of TABLE_SPEC.seeds) {
      runs.push(await trainOne(data, params, seed));
      done++;
      if (done % 20 === 0 || done === total) {
        const s = (performance.now() - t0) / 1000;
        log(`${done}/${total} runs, ${s.toFixed(0)} s, about ${((s / done) * (total - done)).toFixed(0)} s left`);
      }
    }
    configs.push({ params, runs });
  }
  const wallTimeSec = Math.round((performance.now() - t0) / 1000);
  const cpuTimeSec = Math.round((process.cpuUsage().user + process.cpuUsage().system - cpu0) / 1e6);

  const table: TableFile = {
    format: 'hpp-tabular-benchmark',
    version: 1,
    name: TABLE_SPEC.name,
    description:
      'Every grid point of a one-hidden-layer ReLU MLP (Adam) on digits8x8, trained with every seed by the app\'s trainer (trainTrial) under node; ' +
      'per-epoch validation loss and accuracy and training loss. Replayed by bench/search.bench.ts to compare search strategies without training.',
    generated: {
      date: new Date().toISOString(),
      command: `${getPriority() > 0 ? `nice -n ${getPriority()} ` : ''}npm run bench:search:generate${args.length ? ` -- ${args.join(' ')}` : ''}`,
      wallTimeSec,
      cpuTimeSec,
      backend: chosen,
      backendProbe,
      node: process.version,
      tfjs: tf.version.tfjs,
      commit,
      dirty,
      sources,
      cpu: `${cpus()[0]?.model ?? '?'} (1 core used)`,
    },
    data: { ...TABLE_SPEC.data, nTrain, nVal },
    model: TABLE_SPEC.model,
    seeds: TABLE_SPEC.seeds,
    epochs: TABLE_SPEC.model.epochs,
    axes: TABLE_SPEC.axes.map((a) => ({ name: a.name, spec: a.spec, values: a.values })),
    configs,
  };
  // one grid point per line: small diffs between regenerations, still plain JSON
  const { configs: _, ...head } = table;
  const text = `${JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "configs": [\n')}${configs.map((c) => `    ${JSON.stringify(c)}`).join(',\n')}\n  ]\n}\n`;
  JSON.parse(text); // never write a file that does not parse
  writeFileSync(out, text);
  log(`wrote ${out} (${(text.length / 1024).toFixed(0)} KB) in ${wallTimeSec} s`);
}
