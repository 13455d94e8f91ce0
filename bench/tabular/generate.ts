/**
 * Builds a tabular benchmark table (bench/tabular/NAME.json): every grid point of
 * TABLE_SPECS[NAME] trained with every seed by the app's own batched trainer (trainBatch,
 * src/lib/train/batched.ts), under node, recording the per-epoch curves.
 *
 *   nice -n 15 npm run bench:search:generate -- --table digits-mlp   # about 4 min of one core
 *   nice -n 15 npm run bench:search:generate -- --table spiral-mlp   # about 5 min of one core
 *   npm run bench:search:generate -- --table spiral-mlp --probe      # only time cpu and wasm
 *   npm run bench:search:generate -- --table spiral-mlp --backend wasm --limit 8 --out /tmp/t.json   # smoke test
 *
 * Grid points that share an architecture and batch size are trained together, up to MAX_BATCH at
 * a time, as the app batches trials; each seed sets the weight init, the dropout masks and the
 * mini-batch order (the trial's `seed` and `shuffleSeed`). Run through bench/run-ts.mjs (a Vite
 * module runner), which the npm script does.
 */
import { createHash } from 'node:crypto';
import { execSync } from 'node:child_process';
import { cpus, getPriority } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseMlpg } from '../../src/lib/data/mlpg';
import { generateDataset, getDataset } from '../../src/lib/data/registry';
import { prepare } from '../../src/lib/data/split';
import type { Dataset } from '../../src/lib/data/types';
import type { TrialParams } from '../../src/lib/experiment/types';
import { resolveModel } from '../../src/lib/model/spec';
import { batchKey, MAX_BATCH, trainBatch } from '../../src/lib/train/batched';
import type { TrainData, TrialConfig, TrialResult } from '../../src/lib/train/types';
import { allIndices, TABLE_SPECS, tablePath, type TableConfig, type TableFile, type TableName, type TableRun, type TableSpec } from './table';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The files whose code decides the stored curves (their hashes go into the header). */
const SOURCES = [
  'src/lib/train/batched.ts', 'src/lib/model/build.ts', 'src/lib/model/spec.ts', 'src/lib/data/split.ts',
  'src/lib/data/mlpg.ts', 'src/lib/data/generators.ts',
];
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

/** The table's data, split as its spec says: a shipped dataset, or a 2-D generator. */
function loadData(spec: TableSpec): TrainData {
  const entry = getDataset(spec.data.id);
  if (!entry) throw new Error(`unknown dataset ${spec.data.id}`);
  let ds: Dataset;
  if (entry.kind === '2d') {
    ds = generateDataset(entry, spec.data);
  } else {
    const header: unknown = JSON.parse(readFileSync(`${ROOT}datasets/${spec.data.id}.json`, 'utf8'));
    const bin = readFileSync(`${ROOT}datasets/${spec.data.id}.bin`);
    ds = parseMlpg(header, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  }
  return prepare(ds, spec.data).data;
}

/** 4 significant digits (losses), or 4 decimals (accuracies); null for non-finite values. */
const sig4 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? Number(v.toPrecision(4)) : null);
const dec4 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null);

function runOf(r: TrialResult, seed: number, ms: number): TableRun {
  if (r.status === 'pruned' || r.status === 'cancelled') throw new Error(`unexpected status ${r.status}`);
  return {
    seed,
    status: r.status,
    valLoss: r.epochs.map((m) => sig4(m.valLoss)),
    valAcc: r.epochs.map((m) => dec4(m.valAcc)),
    trainLoss: r.epochs.map((m) => sig4(m.trainLoss)),
    ms: Math.round(ms),
  };
}

function paramsOf(spec: TableSpec, idx: number[]): TrialParams {
  const p: TrialParams = {};
  spec.axes.forEach((a, i) => (p[a.name] = a.values[idx[i]]));
  return p;
}

/** The trial config of grid point `params` with training seed `seed`. */
function configOf(spec: TableSpec, params: TrialParams, seed: number, trialId: number, epochs?: number): TrialConfig {
  const model = resolveModel(spec.model, epochs === undefined ? params : { ...params, epochs });
  return { trialId, model, seed, shuffleSeed: seed, boundaryGrid: 0 };
}

/** Ms per trial-epoch of short batched trainings: the first and last grid point (cheap and dear
 *  corners of most grids), each as a full batch. */
