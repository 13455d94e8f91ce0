import type { BackendName, BackendPref } from '../experiment/types';
import { CALIBRATION_MAX_AGE_MS, type BackendMeasurement, type CalibrationStore, type Measurements, type PoolMeasurement } from './calibration-store';

// the cache entries, keys and store live in calibration-store.ts (the page's first load reads them)
export * from './calibration-store';

/**
 * Automatic backend and pool size by measurement: a few real training steps of the study's model
 * shape on each backend worth measuring, cached per device and model shape; the worker count from
 * the throughput of the sweeps themselves. A screening worker first tells which backends are not
 * worth a probe here (software GPU adapters; the cpu backend when WebAssembly SIMD works), so a
 * cold start measures wasm and the hardware GPUs only. The choice rules are pure functions of the
 * measured numbers; the measuring itself is injected (the pool runs it in workers; tests pass
 * timings in).
 */

/** Backends a calibration tries, cheapest to start first. */
export const CALIBRATION_BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webgl', 'webgpu'];

/** How long calibration waits for the screening worker before measuring without it, ms. */
export const SCREEN_TIMEOUT_MS = 4000;

/** How long, once wasm is measured, a calibration waits for screening before it starts the sweep
 *  on wasm and leaves the GPU backends to the next sweep's calibration, ms. (A browser's first
 *  WebGL context can take seconds while a software GPU process starts.) */
export const SCREEN_GRACE_MS = 1000;

/** Why a GPU backend was left to the next sweep. */
export const LATE_NOTE = 'not measured yet: the check for a GPU had not answered when wasm was ready, so the next sweep measures it';

/** Cores at which a GPU backend is probed alongside wasm (below, they would share one core and
 *  slow each other's numbers down). */
export const PARALLEL_PROBE_CORES = 4;

/** What the screening worker (screen.worker.ts) found before anything was measured. */
export interface Screen {
  /** why WebGPU would not run on a GPU here ('' : a hardware adapter). */
  webgpu: string;
  /** why WebGL would not run on a GPU here ('' : a hardware renderer, or not known). */
  webgl: string;
  /** WebAssembly 128-bit SIMD works here. */
  simd: boolean;
}

/** Why the cpu backend is not measured when WebAssembly SIMD works. */
export const CPU_SKIP_NOTE = 'not measured: WebAssembly SIMD works here, and wasm trains far faster than the plain-JavaScript cpu backend';

/** Which backends a calibration measures, and how. */
export interface ProbePlan {
  /** measured stage after stage; the backends of one stage at the same time. */
  stages: BackendName[][];
  /** measured only when no stage produced a number (e.g. cpu when wasm failed after all). */
  fallback: BackendName[];
  /** not measured, each with why (in `skipped`; `samplesPerSec` null). */
  skipped: BackendMeasurement[];
}

/**
 * The probes worth running among `candidates`, given what screening found (null: nothing known,
 * so every candidate is measured, one after another). Software GPU adapters are skipped with their
 * reason; cpu becomes a fallback when WebAssembly SIMD works; with `cores` ≥ PARALLEL_PROBE_CORES
 * the first hardware GPU backend is measured alongside wasm, and GPU backends never alongside each
 * other (they would share one GPU).
 */
export function planProbes(candidates: readonly BackendName[], screen: Screen | null, cores: number): ProbePlan {
  if (!screen) return { stages: candidates.map((b) => [b]), fallback: [], skipped: [] };
  const skipped: BackendMeasurement[] = [];
  const fallback: BackendName[] = [];
  const gpus: BackendName[] = [];
  const first: BackendName[] = [];
  for (const b of candidates) {
    if (b === 'webgpu' || b === 'webgl') {
      if (screen[b]) skipped.push({ backend: b, samplesPerSec: null, software: screen[b], skipped: `not measured: ${screen[b]}` });
      else gpus.push(b);
    } else if (b === 'cpu' && screen.simd && candidates.includes('wasm')) {
      fallback.push(b);
    } else {
      first.push(b);
    }
  }
  const stages: BackendName[][] = [];
  if (cores >= PARALLEL_PROBE_CORES && gpus.length) stages.push([...first, gpus.shift()!]);
  else if (first.length) stages.push(first);
  for (const g of gpus) stages.push([g]);
  return { stages, fallback, skipped };
}

/** A worker count is only worth it if it beats the best smaller count by this factor. */
export const MIN_WORKER_GAIN = 1.1;

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

/** Workers of a first sweep, before any sweep measured a count: two, so the page never waits on
 *  one busy worker when a second core is free (the first lane starts on the calibrated worker;
 *  the second starts alongside it). */
export const FIRST_WORKERS = 2;

