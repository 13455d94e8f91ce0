#!/usr/bin/env node
// `npm run bench`: what the app runs (the fused WebAssembly trainer on the wasm backend, through
// src/lib/train/fused/route.ts) against native PyTorch, the previous tfjs trainer and tfjs'
// model.fit, in one run on this machine. Builds the app and a bench page (bench/browser, never
// part of the app's bundle), drives headless Chromium (tests/e2e/harness.mjs), keeps
// bench/native.py running beside it and alternates native and in-browser measurements (A B A B)
// so that load from elsewhere on the machine hits both alike. Times the GP strategy's `ask`
// under node. Prints one JSON document on stdout (progress goes to stderr), writes it to
// bench/out/latest.json, and compares it with bench/baseline.json when that was taken on this
// same machine.
//
//   node bench/bench.mjs [--skip-build] [--only=gp,trials,batched,trainers,backends,pool,sweep,tiny,tinygp,cnn]
//                        (--only=bundle, or any name of no part: build and bundle sizes only)
//                        [--rounds=N] [--no-profile] [--save-baseline]
//   npm run -s bench > bench.json     (-s: npm itself prints a banner on stdout)
//   npm run -s bench -- --only=sweep,tiny --rounds=1 --no-profile   (long tasks, first epoch, cold start: ~3 min)
//
// --rounds: interleaved rounds of the comparisons (default 3); --no-profile: no CPU-profiled
// or traced re-runs (they only attribute long tasks). BENCH_OUT=dir builds and writes there
// instead of bench/out (several people benchmarking one checkout).
//
// Every figure with repeats gives its spread ({min, median, max, n}); a ratio is computed
// within one round (numbers taken minutes apart under different load never divide each other)
// and the spread is over rounds.
import { build, createServer, createServerModuleRunner } from 'vite';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, serve } from '../tests/e2e/harness.mjs';
import { buildCnnBench, cnnPart } from './cnn.mjs';
import { median, ONE_THREAD, round, spread } from './stats.mjs';

// stdout carries the JSON document only: anything a library logs goes to stderr.
const emit = (text) => process.stdout.write(text);
console.log = (...m) => console.error(...m);

const ROOT = resolve(import.meta.dirname, '..');
const OUT = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : join(ROOT, 'bench/out');
const WWW = join(OUT, 'www');
const args = process.argv.slice(2);
const only = (args.find((a) => a.startsWith('--only=')) ?? '').slice(7).split(',').filter(Boolean);
const want = (part) => only.length === 0 || only.includes(part);
const argValue = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
/** Re-run sweeps with long tasks under the CPU profiler / Chrome tracing (to attribute them). */
const PROFILE = !args.includes('--no-profile');
const log = (...m) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...m);

/** The reference of the issue: 64-128-10 ReLU MLP, Adam, batch 32, on the app's digits8x8
 *  split, validation after every epoch; the deep model: three hidden layers of 256. */
const REF = { units: 128, batchSize: 32, sweepTrials: 16, sweepEpochs: 10 };
const DEEP_LAYERS = [256, 256, 256];
/** Interleaved rounds (native, page, native, page …) of the per-trial and sweep comparisons. */
const ROUNDS = Math.max(1, Number(argValue('rounds') ?? 3) || 3);
/** The tiny-model sweep through the page: many short trials, so the page's per-trial work shows. */
const TINY = { trials: 200, units: 8, epochs: 20 };
/** A sweep that has not ended by then has hung. */
const SWEEP_TIMEOUT_MS = 15 * 60_000;

