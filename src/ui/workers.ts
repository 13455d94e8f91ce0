import type { WorkerFactory } from '../lib/train/pool';

/** Spawns a training worker; Vite bundles worker.ts (and tfjs) into its own chunk. */
export const spawnTrainer: WorkerFactory = () =>
  new Worker(new URL('../lib/train/worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
