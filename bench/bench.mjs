#!/usr/bin/env node
// `npm run bench`: the in-browser trainer against itself, tfjs' model.fit and native PyTorch, in
// one run on this machine. Builds the app and a bench page (bench/browser, never part of the
// app's bundle), drives headless Chromium (tests/e2e/harness.mjs), runs bench/native.py, prints
// JSON and writes bench/out/latest.json, then prints the change against bench/baseline.json.
//
//   node bench/bench.mjs [--skip-build] [--only=backends,trainers,batched,sweep,native] [--save-baseline]
//
// Every number is a median of repeated runs; ratios compare numbers from this same run.
import { build } from 'vite';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, serve } from '../tests/e2e/harness.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const WWW = join(OUT, 'www');
const args = process.argv.slice(2);
const only = (args.find((a) => a.startsWith('--only=')) ?? '').slice(7).split(',').filter(Boolean);
const want = (part) => only.length === 0 || only.includes(part);
const log = (...m) => console.error('[bench]', ...m);

/** The reference: the MLP of issue #5 on the app's digits8x8 split. */
const REF = { units: 128, batchSize: 32, epochs: 6, sweepTrials: 16, sweepEpochs: 10 };
/** Per backend: runs, epochs and training rows (software WebGPU/WebGL are slow: fewer samples). */
const PLAN = {
  wasm: { runs: 5, epochs: 6 },
  cpu: { runs: 3, epochs: 4 },
  webgl: { runs: 3, epochs: 4, trainRows: 512 },
  webgpu: { runs: 2, epochs: 3, trainRows: 256 },
};

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 0) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

// ---------------------------------------------------------------------------------------------
// Build

