/**
 * The tabular benchmarks: what each grid is, what a table file holds, and how a strategy's params
 * land on a grid point. Shared by the generator (generate.ts), the replay (replay.ts), the search
 * bench (../search.bench.ts) and the tables' shape test (tests/unit/search/tabular.test.ts).
 * No tfjs here: loading and snapping a table is plain data.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DataSpec, ModelSpec, ParamName, TrialParams } from '../../src/lib/experiment/types';
import { toUnit } from '../../src/lib/search/space';
import type { Dimension } from '../../src/lib/search/types';

/** One searched axis of a table: the search-space spec strategies sample from, and the grid
 *  values that were actually trained (inside the spec's range). */
export interface TableAxis extends Dimension {
  values: (number | string)[];
}

/** What a table trains: the data and its fixed split, the network every grid point starts from
 *  (the axes override its fields), the training seeds, and the grid. */
export interface TableSpec {
  name: string;
  /** what is trained, as a noun phrase ("a ... MLP on ..."), for the file's description. */
  description: string;
  data: DataSpec;
  model: ModelSpec;
  /** training seeds of every grid point: weight init, dropout masks and mini-batch order. */
  seeds: number[];
  axes: TableAxis[];
}

/** Log-spaced values low..high (n >= 2), rounded to 3 significant digits. */
function logspace(low: number, high: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number((low * (high / low) ** (i / (n - 1))).toPrecision(3)));
}

/** Names of the committed tables. */
export type TableName = 'digits-mlp' | 'spiral-mlp';

/** Default training seeds of a table (the issue asks for at least 5 per grid point). */
const FIVE_SEEDS = [1, 2, 3, 4, 5];

/** The grids of the committed tables. Changing anything here means regenerating that table
 *  (`npm run bench:search:generate -- --table NAME`); the shape test compares each file with
 *  its spec. */
export const TABLE_SPECS: Record<TableName, TableSpec> = {
  'digits-mlp': {
    name: 'digits-mlp',
    description: 'a one-hidden-layer ReLU MLP (Adam) on digits8x8 (64 pixel features, 10 classes)',
    /** one fixed, stratified train/validation split (1348 / 449 rows), no test rows. */
    data: { id: 'digits8x8', noise: 0, samples: 0, valFraction: 0.25, seed: 1, testFraction: 0 },
    model: {
      layers: [{ units: 64, activation: 'relu' }],
      dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam',
      learningRate: 1e-3, batchSize: 32, epochs: 20,
    },
    seeds: FIVE_SEEDS,
    axes: [
      { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 0.1, log: true }, values: logspace(1e-4, 0.1, 5) },
      { name: 'batchSize', spec: { type: 'categorical', choices: [32, 128] }, values: [32, 128] },
      { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false }, values: [0, 0.25, 0.5] },
      { name: 'l2', spec: { type: 'float', low: 1e-5, high: 1e-2, log: true }, values: logspace(1e-5, 1e-2, 3) },
      { name: 'units', spec: { type: 'int', low: 16, high: 64, log: true }, values: [16, 64] },
    ],
  },
  'spiral-mlp': {
    name: 'spiral-mlp',
    description: 'a ReLU MLP of 1 to 3 hidden layers (Adam) on the two-spiral set (2 features, 2 classes), the app\'s opening study made larger',
    /** 1000 generated points (label noise 0.1, as the app opens with), split 700 / 300, no test rows. */
    data: { id: 'spiral', noise: 0.1, samples: 1000, valFraction: 0.3, seed: 1, testFraction: 0 },
    model: {
      layers: [{ units: 32, activation: 'relu' }],
      dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam',
      learningRate: 0.01, batchSize: 16, epochs: 40,
    },
    seeds: FIVE_SEEDS,
    axes: [
      { name: 'learningRate', spec: { type: 'float', low: 3e-4, high: 0.03, log: true }, values: logspace(3e-4, 0.03, 5) },
      { name: 'depth', spec: { type: 'int', low: 1, high: 3, log: false }, values: [1, 2, 3] },
      { name: 'units', spec: { type: 'int', low: 8, high: 32, log: true }, values: [8, 16, 32] },
      { name: 'l2', spec: { type: 'float', low: 1e-6, high: 1e-2, log: true }, values: logspace(1e-6, 1e-2, 3) },
      { name: 'batchSize', spec: { type: 'categorical', choices: [16, 64] }, values: [16, 64] },
    ],
  },
};

/** Status of one stored training run (the trainer's, minus 'pruned'/'cancelled', which the
 *  generator never asks for). */
