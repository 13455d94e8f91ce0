import { createStore, get, set } from 'idb-keyval';
import type { BackendName, BackendPref } from '../experiment/types';
import { outputUnits } from '../model/spec';
import type { ProbeShape } from './batching';

/**
 * Automatic backend and pool size by measurement: a few real training steps of the study's model
 * shape on each backend (software ones too), then 1, 2, … workers on the fastest, cached per
 * device and model shape. The choice rules are pure functions of the measured numbers; the
 * measuring itself is injected (the pool runs it in workers; tests pass timings in).
 */

/** Backends a calibration tries, cheapest to start first. */
export const CALIBRATION_BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webgl', 'webgpu'];

/** A cached calibration older than this is measured again, ms (30 days). */
export const CALIBRATION_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** A worker count is only worth it if it beats the best smaller count by this factor. */
export const MIN_WORKER_GAIN = 1.1;

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
}

/** Total throughput of `workers` workers training at once, trial-samples/s. */
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
  /** each worker count tried on `backend` (empty until a sweep asked for an automatic count). */
  pool: PoolMeasurement[];
  /** when it was measured, ms since the epoch. */
  at: number;
}

/** The outcome of a calibration: the measurements and the worker count for this sweep. */
export interface Calibration extends Measurements {
  /** workers chosen from `pool`, or the count the user fixed. */
  workers: number;
}

/** The fastest backend by steady-state samples/s, or null when none gave a number. */
export function chooseBackend(ms: readonly BackendMeasurement[]): BackendName | null {
  let best: BackendMeasurement | null = null;
  for (const m of ms) if (m.samplesPerSec !== null && (!best || m.samplesPerSec > best.samplesPerSec!)) best = m;
  return best?.backend ?? null;
}

/**
 * The worker count to use: the smallest count whose throughput is within 1/MIN_WORKER_GAIN of the
 * best measured, so a worker is only added when it pays for itself (noise does not add workers).
 */
export function choosePoolSize(ms: readonly PoolMeasurement[]): number {
  if (ms.length === 0) return 1;
  const best = Math.max(...ms.map((m) => m.samplesPerSec));
  return [...ms].sort((a, b) => a.workers - b.workers).find((m) => m.samplesPerSec * MIN_WORKER_GAIN >= best)!.workers;
}

/** Whether measuring one more worker is worthwhile: the last count added beat the one before by MIN_WORKER_GAIN. */
export function worthMoreWorkers(ms: readonly PoolMeasurement[], cap: number): boolean {
  const s = [...ms].sort((a, b) => a.workers - b.workers);
  const lastM = s[s.length - 1];
  if (!lastM || lastM.workers >= cap) return false;
  if (s.length < 2) return true;
  return lastM.samplesPerSec >= MIN_WORKER_GAIN * s[s.length - 2].samplesPerSec;
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
  return `calib:v3|${device}|${shape.d}-${layers}-${outputUnits(shape.task, shape.nClasses)}|b${m.batchSize}|${m.optimizer}|${pref}`;
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

/** The measuring a calibration needs, done by the host (the pool runs it in workers). */
export interface ProbeRunner {
  /** one backend, steady-state samples/s of one trial (in its own worker, with a time limit). */
  backend(name: BackendName): Promise<BackendMeasurement>;
  /** `workers` workers on `backend` training at once: their total samples/s. */
  pool(backend: BackendName, workers: number): Promise<number>;
}

/** What to calibrate. */
export interface CalibrationRequest {
  key: string;
  store: CalibrationStore;
  runner: ProbeRunner;
  /** the user's backend: 'auto' measures every candidate, a name fixes it. */
  pref: BackendPref;
  /** measure the worker count (else `fixedWorkers`). */
  autoWorkers: boolean;
  fixedWorkers: number;
  /** the most workers worth trying (cores, budget, the app's limit). */
  maxWorkers: number;
  candidates?: readonly BackendName[];
  /** now, ms since the epoch (injected for tests). */
  now?: number;
  /** stop measuring (the sweep was cancelled). */
  cancelled?: () => boolean;
}

/**
 * The backend and worker count for a sweep. What the cache holds for this device, model shape
 * and backend preference is reused; what is missing is measured (each candidate backend; then 1,
 * 2, … workers on the chosen one while each added worker pays for itself, only when the worker
 * count is automatic) and cached. `cached` is true when nothing had to be measured. Null when no
 * backend produced a number, or when cancelled.
 */
export async function calibrate(req: CalibrationRequest): Promise<{ calibration: Calibration; cached: boolean } | null> {
  const now = req.now ?? Date.now();
  const found = await req.store.get(req.key).catch(() => undefined);
  const hit = found && now - found.at < CALIBRATION_MAX_AGE_MS ? found : undefined;
  let fresh = false;
  let backends = hit?.backends ?? [];
  let backend: BackendName | null = hit?.backend ?? null;
  if (!hit) {
    fresh = true;
    backends = [];
    if (req.pref === 'auto') {
      for (const b of req.candidates ?? CALIBRATION_BACKENDS) {
        if (req.cancelled?.()) return null;
        backends.push(await req.runner.backend(b));
      }
      backend = chooseBackend(backends);
    } else {
      backend = req.pref;
    }
  }
  if (!backend) return null;
  let pool = hit?.pool ?? [];
  if (req.autoWorkers && req.maxWorkers > 1 && pool.length === 0) {
    fresh = true;
    // One worker is timed again the same way as several, so the counts compare like with like;
    // the backend measurement counts too (noise only ever slows a measurement down).
    const alone = backends.find((m) => m.backend === backend)?.samplesPerSec ?? 0;
    pool = [{ workers: 1, samplesPerSec: Math.max(alone, await req.runner.pool(backend, 1)) }];
    while (worthMoreWorkers(pool, req.maxWorkers) && !req.cancelled?.()) {
      const n = pool[pool.length - 1].workers + 1;
      pool.push({ workers: n, samplesPerSec: await req.runner.pool(backend, n) });
    }
  }
  if (req.cancelled?.()) return null;
  const measured: Measurements = { backend, backends, pool, at: hit && !fresh ? hit.at : now };
  if (fresh) await req.store.set(req.key, measured).catch(() => undefined);
  const workers = req.autoWorkers ? Math.min(choosePoolSize(pool), req.maxWorkers) : req.fixedWorkers;
  return { calibration: { ...measured, workers }, cached: !fresh };
}

/** A short human summary, e.g. "measured: wasm 13.2k samples/s, cpu 2.8k, webgl 1.1k (software renderer)…". */
export function describeCalibration(c: Calibration, cached: boolean): string {
  const k = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
  const parts: string[] = [];
  if (c.backends.length) {
    parts.push(`${cached ? 'measured earlier' : 'measured'}: ${c.backends.map((m) => {
      const sw = m.software ? ` (${m.software})` : '';
      return m.samplesPerSec !== null ? `${m.backend} ${k(m.samplesPerSec)} samples/s${sw}` : `${m.backend} ${m.error ?? 'unavailable'}${sw}`;
    }).join(', ')}`);
  }
  if (c.pool.length > 1) {
    const one = c.pool.find((p) => p.workers === 1)?.samplesPerSec ?? NaN;
    parts.push(`workers: ${c.pool.map((p) => `${p.workers} → ${(p.samplesPerSec / one).toFixed(2)}×`).join(', ')}; using ${c.workers}`);
  }
  return parts.join('; ');
}