const load = () => loadavg().map((x) => round(x, 2));
const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no end after ${ms / 1000} s`)), ms).unref())]);

// ---------------------------------------------------------------------------------------------
// The machine

/** What the numbers were measured on. `id` tells whether two runs shared a machine type. */
function machine() {
  let info = '';
  try { info = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* not Linux */ }
  const field = (k) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? null;
  const m = {
    cpu: cpus()[0]?.model ?? null, vendor: field('vendor_id'), family: field('cpu family'), model: field('model'), stepping: field('stepping'),
    cacheSize: field('cache size'), cores: cpus().length, memoryGB: round(totalmem() / 2 ** 30), platform: platform(), arch: arch(), kernel: release(),
    node: process.version,
  };
  return { ...m, id: [m.vendor, m.cpu, m.family, m.model, m.stepping, m.cacheSize, m.cores, m.memoryGB, m.platform, m.arch].join(' | ') };
}

// ---------------------------------------------------------------------------------------------
// Build and bundle

async function buildAll() {
  log('building the app (vite build) and the bench page…');
  // hidden source maps: the built JS is byte for byte what `npm run build` makes (no
  // sourceMappingURL comment), and the bench can name the source of a long task's code
  await build({ configFile: join(ROOT, 'vite.config.ts'), root: ROOT, logLevel: 'error', build: { outDir: WWW, emptyOutDir: true, sourcemap: 'hidden' } });
  await build({
    configFile: false, root: join(ROOT, 'bench/browser'), base: './', logLevel: 'error', worker: { format: 'es' },
    build: { outDir: join(WWW, 'bench'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 5000 },
  });
  await buildCnnBench(WWW);
}

/** The entry chunk (assets/index-*.js) and all JS index.html loads (gzip), each worker chunk and wasm file. */
function bundleSizes() {
  const html = readFileSync(join(WWW, 'index.html'), 'utf8');
  const loaded = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const assets = readdirSync(join(WWW, 'assets'));
  const gz = (f) => gzipSync(readFileSync(join(WWW, f)), { level: 9 }).length;
  const file = (f) => ({ file: f, bytes: statSync(join(WWW, f)).size, gzip: gz(f) });
  const entry = loaded.filter((f) => /^assets\/index-[^/]+\.js$/.test(f)).map(file);
  const main = loaded.map(file);
  const js = assets.filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
  const workers = js.filter((f) => /worker/i.test(f)).map(file);
  const lazy = js.filter((f) => !loaded.includes(f) && !/worker/i.test(f)).map(file);
  const wasm = assets.filter((f) => f.endsWith('.wasm')).map((f) => ({ file: `assets/${f}`, bytes: statSync(join(WWW, 'assets', f)).size }));
  return { entryGzip: entry.reduce((a, f) => a + f.gzip, 0), mainGzip: main.reduce((a, f) => a + f.gzip, 0), main, lazy, workers, wasm };
}

// ---------------------------------------------------------------------------------------------
// Source maps: a position in the built JS -> the source file it came from

let SourceMapConsumer = null;
const mapCache = new Map();

/** The source of `url` (served from WWW) at 1-based `line`, 0-based `column`, or null. */
function sourceAt(url, line, column) {
  const rel = /\/app\/(.+?)(?:\?.*)?$/.exec(url ?? '')?.[1];
  if (!rel || !SourceMapConsumer) return null;
  if (!mapCache.has(rel)) {
    const file = join(WWW, rel);
    let entry = null;
    try {
      entry = { text: readFileSync(file, 'utf8'), consumer: new SourceMapConsumer(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) };
    } catch { /* no map (worker chunk, bench page) */ }
    mapCache.set(rel, entry);
  }
  const e = mapCache.get(rel);
  if (!e) return null;
  const o = e.consumer.originalPositionFor({ line, column });
  if (!o.source) return null;
  return { source: tidySource(o.source), line: o.line, name: o.name ?? null };
}

/** The same for a 0-based character offset in the file (long-animation-frame script entries). */
function sourceAtChar(url, pos) {
  const rel = /\/app\/(.+?)(?:\?.*)?$/.exec(url ?? '')?.[1];
  if (!rel || !(pos >= 0)) return null;
  sourceAt(url, 1, 0); // loads the file
  const text = mapCache.get(rel)?.text;
  if (!text) return null;
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) { line++; last = i; }
  return sourceAt(url, line, pos - last - 1);
}

/** '../../node_modules/svelte/src/x.js' -> 'svelte (node_modules)'; '../src/ui/A.svelte' -> 'src/ui/A.svelte'. */
function tidySource(s) {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s);
  if (nm) return `${nm[1]} (node_modules)`;
  const src = /(?:^|\/)(src\/.*)$/.exec(s);
  return src ? src[1] : s.replace(/^(\.\.\/)+/, '');
}

// ---------------------------------------------------------------------------------------------
// Native PyTorch (bench/native.py, kept running; one JSON job per line)

/** Starts bench/native.py on the reference data; `env` adds to the environment (thread counts). */
async function startNative(reference, env = {}) {
  const file = join(OUT, 'reference.json');
  writeFileSync(file, JSON.stringify({ ...reference, batchSize: REF.batchSize }));
  if (!existsSync('/usr/bin/python3')) return { skipped: 'no /usr/bin/python3' };
  const p = spawn('/usr/bin/python3', [join(ROOT, 'bench/native.py'), file], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('bench/native.py ended');
    return JSON.parse(r.value);
  };
  const hello = await next().catch((e) => ({ skipped: String(e.message ?? e) }));
  if (hello.skipped) {
    p.kill();
    return hello;
  }
  return {
    ...hello,
    /** Runs one job (see bench/native.py) and returns its answer. */
    async job(j) {
      p.stdin.write(`${JSON.stringify(j)}\n`);
      const r = await next();
      if (r.error) throw new Error(`native.py: ${r.error}`);
      return r;
    },
    close: () => p.stdin.end(),
  };
}

// ---------------------------------------------------------------------------------------------
// GP `ask` under node (it runs on the page's main thread)

async function gpPart() {
  log('GP ask at 64 and 200 finished trials (node)');
  const server = await createServer({ configFile: false, envDir: false, root: ROOT, logLevel: 'error', server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom' });
  const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
  try {
    const { createGp } = await runner.import(join(ROOT, 'src/lib/search/gp.ts'));
    const { createRandom } = await runner.import(join(ROOT, 'src/lib/search/random.ts'));
    const { unitFromParams } = await runner.import(join(ROOT, 'src/lib/search/space.ts'));
    const { defaultExperiment } = await runner.import(join(ROOT, 'src/lib/experiment/defaults.ts'));
    const { searchedParams } = await runner.import(join(ROOT, 'src/lib/experiment/params.ts'));
    const dims = searchedParams(defaultExperiment().space);
    const out = { dims: dims.map((d) => d.name), note: 'the default experiment\'s search space; objective: a smooth bowl in the unit cube plus noise; the GP as a sweep uses it: the Cholesky factor grows one row per trial, hyperparameters refitted from the previous fit every max(2, n/16) trials above 32' };
    for (const n of [64, 200]) {
      const ctx = { dims, seed: 7, gridPoints: 3, budget: 256 };
      const gp = createGp(ctx);
      const rnd = createRandom({ ...ctx, seed: 11 });
      let z = 1;
      const noise = () => ((z = (z * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
      const tell = (id) => {
        const params = rnd.ask([]);
        const u = unitFromParams(dims, params);
        const objective = u.reduce((a, x, j) => a + (x - 0.3 - 0.1 * j) ** 2, 0) + noise();
        gp.tell(id, params, { state: 'complete', objective, curve: [objective] });
      };
      for (let id = 0; id < n - 1; id++) tell(id);
      gp.ask([]); // first fit and JIT warm-up
      tell(n - 1);
      const ms = [];
      const pendingMs = [];
      for (let i = 0; i < 5; i++) {
        let t = performance.now();
        const p = gp.ask([]);
        ms.push(performance.now() - t);
        // a second worker asks while the first trial runs (constant liar)
        t = performance.now();
        gp.ask([p]);
        pendingMs.push(performance.now() - t);
      }
      out[`at${n}`] = { askMs: spread(ms, 1), askWithPendingMs: spread(pendingMs, 1) };
    }
    return out;
  } finally {
    await runner.close();
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The bench page (bench/browser): the project's trainers in real workers

/** Epoch timings of a measure() result: steady epoch (median of epochs 2..E of the runs after
 *  the first `skip`: the first run includes backend start-up and compilation, and tfjs' own code
 *  needs a few dozen epochs in a fresh worker before it runs at speed), samples/s
 *  (trial-samples/s when the run's `trials` trained as one batch). */
export function timings(res, trials, batched, skip = 1) {
  const runs = res.runs.map((r) => {
    // sequential trainers report every trial's epochs one trial after another
    const perTrial = batched ? 1 : trials;
    const per = r.epochEnds.length / perTrial;
    const diffs = [];
    for (let t = 0; t < perTrial; t++) {
      const e = r.epochEnds.slice(t * per, (t + 1) * per);
      for (let i = 1; i < e.length; i++) diffs.push(e[i] - e[i - 1]);
    }
    return { first: r.epochEnds[0], steady: median(diffs), best: Math.min(...diffs), total: r.totalMs, tensors: r.numTensors, ran: r.ran, valLoss: median(r.finalValLoss) };
  });
  const steadyRuns = runs.length > skip ? runs.slice(skip) : runs.slice(-1);
  const steadyEpochMs = median(steadyRuns.map((r) => r.steady));
  const rows = res.nTrain * (batched ? trials : 1);
  return {
    backend: res.backend, ran: runs[0].ran, nTrain: res.nTrain, runs: runs.length,
    firstEpochMs: round(runs[0].first), steadyEpochMs: round(steadyEpochMs, 1),
    steadyEpochMsRuns: spread(steadyRuns.map((r) => r.steady), 1),
    samplesPerSec: round((rows / steadyEpochMs) * 1000),
    // from the fastest epoch: the least disturbed by load from elsewhere
    peakSamplesPerSec: round((rows / Math.min(...steadyRuns.map((r) => r.best))) * 1000),
    // the trials' final validation loss (median): a run that trained gives a sensible one
    valLoss: round(median(steadyRuns.map((r) => r.valLoss)), 3),
    tensorsLeft: Math.max(...runs.map((r) => r.tensors)),
  };
}

const BATCHED = ['engine', 'tfjs'];
const dense = (units) => units.map((u) => ({ units: u, activation: 'relu' }));

/** One measurement on the bench page; `skip`: runs not counted (warm-up), default 1. */
async function measure(page, { skip, ...req }) {
  const res = await page.evaluate((q) => window.bench.measure(q), req);
  return timings(res, req.trials, BATCHED.includes(req.trainer), skip);
}

/** Per-trial throughput: the app's trainer (one worker, wasm) against PyTorch on one thread,
 *  reference and deep MLP, native and page alternating. */
async function trialsPart(page, native) {
  const models = {
    // a fused epoch of the reference MLP takes a few ms: more epochs, so one preemption weighs less
    reference: { layers: [REF.units], page: { runs: 4, epochs: 12 }, native: { runs: 3, epochs: 8 } },
    deep: { layers: DEEP_LAYERS, page: { runs: 3, epochs: 5 }, native: { runs: 3, epochs: 5 } },
  };
  const out = {};
  const rounds = Object.fromEntries(Object.keys(models).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, m] of Object.entries(models)) {
      log(`per-trial ${name} (${m.layers.join('-')}), round ${r + 1}/${ROUNDS}: native, then page`);
      const nat = native.job ? await native.job({ kind: 'trial', layers: m.layers, threads: 1, ...m.native }) : null;
      const eng = await measure(page, { backend: 'wasm', trainer: 'engine', trials: 1, model: { layers: dense(m.layers) }, ...m.page });
      rounds[name].push({
        load: load()[0], native: nat ? round(nat.samplesPerSec) : null, nativeCpuShare: nat ? round(nat.cpuShare, 2) : null, engine: eng.samplesPerSec, ran: eng.ran,
        ratio: nat ? round(eng.samplesPerSec / nat.samplesPerSec, 2) : null, engineDetail: eng, nativeThreads: nat?.threads,
        peakRatio: nat ? round(eng.peakSamplesPerSec / nat.peakSamplesPerSec, 2) : null,
      });
    }
  }
  for (const [name, rs] of Object.entries(rounds)) {
    out[name] = {
      layers: models[name].layers, ran: rs[0].ran, nativeThreads: rs[0].nativeThreads,
      engineSamplesPerSec: spread(rs.map((x) => x.engine)), nativeSamplesPerSec: spread(rs.map((x) => x.native)),
      ratio: spread(rs.map((x) => x.ratio), 2),
      // the least disturbed run of each side (load from elsewhere only ever slows a run down)
      bestVsBest: rs[0].native ? round(Math.max(...rs.map((x) => x.engine)) / Math.max(...rs.map((x) => x.native)), 2) : null,
      // the same from each side's fastest epoch in the round
      peakRatio: spread(rs.map((x) => x.peakRatio), 2),
      valLoss: spread(rs.map((x) => x.engineDetail.valLoss), 3),
      firstEpochMs: spread(rs.map((x) => x.engineDetail.firstEpochMs)),
      rounds: rs.map(({ engineDetail, ...x }) => ({ ...x, tensorsLeft: engineDetail.tensorsLeft })),
    };
  }
  return out;
}

/** K = 8 trials as one batch against the same 8 one after another, for the fused trainer and
 *  for batched.ts on tfjs' wasm backend, alternating. */
async function batchedPart(page) {
  const p = { backend: 'wasm', trials: 8, runs: 3, epochs: 4 };
  const rs = [];
  for (let r = 0; r < 2; r++) {
    log(`batched 8 vs sequential 8 on wasm, fused and tfjs, round ${r + 1}/2`);
    const x = {};
    // tfjs one batch: two warm-up runs (a sequential run of 8 trials warms up in its first run)
    for (const t of ['engine-seq', 'engine', 'tfjs-seq', 'tfjs']) x[t] = await measure(page, { ...p, trainer: t, ...(t === 'tfjs' ? { runs: 5, skip: 2 } : {}) });
    rs.push({
      load: load()[0], ran: x.engine.ran, fusedK8: x.engine.samplesPerSec, fusedSeq8: x['engine-seq'].samplesPerSec, tfjsK8: x.tfjs.samplesPerSec, tfjsSeq8: x['tfjs-seq'].samplesPerSec,
      fusedSpeedup: round(x.engine.samplesPerSec / x['engine-seq'].samplesPerSec, 2), tfjsSpeedup: round(x.tfjs.samplesPerSec / x['tfjs-seq'].samplesPerSec, 2),
      fusedVsTfjsK8: round(x.engine.samplesPerSec / x.tfjs.samplesPerSec, 2), fusedSeqVsTfjsSeq: round(x['engine-seq'].samplesPerSec / x['tfjs-seq'].samplesPerSec, 2),
      fusedK8VsTfjsSeq: round(x.engine.samplesPerSec / x['tfjs-seq'].samplesPerSec, 2),
    });
  }
  // how the fused trainer's trial-samples/s move with K (median and fastest epoch): with no
  // per-op overhead left to share, K trials cost K times one trial
  const byK = {};
  for (let r = 0; r < 2; r++) {
    for (const K of [1, 2, 4, 8]) {
      log(`fused, K = ${K} as one batch, round ${r + 1}/2`);
      const t = await measure(page, { ...p, epochs: 8, trials: K, trainer: 'engine' });
      (byK[K] ??= []).push(t);
    }
  }
  const keys = ['fusedK8', 'fusedSeq8', 'tfjsK8', 'tfjsSeq8'];
  const ratios = ['fusedSpeedup', 'tfjsSpeedup', 'fusedVsTfjsK8', 'fusedSeqVsTfjsSeq', 'fusedK8VsTfjsSeq'];
  return {
    ran: rs[0].ran, unit: 'trial-samples/s',
    ...Object.fromEntries(keys.map((k) => [k, spread(rs.map((x) => x[k]))])),
    ...Object.fromEntries(ratios.map((k) => [k, spread(rs.map((x) => x[k]), 2)])),
    fusedByK: Object.fromEntries(Object.entries(byK).map(([K, v]) => [K, { samplesPerSec: spread(v.map((t) => t.samplesPerSec)), peakSamplesPerSec: Math.max(...v.map((t) => t.peakSamplesPerSec)) }])),
    rounds: rs,
  };
}

/** One trial on wasm: the app's trainer (fused) vs batched.ts vs the tfjs-layers loop vs model.fit. */
async function trainersPart(page) {
  const rs = [];
  for (let r = 0; r < 2; r++) {
    log(`trainers on wasm (fused, tfjs batched.ts, tfjs-layers, model.fit), round ${r + 1}/2`);
    const x = {};
    // tfjs in a fresh worker runs its first few dozen epochs several times slower (JIT): 4 warm-up runs
    for (const t of ['engine', 'tfjs', 'layers', 'fit']) x[t] = (await measure(page, { backend: 'wasm', trainer: t, trials: 1, runs: 8, skip: 4, epochs: 4 })).samplesPerSec;
    rs.push({ ...x, fusedVsTfjs: round(x.engine / x.tfjs, 2), fusedVsFit: round(x.engine / x.fit, 2), fusedVsLayers: round(x.engine / x.layers, 2), tfjsVsFit: round(x.tfjs / x.fit, 2) });
  }
  return {
    unit: 'samples/s, one trial',
    ...Object.fromEntries(['engine', 'tfjs', 'layers', 'fit'].map((k) => [k, spread(rs.map((x) => x[k]))])),
    ...Object.fromEntries(['fusedVsTfjs', 'fusedVsFit', 'fusedVsLayers', 'tfjsVsFit'].map((k) => [k, spread(rs.map((x) => x[k]), 2)])),
  };
}

/** The other backends with the app's trainer (batched.ts there): what the automatic choice weighs. */
async function backendsPart(page) {
  const plan = { cpu: { runs: 2, epochs: 3 }, webgl: { runs: 2, epochs: 3, trainRows: 512 }, webgpu: { runs: 2, epochs: 2, trainRows: 256 } };
  const out = {};
  for (const [backend, p] of Object.entries(plan)) {
    log(`backend ${backend}: ${p.runs} runs × ${p.epochs} epochs${p.trainRows ? ` on ${p.trainRows} rows` : ''}`);
    try {
      const t = await measure(page, { backend, trainer: 'engine', trials: 1, ...p });
      out[backend] = t.backend === backend ? t : { error: `${backend} did not start (got ${t.backend})` };
    } catch (e) {
      out[backend] = { error: String(e.message ?? e).slice(0, 200) };
    }
  }
  return out;
}

/** The reference sweep through the app's pool and worker on the bench page (no UI competing for the CPU). */
async function poolPart(page, nTrain) {
  const out = [];
  for (const c of [{ workers: 1, batching: true }, { workers: 2, batching: true }]) {
    const rs = [];
    for (let rep = 0; rep < 2; rep++) {
      log(`reference sweep without the UI: workers ${c.workers}, batched, rep ${rep + 1}/2`);
      rs.push(await page.evaluate((q) => window.bench.sweep(q), { ...c, backend: 'wasm', trials: REF.sweepTrials, epochs: REF.sweepEpochs }));
    }
    out.push({ ...c, backend: 'wasm', wallMs: spread(rs.map((r) => r.wallMs)), trialSamplesPerSec: round((REF.sweepTrials * REF.sweepEpochs * nTrain / median(rs.map((r) => r.wallMs))) * 1000), firstEpochMs: spread(rs.map((r) => r.firstEpochMs)) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sweeps through the built app, as a person runs them

/** A fresh page of the app (own context: empty storage, cold caches) that records the main
 *  thread's long tasks and long animation frames (with their scripts) from the start. */
export async function openApp(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.addInitScript(() => {
    const lt = [];
    const frames = [];
    const calls = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => lt.push({ start: e.startTime, ms: e.duration }))).observe({ type: 'longtask', buffered: true });
    try {
      // every animation frame longer than 50 ms, with the scripts it ran and its rendering time
      new PerformanceObserver((l) => l.getEntries().forEach((e) => {
        const end = e.startTime + e.duration;
        frames.push({
          start: e.startTime, ms: e.duration, blockingMs: e.blockingDuration,
          renderMs: e.renderStart > 0 ? end - e.renderStart : 0, styleAndLayoutMs: e.styleAndLayoutStart > 0 ? end - e.styleAndLayoutStart : 0,
          scripts: e.scripts.map((s) => ({ ms: s.duration, invoker: s.invoker, url: s.sourceURL, pos: s.sourceCharPosition, layoutMs: s.forcedStyleAndLayoutDuration })),
        });
      })).observe({ type: 'long-animation-frame', buffered: true });
    } catch { /* no long-animation-frame entries in this browser */ }
    // Calls into the training workers (comlink's APPLY messages) and when their answers came:
    // where a cold start's time goes (each calibration probe, each backend's start-up).
    const NativeWorker = window.Worker;
    let workers = 0;
    window.Worker = class extends NativeWorker {
      constructor(url, opts) {
        super(url, opts);
        this.benchId = ++workers;
        this.benchOpen = new Map();
        calls.push({ w: this.benchId, call: 'new', start: performance.now(), ms: 0 });
        this.addEventListener('message', (e) => {
          const c = this.benchOpen.get(e.data?.id);
          if (!c) return;
          this.benchOpen.delete(e.data.id);
          c.ms = performance.now() - c.start;
        });
      }
      postMessage(m, ...rest) {
        if (m?.type === 'APPLY' && m.id) {
          const c = { w: this.benchId, call: m.path.join('.'), arg: m.path[0] === 'init' ? m.argumentList?.[0]?.value : undefined, start: performance.now(), ms: null };
          calls.push(c);
          this.benchOpen.set(m.id, c);
        }
        return super.postMessage(m, ...rest);
      }
      terminate() {
        calls.push({ w: this.benchId, call: 'terminate', start: performance.now(), ms: 0 });
        return super.terminate();
      }
    };
    /** Long tasks, frames and worker calls that started in [t0, t1] (and forgets everything before t1). */
    window.__take = (t0, t1) => {
      const out = {};
      for (const [k, a] of Object.entries({ longTasks: lt, frames, calls })) {
        out[k] = a.filter((e) => e.start >= t0 && e.start <= t1);
        a.splice(0, a.length, ...a.filter((e) => e.start > t1));
      }
      return out;
    };
  });
  await page.goto(url);
  await page.getByRole('button', { name: /Run sweep/ }).waitFor();
  return page;
}

async function setupReference(page) {
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption('digits8x8');
  await keepOneLayer(page, REF.units);
  await page.getByRole('spinbutton', { name: /^Batch size/ }).fill(String(REF.batchSize));
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill(String(REF.sweepEpochs));
  await page.getByRole('spinbutton', { name: /Trial budget/ }).fill(String(REF.sweepTrials));
  await page.getByRole('spinbutton', { name: /Search seed/ }).fill('7');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('auto');
  await runnable(page);
}

/** One hidden layer of `units`, units not searched. */
async function keepOneLayer(page, units) {
  while (await page.getByRole('button', { name: /^Remove layer 2$/ }).count()) {
    const n = await page.locator('ol.layers li').count();
    await page.getByRole('button', { name: `Remove layer ${n}`, exact: true }).click();
  }
  await page.getByLabel('Layer 1 units').fill(String(units));
  await page.getByRole('combobox', { name: 'Units per hidden layer search mode' }).selectOption('fixed');
}

const runnable = (page) => page.waitForFunction(() => !document.querySelector('.runbar button.primary')?.disabled, null, { timeout: 60_000 });

/** Sets the worker count (a number, or 'auto') and batching, presses Run (and "Run anyway" if
 *  asked), and waits for the sweep's end. In the page: from the click that started the sweep to
 *  the first curve drawn and to the end; the long tasks and long frames in between. */
async function runSweep(page, { workers, batching }) {
  const auto = page.getByRole('checkbox', { name: /number of workers by measuring/ });
  if (workers === 'auto') await auto.check();
  else {
    await page.getByRole('spinbutton', { name: /Parallel trials/ }).fill(String(workers));
    await auto.uncheck();
  }
  const batch = page.getByRole('checkbox', { name: /same network together/ });
  if (batching) await batch.check(); else await batch.uncheck();
  await runnable(page);
  const done = Number(await page.locator('.runbar').getAttribute('data-sweeps'));
  await page.evaluate((n) => {
    const bar = document.querySelector('.runbar');
    const clicks = [];
    bar.addEventListener('click', (e) => { if (e.target.closest('button.primary')) clicks.push(performance.now()); }, { capture: true });
    window.__sweep = new Promise((resolve) => {
      let t0 = NaN;
      let first = NaN;
      const poll = () => {
        const now = performance.now();
        if (Number.isNaN(t0) && bar.dataset.state === 'running') t0 = clicks.at(-1) ?? now;
        if (!Number.isNaN(t0) && Number.isNaN(first)
          && ([...document.querySelectorAll('figure[aria-labelledby="curves-title"] g.trial path')].some((p) => (p.getAttribute('d') ?? '') !== '')
            || Number(document.querySelector('figure[aria-labelledby="curves-title"] canvas')?.dataset.points) > 0)) first = now - t0;
        if (!Number.isNaN(t0) && bar.dataset.state === 'idle' && Number(bar.dataset.sweeps) > n) resolve({ t0, firstEpochDrawnMs: first, wallMs: now - t0 });
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    });
  }, done);
  await pressRun(page, done);
  const r = await withTimeout(page.evaluate(() => window.__sweep), SWEEP_TIMEOUT_MS, 'sweep');
  const info = await page.evaluate(({ t0, wallMs }) => ({
    ...window.__take(t0, t0 + wallMs),
    backends: [...document.querySelectorAll('[data-testid="backend"]')].map((e) => e.textContent),
    note: document.querySelector('.backends .note')?.textContent ?? '',
    // the table renders only the rows in view past a few dozen: its aria-rowcount counts them all (and the header)
    rows: Number(document.querySelector('section[aria-labelledby="table-title"] table')?.getAttribute('aria-rowcount') ?? 1) - 1,
  }), r);
  return {
    workers, batching, wallMs: round(r.wallMs), firstEpochDrawnMs: round(r.firstEpochDrawnMs),
    longTasks: info.longTasks.length, longestTaskMs: round(Math.max(0, ...info.longTasks.map((l) => l.ms))),
    longTaskList: info.longTasks.map((l) => ({ atMs: round(l.start - r.t0), ms: round(l.ms) })),
    frames: info.frames.map((f) => ({ ...f, start: f.start - r.t0 })),
    calls: info.calls.map((c) => ({ ...c, start: round(c.start - r.t0), ms: round(c.ms) })),
    workersUsed: info.backends.length, backend: info.backends[0] ?? null, trials: info.rows, note: info.note.replace(/^why\?/, ''),
    // from Run to the first trainBatch call into a worker: the page's own start-up of a sweep
    toFirstTrainCallMs: round(info.calls.find((c) => c.call === 'trainBatch')?.start - r.t0),
  };
}

/** Presses Run, and "Run anyway" when the page asks first (a sweep estimated to take long); the
 *  question may render a frame after the click, so this waits for it or for the sweep's start.
 *  CSS locators only: Playwright's role queries walk the whole page, inside the timed window. */
export async function pressRun(page, done) {
  await page.locator('.runbar button.primary', { hasText: 'Run sweep' }).click();
  await page.waitForFunction((n) => {
    const bar = document.querySelector('.runbar');
    return bar?.dataset.state === 'running' || Number(bar?.dataset.sweeps) > n || bar?.querySelector('[role="alertdialog"]');
  }, done, { polling: 50, timeout: 60_000 });
  const ask = page.locator('.runbar [role="alertdialog"] button.primary');
  if (await ask.count()) await ask.click();
}

/** What the long animation frames (> 50 ms) spent their time on: script entry points by source
 *  (from the build's source maps) and invoker, and rendering (from renderStart to the frame's
 *  end: animation-frame callbacks, style, layout, paint; style and layout alone also given). */
function attributeFrames(frames) {
  const by = new Map();
  let scriptMs = 0;
  let renderMs = 0;
  let layoutMs = 0;
  for (const f of frames) {
    renderMs += f.renderMs;
    layoutMs += f.styleAndLayoutMs;
    for (const s of f.scripts) {
      scriptMs += s.ms;
      const src = sourceAtChar(s.url, s.pos);
      const key = `${s.invoker} → ${src ? `${src.source}${src.name ? ` (${src.name})` : ''}` : (s.url || '?').replace(/^.*\//, '')}`;
      const e = by.get(key) ?? { entry: key, ms: 0, count: 0, forcedLayoutMs: 0 };
      e.ms += s.ms;
      e.count++;
      e.forcedLayoutMs += s.layoutMs ?? 0;
      by.set(key, e);
    }
  }
  return {
    frames: frames.length, framesMs: round(frames.reduce((a, f) => a + f.ms, 0)), blockingMs: round(frames.reduce((a, f) => a + f.blockingMs, 0)),
    longestFrameMs: round(Math.max(0, ...frames.map((f) => f.ms))),
    scriptMs: round(scriptMs), renderMs: round(renderMs), styleAndLayoutMs: round(layoutMs),
    scripts: [...by.values()].sort((a, b) => b.ms - a.ms).slice(0, 8).map((e) => ({ ...e, ms: round(e.ms), forcedLayoutMs: round(e.forcedLayoutMs) })),
  };
}