export type RunStatus = 'complete' | 'diverged' | 'failed';

/** One training run of one grid point with one seed. Curves have one value per epoch trained
 *  (index e - 1 is epoch e); null marks a non-finite value, which only a diverged run's last
 *  epoch may have. */
export interface TableRun {
  seed: number;
  status: RunStatus;
  /** validation cross-entropy. */
  valLoss: (number | null)[];
  /** validation accuracy, 0..1. */
  valAcc: (number | null)[];
  /** mean training cross-entropy over the epoch (dropout on, penalty excluded). */
  trainLoss: (number | null)[];
  /** wall time of the run, ms (for a batched run: the batch's wall time shared equally). */
  ms: number;
}

/** One grid point and its runs, one per seed in `seeds` order. */
export interface TableConfig {
  params: TrialParams;
  runs: TableRun[];
}

/** A table file (bench/tabular/NAME.json). */
export interface TableFile {
  format: 'hpp-tabular-benchmark';
  version: 1;
  name: string;
  description: string;
  generated: {
    date: string;
    command: string;
    /** wall time of the training loop (the machine is shared, so also its CPU time). */
    wallTimeSec: number;
    cpuTimeSec: number;
    backend: string;
    /** the app's function that trained the runs: 'trainBatch' (src/lib/train/batched.ts, what
     *  the app trains with) or 'trainTrial' (trainer.ts, the reference trainer). Absent in
     *  tables from before it was recorded, which used trainTrial. */
    trainer?: 'trainBatch' | 'trainTrial';
    /** ms per epoch of the same probe trainings on each backend measured (the faster was used);
     *  empty when the backend was given on the command line. */
    backendProbe: Record<string, number>;
    node: string;
    tfjs: string;
    /** git commit, and whether src/lib/{train,model,data} had uncommitted edits. */
    commit: string;
    dirty: boolean;
    /** sha256 (first 16 hex digits) of the trainer, model and data sources as they were run. */
    sources: Record<string, string>;
    cpu: string;
  };
  data: DataSpec & { nTrain: number; nVal: number };
  model: ModelSpec;
  seeds: number[];
  epochs: number;
  axes: { name: ParamName; spec: TableAxis['spec']; values: (number | string)[] }[];
  /** every grid point, the first axis varying slowest (see configIndex). */
  configs: TableConfig[];
}

/** Where table `name` is committed. */
export function tablePath(name: TableName): URL {
  return new URL(`./${name}.json`, import.meta.url);
}

/** Reads a table: a committed one by name, or any file (.json, or .json.gz) by path. */
export function loadTable(nameOrPath: TableName | string | URL): TableFile {
  const path = typeof nameOrPath === 'string' && nameOrPath in TABLE_SPECS ? tablePath(nameOrPath as TableName) : nameOrPath;
  const raw = readFileSync(path);
  const text = String(path).endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text) as TableFile;
}

/** Index of the grid point with value index `idx[a]` on axis a (first axis slowest). */
export function configIndex(axes: readonly { values: unknown[] }[], idx: readonly number[]): number {
  return idx.reduce((k, i, a) => k * axes[a].values.length + i, 0);
}

/** Every grid point as value indices, in configIndex order. */
export function allIndices(axes: readonly { values: unknown[] }[]): number[][] {
  let out: number[][] = [[]];
  for (const a of axes) out = out.flatMap((p) => a.values.map((_, i) => [...p, i]));
  return out;
}

/**
 * The grid point nearest to `params`, one axis at a time: numeric axes by distance in the
 * strategy's unit interval (log-aware, as the strategy samples it), categorical axes by exact
 * match. Returns value indices per axis. bench/optuna_replay.py snaps Optuna's params the same
 * way (its `snap` mirrors this and `toUnit`).
 */
export function snapIndices(axes: readonly TableAxis[], params: TrialParams): number[] {
  return axes.map((a) => {
    const v = params[a.name];
    if (v === undefined) throw new Error(`params have no ${a.name}`);
    if (a.spec.type === 'categorical') {
      const i = a.values.findIndex((c) => String(c) === String(v));
      if (i < 0) throw new Error(`${a.name} = ${v} is not a grid value (${a.values.join(', ')})`);
      return i;
    }
    const spec = a.spec;
    const u = toUnit(spec, v);
    let best = 0;
    let bestD = Infinity;
    a.values.forEach((g, i) => {
      const d = Math.abs(toUnit(spec, g) - u);
      if (d < bestD) [best, bestD] = [i, d];
    });
    return best;
  });
}
