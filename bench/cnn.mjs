#!/usr/bin/env node
// The CNN part of `npm run bench` (issue 12): the reference CNN on mnist_2500 as the page trains it
// (the app's own data loading, split and standardisation, backend selection and trainer route —
// src/lib/train/fused/route.ts sends conv trials to the tfjs-layers trainer — on the wasm backend,
// in one worker) against the same CNN in PyTorch on one thread (bench/cnn_torch.py), alternating
// native and in-page measurements (A B A B) as bench/bench.mjs does, with medians and spreads.
//
// For bench/bench.mjs:
//   buildCnnBench(www)              builds the in-page worker into <www>/cnn-bench/ (after the app
//                                   build: <www> must also hold the app's datasets/)
//   cnnPart(page, { baseUrl, rounds, log, env })
//                                   the comparison; `page` is any playwright Page (the bench page
//                                   will do) of the origin that serves <www> at `baseUrl`
// On its own (builds, serves and drives Chromium itself; ~2 min):
//   nice -n 10 node bench/cnn.mjs [--rounds=N]     BENCH_OUT=dir builds there (default bench/out)
import { build, runnerImport } from 'vite';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { median, ONE_THREAD, round, spread } from './stats.mjs';

const ROOT = resolve(import.meta.dirname, '..');

/** The reference CNN of issue 12 (a ModelSpec): conv 8 × 3×3 'same' ReLU + 2×2 max pool, dense
 *  32 ReLU, output 10; Adam 1e-3, batch 32. bench/cnn_torch.py builds the same network. */