/** Busy stretches of the main thread longer than 50 ms in a CPU profile (runs of samples that
 *  are not idle), and where their time went: self time by source (source-mapped), GC, and
 *  '(program)' (the browser's native work: style, layout, paint, parsing). */
function attributeProfile(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const label = new Map();
  /** [source file, function in it] of a profile node. */
  const keyOf = (id) => {
    if (label.has(id)) return label.get(id);
    const f = nodes.get(id).callFrame;
    let k = [f.functionName || '(anonymous)', ''];
    if (f.url) {
      const src = sourceAt(f.url, f.lineNumber + 1, f.columnNumber);
      k = src ? [src.source, `${src.source}:${src.line}${src.name ? ` ${src.name}` : f.functionName ? ` (${f.functionName})` : ''}`] : [f.url.replace(/^.*\//, ''), ''];
    }
    label.set(id, k);
    return k;
  };
  const stretches = [];
  let cur = null;
  let t = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    const idle = nodes.get(id).callFrame.functionName === '(idle)';
    if (idle) {
      if (cur) stretches.push(cur);
      cur = null;
      return;
    }
    cur ??= { start: t, end: t, self: new Map(), fns: new Map() };
    cur.end = t;
    const [file, fn] = keyOf(id);
    cur.self.set(file, (cur.self.get(file) ?? 0) + dt);
    if (fn) cur.fns.set(fn, (cur.fns.get(fn) ?? 0) + dt);
  });
  if (cur) stretches.push(cur);
  const long = stretches.filter((s) => s.end - s.start > 50);
  const sum = (key) => {
    const total = new Map();
    for (const s of long) for (const [k, ms] of s[key]) total.set(k, (total.get(k) ?? 0) + ms);
    return total;
  };
  const files = sum('self');
  const all = [...files.values()].reduce((a, b) => a + b, 0);
  const top = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([source, ms]) => ({ source, ms: round(ms), share: round(ms / all, 3) }));
  return {
    busyOver50ms: long.length, longestMs: round(Math.max(0, ...long.map((s) => s.end - s.start))), totalMs: round(all),
    selfTime: top(files, 12), functions: top(sum('fns'), 12),
  };
}