async function buildAll() {
  log('building the app (vite build) and the bench page…');
  await build({ configFile: join(ROOT, 'vite.config.ts'), root: ROOT, logLevel: 'error', build: { outDir: WWW, emptyOutDir: true } });
  await build({
    configFile: false, root: join(ROOT, 'bench/browser'), base: './', logLevel: 'error', worker: { format: 'es' },
    build: { outDir: join(WWW, 'bench'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 5000 },
  });
}

/** Main-thread JS (what index.html loads, gzip) and each worker chunk (raw and gzip). */
function bundleSizes() {
  const html = readFileSync(join(WWW, 'index.html'), 'utf8');
  const loaded = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const assets = readdirSync(join(WWW, 'assets'));
  const gz = (f) => gzipSync(readFileSync(join(WWW, f))).length;
  const main = loaded.map((f) => ({ file: f, bytes: statSync(join(WWW, f)).size, gzip: gz(f) }));
  const workers = assets.filter((f) => f.endsWith('.js') && !loaded.includes(`assets/${f}`))
    .map((f) => ({ file: `assets/${f}`, bytes: statSync(join(WWW, 'assets', f)).size, gzip: gz(`assets/${f}`) }));
  const wasm = assets.filter((f) => f.endsWith('.wasm')).map((f) => ({ file: `assets/${f}`, bytes: statSync(join(WWW, 'assets', f)).size }));
  return { mainGzip: main.reduce((a, f) => a + f.gzip, 0), main, workers, wasm };
}

// ---------------------------------------------------------------------------------------------
// The bench page (bench/browser): the project's trainers in real workers

/** Epoch timings of a measure() result: first epoch (ms from the run's start) and steady epoch. */
function timings(res, trials, trainer) {
  const runs = res.runs.map((r) => {
    // trainers that run trials one after another report every trial's epochs in sequence
    const ends = r.epochEnds;
    const perTrial = trainer === 'engine' ? 1 : trials;
    const per = ends.length / perTrial;
    const diffs = [];
    for (let t = 0; t < perTrial; t++) {
      const e = ends.slice(t * per, (t + 1) * per);
      for (let i = 1; i < e.length; i++) diffs.push(e[i] - e[i - 1]);
    }
    return { first: ends[0], steady: median(diffs), total: r.totalMs, tensors: r.numTensors, loss: r.finalValLoss };
  });
  // the first run includes backend start-up and shader compilation; steady state from the rest
  const steadyRuns = runs.length > 1 ? runs.slice(1) : runs;
  const steadyEpochMs = median(steadyRuns.map((r) => r.steady));
  const rows = res.nTrain * (trainer === 'engine' ? trials : 1);
  return {
    backend: res.backend, nTrain: res.nTrain, runs: runs.length,
    firstEpochMs: round(runs[0].first), warmFirstEpochMs: round(median(steadyRuns.map((r) => r.first))),
    steadyEpochMs: round(steadyEpochMs, 1),
    samplesPerSec: round((rows / steadyEpochMs) * 1000),
    totalMs: round(median(steadyRuns.map((r) => r.total))),
    tensorsLeft: Math.max(...runs.map((r) => r.tensors)),
  };
}

async function measure(page, req) {
  return page.evaluate((q) => window.bench.measure(q), req);
}

async function backendsPart(page) {
  const out = {};
  for (const [backend, p] of Object.entries(PLAN)) {
    log(`backend ${backend}: ${p.runs} runs × ${p.epochs} epochs${p.trainRows ? ` on ${p.trainRows} rows` : ''}`);
    try {
      const res = await measure(page, { backend, trainer: 'engine', trials: 1, ...p });
      out[backend] = res.backend === backend ? timings(res, 1, 'engine') : { error: `${backend} did not start (got ${res.backend})` };
    } catch (e) {
      out[backend] = { error: String(e.message ?? e).slice(0, 200) };
    }
  }
  return out;
}

/** The app's trainer vs the tfjs-layers loop vs model.fit, interleaved run by run. */
async function trainersPart(page) {
  const out = {};
  const plan = { wasm: { runs: 4, epochs: 5 }, webgl: { runs: 2, epochs: 3, trainRows: 512 }, webgpu: { runs: 2, epochs: 2, trainRows: 256 } };
  for (const [backend, p] of Object.entries(plan)) {
    out[backend] = {};
    for (const trainer of ['engine', 'layers', 'fit']) {
      log(`trainer ${trainer} on ${backend}`);
      const res = await measure(page, { backend, trainer, trials: 1, ...p });
      out[backend][trainer] = timings(res, 1, trainer);
    }
    const e = out[backend];
    out[backend].engineVsFit = round(e.engine.samplesPerSec / e.fit.samplesPerSec, 2);
    out[backend].engineVsLayers = round(e.engine.samplesPerSec / e.layers.samplesPerSec, 2);
  }
  return out;
}

/** 8 trials as one batch vs the same 8 trained one after another (same worker, same trainer). */
async function batchedPart(page) {
  const out = {};
  const plan = { wasm: { runs: 3, epochs: 3 }, webgl: { runs: 2, epochs: 2, trainRows: 512 }, webgpu: { runs: 2, epochs: 2, trainRows: 256 } };
  for (const [backend, p] of Object.entries(plan)) {
    log(`batched 8 vs sequential 8 on ${backend}`);
    try {
      const seq = timings(await measure(page, { backend, trainer: 'engine-seq', trials: 8, ...p }), 8, 'engine-seq');
      const bat = timings(await measure(page, { backend, trainer: 'engine', trials: 8, ...p }), 8, 'engine');
      out[backend] = { batched8: bat, sequential8: seq, speedup: round(bat.samplesPerSec / seq.samplesPerSec, 2) };
    } catch (e) {
      out[backend] = { error: String(e.message ?? e).slice(0, 200) };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The reference sweep through the app's own UI

/** Opens the app and sets up the reference sweep in the form, as a person would. */
async function openReferenceSweep(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  // Long tasks on the main thread, recorded from the start (buffered) with their start times.
  await page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longtasks.push({ start: e.startTime, ms: e.duration }))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.getByRole('button', { name: /Run sweep/ }).waitFor();
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption('digits8x8');
  while (await page.getByRole('button', { name: /^Remove layer 2$/ }).count()) {
    const n = await page.locator('ol.layers li').count();
    await page.getByRole('button', { name: `Remove layer ${n}`, exact: true }).click();
  }
  await page.getByLabel('Layer 1 units').fill(String(REF.units));
  await page.getByRole('combobox', { name: 'Units per hidden layer search mode' }).selectOption('fixed');
  await page.getByRole('spinbutton', { name: /^Batch size/ }).fill(String(REF.batchSize));
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill(String(REF.sweepEpochs));
  await page.getByRole('spinbutton', { name: /Trial budget/ }).fill(String(REF.sweepTrials));
  await page.getByRole('spinbutton', { name: /Search seed/ }).fill('7');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('auto');
  await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled);
  return page;
}

/** Sets the worker count (a number, or 'auto') and batching, runs the sweep, reads the page. */
async function runSweep(page, { workers, batching }) {
  if (workers === 'auto') await page.getByRole('checkbox', { name: /number of workers by measuring/ }).check();
  else await page.getByRole('spinbutton', { name: /Parallel trials/ }).fill(String(workers));
  const batch = page.getByRole('checkbox', { name: /same network together/ });
  if (batching) await batch.check(); else await batch.uncheck();
  await page.waitForFunction(() => !document.querySelector('button.primary')?.disabled);
  // In the page: from the click on Run to the first curve drawn, and to the end of the sweep.
  await page.evaluate(() => {
    const btn = document.querySelector('button.primary');
    window.__sweep = new Promise((resolve) => {
      btn.addEventListener('click', () => {
        const t0 = performance.now();
        let first = NaN;
        const poll = () => {
          if (Number.isNaN(first) && [...document.querySelectorAll('figure[aria-labelledby="curves-title"] g.trial path')].some((p) => (p.getAttribute('d') ?? '') !== '')) first = performance.now() - t0;
          const done = document.querySelector('button.danger')?.disabled && performance.now() - t0 > 100;
          if (done) resolve({ t0, firstEpochDrawnMs: first, wallMs: performance.now() - t0 });
          else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      }, { once: true });
    });
  });
  await page.getByRole('button', { name: /Run sweep/ }).click();
  const r = await page.evaluate(() => window.__sweep);
  const info = await page.evaluate(({ t0, wallMs }) => ({
    longTasks: window.__longtasks.filter((l) => l.start >= t0 && l.start <= t0 + wallMs),
    backends: [...document.querySelectorAll('[data-testid="backend"]')].map((e) => e.textContent),
    note: document.querySelector('.backends .note')?.textContent ?? '',
    rows: [...document.querySelectorAll('section[aria-labelledby="table-title"] tbody tr')].length,
  }), r);
  return {
    workers, batching, wallMs: round(r.wallMs), firstEpochDrawnMs: round(r.firstEpochDrawnMs),
    longTasks: info.longTasks.length, longestTaskMs: round(Math.max(0, ...info.longTasks.map((l) => l.ms))),
    workersUsed: info.backends.length, backend: info.backends[0] ?? null, trials: info.rows, note: info.note.replace(/^why\?/, ''),
  };
}

/** The same sweep through the app's pool and worker on the bench page: no UI competing for the CPU. */
async function poolOnlyPart(page, nTrain) {
  const out = [];
  for (const c of [{ workers: 1, batching: false }, { workers: 2, batching: false }, { workers: 1, batching: true }, { workers: 2, batching: true }]) {
    log(`reference sweep without the UI: workers ${c.workers}, batching ${c.batching ? 'on' : 'off'}`);
    const rs = [];
    for (let rep = 0; rep < 2; rep++) rs.push(await page.evaluate((q) => window.bench.sweep(q), { ...c, backend: 'wasm', trials: REF.sweepTrials, epochs: REF.sweepEpochs }));
    const wallMs = median(rs.map((r) => r.wallMs));
    out.push({ ...c, backend: 'wasm', wallMs: round(wallMs), trialSamplesPerSec: round((REF.sweepTrials * REF.sweepEpochs * nTrain / wallMs) * 1000), firstEpochMs: round(median(rs.map((r) => r.firstEpochMs))) });
  }
  return out;
}

async function sweepPart(browser, url, nTrain) {
  const page = await openReferenceSweep(browser, url);
  log('reference sweep: warm-up run (calibrates, fills the caches)');
  const warm = await runSweep(page, { workers: 'auto', batching: true });
  const runs = [];
  const configs = [
    { workers: 'auto', batching: true }, { workers: 1, batching: true }, { workers: 2, batching: true },
    { workers: 'auto', batching: false }, { workers: 1, batching: false },
  ];
  for (let rep = 0; rep < 2; rep++) {
    for (const c of configs) {
      log(`reference sweep: workers ${c.workers}, batching ${c.batching ? 'on' : 'off'} (rep ${rep + 1})`);
      runs.push(await runSweep(page, c));
    }
  }
  const errors = page.errors;
  await page.context().close();
  const samples = REF.sweepTrials * REF.sweepEpochs * nTrain;
  const summary = configs.map((c) => {
    const rs = runs.filter((r) => r.workers === c.workers && r.batching === c.batching);
    const wallMs = median(rs.map((r) => r.wallMs));
    return {
      workers: c.workers, batching: c.batching, workersUsed: rs[0].workersUsed, backend: rs[0].backend,
      wallMs: round(wallMs), trialSamplesPerSec: round((samples / wallMs) * 1000),
      firstEpochDrawnMs: round(median(rs.map((r) => r.firstEpochDrawnMs))),
      longTasks: Math.max(...rs.map((r) => r.longTasks)), longestTaskMs: Math.max(...rs.map((r) => r.longestTaskMs)),
    };
  });
  return { trials: REF.sweepTrials, epochs: REF.sweepEpochs, nTrain, coldFirstRun: warm, runs: summary, calibrationNote: warm.note, pageErrors: errors };
}

// ---------------------------------------------------------------------------------------------
// Native PyTorch

function nativePart(reference) {
  const file = join(OUT, 'reference.json');
  writeFileSync(file, JSON.stringify({ ...reference, units: REF.units, batchSize: REF.batchSize, learningRate: reference.learningRate, epochs: REF.epochs, runs: 5, sweepTrials: REF.sweepTrials, sweepEpochs: REF.sweepEpochs }));
  if (!existsSync('/usr/bin/python3')) return { skipped: 'no /usr/bin/python3' };
  log('native PyTorch (bench/native.py)');
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'bench/native.py'), file], { encoding: 'utf8', timeout: 300_000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { skipped: `native.py failed: ${(r.stderr || r.stdout || '').slice(-300)}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Targets of issue #5 and the change against the baseline

function targetsOf(res) {
  const t = [];
  const nat = res.native && !res.native.skipped ? res.native : null;
  const wasm = res.backends?.wasm;
  const add = (name, value, goal, met) => t.push({ name, value, goal, met: met === null ? null : Boolean(met) });
  if (nat && wasm) add('per-trial throughput vs native PyTorch (wasm, reference MLP)', round(wasm.samplesPerSec / nat.samplesPerSec, 2), '>= 0.9', wasm.samplesPerSec / nat.samplesPerSec >= 0.9);
  const sweeps = res.sweep?.runs ?? [];
  const bestSweep = sweeps.reduce((a, r) => (!a || r.trialSamplesPerSec > a.trialSamplesPerSec ? r : a), null);
  const dflt = sweeps.find((r) => r.workers === 'auto' && r.batching);
  if (nat && dflt) add('reference sweep (default settings) vs native sequential loop', round(dflt.trialSamplesPerSec / nat.sweep.trialSamplesPerSec, 2), '>= 1.5', dflt.trialSamplesPerSec / nat.sweep.trialSamplesPerSec >= 1.5);
  for (const [b, goal] of [['wasm', 3], ['webgl', 5], ['webgpu', 5]]) {
    const s = res.batched?.[b]?.speedup;
    if (s != null) add(`batched 8 vs sequential 8 on ${b}`, s, `>= ${goal}`, s >= goal);
  }
  const measured = Object.entries(res.backends ?? {}).filter(([, v]) => v.samplesPerSec);
  if (measured.length && dflt) {
    const best = measured.reduce((a, b) => (b[1].samplesPerSec > a[1].samplesPerSec ? b : a));
    const chosen = res.backends[dflt.backend]?.samplesPerSec;
    add(`automatic backend (${dflt.backend}) vs best measured (${best[0]})`, round(chosen / best[1].samplesPerSec, 2), '>= 0.9', chosen / best[1].samplesPerSec >= 0.9);
  }
  if (bestSweep && dflt) add(`automatic worker count (${dflt.workersUsed}) vs best tried (${bestSweep.workers}${bestSweep.batching ? '' : ', unbatched'})`, round(dflt.trialSamplesPerSec / bestSweep.trialSamplesPerSec, 2), '>= 0.9', dflt.trialSamplesPerSec / bestSweep.trialSamplesPerSec >= 0.9);
  if (sweeps.length) {
    const lt = Math.max(...sweeps.map((r) => r.longTasks));
    add('long tasks > 50 ms during the reference sweep (worst configuration)', lt, '0', lt === 0);
  }
  if (dflt) add('first epoch drawn after Run (warm, default settings), ms', dflt.firstEpochDrawnMs, '< 1500', dflt.firstEpochDrawnMs < 1500);
  if (res.bundle) add('main-thread JS, KB gzip', round(res.bundle.mainGzip / 1024, 1), '<= 150', res.bundle.mainGzip <= 150 * 1024);
  return t;
}

/** Key numbers, flat, for the comparison with the baseline. */
function keyNumbers(res) {
  const k = {};
  for (const [b, v] of Object.entries(res.backends ?? {})) if (v.samplesPerSec) k[`${b}.samplesPerSec`] = v.samplesPerSec;
  for (const [b, v] of Object.entries(res.batched ?? {})) if (v.speedup) k[`batched.${b}.speedup`] = v.speedup;
  for (const r of res.sweep?.runs ?? []) k[`sweep.workers=${r.workers}${r.batching ? '' : '.unbatched'}.trialSamplesPerSec`] = r.trialSamplesPerSec;
  for (const x of res.targets ?? []) if (typeof x.value === 'number') k[`target: ${x.name}`] = x.value;
  if (res.native?.samplesPerSec) k['native.samplesPerSec'] = round(res.native.samplesPerSec);
  if (res.bundle) k['bundle.mainGzip'] = res.bundle.mainGzip;
  return k;
}

function compare(now, base) {
  const a = keyNumbers(base);
  const b = keyNumbers(now);
  return Object.keys(b).filter((k) => k in a).map((k) => ({ metric: k, baseline: a[k], now: b[k], change: a[k] ? `${(((b[k] - a[k]) / Math.abs(a[k])) * 100).toFixed(1)}%` : null }));
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const t0 = Date.now();
  mkdirSync(OUT, { recursive: true });
  if (!args.includes('--skip-build')) await buildAll();
  const result = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg().map((x) => round(x, 2)), chromium: null },
    reference: { model: `64-${REF.units}-10 MLP (relu), Adam, batch ${REF.batchSize}`, data: 'digits8x8, the app\'s default split (test 20 %, validation 30 % of the rest)' },
    bundle: bundleSizes(),
  };
  const server = await serve(WWW, '/app/');
  const browser = await launch();
  result.machine.chromium = browser.version();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    await page.goto(`${server.url}bench/index.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const reference = await page.evaluate(async () => ({ ...(await window.bench.exportData()), learningRate: window.bench.referenceModel.learningRate }));
    result.reference.nTrain = reference.yTrain.length;
    result.reference.nVal = reference.yVal.length;
    if (want('backends')) result.backends = await backendsPart(page);
    if (want('trainers')) result.trainers = await trainersPart(page);
    if (want('batched')) result.batched = await batchedPart(page);
    if (want('sweep')) result.sweepWithoutUi = await poolOnlyPart(page, reference.yTrain.length);
    await page.close();
    if (want('sweep')) result.sweep = await sweepPart(browser, server.url, reference.yTrain.length);
    result.native = want('native') ? nativePart(reference) : { skipped: 'not requested' };
  } finally {
    await browser.close();
    await server.close();
  }
  if (result.native?.skipped) console.error('native: skipped', `(${result.native.skipped})`);
  const nat = result.native && !result.native.skipped ? result.native : null;
  result.ratios = {
    wasmVsNative: nat && result.backends?.wasm ? round(result.backends.wasm.samplesPerSec / nat.samplesPerSec, 2) : null,
    sweepDefaultVsNativeLoop: nat && result.sweep ? round(result.sweep.runs[0].trialSamplesPerSec / nat.sweep.trialSamplesPerSec, 2) : null,
    engineVsFitWasm: result.trainers?.wasm?.engineVsFit ?? null,
  };
  result.targets = targetsOf(result);
  result.benchSeconds = round((Date.now() - t0) / 1000);
  const basePath = join(ROOT, 'bench/baseline.json');
  if (existsSync(basePath)) result.vsBaseline = compare(result, JSON.parse(readFileSync(basePath, 'utf8')));
  writeFileSync(join(OUT, 'latest.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  if (result.vsBaseline) {
    console.error('\nChange against bench/baseline.json:');
    for (const c of result.vsBaseline) console.error(`  ${c.metric}: ${c.baseline} -> ${c.now} (${c.change})`);
  } else {
    console.error('\nNo bench/baseline.json yet: run with --save-baseline to keep this result as the baseline.');
  }
  if (args.includes('--save-baseline')) {
    copyFileSync(join(OUT, 'latest.json'), basePath);
    console.error('Saved as bench/baseline.json.');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
