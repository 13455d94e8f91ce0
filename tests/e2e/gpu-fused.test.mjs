// End-to-end: the GPU fused trainer (src/lib/train/gpu/: the fused training step as WGSL compute
// shaders) computes what the wasm fused trainer computes — which tests/unit/train/fused.test.ts
// proves equal to the tfjs reference trainers — on the same initial weights, mini-batches and
// dropout masks: K = 1 and K = 8, every optimizer, dropout, L1/L2, early stopping with
// restore-best, pruning, stop and divergence, regression, decision surfaces. Then a sweep with
// the WebGPU backend chosen in the page trains on it and draws the curves the wasm backend draws.
//
// WebGPU here is headless Chromium's SwiftShader adapter (software, slow): the real code path, but
// no measure of speed. The test page (tests/gpu-page/) is built with vite into a temporary folder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { launch, serve, useApp } from './harness.mjs';
import { open, runToEnd, setNumber, tableRows } from './page.mjs';

const app = useApp();

/** Largest relative difference between two curves' metrics (floor 1e-3 on the denominator, as fused.test.ts). */
function maxRelDiff(a, b) {
  assert.equal(a.length, b.length, 'same number of epochs');
  let worst = 0;
  a.forEach((e, i) => {
    for (const k of ['trainLoss', 'valLoss', 'trainAcc', 'valAcc']) {
      if (e[k] === undefined && b[i][k] === undefined) continue;
      worst = Math.max(worst, Math.abs(e[k] - b[i][k]) / Math.max(1e-3, Math.abs(b[i][k])));
    }
  });
  return worst;
}

/** The GPU result `g` agrees with the wasm result `w`: curves, test score, confusion, surface, bookkeeping. */
function expectSame(g, w, tol, what) {
  assert.equal(g.trialId, w.trialId, what);
  assert.equal(g.status, w.status, `${what}: status`);
  assert.equal(g.epochs.length, w.epochs.length, `${what}: epochs`);
  assert.equal(g.backend, 'webgpu', what);
  assert.equal(g.peakTensors, 0, `${what}: no tensors`);
  if (w.status === 'diverged') {
    assert.match(g.message, /learning rate/);
    return;
  }
  const d = maxRelDiff(g.epochs, w.epochs);
  assert.ok(d < tol, `${what}: curves differ by ${d.toExponential(2)}`);
  if (w.test) {
    assert.ok(Math.abs(g.test.loss - w.test.loss) / w.test.loss < tol, `${what}: test loss ${g.test.loss} vs ${w.test.loss}`);
    assert.equal(g.test.acc, w.test.acc, `${what}: test accuracy`);
  } else {
    assert.equal(g.test, undefined, what);
  }
  assert.deepEqual(g.confusion, w.confusion, `${what}: confusion`);
  assert.equal(g.paramCount, w.paramCount, what);
  assert.equal(g.bestEpoch, w.bestEpoch, `${what}: best epoch`);
  assert.equal(g.stoppedEarly, w.stoppedEarly, `${what}: stopped early`);
  assert.equal(g.restoredBest, w.restoredBest, `${what}: restored best`);
  assert.equal(g.boundary?.length, w.boundary?.length, `${what}: surface`);
  w.boundary?.forEach((p, i) => assert.ok(Math.abs(p - g.boundary[i]) < 1e-5, `${what}: surface cell ${i}: ${g.boundary[i]} vs ${p}`));
}