/**
 * The worker count for the next sweep, from the throughput of earlier sweeps: FIRST_WORKERS when
 * none was measured; otherwise the best count (choosePoolSize), unless a neighbour of it was never
 * measured: one more while the best is the largest measured (it may pay again), else one fewer
 * (it may do as well with less). Each count is measured once by a real sweep, then chosen from.
 */
export function nextWorkerCount(ms: readonly PoolMeasurement[], max: number): number {
  const cap = Math.max(1, max);
  if (ms.length === 0) return Math.min(FIRST_WORKERS, cap);
  const best = Math.min(choosePoolSize(ms), cap);
  const has = (n: number) => ms.some((m) => m.workers === n);
  const largest = Math.max(...ms.map((m) => m.workers));
  if (best === largest && best + 1 <= cap && !has(best + 1)) return best + 1;
  if (best - 1 >= 1 && !has(best - 1)) return best - 1;
  return best;
}

/** The measuring a calibration needs, done by the host (the pool runs it in workers). */
export interface ProbeRunner {
  /** one backend, steady-state samples/s of one trial (in its own worker, with a time limit). */
  backend(name: BackendName): Promise<BackendMeasurement>;
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
  /** what screening found (default: the screening worker in a browser; nothing under node);
   *  'late': no full answer in time. `partial` hears each part as it is known. */
  screen?: (partial?: (p: Partial<Screen>) => void) => Promise<Screen | null | 'late'>;
  /** this device's cores (default: navigator.hardwareConcurrency, else 2). */
  cores?: number;
  /** now, ms since the epoch (injected for tests). */
  now?: number;
  /** stop measuring (the sweep was cancelled). */
  cancelled?: () => boolean;
}

/** Screening in a worker of its own (screen.worker.ts): null where workers are missing (node) or
 *  it failed (every backend is then measured), 'late' when it has not answered within SCREEN_TIMEOUT_MS. */