async function probe(data: TrainData, spec: TableSpec, epochs = 2): Promise<number> {
  const grid = allIndices(spec.axes);
  const corners = [grid[0], grid[grid.length - 1]].map((idx) => paramsOf(spec, idx));
  const batchOf = (p: TrialParams, e: number) => Array.from({ length: MAX_BATCH }, (_, k) => configOf(spec, p, k + 1, k, e));
  await trainBatch(data, batchOf(corners[0], 1), () => 'continue');
  const t0 = performance.now();
  for (const p of corners) await trainBatch(data, batchOf(p, epochs), () => 'continue');
  return (performance.now() - t0) / (corners.length * MAX_BATCH * epochs);
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
  const name = option(args, '--table') as TableName | undefined;
  if (!name || !(name in TABLE_SPECS)) throw new Error(`--table NAME is required, one of: ${Object.keys(TABLE_SPECS).join(', ')}`);
  const spec = TABLE_SPECS[name];
  // what is about to run (the modules are loaded by now; hash them before anyone edits them)
  const sources = Object.fromEntries(SOURCES.map((f) => [f, createHash('sha256').update(readFileSync(`${ROOT}${f}`)).digest('hex').slice(0, 16)]));
  const commit = git('rev-parse HEAD');
  const dirty = git('status --porcelain -- src/lib/train src/lib/model src/lib/data') !== '';
  const data = loadData(spec);
  const log = (s: string) => process.stderr.write(`${s}\n`);

  // Both node backends on the same few trainings, in two interleaved rounds keeping each
  // backend's faster one: the machine is shared, and the minimum is the least disturbed.
  const backendProbe: Record<string, number> = {};
  const given = option(args, '--backend') as NodeBackend | undefined;
  if (!given || args.includes('--probe')) {
    for (let round = 0; round < 2; round++) {
      for (const b of ['cpu', 'wasm'] as const) {
        await useBackend(b);
        const ms = Number((await probe(data, spec)).toFixed(1));
        backendProbe[b] = Math.min(backendProbe[b] ?? Infinity, ms);
        log(`probe: ${b} ${ms} ms per trial-epoch`);
      }
    }
  }
  if (args.includes('--probe')) return;
  const chosen = given ?? (backendProbe.wasm <= backendProbe.cpu ? 'wasm' : 'cpu');
  await useBackend(chosen);
  const out = option(args, '--out') ?? fileURLToPath(tablePath(name));

  // --limit n: only the first n grid points (a smoke test of the generator; not a valid table)
  const grid = allIndices(spec.axes).slice(0, Number(option(args, '--limit') ?? Infinity));
  const params = grid.map((idx) => paramsOf(spec, idx));
  // every (grid point, seed) as a trial; those sharing a batch key train together
  const jobs = params.flatMap((p, k) => spec.seeds.map((seed, s) => ({ k, s, cfg: configOf(spec, p, seed, k * spec.seeds.length + s) })));
  const groups = new Map<string, typeof jobs>();
  for (const j of jobs) {
    const key = batchKey(j.cfg);
    groups.set(key, [...(groups.get(key) ?? []), j]);
  }
  const runs: TableRun[][] = params.map(() => []);
  const total = jobs.length;
  log(`training ${grid.length} grid points x ${spec.seeds.length} seeds x ${spec.model.epochs} epochs on ${chosen}, ${groups.size} batch groups`);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage().user + process.cpuUsage().system;
  let done = 0;
  let lastLog = 0;
  for (const members of groups.values()) {
    for (let i = 0; i < members.length; i += MAX_BATCH) {
      const chunk = members.slice(i, i + MAX_BATCH);
      const b0 = performance.now();
      const results = await trainBatch(data, chunk.map((j) => j.cfg), () => 'continue');
      const ms = (performance.now() - b0) / chunk.length;
      chunk.forEach((j, c) => (runs[j.k][j.s] = runOf(results[c], spec.seeds[j.s], ms)));
      done += chunk.length;
      const s = (performance.now() - t0) / 1000;
      if (s - lastLog > 30 || done === total) {
        lastLog = s;
        log(`${done}/${total} runs, ${s.toFixed(0)} s, about ${((s / done) * (total - done)).toFixed(0)} s left`);
      }
    }
  }
  const configs: TableConfig[] = params.map((p, k) => ({ params: p, runs: runs[k] }));
  const wallTimeSec = Math.round((performance.now() - t0) / 1000);
  const cpuTimeSec = Math.round((process.cpuUsage().user + process.cpuUsage().system - cpu0) / 1e6);

  const table: TableFile = {
    format: 'hpp-tabular-benchmark',
    version: 1,
    name: spec.name,
    description:
      `Every grid point of ${spec.description}, trained with every seed by the app's batched trainer (trainBatch) under node; ` +
      'per-epoch validation loss and accuracy and training loss. Replayed by bench/search.bench.ts to compare search strategies without training.',
    generated: {
      date: new Date().toISOString(),
      command: `${getPriority() > 0 ? `nice -n ${getPriority()} ` : ''}npm run bench:search:generate -- ${args.join(' ')}`,
      wallTimeSec,
      cpuTimeSec,
      backend: chosen,
      trainer: 'trainBatch',
      backendProbe,
      node: process.version,
      tfjs: tf.version.tfjs,
      commit,
      dirty,
      sources,
      cpu: `${cpus()[0]?.model ?? '?'} (1 core used)`,
    },
    data: { ...spec.data, nTrain: data.yTrain.length, nVal: data.yVal.length },
    model: spec.model,
    seeds: spec.seeds,
    epochs: spec.model.epochs,
    axes: spec.axes.map((a) => ({ name: a.name, spec: a.spec, values: a.values })),
    configs,
  };
  // one grid point per line: small diffs between regenerations, still plain JSON
  const { configs: _, ...head } = table;
  const text = `${JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "configs": [\n')}${configs.map((c) => `    ${JSON.stringify(c)}`).join(',\n')}\n  ]\n}\n`;
  JSON.parse(text); // never write a file that does not parse
  writeFileSync(out, text);
  log(`wrote ${out} (${(text.length / 1024).toFixed(0)} KB) in ${wallTimeSec} s, ${cpuTimeSec} s of CPU`);
}