describe('the GPU fused trainer', () => {
  let dir;
  let server;
  let browser;
  let page;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-page-'));
    await build({
      root: resolve('tests/gpu-page'), configFile: false, base: './', logLevel: 'warn',
      build: { outDir: dir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 },
    });
    server = await serve(dir, '/gpu/');
    browser = await launch();
    page = await browser.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready]');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('matches the wasm fused trainer to 1e-4: every optimizer, K = 1 and 8, dropout, L1/L2, early stopping with restore-best', async (t) => {
    const adapter = await page.evaluate(() => window.gpuTest.adapter());
    t.diagnostic(`WebGPU adapter: ${JSON.stringify(adapter)}`);
    assert.equal(await page.evaluate(() => window.gpuTest.available()), true, 'the GPU trainer runs in this browser');
    const cases = await page.evaluate(() => window.gpuTest.cases());
    assert.ok(cases.length >= 20);
    for (const name of cases) {
      await t.test(name, async () => {
        const { wasm, gpu, seen } = await page.evaluate((n) => window.gpuTest.run(n), name);
        assert.equal(gpu.length, wasm.length);
        wasm.forEach((w, i) => expectSame(gpu[i], w, 1e-4, `${name}, trial ${w.trialId}`));
        // the same reports, epoch by epoch, to the same host answers
        const byTrial = (s) => JSON.stringify([...s].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
        assert.equal(byTrial(seen.gpu), byTrial(seen.wasm), `${name}: reported epochs`);
        if (/K=8/.test(name)) assert.equal(gpu.length, 8);
        if (/early stopping/.test(name)) {
          assert.equal(gpu[0].stoppedEarly, true, 'stopped early');
          assert.equal(gpu[0].restoredBest, true, 'scored its best weights');
        }
        if (/pruned/.test(name)) assert.deepEqual(gpu.map((r) => r.status), ['complete', 'diverged', 'pruned', 'cancelled']);
      });
    }
    assert.deepEqual(page.errors, []);
  });

  test('probe: the steady-state step of K stacked trials, as the calibration reads it', async () => {
    for (const trials of [1, 3]) {
      const p = await page.evaluate((k) => window.gpuTest.probe(k), trials);
      assert.ok(p.steps > 0 && p.steps % 4 === 0, `whole epochs of four steps (${p.steps})`);
      assert.ok(p.stepMs > 0 && p.warmupMs > 0);
      assert.ok(Math.abs(p.samplesPerSec - (trials * 16) / (p.stepMs / 1000)) < 1e-6 * p.samplesPerSec);
    }
    assert.deepEqual(page.errors, []);
  });
});

describe('a sweep on the WebGPU backend', () => {
  /** A sweep of four trials of one network (batched: one stack) on `backend`; the saved study's trials. */
  async function sweep(backend, hash = '') {
    const page = await open(app, hash);
    await page.getByRole('checkbox', { name: /Choose the number of workers/ }).uncheck();
    await page.getByRole('checkbox', { name: /Train trials with the same network together/ }).check();
    await page.getByRole('combobox', { name: 'Units per hidden layer search mode' }).selectOption('fixed');
    await setNumber(page, 'Epochs', 6);
    await setNumber(page, /Trial budget/, 4);
    await setNumber(page, /Parallel trials/, 1);
    await page.getByRole('combobox', { name: 'Compute backend' }).selectOption(backend);
    await runToEnd(page);
    const rows = await tableRows(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save to file' }).click()]);
    const study = JSON.parse(readFileSync(await download.path(), 'utf8'));
    const url = page.url();
    assert.deepEqual(page.errors, []);
    await page.context().close();
    return { rows, trials: study.trials, hash: new URL(url).hash };
  }

  test('trains on the GPU fused trainer and draws the curves of the wasm run of the same seed', async () => {
    const gpu = await sweep('webgpu');
    const wasm = await sweep('wasm', gpu.hash);
    assert.equal(gpu.trials.length, 4);
    assert.equal(wasm.trials.length, 4);
    assert.ok(gpu.rows.every((r) => r.Backend === 'webgpu' && r.Status === 'complete'), JSON.stringify(gpu.rows));
    for (const t of gpu.trials) {
      // the fused trainers create no tensors; the tfjs trainer on webgpu reports its peak (> 0)
      assert.equal(t.result.backend, 'webgpu');
      assert.equal(t.result.peakTensors, 0, `trial ${t.id} trained on the GPU fused trainer`);
      // one stack: every epoch of the four trials ends at the same moment
      assert.deepEqual(t.epochs.map((e) => e.elapsedMs), gpu.trials[0].epochs.map((e) => e.elapsedMs));
    }
    gpu.trials.forEach((t, i) => {
      const w = wasm.trials[i];
      assert.deepEqual(t.params, w.params, 'the same trials');
      assert.equal(t.epochs.length, 6);
      const d = maxRelDiff(t.epochs, w.epochs);
      assert.ok(d < 1e-3, `trial ${t.id}: curves differ by ${d.toExponential(2)}`);
    });
  });
});
