import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_MAX_AGE_MS, calibrate, calibrationKey, chooseBackend, choosePoolSize, describeCalibration, memoryStore, worthMoreWorkers,
  type BackendMeasurement, type ProbeRunner,
} from '../../../src/lib/train/calibrate';
import type { ProbeShape } from '../../../src/lib/train/batching';
import type { BackendName } from '../../../src/lib/experiment/types';

const shape: ProbeShape = {
  model: { layers: [{ units: 128, activation: 'relu' }], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 5 },
  d: 64, nClasses: 10, task: 'classification',
};

/** A runner answering with fixed timings, recording what it was asked. */
function fakeRunner(backends: Partial<Record<BackendName, number | null>>, pool: Record<number, number>, software: Partial<Record<BackendName, string>> = {}) {
  const calls: string[] = [];
  const runner: ProbeRunner = {
    backend: async (b) => {
      calls.push(`backend:${b}`);
      const sps = backends[b] ?? null;
      return { backend: b, samplesPerSec: sps, software: software[b] ?? '', ...(sps === null ? { error: 'no result within 1.5 s' } : {}) };
    },
    pool: async (b, n) => {
      calls.push(`pool:${b}:${n}`);
      return pool[n];
    },
  };
  return { runner, calls };
}

const m = (backend: BackendName, samplesPerSec: number | null): BackendMeasurement => ({ backend, samplesPerSec, software: '' });

describe('choice rules', () => {
  it.each([
    [[m('wasm', 13000), m('cpu', 2800), m('webgl', 1500), m('webgpu', 400)], 'wasm'],
    [[m('wasm', 13000), m('webgl', 40000), m('webgpu', null)], 'webgl'],
    [[m('wasm', null), m('cpu', 2800)], 'cpu'],
    [[m('wasm', null), m('webgpu', null)], null],
  ] as const)('chooseBackend picks the fastest measured: %#', (ms, want) => {
    expect(chooseBackend(ms)).toBe(want);
  });

  it.each([
    [[{ workers: 1, samplesPerSec: 100 }, { workers: 2, samplesPerSec: 150 }, { workers: 3, samplesPerSec: 152 }], 2],
    [[{ workers: 1, samplesPerSec: 100 }, { workers: 2, samplesPerSec: 105 }], 1],
    [[{ workers: 1, samplesPerSec: 100 }, { workers: 2, samplesPerSec: 190 }, { workers: 3, samplesPerSec: 280 }], 3],
    [[{ workers: 2, samplesPerSec: 90 }, { workers: 1, samplesPerSec: 100 }], 1],
    [[], 1],
  ])('choosePoolSize takes the fewest workers within 10%% of the best: %#', (ms, want) => {
    expect(choosePoolSize(ms)).toBe(want);
  });

  it('measures one more worker only while the last one paid for itself', () => {
    expect(worthMoreWorkers([{ workers: 1, samplesPerSec: 100 }], 4)).toBe(true);
    expect(worthMoreWorkers([{ workers: 1, samplesPerSec: 100 }, { workers: 2, samplesPerSec: 150 }], 4)).toBe(true);
    expect(worthMoreWorkers([{ workers: 1, samplesPerSec: 100 }, { workers: 2, samplesPerSec: 105 }], 4)).toBe(false);
    expect(worthMoreWorkers([{ workers: 1, samplesPerSec: 100 }, { workers: 2, samplesPerSec: 150 }], 2)).toBe(false);
  });

  it('keys the cache by device, model shape and backend preference', () => {
    const k = calibrationKey('ua|2', shape, 'auto');
    expect(calibrationKey('ua|2', shape, 'auto')).toBe(k);
    expect(calibrationKey('ua|4', shape, 'auto')).not.toBe(k);
    expect(calibrationKey('ua|2', { ...shape, model: { ...shape.model, layers: [{ units: 64, activation: 'relu' }] } }, 'auto')).not.toBe(k);
    expect(calibrationKey('ua|2', { ...shape, model: { ...shape.model, batchSize: 16 } }, 'auto')).not.toBe(k);
    expect(calibrationKey('ua|2', { ...shape, d: 2 }, 'auto')).not.toBe(k);
    expect(calibrationKey('ua|2', shape, 'wasm')).not.toBe(k);
    // the learning rate and epochs do not change the speed of a step
    expect(calibrationKey('ua|2', { ...shape, model: { ...shape.model, learningRate: 0.5, epochs: 99 } }, 'auto')).toBe(k);
  });
});

