import type { WorkerFactory } from '../lib/train/pool';
import type { SearchEndpoint } from '../lib/study/remote-search';

/** Spawns a training worker; Vite bundles worker.ts (and tfjs) into its own chunk. */
export const spawnTrainer: WorkerFactory = () =>
  new Worker(new URL('../lib/train/worker.ts', import.meta.url), { type: 'module', name: 'trainer' });

/** Spawns a search worker: a sweep's strategy and pruner run there, off the page's thread. */
export const spawnSearch = (): SearchEndpoint => new Worker(new URL('../lib/study/search.worker.ts', import.meta.url), { type: 'module', name: 'search' });