/** `config`'s sweep again under the CPU profiler (1 ms sampling): the main thread's busy
 *  stretches over 50 ms and where their time went. The profiler slows the page a little, so the
 *  long-task targets use the runs without it. */
async function profiledSweep(page, config) {
  try {
    return await profiled(page, config);
  } catch (e) {
    return { error: String(e.message ?? e).slice(0, 300) };
  }
}

async function profiled(page, config) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  const again = await runSweep(page, config);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  return { longTasks: again.longTasks, longestTaskMs: again.longestTaskMs, wallMs: again.wallMs, profile: attributeProfile(profile) };
}

/** Where a Chrome trace's long main-thread tasks went: the page's renderer main thread (the
 *  CrRendererMain with the most task time), its tasks over 50 ms, self time by trace event name
 *  inside them (e.g. FunctionCall, Layout, Paint, a GC, a wait on the GPU process), and the
 *  busiest threads of every process over the traced run (is the software GPU still busy?). */
function attributeTrace(trace) {
  const events = trace.traceEvents ?? trace;
  const threadName = new Map();
  const procName = new Map();
  const byThread = new Map();
  for (const e of events) {
    const k = `${e.pid}:${e.tid}`;
    if (e.ph === 'M' && e.name === 'thread_name') threadName.set(k, e.args?.name);
    else if (e.ph === 'M' && e.name === 'process_name') procName.set(e.pid, e.args?.name);
    else if (e.ph === 'X' && e.dur >= 0) {
      if (!byThread.has(k)) byThread.set(k, []);
      byThread.get(k).push(e);
    }
  }
  const isTask = (e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask' || e.name === 'ThreadPool_RunTask';
  /** outermost tasks of a thread (tasks nested in tasks are not counted twice). */
  const topTasks = (evs) => {
    const tasks = evs.filter(isTask).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const out = [];
    let end = -Infinity;
    for (const t of tasks) if (t.ts >= end) { out.push(t); end = t.ts + t.dur; }
    return out;
  };
  const busy = [...byThread.entries()].map(([k, evs]) => ({ k, tasks: topTasks(evs) }))
    .map(({ k, tasks }) => ({ k, thread: threadName.get(k) ?? '?', process: procName.get(Number(k.split(':')[0])) ?? '?', ms: tasks.reduce((a, t) => a + t.dur, 0) / 1000, tasks }));
  // the page's renderer: the process of the traced page's frames (else any process named Renderer)
  const started = events.find((e) => e.name === 'TracingStartedInBrowser');
  const pids = new Set((started?.args?.data?.frames ?? []).map((f) => f.processId));
  const ofPage = (b) => (pids.size ? pids.has(Number(b.k.split(':')[0])) : b.process === 'Renderer');
  const main = busy.filter((b) => b.thread === 'CrRendererMain' && ofPage(b)).sort((a, b) => b.ms - a.ms)[0];
  if (!main) return { error: 'no renderer main thread in the trace' };
  const long = main.tasks.filter((t) => t.dur > 50_000);
  // self time per event name inside the long tasks (events on one thread nest properly)
  const self = new Map();
  const evs = byThread.get(main.k).slice().sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const stack = [];
  const longSet = new Set(long);
  const rootOf = new Map();
  for (const e of evs) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    const root = parent ? rootOf.get(parent) : e;
    rootOf.set(e, root);
    e.selfUs = e.dur;
    if (parent) parent.selfUs -= Math.min(e.dur, parent.ts + parent.dur - e.ts);
    stack.push(e);
  }
  for (const e of evs) {
    if (!longSet.has(rootOf.get(e))) continue;
    const name = e.name === 'FunctionCall' && e.args?.data?.url ? `FunctionCall ${e.args.data.url.replace(/^.*\//, '')}` : e.name;
    self.set(name, (self.get(name) ?? 0) + Math.max(0, e.selfUs) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    rendererMainBusyMs: round(main.ms), longTasks: long.length, longestMs: round(Math.max(0, ...long.map((t) => t.dur / 1000))), longTasksMs: round(long.reduce((a, t) => a + t.dur, 0) / 1000),
    selfTimeInLongTasks: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([name, ms]) => ({ name, ms: round(ms), share: round(ms / total, 3) })),
    busiestThreads: busy.sort((a, b) => b.ms - a.ms).slice(0, 10).map((b) => ({ process: b.process, thread: b.thread, busyMs: round(b.ms) })),
  };
}