export function screenInWorker(partial?: (p: Partial<Screen>) => void): Promise<Screen | null | 'late'> {
  if (typeof Worker === 'undefined') return Promise.resolve(null);
  const known: Partial<Screen> = {};
  return new Promise((resolve) => {
    let w: Worker | null = null;
    const done = (s: Screen | null | 'late') => {
      clearTimeout(timer);
      w?.terminate();
      resolve(s);
    };
    const timer = setTimeout(() => done('late'), SCREEN_TIMEOUT_MS);
    try {
      w = new Worker(new URL('./screen.worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (e: MessageEvent<Partial<Screen>>) => {
        Object.assign(known, e.data);
        partial?.(e.data);
        if (known.webgl !== undefined && known.webgpu !== undefined && known.simd !== undefined) done(known as Screen);
      };
      w.onerror = (e) => {
        e.preventDefault();
        done(null);
      };
    } catch {
      done(null);
    }
  });
}

/**
 * The backend and worker count for a sweep. What the cache holds for this device, model shape
 * and backend preference is reused; a missing backend choice is measured (the backends planProbes
 * keeps, wasm while screening runs) and cached. The worker count, when automatic, comes from the
 * sweeps' own throughput (nextWorkerCount over what recordSweep kept). `cached` is true when
 * nothing had to be measured. Null when no backend produced a number, or when cancelled.
 */
export async function calibrate(req: CalibrationRequest): Promise<{ calibration: Calibration; cached: boolean } | null> {
  const now = req.now ?? Date.now();
  const found = await req.store.get(req.key).catch(() => undefined);
  const hit = found && now - found.at < CALIBRATION_MAX_AGE_MS ? found : undefined;
  let fresh = false;
  let backends = hit?.backends ?? [];
  let backend: BackendName | null = hit?.backend ?? null;
  const retry = backends.filter((m) => m.retry).map((m) => m.backend);
  if (!hit || (req.pref === 'auto' && retry.length)) {
    fresh = true;
    if (req.pref === 'auto') {
      // a cache entry with backends left for later: only those are measured now
      const measured = await measureBackends(hit ? { ...req, candidates: retry } : req);
      if (!measured) return null;
      backends = hit ? backends.map((m) => measured.find((x) => x.backend === m.backend) ?? m) : measured;
      backend = chooseBackend(backends);
    } else {
      backends = [];
      backend = req.pref;
    }
  }
  if (!backend || req.cancelled?.()) return null;
  const pool = hit?.pool ?? [];
  const measured: Measurements = { backend, backends, pool, at: hit && !fresh ? hit.at : now };
  if (fresh) await req.store.set(req.key, measured).catch(() => undefined);
  const workers = req.autoWorkers ? nextWorkerCount(pool, req.maxWorkers) : req.fixedWorkers;
  return { calibration: { ...measured, workers }, cached: !fresh };
}

/** Every backend planProbes keeps, measured; null when cancelled. wasm starts while the screening
 *  worker looks; if screening has not answered SCREEN_GRACE_MS after wasm gave a number, the GPU
 *  backends are left to the next calibration (`retry`) instead of holding up the sweep. */
async function measureBackends(req: CalibrationRequest): Promise<BackendMeasurement[] | null> {
  const candidates = req.candidates ?? CALIBRATION_BACKENDS;
  const cores = req.cores ?? ((typeof navigator === 'undefined' ? 0 : navigator.hardwareConcurrency) || 2);
  const known: Partial<Screen> = {};
  const screening = (req.screen ?? screenInWorker)((p) => Object.assign(known, p)).catch(() => null);
  // wasm is measured whatever screening says: start it at once
  const early = candidates.includes('wasm') ? req.runner.backend('wasm') : null;
  let screen: Screen | null | 'late' = await (early
    ? Promise.race([screening, early.then((m) => (m.samplesPerSec === null ? screening : delay(SCREEN_GRACE_MS).then(() => 'late' as const)))])
    : screening);
  const out = new Map<BackendName, BackendMeasurement>();
  const wasmOk = early ? (await early).samplesPerSec !== null : false;
  if (screen === 'late' && !wasmOk) screen = null; // nothing to fall back on: measure everything now
  if (screen === 'late') {
    // what screening had told by then counts; a GPU backend it had not answered for waits for the next sweep
    for (const b of candidates) if ((b === 'webgl' || b === 'webgpu') && known[b] === undefined) out.set(b, { backend: b, samplesPerSec: null, software: '', skipped: LATE_NOTE, retry: true });
    // wasm gave a number (else screening was awaited): cpu is only its fallback
    screen = { webgl: known.webgl ?? LATE_NOTE, webgpu: known.webgpu ?? LATE_NOTE, simd: known.simd ?? true };
  }
  const plan = planProbes(candidates, screen, cores);
  for (const stage of plan.stages) {
    if (req.cancelled?.()) {
      await early;
      return null;
    }
    const ms = await Promise.all(stage.map((b) => (b === 'wasm' && early ? early : req.runner.backend(b))));
    ms.forEach((m) => out.set(m.backend, m));
  }
  for (const b of plan.fallback) {
    if ([...out.values()].some((m) => m.samplesPerSec !== null)) {
      out.set(b, { backend: b, samplesPerSec: null, software: '', skipped: CPU_SKIP_NOTE });
      continue;
    }
    if (req.cancelled?.()) return null;
    out.set(b, await req.runner.backend(b));
  }
  plan.skipped.forEach((m) => out.has(m.backend) || out.set(m.backend, m));
  if (req.cancelled?.()) return null;
  // in the order of the candidates, so the note reads the same on every device
  return candidates.filter((b) => out.has(b)).map((b) => out.get(b)!);
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A short human summary, e.g. "measured: wasm 13.2k samples/s; not measured: webgl (WebGL renders
 *  in software here)…; workers from earlier sweeps: 1 → 1.00×, 2 → 1.62×; using 2". */
export function describeCalibration(c: Calibration, cached: boolean): string {
  const k = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
  const parts: string[] = [];
  const tried = c.backends.filter((m) => !m.skipped);
  const skipped = c.backends.filter((m) => m.skipped);
  if (tried.length) {
    parts.push(`${cached ? 'measured earlier' : 'measured'}: ${tried.map((m) => {
      const sw = m.software ? ` (${m.software})` : '';
      return m.samplesPerSec !== null ? `${m.backend} ${k(m.samplesPerSec)} samples/s${sw}` : `${m.backend} ${m.error ?? 'unavailable'}${sw}`;
    }).join(', ')}`);
  }
  if (skipped.length) parts.push(`not measured: ${skipped.map((m) => `${m.backend} (${m.skipped!.replace(/^not measured: /, '')})`).join(', ')}`);
  if (c.pool.length) {
    const base = c.pool[0];
    const rel = c.pool.map((p) => `${p.workers} → ${(p.samplesPerSec / base.samplesPerSec).toFixed(2)}×`).join(', ');
    const known = c.pool.some((p) => p.workers === c.workers);
    parts.push(`workers, from earlier sweeps' throughput: ${rel}; using ${c.workers}${known ? '' : ' (not measured yet: this sweep measures it)'}`);
  } else if (c.workers > 1) {
    parts.push(`using ${c.workers} workers (a first guess: each sweep measures its throughput, and later sweeps choose from it)`);
  }
  return parts.join('; ');
}