describe('calibrate', () => {
  const timings = { wasm: 13000, cpu: 2800, webgl: 1500, webgpu: 400 };
  const software = { webgl: 'WebGL renders in software here', webgpu: 'the WebGPU adapter is a software fallback, not a GPU' };

  it('measures every backend, then 1, 2, … workers on the fastest while they pay, and caches it', async () => {
    const store = memoryStore();
    const { runner, calls } = fakeRunner(timings, { 1: 13000, 2: 19500, 3: 20000 }, software);
    const r = await calibrate({ key: 'k', store, runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 4, now: 1000 });
    expect(r?.cached).toBe(false);
    expect(r?.calibration.backend).toBe('wasm');
    expect(r?.calibration.workers).toBe(2);
    // 3 workers gained < 10% over 2, so 4 is not tried
    expect(calls).toEqual(['backend:wasm', 'backend:cpu', 'backend:webgl', 'backend:webgpu', 'pool:wasm:1', 'pool:wasm:2', 'pool:wasm:3']);
    expect(r?.calibration.pool).toEqual([{ workers: 1, samplesPerSec: 13000 }, { workers: 2, samplesPerSec: 19500 }, { workers: 3, samplesPerSec: 20000 }]);
    const note = describeCalibration(r!.calibration, false);
    expect(note).toMatch(/wasm 13\.0k samples\/s/);
    expect(note).toMatch(/webgpu 400 samples\/s \(the WebGPU adapter is a software fallback/);
    expect(note).toMatch(/using 2/);

    const again = fakeRunner(timings, { 2: 19500 });
    const hit = await calibrate({ key: 'k', store, runner: again.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 4, now: 2000 });
    expect(hit?.cached).toBe(true);
    expect(hit?.calibration.workers).toBe(2);
    expect(again.calls).toEqual([]);
    expect(describeCalibration(hit!.calibration, true)).toMatch(/^measured earlier/);
  });

  it('measures again when the cached entry is old', async () => {
    const store = memoryStore();
    await calibrate({ key: 'k', store, runner: fakeRunner(timings, { 1: 13000, 2: 15000 }).runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, now: 0 });
    const later = fakeRunner({ ...timings, webgl: 50000 }, { 1: 50000, 2: 90000 });
    const r = await calibrate({ key: 'k', store, runner: later.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, now: CALIBRATION_MAX_AGE_MS + 1 });
    expect(r?.cached).toBe(false);
    expect(r?.calibration.backend).toBe('webgl');
    expect(r?.calibration.workers).toBe(2);
  });

  it('a fixed worker count is used as it is, and an automatic one measured later is added to the cache', async () => {
    const store = memoryStore();
    const first = fakeRunner(timings, { 1: 12000, 2: 18000 }, software);
    const fixed = await calibrate({ key: 'k', store, runner: first.runner, pref: 'auto', autoWorkers: false, fixedWorkers: 1, maxWorkers: 2, now: 0 });
    expect(fixed?.calibration).toMatchObject({ backend: 'wasm', workers: 1, pool: [] });
    expect(first.calls).toEqual(['backend:wasm', 'backend:cpu', 'backend:webgl', 'backend:webgpu']);
    // another fixed count: nothing to measure, the user's number is used
    const two = await calibrate({ key: 'k', store, runner: first.runner, pref: 'auto', autoWorkers: false, fixedWorkers: 2, maxWorkers: 2, now: 1 });
    expect(two).toMatchObject({ cached: true, calibration: { workers: 2 } });
    // automatic: the backends come from the cache, only the worker counts are measured
    const auto = fakeRunner(timings, { 1: 12000, 2: 18000 });
    const r = await calibrate({ key: 'k', store, runner: auto.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, now: 2 });
    expect(auto.calls).toEqual(['pool:wasm:1', 'pool:wasm:2']);
    expect(r).toMatchObject({ cached: false, calibration: { backend: 'wasm', workers: 2 } });
    // the single-worker number is the better of the two single-worker measurements
    expect(r?.calibration.pool[0]).toEqual({ workers: 1, samplesPerSec: 13000 });
    const again = fakeRunner(timings, {});
    expect(await calibrate({ key: 'k', store, runner: again.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, now: 3 })).toMatchObject({ cached: true, calibration: { workers: 2 } });
    expect(again.calls).toEqual([]);
  });

  it('a slow software GPU adapter is measured, and loses', async () => {
    const { runner } = fakeRunner({ wasm: 9000, cpu: 2000, webgl: null, webgpu: 350 }, {}, software);
    const r = await calibrate({ key: 'k', store: memoryStore(), runner, pref: 'auto', autoWorkers: false, fixedWorkers: 3, maxWorkers: 4 });
    expect(r?.calibration.backend).toBe('wasm');
    expect(r?.calibration.workers).toBe(3);
    expect(r?.calibration.backends.find((b) => b.backend === 'webgl')?.error).toMatch(/no result/);
    expect(describeCalibration(r!.calibration, false)).toMatch(/software/);
  });

  it('a backend the user fixed is not measured; only the worker count is', async () => {
    const { runner, calls } = fakeRunner(timings, { 1: 8000, 2: 8200 });
    const r = await calibrate({ key: 'k', store: memoryStore(), runner, pref: 'cpu', autoWorkers: true, fixedWorkers: 2, maxWorkers: 4 });
    expect(calls).toEqual(['pool:cpu:1', 'pool:cpu:2']);
    expect(r?.calibration).toMatchObject({ backend: 'cpu', workers: 1, backends: [] });
  });

  it('gives up (null) when no backend produced a number, or when cancelled', async () => {
    const none = fakeRunner({ wasm: null, cpu: null, webgl: null, webgpu: null }, {});
    expect(await calibrate({ key: 'k', store: memoryStore(), runner: none.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 2 })).toBeNull();
    let n = 0;
    const some = fakeRunner(timings, {});
    const store = memoryStore();
    expect(await calibrate({ key: 'k', store, runner: some.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 2, cancelled: () => ++n > 2 })).toBeNull();
    expect(some.calls).toEqual(['backend:wasm', 'backend:cpu']);
    expect(await store.get('k')).toBeUndefined();
  });
});