/** A second cold first run of the reference sweep (fresh context) under Chrome's tracing: what
 *  the page's main thread and the other processes (the GPU process, where software WebGL and
 *  WebGPU run) did while calibration and the first trials ran. */
async function tracedColdRun(browser, url) {
  let page = null;
  try {
    page = await openApp(browser, url);
    await setupReference(page);
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'v8.execute', 'gpu', 'cc', 'blink'] });
    let r;
    let trace;
    try {
      r = await runSweep(page, { workers: 'auto', batching: true });
    } finally {
      trace = await browser.stopTracing();
    }
    return {
      firstEpochDrawnMs: r.firstEpochDrawnMs, wallMs: r.wallMs, longTasks: r.longTaskList, timeline: coldTimeline(r.calls),
      trace: attributeTrace(JSON.parse(trace.toString())),
    };
  } catch (e) {
    return { error: String(e.message ?? e).slice(0, 300) };
  } finally {
    await page?.context().close();
  }
}

/** Trims a runSweep result for the JSON (frames are summarised by attributeFrames). */
const summary = ({ frames, calls, longTaskList, ...r }) => ({ ...r, longTaskList: longTaskList.slice(0, 20) });

/** A cold run's calls into workers, up to the first training: each backend's start-up (init)
 *  and calibration probe, with when they started (ms after Run) and how long they took. */