export const CNN_MODEL = {
  conv: [{ filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu', pool: 'max' }],
  layers: [{ units: 32, activation: 'relu' }],
  dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 1e-3, batchSize: 32, epochs: 3,
};
/** mnist_2500 with the app's default split of its 2,000 training rows: 1,600 train, 400 validation. */
export const CNN_DATA = { id: 'mnist_2500', noise: 0, samples: 0, valFraction: 0.2, seed: 3, testFraction: 0 };
/** Per measurement: runs in one fresh worker (or process) × epochs; the steady epoch is the median
 *  of every run's epochs 2..E (an epoch takes about a second: the first one holds the set-up). */
export const CNN_PLAN = { page: { runs: 2, epochs: 3 }, torch: { runs: 3, epochs: 6 } };



// The in-page worker: the app's modules, nothing of the bench page's. It loads mnist_2500 from
// the served datasets/ as the app does, selects the wasm backend, trains through the app's
// trainer route and answers {backend, note, trainer, nTrain, nVal, runs: [{epochEnds, totalMs, valAcc}]}.
const WORKER_ID = '\0cnn-bench-worker';
const workerSource = () => `
import { selectBackend } from ${JSON.stringify(join(ROOT, 'src/lib/train/backend.ts'))};
import { trainBatch } from ${JSON.stringify(join(ROOT, 'src/lib/train/fused/route.ts'))};
import { trainsAlone } from ${JSON.stringify(join(ROOT, 'src/lib/train/batching.ts'))};
import { loadDataset } from ${JSON.stringify(join(ROOT, 'src/lib/data/registry.ts'))};
import { prepare } from ${JSON.stringify(join(ROOT, 'src/lib/data/split.ts'))};
self.onmessage = async (e) => {
  const { model, data: spec, datasets, runs, epochs } = e.data;
  try {
    const info = await selectBackend('wasm');
    const data = prepare(await loadDataset(spec, datasets), spec).data;
    const out = [];
    for (let r = 0; r < runs; r++) {
      const ends = [];
      let last = null;
      const t0 = performance.now();
      const cfg = { trialId: r, model: { ...model, epochs }, seed: 1000 + r, shuffleSeed: 1000 + r, boundaryGrid: 0 };
      await trainBatch(data, [cfg], (_, m) => { ends.push(performance.now() - t0); last = m; return 'continue'; });
      out.push({ epochEnds: ends, totalMs: performance.now() - t0, valAcc: last ? last.valAcc : null });
    }
    self.postMessage({ backend: info.backend, note: info.note, trainer: trainsAlone(model) ? 'layers' : 'batched', nTrain: data.yTrain.length, nVal: data.yVal.length, runs: out });
  } catch (err) {
    self.postMessage({ error: String((err && err.stack) || err) });
  }
};
`;

/**
 * Builds the in-page CNN worker into `<www>/cnn-bench/cnn-worker.js` (with tfjs' wasm files
 * beside it). `www`: the folder the bench serves (the built app, whose datasets/ the worker reads).
 * @param {string} www
 * @returns {Promise<void>}
 */
export async function buildCnnBench(www) {
  await build({
    configFile: false, root: ROOT, base: './', logLevel: 'error', publicDir: false,
    plugins: [{ name: 'cnn-bench-worker', resolveId: (id) => (id === WORKER_ID ? id : null), load: (id) => (id === WORKER_ID ? workerSource() : null) }],
    build: {
      outDir: join(www, 'cnn-bench'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000, modulePreload: false,
      rollupOptions: { input: { 'cnn-worker': WORKER_ID }, output: { format: 'es', entryFileNames: '[name].js' } },
    },
  });
}

/**
 * One in-page measurement: a fresh module worker (<baseUrl>cnn-bench/cnn-worker.js) trains the
 * reference CNN `runs` times for `epochs` epochs on mnist_2500 on the wasm backend.
 * @param {import('playwright-core').Page} page  a page of the origin that serves `baseUrl`
 * @param {{ baseUrl: string, runs?: number, epochs?: number }} opts  baseUrl: the served app folder, ending in '/'
 * @returns {Promise<{ backend: string, trainer: string, nTrain: number, steadyEpochMs: number, samplesPerSec: number, peakSamplesPerSec: number, firstEpochMs: number, valAcc: number }>}
 */
export async function measureCnnPage(page, { baseUrl, runs = CNN_PLAN.page.runs, epochs = CNN_PLAN.page.epochs }) {
  const res = await page.evaluate((q) => new Promise((resolvePromise, reject) => {
    const w = new Worker(q.worker, { type: 'module', name: 'cnn-bench' });
    w.onmessage = (e) => { w.terminate(); if (e.data.error) reject(new Error(e.data.error)); else resolvePromise(e.data); };
    w.onerror = (e) => { w.terminate(); reject(new Error(`cnn-bench worker: ${e.message}`)); };
    w.postMessage({ model: q.model, data: q.data, datasets: q.datasets, runs: q.runs, epochs: q.epochs });
  }), { worker: `${baseUrl}cnn-bench/cnn-worker.js`, datasets: `${baseUrl}datasets/`, model: CNN_MODEL, data: CNN_DATA, runs, epochs });
  const diffs = res.runs.flatMap((r) => r.epochEnds.slice(1).map((t, i) => t - r.epochEnds[i]));
  const steady = median(diffs);
  return {
    backend: res.backend, trainer: res.trainer, nTrain: res.nTrain, nVal: res.nVal, steadyEpochMs: round(steady, 1),
    samplesPerSec: round((res.nTrain / steady) * 1000), peakSamplesPerSec: round((res.nTrain / Math.min(...diffs)) * 1000),
    firstEpochMs: round(res.runs[0].epochEnds[0]), valAcc: round(median(res.runs.map((r) => r.valAcc)), 3),
  };
}

/**
 * One native measurement: bench/cnn_torch.py in its own process (one thread), answering its JSON.
 * @param {{ runs?: number, epochs?: number, env?: Record<string, string>, python?: string }} [opts]
 * @returns {Promise<object>} cnn_torch.py's answer ({samplesPerSec, steadyEpochMs, cpuShare, …}, or {skipped})
 */
export function runCnnTorch({ runs = CNN_PLAN.torch.runs, epochs = CNN_PLAN.torch.epochs, env = ONE_THREAD, python = '/usr/bin/python3' } = {}) {
  if (!existsSync(python)) return Promise.resolve({ skipped: `no ${python}` });
  return new Promise((resolvePromise, reject) => {
    const p = spawn(python, [join(ROOT, 'bench/cnn_torch.py'), '--runs', String(runs), '--epochs', String(epochs), '--threads', '1'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`bench/cnn_torch.py exited ${code} without JSON: ${out.slice(0, 500)}`));
      }
    });
  });
}

