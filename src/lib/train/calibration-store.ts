import { createStore, get, set } from 'idb-keyval';
import type { BackendName, BackendPref, Experiment } from '../experiment/types';
import { outputUnits, resolveModel } from '../model/spec';
import type { ProbeShape } from './batching';

/**
 * What a calibration keeps per device, model shape and backend preference, and where: the cache
 * entries, their keys, the store, and the sweeps' throughput added to them. Small, so the page's
 * first load can read it (the time estimate); the measuring itself (calibrate.ts) loads with the
 * first sweep.
 */

/** A cached calibration older than this is measured again, ms (30 days). */
export const CALIBRATION_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** How one backend did: trial-samples per second in the steady state, or why there is no number. */
export interface BackendMeasurement {
  backend: BackendName;
  /** steady-state samples/s of one trial; null when it did not start or did not finish in time. */
  samplesPerSec: number | null;
  /** first step(s): backend set-up and shader compilation, ms. */
  warmupMs?: number;
  /** why it runs in software here ('' for hardware or unknown). */
  software: string;
  /** what went wrong (did not start, timed out). */
  error?: string;
  /** why it was not measured at all (a software adapter, or cpu beside a working wasm SIMD). */
  skipped?: string;
  /** not measured yet: the next calibration measures it (screening answered too late). */
  retry?: boolean;
}

/** Total throughput of `workers` workers training at once, trial-samples/s (of the base model:
 *  see `sweepWork` in estimate.ts), measured over a whole sweep. */
export interface PoolMeasurement {
  workers: number;
  samplesPerSec: number;
}

/** What was measured for one device, model shape and backend preference, as cached. */
export interface Measurements {
  /** the backend chosen (or the one the user fixed). */
  backend: BackendName;
  /** every backend tried (empty when the user fixed the backend). */
  backends: BackendMeasurement[];
  /** each worker count a sweep ran with on `backend`, and the sweep's throughput (the best seen). */
  pool: PoolMeasurement[];
  /** when it was measured, ms since the epoch. */
  at: number;
}

/** `ms` with a sweep's measurement added: the better of the old and new figure for its count
 *  (load from elsewhere only ever slows a sweep down), counts in order. */
export function withPoolMeasurement(ms: readonly PoolMeasurement[], m: PoolMeasurement): PoolMeasurement[] {
  const old = ms.find((x) => x.workers === m.workers);
  const kept = ms.filter((x) => x.workers !== m.workers);
  return [...kept, { workers: m.workers, samplesPerSec: Math.max(m.samplesPerSec, old?.samplesPerSec ?? 0) }].sort((a, b) => a.workers - b.workers);
}

/** This device as calibration keys name it: the browser and its number of cores. */
export function deviceId(): string {
  const nav = typeof navigator === 'undefined' ? undefined : navigator;
  return `${nav?.userAgent ?? 'unknown'}|${nav?.hardwareConcurrency || 2}`;
}

/** Cache key: the device, the model shape that matters for speed, and the backend preference. */
export function calibrationKey(device: string, shape: ProbeShape, pref: BackendPref): string {
  const m = shape.model;
  const conv = (m.conv ?? []).map((b) => `c${b.filters}k${b.kernel}s${b.stride}${b.padding[0]}${b.pool[0]}`);
  const layers = [...conv, ...m.layers.map((l) => `${l.units}${l.activation[0]}`)].join('-');
  return `calib:v4|${device}|${shape.d}-${layers}-${outputUnits(shape.task, shape.nClasses)}|b${m.batchSize}|${m.optimizer}|${pref}`;
}

/** The model shape a calibration measures for `e` on data shaped like `d` (its base network; images
 *  keep their size, which a probe of a conv network needs). */
export function probeShapeOf(e: Experiment, d: { d: number; nClasses: number; task: ProbeShape['task']; image?: { width: number; height: number; channels: number } }): ProbeShape {
  const img = d.image;
  return { model: resolveModel(e.model, {}), d: d.d, nClasses: d.nClasses, task: d.task, ...(img ? { image: { width: img.width, height: img.height, channels: img.channels } } : {}) };
}

/** Where calibrations are kept between visits. */
export interface CalibrationStore {
  get(key: string): Promise<Measurements | undefined>;
  set(key: string, value: Measurements): Promise<void>;
}

/** A store that forgets on reload (tests, and browsers without IndexedDB). */
export function memoryStore(): CalibrationStore {
  const m = new Map<string, Measurements>();
  return { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v) };
}

/** The browser's IndexedDB (idb-keyval), falling back to memory when it is unavailable. */
export function idbStore(): CalibrationStore {
  if (typeof indexedDB === 'undefined') return memoryStore();
  const store = createStore('hyperparameter-playground', 'calibration');
  const fallback = memoryStore();
  return {
    get: (k) => get<Measurements>(k, store).catch(() => fallback.get(k)),
    set: (k, v) => set(k, v, store).catch(() => fallback.set(k, v)),
  };
}

let shared: CalibrationStore | null = null;
/** The store every sweep of this page shares (IndexedDB when available), created on first use. */
export function defaultCalibrationStore(): CalibrationStore {
  shared ??= idbStore();
  return shared;
}

/** A finished sweep's throughput with `workers` workers, kept with the calibration it ran under
 *  (nothing happens when there is none: the backend was fixed and the worker count too). */
export async function recordSweep(store: CalibrationStore, key: string, m: PoolMeasurement): Promise<void> {
  if (!(m.workers >= 1) || !(m.samplesPerSec > 0)) return;
  const found = await store.get(key).catch(() => undefined);
  if (!found) return;
  await store.set(key, { ...found, pool: withPoolMeasurement(found.pool, m) }).catch(() => undefined);
}