function coldTimeline(calls) {
  const firstTrain = calls.find((c) => c.call === 'trainBatch');
  const until = firstTrain?.start ?? Infinity;
  const byWorker = new Map();
  for (const c of calls.filter((x) => x.start <= until && x.call !== 'new')) {
    if (c.call === 'init') byWorker.set(c.w, c.arg);
  }
  return {
    firstTrainingCallMs: firstTrain ? firstTrain.start : null,
    calls: calls.filter((c) => c.start <= until && ['init', 'probe', 'setData', 'terminate'].includes(c.call))
      .map((c) => ({ worker: c.w, backend: byWorker.get(c.w) ?? null, call: c.call, atMs: c.start, ms: c.ms })),
  };
}

/** The reference sweep through the page: a cold first run (calibration), then ROUNDS rounds of a
 *  native loop over the same trials followed by the page with each setting. */
async function sweepPart(browser, url, nTrain, native) {
  const page = await openApp(browser, url);
  await setupReference(page);
  log('reference sweep: cold first run (calibration, empty caches)');
  const cold = await runSweep(page, { workers: 'auto', batching: true });
  const configs = [{ workers: 'auto', batching: true }, { workers: 1, batching: true }, { workers: 2, batching: true }, { workers: 'auto', batching: false }];
  const runs = [];
  const natives = [];
  for (let rep = 0; rep < ROUNDS; rep++) {
    if (native.job) {
      log(`reference sweep, round ${rep + 1}/${ROUNDS}: native loop (PyTorch, default threads)`);
      natives.push(await native.job({ kind: 'sweep', layers: [REF.units], trials: REF.sweepTrials, epochs: REF.sweepEpochs, threads: null, l2: 1e-4 }));
    }
    for (const c of configs) {
      log(`reference sweep, round ${rep + 1}/${ROUNDS}: page, workers ${c.workers}, batching ${c.batching ? 'on' : 'off'}`);
      runs.push({ ...(await runSweep(page, c)), rep, load: load()[0] });
    }
  }
  let profiled = null;
  if (PROFILE && runs.some((r) => r.longTasks > 0)) {
    log('reference sweep: again under the CPU profiler (attribution of the busy stretches)');
    profiled = await profiledSweep(page, configs[0]);
  }
  const errors = page.errors;
  await page.context().close();
  let coldTraced = null;
  if (PROFILE) {
    log('reference sweep: a second cold first run, traced (where the cold start goes)');
    coldTraced = await tracedColdRun(browser, url);
  }
  const samples = REF.sweepTrials * REF.sweepEpochs * nTrain;
  const perConfig = configs.map((c) => {
    const rs = runs.filter((r) => r.workers === c.workers && r.batching === c.batching);
    return {
      workers: c.workers, batching: c.batching, workersUsed: rs[0].workersUsed, backend: rs[0].backend, trials: rs[0].trials,
      wallMs: spread(rs.map((r) => r.wallMs)), trialSamplesPerSec: round((samples / median(rs.map((r) => r.wallMs))) * 1000),
      vsNative: natives.length ? spread(rs.map((r) => natives[r.rep].wallMs / r.wallMs), 2) : null,
      bestVsBest: natives.length ? round(Math.min(...natives.map((n) => n.wallMs)) / Math.min(...rs.map((r) => r.wallMs)), 2) : null,
      firstEpochDrawnMs: spread(rs.map((r) => r.firstEpochDrawnMs)), toFirstTrainCallMs: spread(rs.map((r) => r.toFirstTrainCallMs)),
      longTasks: spread(rs.map((r) => r.longTasks)), longestTaskMs: Math.max(...rs.map((r) => r.longestTaskMs)),
    };
  });
  const all = [cold, ...runs];
  return {
    trials: REF.sweepTrials, epochs: REF.sweepEpochs, nTrain,
    native: natives.length ? { torch: native.torch, threads: natives[0].threads, wallMs: spread(natives.map((n) => n.wallMs)), trialSamplesPerSec: round((samples / median(natives.map((n) => n.wallMs))) * 1000) } : null,
    cold: summary(cold), runs: perConfig,
    longTasks: {
      total: all.reduce((a, r) => a + r.longTasks, 0), sweeps: all.length, longestMs: Math.max(...all.map((r) => r.longestTaskMs)),
      bySweep: all.filter((r) => r.longTasks > 0).map((r) => ({ workers: r.workers, batching: r.batching, round: r.rep ?? 'cold', tasks: r.longTaskList })),
      attributionWarm: attributeFrames(runs.flatMap((r) => r.frames)),
      attributionCold: attributeFrames(cold.frames),
    },
    coldTimeline: coldTimeline(cold.calls),
    coldTraced,
    profiled,
    calibrationNote: cold.note, pageErrors: errors,
  };
}

