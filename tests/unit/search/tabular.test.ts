import { describe, expect, it } from 'vitest';
import { allIndices, configIndex, loadTable, snapIndices, TABLE_SPEC, type TableRun } from '../../../bench/tabular/table';

// The committed tabular benchmark (bench/tabular/digits-mlp.json) must be complete and match
// the grid it claims, so that a broken or partial regeneration is caught here, not in the bench.
const table = loadTable();

function finiteCurve(c: (number | null)[]): boolean {
  return c.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** A complete run has every epoch finite; a diverged one stops early at its first non-finite loss. */
function checkRun(r: TableRun, epochs: number): string | null {
  const curves = [r.valLoss, r.valAcc, r.trainLoss];
  if (new Set(curves.map((c) => c.length)).size !== 1) return 'curves of different lengths';
  const n = r.valLoss.length;
  if (r.valAcc.some((v) => v !== null && (v < 0 || v > 1))) return 'accuracy outside 0..1';
  if (!(r.ms > 0)) return 'no wall time';
  if (r.status === 'complete') return n === epochs && curves.every(finiteCurve) ? null : 'complete but not finite over every epoch';
  if (r.status === 'diverged') {
    const lastBad = r.valLoss[n - 1] === null || r.trainLoss[n - 1] === null;
    const before = curves.every((c) => finiteCurve(c.slice(0, n - 1)));
    return n >= 1 && n <= epochs && lastBad && before ? null : 'diverged but not ending at its first non-finite loss';
  }
  return `status ${r.status}`;
}

describe('tabular benchmark fixture (digits-mlp)', () => {
  it('describes the grid of TABLE_SPEC', () => {
    expect(table.format).toBe('hpp-tabular-benchmark');
    expect(table.version).toBe(1);
    expect(table.name).toBe(TABLE_SPEC.name);
    expect(table.epochs).toBe(TABLE_SPEC.model.epochs);
    expect(table.seeds).toEqual(TABLE_SPEC.seeds);
    expect(table.model).toEqual(TABLE_SPEC.model);
    expect({ ...table.data, nTrain: undefined, nVal: undefined }).toEqual({ ...TABLE_SPEC.data, nTrain: undefined, nVal: undefined });
    expect(table.axes).toEqual(TABLE_SPEC.axes.map((a) => ({ name: a.name, spec: a.spec, values: a.values })));
    expect(table.generated.command).toContain('bench:search:generate');
    expect(table.generated.wallTimeSec).toBeGreaterThan(0);
  });

  it('has every grid point, in order, with one run per seed', () => {
    const grid = allIndices(table.axes);
    expect(table.configs).toHaveLength(grid.length);
    grid.forEach((idx, k) => {
      const c = table.configs[k];
      expect(configIndex(table.axes, idx)).toBe(k);
      expect(snapIndices(TABLE_SPEC.axes, c.params)).toEqual(idx);
      expect(c.runs.map((r) => r.seed)).toEqual(table.seeds);
    });
  });

  it('has curves that are finite, or explicitly diverged', () => {
    const problems = table.configs.flatMap((c, k) => c.runs.map((r) => ({ k, seed: r.seed, why: checkRun(r, table.epochs) }))).filter((p) => p.why);
    expect(problems).toEqual([]);
  });

  it('holds real trainings: some learn digits well, and seeds differ', () => {
    const finalAcc = table.configs.flatMap((c) => c.runs.map((r) => r.valAcc[r.valAcc.length - 1] ?? 0));
    expect(Math.max(...finalAcc)).toBeGreaterThan(0.9);
    expect(Math.min(...finalAcc)).toBeLessThan(0.9);
    const seedsDiffer = table.configs.filter((c) => c.runs.some((r) => r.valLoss.join() !== c.runs[0].valLoss.join())).length;
    expect(seedsDiffer).toBeGreaterThan(table.configs.length / 2);
  });
});

describe('snapIndices (tabular objective: params -> nearest grid point)', () => {
  const base = { learningRate: 1e-3, batchSize: 32, dropout: 0, l2: 1e-5, units: 16 };
  const cases: [string, Partial<typeof base>, number, number][] = [
    // [what, params, axis, expected value index]
    ['lr at the low end', { learningRate: 1e-4 }, 0, 0],
    ['lr at the high end', { learningRate: 0.1 }, 0, 4],
    ['lr just below the log-midpoint of 1e-4 and 5.62e-4', { learningRate: 2.3e-4 }, 0, 0],
    ['lr just above it', { learningRate: 2.45e-4 }, 0, 1],
    ['batch, categorical, exact', { batchSize: 128 }, 1, 1],
    ['dropout 0.12 -> 0', { dropout: 0.12 }, 2, 0],
    ['dropout 0.13 -> 0.25', { dropout: 0.13 }, 2, 1],
    ['l2 on a log axis', { l2: 3e-4 }, 3, 1],
    ['units 31 (int, log) -> 16', { units: 31 }, 4, 0],
    ['units 33 -> 64', { units: 33 }, 4, 1],
  ];
  it.each(cases)('%s', (_, p, axis, want) => {
    expect(snapIndices(TABLE_SPEC.axes, { ...base, ...p })[axis]).toBe(want);
  });

  it('rejects a categorical value that is not on the grid', () => {
    expect(() => snapIndices(TABLE_SPEC.axes, { ...base, batchSize: 64 })).toThrow(/not a grid value/);
  });
});