/**
 * The CNN comparison: `rounds` rounds of native, then page (A B A B); each round's ratio
 * page / native is computed within the round, and the spread is over rounds.
 * @param {import('playwright-core').Page} page  a page of the origin that serves `baseUrl`
 * @param {{ baseUrl: string, rounds?: number, log?: (...m: unknown[]) => void, env?: Record<string, string> }} opts
 *   baseUrl: the served folder holding datasets/ and cnn-bench/ (buildCnnBench), ending in '/';
 *   env: the native process's environment additions (default: every thread count 1)
 * @returns {Promise<{ model: string, data: string, unit: string, page: object, native: object, ratio: object, rounds: object[] }>}
 */
export async function cnnPart(page, { baseUrl, rounds = 3, log = () => {}, env = ONE_THREAD }) {
  const rs = [];
  for (let r = 0; r < rounds; r++) {
    log(`CNN on mnist_2500, round ${r + 1}/${rounds}: native (1 thread), then page (wasm, 1 worker)`);
    const nat = await runCnnTorch({ env });
    const pg = await measureCnnPage(page, { baseUrl });
    const native = nat.skipped ? null : nat;
    rs.push({
      page: pg.samplesPerSec, native: native ? round(native.samplesPerSec) : null, ratio: native ? round(pg.samplesPerSec / native.samplesPerSec, 3) : null,
      peakRatio: native ? round(pg.peakSamplesPerSec / native.peakSamplesPerSec, 3) : null, nativeCpuShare: native ? round(native.cpuShare, 2) : null,
      pageDetail: pg, nativeDetail: native ? { steadyEpochMs: round(native.steadyEpochMs, 1), valAcc: round(native.valAcc, 3), torch: native.torch, threads: native.threads, params: native.params } : { skipped: nat.skipped },
    });
  }
  return {
    model: 'conv 8×3×3 same relu + 2×2 max pool, dense 32 relu, output 10 (50,618 parameters); Adam 1e-3, batch 32',
    data: 'mnist_2500: 1,600 training and 400 validation images (28×28), a validation pass after every epoch',
    unit: 'training samples/s, steady epoch (median of epochs 2..E)', page: { backend: rs[0].pageDetail.backend, trainer: rs[0].pageDetail.trainer, workers: 1 }, native: rs[0].nativeDetail,
    pageSamplesPerSec: spread(rs.map((x) => x.page)), nativeSamplesPerSec: spread(rs.map((x) => x.native)),
    ratio: spread(rs.map((x) => x.ratio), 3), peakRatio: spread(rs.map((x) => x.peakRatio), 3),
    rounds: rs.map(({ pageDetail, ...x }) => ({ ...x, pageSteadyEpochMs: pageDetail.steadyEpochMs, pageFirstEpochMs: pageDetail.firstEpochMs, pageValAcc: pageDetail.valAcc })),
  };
}

/** On its own: build the worker into <BENCH_OUT>/cnn-www with mnist_2500 beside it and a blank
 *  page under the app's Content-Security-Policy (which serve() then sends with every file, as for
 *  the built app), serve it, run cnnPart, print JSON. */
async function main() {
  const { launch, serve } = await import('../tests/e2e/harness.mjs');
  const out = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : join(ROOT, 'bench/out');
  const www = join(out, 'cnn-www');
  const rounds = Math.max(1, Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 1) || 1);
  const log = (...m) => console.error(`[cnn ${new Date().toISOString().slice(11, 19)}]`, ...m);
  log(`building the CNN worker into ${www}`);
  await buildCnnBench(www);
  mkdirSync(join(www, 'datasets'), { recursive: true });
  for (const f of ['mnist_2500.json', 'mnist_2500.bin']) copyFileSync(join(ROOT, 'datasets', f), join(www, 'datasets', f));
  const { module: config } = await runnerImport(join(ROOT, 'vite.config.ts'));
  const csp = String(config.CSP).replaceAll("'", '&#39;');
  writeFileSync(join(www, 'index.html'), `<!doctype html><meta http-equiv="Content-Security-Policy" content="${csp}"><meta charset="utf-8"><title>CNN bench</title>\n`);
  const server = await serve(www, '/app/');
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    await page.goto(server.url);
    const result = await cnnPart(page, { baseUrl: server.url, rounds, log });
    process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), chromium: browser.version(), ...result }, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