/** TINY.trials trials of a tiny network on the default spiral data through the page: a short
 *  warm-up sweep of the same network (its calibration), the measured sweep, then the same sweep
 *  again under the CPU profiler to show where the main thread's busy stretches go. */
async function tinyPart(browser, url, strategy = 'random') {
  const page = await openApp(browser, url);
  await keepOneLayer(page, TINY.units);
  await page.getByRole('combobox', { name: 'Strategy' }).selectOption(strategy);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill(String(TINY.epochs));
  await page.getByRole('spinbutton', { name: /Trial budget/ }).fill('4');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('auto');
  await runnable(page);
  log(`tiny sweep: warm-up (4 trials, calibration of ${TINY.units} units)`);
  await runSweep(page, { workers: 'auto', batching: true });
  await page.getByRole('spinbutton', { name: /Trial budget/ }).fill(String(TINY.trials));
  log(`tiny sweep: ${TINY.trials} trials × ${TINY.epochs} epochs, 1 hidden layer of ${TINY.units}`);
  const measured = await runSweep(page, { workers: 'auto', batching: true });
  let profiled = null;
  if (PROFILE && measured.longTasks > 0) {
    log('tiny sweep: again under the CPU profiler (attribution of the busy stretches)');
    profiled = await profiledSweep(page, { workers: 'auto', batching: true });
  }
  const errors = page.errors;
  await page.context().close();
  return {
    model: `spiral (default data), 1 hidden layer of ${TINY.units} ReLU, ${TINY.epochs} epochs, ${strategy} search over learning rate and L2, auto workers and backend, batching on`,
    ...summary(measured), attribution: attributeFrames(measured.frames), profiled, pageErrors: errors,
  };
}

// ---------------------------------------------------------------------------------------------
// Targets of the issue ("Faster than native PyTorch") and the change against the baseline

function targetsOf(res) {
  const t = [];
  const add = (name, value, goal, met, spreadOf = null) => t.push({ name, value, goal, met: met === null ? null : Boolean(met), ...(spreadOf ? { spread: spreadOf } : {}) });
  const tr = res.trials;
  if (tr?.reference?.ratio.median != null) add('per-trial throughput vs native PyTorch, 1 worker vs 1 thread, reference MLP', tr.reference.ratio.median, '>= 1.0', tr.reference.ratio.median >= 1, tr.reference.ratio);
  if (tr?.deep?.ratio.median != null) add('per-trial throughput vs native PyTorch, 1 worker vs 1 thread, 3 × 256 MLP', tr.deep.ratio.median, '>= 0.5', tr.deep.ratio.median >= 0.5, tr.deep.ratio);
  const dflt = res.sweep?.runs.find((r) => r.workers === 'auto' && r.batching);
  if (dflt?.vsNative) add('reference sweep through the page (default settings) vs native loop (PyTorch default threads)', dflt.vsNative.median, '>= 2', dflt.vsNative.median >= 2, dflt.vsNative);
  if (res.batched?.fusedSpeedup) add('K = 8 batched vs sequential on wasm (fused)', res.batched.fusedSpeedup.median, '>= 3', res.batched.fusedSpeedup.median >= 3, res.batched.fusedSpeedup);
  if (res.sweep) add('long tasks > 50 ms during the reference sweeps (all runs)', res.sweep.longTasks.total, '0', res.sweep.longTasks.total === 0);
  if (res.tiny) add(`long tasks > 50 ms during the ${TINY.trials}-trial tiny-model sweep`, res.tiny.longTasks, '0', res.tiny.longTasks === 0);
  if (res.tinyGp) add(`long tasks > 50 ms during the ${TINY.trials}-trial tiny-model sweep searched by GP (its asks in the search worker)`, res.tinyGp.longTasks, '0', res.tinyGp.longTasks === 0);
  if (res.cnn?.ratio.median != null) add('per-trial throughput vs native PyTorch, 1 worker vs 1 thread, reference CNN on mnist_2500 (reported, no goal)', res.cnn.ratio.median, 'report', null, res.cnn.ratio);
  if (res.gp) add('GP ask at 200 finished trials, ms (node)', res.gp.at200.askMs.median, '<= 50', res.gp.at200.askMs.median <= 50, res.gp.at200.askMs);
  if (dflt) add('first epoch drawn after Run, warm, ms', dflt.firstEpochDrawnMs.median, '< 1500', dflt.firstEpochDrawnMs.median < 1500, dflt.firstEpochDrawnMs);
  if (res.sweep) add('first epoch drawn after Run, cold incl. calibration, ms', res.sweep.cold.firstEpochDrawnMs, '< 4000', res.sweep.cold.firstEpochDrawnMs < 4000);
  // the entry chunk and the chunks index.html preloads with it: what the first load runs
  if (res.bundle) add('main-thread JS loaded at start (assets/index-*.js and the chunks index.html preloads), KB gzip', round(res.bundle.mainGzip / 1024, 1), '<= 150', res.bundle.mainGzip <= 150 * 1024);
  return t;
}

