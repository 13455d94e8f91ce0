/**
 * The tabular benchmark "digits-mlp": what its grid is, what the fixture file holds, and how a
 * strategy's params land on a grid point. Shared by the generator (generate.ts), the search
 * bench (../search.bench.ts) and the fixture's shape test (tests/unit/search/tabular.test.ts).
 * No tfjs here: loading and snapping the table is plain data.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DataSpec, ModelSpec, ParamName, TrialParams } from '../../src/lib/experiment/types';
import { toUnit } from '../../src/lib/search/space';
import type { Dimension } from '../../src/lib/search/types';

/** One searched axis of the table: the search-space spec strategies sample from, and the
 *  grid values that were actually trained (inside the spec's range). */
export interface TableAxis extends Dimension {
  values: (number | string)[];
}

/** Log-spaced values low..high (n >= 2), rounded to 3 significant digits. */
function logspace(low: number, high: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number((low * (high / low) ** (i / (n - 1))).toPrecision(3)));
}

/** The grid of the committed fixture. Changing anything here means regenerating it
 *  (`npm run bench:search:generate`); the shape test compares the fixture with this. */
export const TABLE_SPEC = {
  name: 'digits-mlp',
  /** digits8x8 with one fixed, stratified train/validation split (1348 / 449 rows), no test rows. */
  data: { id: 'digits8x8', noise: 0, samples: 0, valFraction: 0.25, seed: 1, testFraction: 0 } satisfies DataSpec,
  /** the network every grid point starts from; the axes below override their fields. */
  model: {
    layers: [{ units: 64, activation: 'relu' }],
    dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam',
    learningRate: 1e-3, batchSize: 32, epochs: 20,
  } satisfies ModelSpec,
  /** training seeds (weight init, dropout, shuffling) of every grid point. */
  seeds: [1, 2],
  axes: [
    { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 0.1, log: true }, values: logspace(1e-4, 0.1, 5) },
    { name: 'batchSize', spec: { type: 'categorical', choices: [32, 128] }, values: [32, 128] },
    { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false }, values: [0, 0.25, 0.5] },
    { name: 'l2', spec: { type: 'float', low: 1e-5, high: 1e-2, log: true }, values: logspace(1e-5, 1e-2, 3) },
    { name: 'units', spec: { type: 'int', low: 16, high: 64, log: true }, values: [16, 64] },
  ] satisfies TableAxis[] as TableAxis[],
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
  /** wall time of the run, ms. */
  ms: number;
}

/** One grid point and its runs, one per seed in `seeds` order. */
export interface TableConfig {
  params: TrialParams;
  runs: TableRun[];
}

/** The fixture file (bench/tabular/digits-mlp.json). */
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
    /** ms per epoch of the same probe trainings on each backend measured (the faster was used). */
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

/** Default location of the fixture. */
export const TABLE_PATH = new URL('./digits-mlp.json', import.meta.url);

/** Reads a fixture (.json, or .json.gz). */
export function loadTable(path: string | URL = TABLE_PATH): TableFile {
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
 * match. Returns value indices per axis.
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
