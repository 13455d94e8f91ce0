import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_MAX_AGE_MS, CPU_SKIP_NOTE, calibrate, calibrationKey, chooseBackend, choosePoolSize, describeCalibration, memoryStore, nextWorkerCount,
  planProbes, recordSweep, withPoolMeasurement,
  type BackendMeasurement, type ProbeRunner, type Screen,
} from '../../../src/lib/train/calibrate';
import type { ProbeShape } from '../../../src/lib/train/batching';
import type { BackendName } from '../../../src/lib/experiment/types';

const shape: ProbeShape = {
  model: { layers: [{ units: 128, activation: 'relu' }], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 5 },
  d: 64, nClasses: 10, task: 'classification',
};

/** A runner answering with fixed timings, recording what it was asked. */
function fakeRunner(backends: Partial<Record<BackendName, number | null>>, software: Partial<Record<BackendName, string>> = {}) {
  const calls: string[] = [];
  const runner: ProbeRunner = {
    backend: async (b) => {
      calls.push(`backend:${b}`);
      const sps = backends[b] ?? null;
      return { backend: b, samplesPerSec: sps, software: software[b] ?? '', ...(sps === null ? { error: 'no result within 1.5 s' } : {}) };
    },
  };
  return { runner, calls };
}

/** Screening that found nothing (the old behaviour: every candidate measured). */
const blind = async () => null;

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

  const pm = (...xs: [number, number][]) => xs.map(([workers, samplesPerSec]) => ({ workers, samplesPerSec }));
  it.each([
    ['nothing measured: two workers', pm(), 4, 2],
    ['nothing measured, one allowed', pm(), 1, 1],
    ['2 measured, may pay again: try 3', pm([2, 100]), 4, 3],
    ['2 measured, 3 not allowed: try 1', pm([2, 100]), 2, 1],
    ['3 did not pay over 2: try 1', pm([2, 100], [3, 104]), 4, 1],
    ['1 and 2 measured, 2 pays, 3 allowed: try 3', pm([1, 100], [2, 150]), 3, 3],
    ['1, 2, 3 measured: the best', pm([1, 100], [2, 150], [3, 152]), 3, 2],
    ['2 was slower than 1: stay at 1', pm([1, 100], [2, 80]), 2, 1],
    ['the cap falls below a measured best', pm([1, 100], [2, 150], [3, 200]), 2, 2],
  ])('nextWorkerCount: %s', (_, ms, max, want) => {
    expect(nextWorkerCount(ms, max)).toBe(want);
  });

  it('a sweep\'s measurement keeps the better figure of its worker count', () => {
    expect(withPoolMeasurement(pm([2, 100]), { workers: 1, samplesPerSec: 70 })).toEqual(pm([1, 70], [2, 100]));
    expect(withPoolMeasurement(pm([1, 70], [2, 100]), { workers: 2, samplesPerSec: 90 })).toEqual(pm([1, 70], [2, 100]));
    expect(withPoolMeasurement(pm([1, 70], [2, 100]), { workers: 2, samplesPerSec: 120 })).toEqual(pm([1, 70], [2, 120]));
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

describe('which backends a calibration measures', () => {
  const all = ['wasm', 'cpu', 'webgl', 'webgpu'] as const;
  const sw: Screen = { webgl: 'WebGL renders in software here', webgpu: 'the WebGPU adapter is a software fallback, not a GPU', simd: true };
  const hw: Screen = { webgl: '', webgpu: '', simd: true };
  it.each([
    ['nothing known: all, one after another', null, 2, [['wasm'], ['cpu'], ['webgl'], ['webgpu']], [], []],
    ['software GPUs and SIMD (this bench machine): wasm only', sw, 2, [['wasm']], ['cpu'], ['webgl', 'webgpu']],
    ['hardware GPUs on 2 cores: one after another', hw, 2, [['wasm'], ['webgl'], ['webgpu']], ['cpu'], []],
    ['hardware GPUs on 8 cores: the first beside wasm', hw, 8, [['wasm', 'webgl'], ['webgpu']], ['cpu'], []],
    ['no SIMD: cpu is measured too', { ...sw, simd: false }, 2, [['wasm', 'cpu']], [], ['webgl', 'webgpu']],
    ['WebGPU missing, WebGL hardware', { ...hw, webgpu: 'WebGPU is not available in this browser' }, 4, [['wasm', 'webgl']], ['cpu'], ['webgpu']],
  ] as const)('%s', (_, screen, cores, stages, fallback, skipped) => {
    const p = planProbes(all, screen, cores);
    expect(p.stages).toEqual(stages);
    expect(p.fallback).toEqual(fallback);
    expect(p.skipped.map((m) => m.backend)).toEqual(skipped);
    for (const m of p.skipped) expect(m.skipped).toContain(m.software);
  });

  it('measures cpu after all when wasm gave no number', async () => {
    const { runner, calls } = fakeRunner({ wasm: null, cpu: 900 });
    const r = await calibrate({ key: 'k', store: memoryStore(), runner, pref: 'auto', autoWorkers: false, fixedWorkers: 1, maxWorkers: 2, screen: async () => sw, cores: 2 });
    expect(calls).toEqual(['backend:wasm', 'backend:cpu']);
    expect(r?.calibration.backend).toBe('cpu');
  });

  it('on software GPUs with SIMD measures wasm only, and says why the others were not', async () => {
    const { runner, calls } = fakeRunner({ wasm: 200000, cpu: 300, webgl: 900, webgpu: 400 });
    const r = await calibrate({ key: 'k', store: memoryStore(), runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, screen: async () => sw, cores: 2 });
    expect(calls).toEqual(['backend:wasm']);
    expect(r?.calibration).toMatchObject({ backend: 'wasm', workers: 2, pool: [] });
    expect(r?.calibration.backends.map((m) => m.backend)).toEqual(['wasm', 'cpu', 'webgl', 'webgpu']);
    expect(r?.calibration.backends.find((m) => m.backend === 'cpu')?.skipped).toBe(CPU_SKIP_NOTE);
    const note = describeCalibration(r!.calibration, false);
    expect(note).toMatch(/^measured: wasm 200\.0k samples\/s; not measured: cpu \(WebAssembly SIMD works here/);
    expect(note).toMatch(/webgl \(WebGL renders in software here\), webgpu \(the WebGPU adapter is a software fallback, not a GPU\)/);
    expect(note).toMatch(/using 2 workers \(a first guess/);
  });

  it('a screening that answers late leaves the GPUs to the next calibration, which measures only them', async () => {
    const store = memoryStore();
    const first = fakeRunner({ wasm: 200000, webgl: 900000 });
    const never = () => new Promise<Screen>(() => {});
    const r = await calibrate({ key: 'k', store, runner: first.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, screen: never, cores: 2 });
    expect(first.calls).toEqual(['backend:wasm']);
    expect(r?.calibration.backend).toBe('wasm');
    expect(r?.calibration.backends.filter((m) => m.retry).map((m) => m.backend)).toEqual(['webgl', 'webgpu']);
    expect(describeCalibration(r!.calibration, false)).toMatch(/webgl \(not measured yet: the check for a GPU had not answered/);
    const next = fakeRunner({ wasm: 200000, webgl: 900000 });
    const again = await calibrate({ key: 'k', store, runner: next.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, screen: async () => ({ ...hw, webgpu: 'no WebGPU adapter' }), cores: 2 });
    expect(next.calls).toEqual(['backend:webgl']);
    expect(again).toMatchObject({ cached: false, calibration: { backend: 'webgl' } });
    expect(again?.calibration.backends.some((m) => m.retry)).toBe(false);
    const third = fakeRunner({});
    expect(await calibrate({ key: 'k', store, runner: third.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, screen: never })).toMatchObject({ cached: true });
    expect(third.calls).toEqual([]);
  });

  it('what a late screening had told counts: a software WebGPU is named, only WebGL waits', async () => {
    const { runner, calls } = fakeRunner({ wasm: 200000 });
    const halfway = (partial?: (p: Partial<Screen>) => void) => {
      partial?.({ simd: true, webgpu: sw.webgpu });
      return new Promise<Screen>(() => {});
    };
    const r = await calibrate({ key: 'k', store: memoryStore(), runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, screen: halfway, cores: 2 });
    expect(calls).toEqual(['backend:wasm']);
    const by = Object.fromEntries(r!.calibration.backends.map((m) => [m.backend, m]));
    expect(by.webgpu).toMatchObject({ software: sw.webgpu, skipped: `not measured: ${sw.webgpu}` });
    expect(by.webgpu.retry).toBeUndefined();
    expect(by.webgl.retry).toBe(true);
    expect(describeCalibration(r!.calibration, false)).toMatch(/webgpu \(the WebGPU adapter is a software fallback, not a GPU\)/);
  });

  it('wasm starts before screening has answered', async () => {
    const order: string[] = [];
    let answer!: (s: Screen) => void;
    const screen = () => new Promise<Screen>((r) => (answer = r));
    const runner: ProbeRunner = {
      backend: async (b) => {
        order.push(`start:${b}`);
        return { backend: b, samplesPerSec: 1000, software: '' };
      },
    };
    const p = calibrate({ key: 'k', store: memoryStore(), runner, pref: 'auto', autoWorkers: false, fixedWorkers: 1, maxWorkers: 2, screen, cores: 2 });
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['start:wasm']);
    order.push('screened');
    answer(hw);
    await p;
    expect(order).toEqual(['start:wasm', 'screened', 'start:webgl', 'start:webgpu']);
  });
});

describe('calibrate', () => {
  const timings = { wasm: 13000, cpu: 2800, webgl: 1500, webgpu: 400 };
  const software = { webgl: 'WebGL renders in software here', webgpu: 'the WebGPU adapter is a software fallback, not a GPU' };

  it('measures every backend when screening says nothing, starts with two workers, and caches it', async () => {
    const store = memoryStore();
    const { runner, calls } = fakeRunner(timings, software);
    const r = await calibrate({ key: 'k', store, runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 4, now: 1000, screen: blind });
    expect(r?.cached).toBe(false);
    expect(r?.calibration.backend).toBe('wasm');
    expect(r?.calibration.workers).toBe(2);
    expect(calls).toEqual(['backend:wasm', 'backend:cpu', 'backend:webgl', 'backend:webgpu']);
    const note = describeCalibration(r!.calibration, false);
    expect(note).toMatch(/wasm 13\.0k samples\/s/);
    expect(note).toMatch(/webgpu 400 samples\/s \(the WebGPU adapter is a software fallback/);
    expect(note).toMatch(/using 2 workers/);

    // a sweep with 2 workers measured its throughput: the next explores 3, then the best is kept
    await recordSweep(store, 'k', { workers: 2, samplesPerSec: 19500 });
    const again = fakeRunner(timings);
    const hit = await calibrate({ key: 'k', store, runner: again.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 4, now: 2000 });
    expect(hit?.cached).toBe(true);
    expect(hit?.calibration.workers).toBe(3);
    expect(again.calls).toEqual([]);
    expect(describeCalibration(hit!.calibration, true)).toMatch(/^measured earlier.*workers, from earlier sweeps' throughput: 2 → 1\.00×; using 3 \(not measured yet/);
    await recordSweep(store, 'k', { workers: 3, samplesPerSec: 20000 });
    await recordSweep(store, 'k', { workers: 1, samplesPerSec: 13000 });
    const third = await calibrate({ key: 'k', store, runner: again.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 4, now: 3000 });
    expect(third?.calibration.workers).toBe(2);
    expect(describeCalibration(third!.calibration, true)).toMatch(/1 → 1\.00×, 2 → 1\.50×, 3 → 1\.54×; using 2$/);
  });

  it('a sweep without a calibration to go with records nothing', async () => {
    const store = memoryStore();
    await recordSweep(store, 'none', { workers: 2, samplesPerSec: 100 });
    expect(await store.get('none')).toBeUndefined();
  });

  it('measures again when the cached entry is old', async () => {
    const store = memoryStore();
    await calibrate({ key: 'k', store, runner: fakeRunner(timings).runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, now: 0, screen: blind });
    const later = fakeRunner({ ...timings, webgl: 50000 });
    const r = await calibrate({ key: 'k', store, runner: later.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 1, maxWorkers: 2, now: CALIBRATION_MAX_AGE_MS + 1, screen: blind });
    expect(r?.cached).toBe(false);
    expect(r?.calibration.backend).toBe('webgl');
  });

  it('a fixed worker count is used as it is', async () => {
    const store = memoryStore();
    const first = fakeRunner(timings, software);
    const fixed = await calibrate({ key: 'k', store, runner: first.runner, pref: 'auto', autoWorkers: false, fixedWorkers: 1, maxWorkers: 2, now: 0, screen: blind });
    expect(fixed?.calibration).toMatchObject({ backend: 'wasm', workers: 1, pool: [] });
    const two = await calibrate({ key: 'k', store, runner: first.runner, pref: 'auto', autoWorkers: false, fixedWorkers: 2, maxWorkers: 2, now: 1 });
    expect(two).toMatchObject({ cached: true, calibration: { workers: 2 } });
    expect(first.calls).toEqual(['backend:wasm', 'backend:cpu', 'backend:webgl', 'backend:webgpu']);
  });

  it('a slow software GPU adapter that is measured anyway loses', async () => {
    const { runner } = fakeRunner({ wasm: 9000, cpu: 2000, webgl: null, webgpu: 350 }, software);
    const r = await calibrate({ key: 'k', store: memoryStore(), runner, pref: 'auto', autoWorkers: false, fixedWorkers: 3, maxWorkers: 4, screen: blind });
    expect(r?.calibration.backend).toBe('wasm');
    expect(r?.calibration.workers).toBe(3);
    expect(r?.calibration.backends.find((b) => b.backend === 'webgl')?.error).toMatch(/no result/);
    expect(describeCalibration(r!.calibration, false)).toMatch(/software/);
  });

  it('a backend the user fixed is not measured', async () => {
    const { runner, calls } = fakeRunner(timings);
    const r = await calibrate({ key: 'k', store: memoryStore(), runner, pref: 'cpu', autoWorkers: true, fixedWorkers: 2, maxWorkers: 4 });
    expect(calls).toEqual([]);
    expect(r?.calibration).toMatchObject({ backend: 'cpu', workers: 2, backends: [] });
  });

  it('gives up (null) when no backend produced a number, or when cancelled', async () => {
    const none = fakeRunner({ wasm: null, cpu: null, webgl: null, webgpu: null });
    expect(await calibrate({ key: 'k', store: memoryStore(), runner: none.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 2, screen: blind })).toBeNull();
    let n = 0;
    const some = fakeRunner(timings);
    const store = memoryStore();
    expect(await calibrate({ key: 'k', store, runner: some.runner, pref: 'auto', autoWorkers: true, fixedWorkers: 2, maxWorkers: 2, cancelled: () => ++n > 2, screen: blind })).toBeNull();
    expect(some.calls).toEqual(['backend:wasm', 'backend:cpu']);
    expect(await store.get('k')).toBeUndefined();
  });
});