/** Key numbers, flat, for the comparison with a baseline from this machine. */
function keyNumbers(res) {
  const k = {};
  for (const x of res.targets ?? []) if (typeof x.value === 'number') k[`target: ${x.name}`] = x.value;
  for (const m of ['reference', 'deep']) {
    if (res.trials?.[m]) {
      k[`trials.${m}.engineSamplesPerSec`] = res.trials[m].engineSamplesPerSec.median;
      k[`trials.${m}.nativeSamplesPerSec`] = res.trials[m].nativeSamplesPerSec.median;
    }
  }
  for (const f of ['fusedK8', 'fusedSeq8', 'tfjsK8', 'tfjsSeq8', 'fusedVsTfjsK8']) if (res.batched?.[f]) k[`batched.${f}`] = res.batched[f].median;
  for (const r of res.sweep?.runs ?? []) k[`sweep.workers=${r.workers}${r.batching ? '' : '.unbatched'}.trialSamplesPerSec`] = r.trialSamplesPerSec;
  if (res.tiny) k['tiny.wallMs'] = res.tiny.wallMs;
  if (res.tinyGp) k['tinyGp.wallMs'] = res.tinyGp.wallMs;
  if (res.cnn) {
    k['cnn.pageSamplesPerSec'] = res.cnn.pageSamplesPerSec.median;
    k['cnn.nativeSamplesPerSec'] = res.cnn.nativeSamplesPerSec.median;
  }
  if (res.bundle) {
    k['bundle.entryGzip'] = res.bundle.entryGzip;
    k['bundle.mainGzip'] = res.bundle.mainGzip;
  }
  return k;
}

/** The change against `base`, or why there is none: numbers from different machines (or from a
 *  baseline that does not say which machine it ran on) do not compare. */
function compare(now, base) {
  if (!base.machine?.id) return { refused: `bench/baseline.json (${base.date ?? 'undated'}) does not record which machine it ran on (CPU family, model, stepping, memory), so its numbers cannot be told to be comparable with this run's: compare the ratios in "targets" instead, or save a baseline here with --save-baseline.` };
  if (base.machine.id !== now.machine.id) return { refused: `bench/baseline.json was taken on a different machine ("${base.machine.id}"; this run: "${now.machine.id}"): absolute numbers do not compare across machines, and a percentage would mislead. Compare the ratios in "targets", which are measured within one run.` };
  const software = ['chromium', 'torch', 'node'].filter((s) => base.machine[s] !== now.machine[s]).map((s) => `${s} ${base.machine[s]} -> ${now.machine[s]}`);
  const a = keyNumbers(base);
  const b = keyNumbers(now);
  return {
    baselineDate: base.date, loadAverage: { baseline: base.machine.loadAverageBefore, now: now.machine.loadAverageBefore },
    note: `same machine type; load from other work differs between runs (load averages above), so absolute numbers move with it more than ratios do${software.length ? `; software changed: ${software.join(', ')}` : ''}`,
    changes: Object.keys(b).filter((k) => k in a && a[k] != null && b[k] != null).map((k) => ({ metric: k, baseline: a[k], now: b[k], change: a[k] ? `${(((b[k] - a[k]) / Math.abs(a[k])) * 100).toFixed(1)}%` : null })),
  };
}

// ---------------------------------------------------------------------------------------------

/** The environment of the one-thread native process (per-trial throughput). */

/** Parts that need the built pages, Chromium and (for the comparisons) native PyTorch. */
const PAGE_PARTS = ['trials', 'batched', 'trainers', 'backends', 'pool', 'sweep', 'tiny', 'tinygp', 'cnn'];

async function pageParts(result) {
  const server = await serve(WWW, '/app/');
  const browser = await launch();
  result.machine.chromium = browser.version();
  let native = { skipped: 'not started' };
  let nativeOne = native;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    await page.goto(`${server.url}bench/index.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const reference = await page.evaluate(async () => ({ ...(await window.bench.exportData()), learningRate: window.bench.referenceModel.learningRate }));
    result.reference.nTrain = reference.yTrain.length;
    result.reference.nVal = reference.yVal.length;
    // one worker against one thread: PyTorch's and its BLAS' thread pools both held to one; the
    // sweep's native loop runs with the defaults, as a script would
    native = await startNative(reference);
    nativeOne = native.skipped ? native : await startNative(reference, ONE_THREAD);
    if (native.skipped) log('native: skipped', `(${native.skipped})`);
    result.machine.torch = native.torch ?? null;
    result.machine.torchDefaultThreads = native.defaultThreads ?? null;
    result.machine.blas = native.blas ?? null;
    if (want('trials')) result.trials = await trialsPart(page, nativeOne);
    if (want('batched')) result.batched = await batchedPart(page);
    if (want('trainers')) result.trainers = await trainersPart(page);
    if (want('backends')) result.backends = await backendsPart(page);
    if (want('pool')) result.pool = await poolPart(page, reference.yTrain.length);
    if (want('cnn')) result.cnn = await cnnPart(page, { baseUrl: server.url, rounds: ROUNDS, log, env: ONE_THREAD });
    await page.close();
    if (want('sweep')) result.sweep = await sweepPart(browser, server.url, reference.yTrain.length, native);
    if (want('tiny')) result.tiny = await tinyPart(browser, server.url);
    if (want('tinygp')) result.tinyGp = await tinyPart(browser, server.url, 'gp');
  } finally {
    native.close?.();
    nativeOne.close?.();
    await browser.close();
    await server.close();
  }
  result.native = native.skipped ? { skipped: native.skipped } : {
    torch: native.torch, defaultThreads: native.defaultThreads, blas: native.blas,
    perTrial: { env: ONE_THREAD, torchThreads: 1, blas: nativeOne.blas },
    sweep: { env: 'inherited', torchThreads: native.defaultThreads, blasThreads: native.blas?.threads ?? null },
  };
}

async function main() {
  const t0 = Date.now();
  mkdirSync(OUT, { recursive: true });
  SourceMapConsumer = (await import('source-map-js').catch(() => null))?.SourceMapConsumer ?? null;
  const result = {
    date: new Date().toISOString(),
    machine: { ...machine(), loadAverageBefore: load(), loadAverageAfter: null, chromium: null, torch: null, torchDefaultThreads: null },
    reference: { model: `64-${REF.units}-10 MLP (relu), Adam, batch ${REF.batchSize}`, deep: `64-${DEEP_LAYERS.join('-')}-10 MLP (relu), Adam, batch ${REF.batchSize}`, data: 'digits8x8, the app\'s default split (test 20 %, validation 30 % of the rest)' },
  };
  if (!args.includes('--skip-build')) await buildAll();
  if (existsSync(join(WWW, 'index.html'))) result.bundle = bundleSizes();
  if (want('gp')) result.gp = await gpPart();
  if (PAGE_PARTS.some(want)) await pageParts(result);
  result.machine.loadAverageAfter = load();
  result.targets = targetsOf(result);
  result.benchSeconds = round((Date.now() - t0) / 1000);
  const basePath = join(ROOT, 'bench/baseline.json');
  if (existsSync(basePath)) result.vsBaseline = compare(result, JSON.parse(readFileSync(basePath, 'utf8')));
  const text = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(join(OUT, 'latest.json'), text);
  emit(text);
  console.error('\nTargets:');
  for (const x of result.targets) console.error(`  ${x.met === null ? '·' : x.met ? '✓' : '✗'} ${x.name}: ${x.value} (goal ${x.goal})`);
  if (result.vsBaseline?.refused) console.error(`\nNo change against the baseline: ${result.vsBaseline.refused}`);
  else if (result.vsBaseline) {
    console.error(`\nChange against bench/baseline.json (${result.vsBaseline.note}):`);
    for (const c of result.vsBaseline.changes) console.error(`  ${c.metric}: ${c.baseline} -> ${c.now} (${c.change})`);
  } else console.error('\nNo bench/baseline.json yet: run with --save-baseline to keep this result as the baseline.');
  if (args.includes('--save-baseline')) {
    copyFileSync(join(OUT, 'latest.json'), basePath);
    console.error('Saved as bench/baseline.json.');
  }
}

// Run when executed (not when imported by a check of the page helpers above).
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
