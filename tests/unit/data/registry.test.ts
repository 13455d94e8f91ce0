import { describe, expect, it } from 'vitest';
import type { DataSpec } from '../../../src/lib/experiment/types';
import { DATASETS, getDataset, loadDataset } from '../../../src/lib/data/registry';
import { diskFetch } from './fixtures';

const spec = (id: string): DataSpec => ({ id, noise: 0.1, samples: 120, valFraction: 0.3, seed: 4, testFraction: 0 });

describe('dataset registry', () => {
  it('lists every dataset once, in display order', () => {
    expect(DATASETS.map((e) => e.id)).toEqual(['circle', 'xor', 'gauss', 'spiral', 'moons', 'penguins', 'iris', 'breast_cancer', 'digits8x8', 'mnist_2500', 'fashion_mnist_2500', 'auto_mpg', 'csv']);
    expect(getDataset('iris')?.kind).toBe('real');
    expect(getDataset('nope')).toBeUndefined();
  });

  it.each(DATASETS.filter((e) => e.kind !== 'upload').map((e) => [e.id, e] as const))('%s loads with the registered task', async (id, entry) => {
    const ds = await loadDataset(spec(id), 'datasets', diskFetch());
    expect(ds.id).toBe(id);
    expect(ds.task).toBe(entry.task);
    expect(ds.is2d).toBe(entry.kind === '2d');
    expect(ds.meta.citation.length).toBeGreaterThan(10);
    if (entry.kind === '2d') expect([ds.n, ds.d, ds.meta.license]).toEqual([120, 2, 'generated']);
  });

  it('asks for a file when the CSV entry has none loaded', async () => {
    await expect(loadDataset(spec('csv'), '', diskFetch())).rejects.toThrow(/Load a CSV file first/);
  });

  it('rejects unknown ids', async () => {
    await expect(loadDataset(spec('nope'), '', diskFetch())).rejects.toThrow("Unknown dataset 'nope'");
  });
});
