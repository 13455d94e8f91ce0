import { modelValue } from '../../experiment/defaults';
import type { TrialConfig } from '../types';
import { OPTIMIZER_CONSTANTS } from '../fused/constants';
import { EVAL_ROWS, type BlockLayout } from '../fused/layout';
import type { StackInputs } from '../fused/runner';
import type { EpochStack, EpochSums, TestSums } from '../fused/stack';
import { setMaskBits } from './masks';
import { ACT, CALL_FIELDS, CALL_STRIDE, CFG_FIELDS, CFG_FIRST_F32, L, LAYER_WORDS, OPT, T, TRIAL_WORDS, WGSL, WORKGROUP } from './shaders';

/** Most trials one GPU stack trains at once (as the wasm kernel's MAX_TRIALS). */
export const GPU_MAX_TRIALS = 64;

type Entry = 'forward' | 'loss' | 'dweight' | 'dinput' | 'update' | 'evalForward' | 'evalLoss';
const ENTRIES: readonly Entry[] = ['forward', 'loss', 'dweight', 'dinput', 'update', 'evalForward', 'evalLoss'];

/** One dispatch: its entry point, its `call` struct and how many threads it runs. */
interface Dispatch {
  entry: Entry;
  call: Partial<Record<(typeof CALL_FIELDS)[number], number>>;
  threads: number;
}

/** One dispatch as encoded: pipeline, dynamic offset into the calls buffer, workgroups (x, y). */
interface Encoded {
  entry: Entry;
  offset: number;
  x: number;
  y: number;
}

/** Float offsets of the rows a stack holds in its data buffer. */
interface Rows {
  x: number;
  y: number;
  n: number;
}

/**
 * K trials of one architecture on a WebGPU device: the same epoch as FusedStack (the wasm
 * kernel), encoded as compute dispatches in one command buffer per epoch — per mini-batch the
 * forward pass layer by layer, the loss, the backward pass and one optimizer update of every
 * trial at once — then the validation pass; the per-row losses come back with one readback per
 * epoch and are summed in f64 in the wasm kernel's order. Data, parameters, optimizer state and
 * activations live in GPU buffers for the whole run; dropout masks are drawn on the CPU (WGSL has
 * no f64 for alea) and uploaded as bits each epoch. Build with GpuStack.create.
 */
export class GpuStack implements EpochStack {
  readonly K: number;
  readonly steps: number;
  private readonly block: BlockLayout;
  private readonly batch: number;
  private readonly d: number;
  private readonly nLayers: number;
  private readonly hidden: number;
  private readonly nOut: number;
  private readonly floats: number;
  private readonly dropping: boolean;
  private readonly classification: boolean;
  private readonly train: Rows;
  private readonly val: Rows;
  private readonly test: Rows | null;
  /** float offset of predict()'s input rows in the data buffer. */
  private readonly inputOff: number;
  private readonly outRows: number;
  /** word offsets in the tables buffer, and the dropout mask words per step and per layer. */
  private readonly off: { trials: number; steps: number; perm: number; flags: number; mask: number; tables: number };
  private readonly maskStepWords: number;
  private readonly layerMask: { prefix: number; words: number }[];
  /** float offsets in the acts buffer: evaluation outputs, per-row losses (train, validation, scoring). */
  private readonly acts: { out: number; trainRows: number; valRows: number; scoreRows: number; total: number };
  /** the trial table as the GPU holds it (u32 words; f32 fields as bits). */
  private readonly trialWords: Uint32Array<ArrayBuffer>;
  private readonly trialFloats: Float32Array<ArrayBuffer>;
  private readonly buffers: GPUBuffer[] = [];
  private readonly calls: GPUBuffer;
  private readonly tables: GPUBuffer;
  private readonly data: GPUBuffer;
  private readonly params: GPUBuffer;
  private readonly actsBuf: GPUBuffer;
  private readonly best: GPUBuffer | null;
  private readonly staging: GPUBuffer;
  private readonly scoreStaging: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private readonly pipelines: Record<Entry, GPUComputePipeline>;
  /** the dispatches of one epoch (fixed: what changes between epochs is in the tables). */
  private readonly epochPlan: Encoded[];
  /** the first call slot free for scoring passes, and how many there are. */
  private readonly scoreSlot: number;
  private readonly scoreSlots: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly adam: boolean;
  /** optimizer steps taken (Adam's t). */
  private t = 0;

  /** A stack of `inputs` on `device` (see StackInputs); rejects if the device refuses the shader or a buffer. */
  static async create(device: GPUDevice, inputs: StackInputs): Promise<GpuStack> {
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let stack: GpuStack | null = null;
    let failure: unknown = null;
    try {
      stack = await GpuStack.build(device, inputs);
    } catch (e) {
      failure = e;
    }
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const refused = oom ?? validation;
    if (failure || refused || !stack) {
      stack?.dispose();
      throw failure ?? new Error(`The GPU trainer could not set up: ${refused?.message}`);
    }
    return stack;
  }

  /** The shader, its pipelines and the stack (inside create's error scopes). */
  private static async build(device: GPUDevice, inputs: StackInputs): Promise<GpuStack> {
    const module = device.createShaderModule({ code: WGSL });
    const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
    if (errors.length) throw new Error(`The GPU trainer's shader does not compile: ${errors.map((e) => `${e.lineNum}:${e.linePos} ${e.message}`).join('; ')}`);
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
        { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
        ...[4, 5, 6, 7].map((binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' as const } })),
      ],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const made = await Promise.all(ENTRIES.map((entryPoint) => device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint } })));
    const pipelines = Object.fromEntries(ENTRIES.map((e, i) => [e, made[i]])) as Record<Entry, GPUComputePipeline>;
    return new GpuStack(device, inputs, layout, pipelines);
  }

  private constructor(private readonly device: GPUDevice, inputs: StackInputs, layout: GPUBindGroupLayout, pipelines: Record<Entry, GPUComputePipeline>) {
    const { data, cfgs, block, weights, batch, extraRows } = inputs;
    const K = cfgs.length;
    if (K > GPU_MAX_TRIALS) throw new Error(`The GPU trainer trains at most ${GPU_MAX_TRIALS} trials at once.`);
    this.K = K;
    this.block = block;
    this.batch = batch;
    this.d = data.d;
    this.pipelines = pipelines;
    this.classification = data.task === 'classification';
    this.nLayers = block.layers.length;
    this.hidden = this.nLayers - 1;
    this.nOut = block.layers[this.hidden].fout;
    this.floats = block.floats;
    this.steps = Math.ceil(data.yTrain.length / batch);
    this.dropping = this.hidden > 0 && cfgs.some((c) => c.model.dropout > 0);
    const wide = Math.max(...block.layers.map((l) => l.fout));
    const d = data.d;

    // data: rows and their labels/targets, then predict()'s input rows
    let dataTop = 0;
    const dataParts: Float32Array[] = [];
    const put = (a: Float32Array): number => { const at = dataTop; dataParts.push(a); dataTop += a.length; return at; };
    const rows = (x: Float32Array, y: Float32Array): Rows => ({ x: put(x), y: put(y), n: y.length });
    this.train = rows(data.xTrain, data.yTrain);
    this.val = rows(data.xVal, data.yVal);
    this.test = data.xTest && data.yTest && data.yTest.length > 0 ? rows(data.xTest, data.yTest) : null;
    this.inputOff = put(new Float32Array(extraRows * d));
    this.outRows = Math.max(this.val.n, this.test?.n ?? 0, extraRows);

    // tables: layers, trials, Adam steps, row order, kernel-weight flags, dropout mask bits
    const maskWords = block.layers.map((l) => Math.ceil((batch * l.fout) / 32));
    let prefix = 0;
    this.layerMask = block.layers.map((_, i) => {
      const m = { prefix, words: maskWords[i] };
      if (i < this.hidden) prefix += K * maskWords[i];
      return m;
    });
    this.maskStepWords = this.dropping ? prefix : 0;
    const layerTable = this.nLayers * LAYER_WORDS;
    const trials = layerTable;
    const steps = trials + K * TRIAL_WORDS;
    const perm = steps + 2 * this.steps;
    const flags = perm + this.train.n;
    const mask = flags + block.params;
    this.off = { trials, steps, perm, flags, mask, tables: mask + this.steps * this.maskStepWords };

    // acts: per layer a and h [K, batch, fout], two evaluation buffers, outputs, per-row losses
    let actsTop = 0;
    const take = (n: number) => { const at = actsTop; actsTop += n; return at; };
    const layerActs = block.layers.map((l) => ({ a: take(K * batch * l.fout), h: take(K * batch * l.fout) }));
    const evalOff0 = take(K * EVAL_ROWS * wide);
    const evalOff1 = take(K * EVAL_ROWS * wide);
    const out = take(K * this.outRows * this.nOut);
    const trainRows = take(2 * K * this.train.n);
    const valRows = take(2 * K * this.val.n);
    const scoreRows = take(2 * this.outRows);
    this.acts = { out, trainRows, valRows, scoreRows, total: actsTop };

    const tablesWords = new Uint32Array(this.off.tables);
    block.layers.forEach((l, i) => {
      const row = tablesWords.subarray(i * LAYER_WORDS, (i + 1) * LAYER_WORDS);
      row[L.fin] = l.fin; row[L.fout] = l.fout; row[L.act] = ACT[l.activation];
      row[L.wOff] = l.wOff; row[L.bOff] = l.bOff; row[L.aOff] = layerActs[i].a; row[L.hOff] = layerActs[i].h;
      row[L.maskPrefix] = this.layerMask[i].prefix; row[L.maskWords] = this.layerMask[i].words;
    });
    this.trialWords = new Uint32Array(K * TRIAL_WORDS);
    this.trialFloats = new Float32Array(this.trialWords.buffer);
    cfgs.forEach((c, k) => this.setTrialRow(k, c, c.model.learningRate));
    tablesWords.set(this.trialWords, trials);
    for (const l of block.layers) tablesWords.fill(1, flags + l.wOff, flags + l.wOff + l.fin * l.fout);

    // optimizer constants: momentum and Adam's betas are the model's (every trial of a batch shares them)
    const m0 = cfgs[0].model;
    this.adam = m0.optimizer === 'adam';
    this.beta1 = modelValue(m0, 'beta1');
    this.beta2 = modelValue(m0, 'beta2');
    const c = OPTIMIZER_CONSTANTS;
    const cfgValues: Record<(typeof CFG_FIELDS)[number], number> = {
      nLayers: this.nLayers, K, batch, d, nOut: this.nOut, classification: this.classification ? 1 : 0,
      optimizer: OPT[m0.optimizer], floats: this.floats, params: block.params, wide, evalRows: EVAL_ROWS,
      trialsOff: trials, stepsOff: steps, permOff: perm, maskOff: mask, maskStepWords: this.maskStepWords, flagsOff: flags,
      evalOff0, evalOff1, deltaOff: K * this.floats, deltaParity: K * batch * wide,
      // f32 as the wasm kernel rounds them (configureOptimizer): 1 - x computed in f64 first
      beta1: this.beta1, nb1: 1 - this.beta1, beta2: this.beta2, nb2: 1 - this.beta2,
      decay: c.rmsDecay, ndecay: 1 - c.rmsDecay, momentum: modelValue(m0, 'momentum'), eps: c.epsilon,
    };
    const cfgBytes = new ArrayBuffer(Math.ceil((4 * CFG_FIELDS.length) / 16) * 16);
    CFG_FIELDS.forEach((f, i) => {
      if (i >= CFG_FIRST_F32) new Float32Array(cfgBytes, 4 * i, 1)[0] = cfgValues[f];
      else new Uint32Array(cfgBytes, 4 * i, 1)[0] = cfgValues[f];
    });

    // the dispatches: one epoch, then slots for scoring passes
    const plan: Dispatch[] = [];
    const nb = this.nLayers;
    for (let s = 0; s < this.steps; s++) {
      const row0 = s * batch;
      const r = Math.min(batch, this.train.n - row0);
      const base = { step: s, row0, rows: r, xOff: this.train.x, yOff: this.train.y };
      block.layers.forEach((l, i) => plan.push({ entry: 'forward', call: { ...base, layer: i }, threads: l.fout * r * K }));
      plan.push({ entry: 'loss', call: { ...base, lossOff: trainRows, lossStride: this.train.n, invN: Math.fround(1 / r) }, threads: r * K });
      let parity = 0;
      for (let i = nb - 1; i >= 0; i--) {
        const l = block.layers[i];
        plan.push({ entry: 'dweight', call: { ...base, layer: i, parity }, threads: l.fout * (l.fin + 1) * K });
        if (i === 0) break;
        plan.push({ entry: 'dinput', call: { ...base, layer: i, parity }, threads: l.fin * r * K });
        parity = 1 - parity;
      }
      plan.push({ entry: 'update', call: { step: s }, threads: block.params * K });
    }
    plan.push(...this.evalPlan(block, this.val, 0, K, true, valRows, this.val.n));
    this.scoreSlot = plan.length;
    this.scoreSlots = Math.ceil(this.outRows / EVAL_ROWS) * nb + 1;
    const callBytes = new ArrayBuffer((plan.length + this.scoreSlots) * CALL_STRIDE);
    plan.forEach((p, i) => writeCall(callBytes, i, p.call));

    // buffers
    const buffer = (bytes: number, usage: number): GPUBuffer => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage });
      this.buffers.push(b);
      return b;
    };
    const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.calls = buffer(callBytes.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const cfgBuf = buffer(cfgBytes.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.tables = buffer(4 * this.off.tables, S);
    this.data = buffer(4 * dataTop, S);
    this.params = buffer(4 * (K + 1) * this.floats, S | GPUBufferUsage.COPY_SRC);
    const nSlots = m0.optimizer === 'adam' ? 2 : m0.optimizer === 'sgd' ? 0 : 1;
    const optBuf = buffer(4 * nSlots * K * this.floats, S);
    const work = buffer(4 * (K * this.floats + 2 * K * batch * wide), GPUBufferUsage.STORAGE);
    this.actsBuf = buffer(4 * actsTop, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    this.best = cfgs.some((cf) => cf.earlyStopping?.restoreBest) ? buffer(4 * K * this.floats, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST) : null;
    this.staging = buffer(4 * 2 * K * (this.train.n + this.val.n), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    this.scoreStaging = buffer(4 * this.outRows * Math.max(2, this.nOut), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);

    const q = device.queue;
    q.writeBuffer(this.calls, 0, callBytes);
    q.writeBuffer(cfgBuf, 0, cfgBytes);
    q.writeBuffer(this.tables, 0, tablesWords);
    const all = new Float32Array(dataTop);
    let at = 0;
    for (const part of dataParts) {
      all.set(part, at);
      at += part.length;
    }
    q.writeBuffer(this.data, 0, all);
    const init = new Float32Array((K + 1) * this.floats);
    weights.forEach((w, k) => init.set(w.subarray(0, this.floats), k * this.floats));
    q.writeBuffer(this.params, 0, init);
    this.bindGroup = device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: this.calls, size: 4 * CALL_FIELDS.length } },
        { binding: 1, resource: { buffer: cfgBuf } },
        ...[this.tables, this.data, this.params, optBuf, work, this.actsBuf].map((b, i) => ({ binding: i + 2, resource: { buffer: b } })),
      ],
    });
    this.epochPlan = plan.map((p, i) => ({ entry: p.entry, offset: i * CALL_STRIDE, ...groups(p.threads) }));
  }

  /** Dispatches of an evaluation pass over `rows` for blocks blockBase.. (nBlocks of them): the
   *  forward pass chunk by chunk into the outputs, then the per-row losses (when lossOff >= 0). */
  private evalPlan(block: BlockLayout, rows: Rows, blockBase: number, nBlocks: number, checkActive: boolean, lossOff: number, lossStride: number): Dispatch[] {
    const plan: Dispatch[] = [];
    const common = { blockBase, nBlocks, checkActive: checkActive ? 1 : 0, outOff: this.acts.out, outStride: this.outRows * this.nOut };
    for (let row0 = 0; row0 < rows.n; row0 += EVAL_ROWS) {
      const r = Math.min(EVAL_ROWS, rows.n - row0);
      block.layers.forEach((l, i) => plan.push({ entry: 'evalForward', call: { ...common, layer: i, row0, rows: r, xOff: rows.x }, threads: l.fout * r * nBlocks }));
    }
    if (lossOff >= 0) plan.push({ entry: 'evalLoss', call: { ...common, rows: rows.n, yOff: rows.y, lossOff, lossStride }, threads: rows.n * nBlocks });
    return plan;
  }

  private setTrialRow(k: number, cfg: TrialConfig, lr: number): void {
    const s = cfg.model;
    const at = k * TRIAL_WORDS;
    this.trialWords[at + T.active] = 1;
    // f32s as the wasm kernel's setTrial takes them: lr, l1, 2·l2, rate, 1/(1 - rate)
    this.trialFloats[at + T.lr] = lr;
    this.trialFloats[at + T.l1] = s.l1;
    this.trialFloats[at + T.l2x2] = 2 * s.l2;
    this.trialFloats[at + T.rate] = s.dropout;
    this.trialFloats[at + T.scale] = 1 / (1 - s.dropout);
  }

  private writeTrialRow(k: number): void {
    this.device.queue.writeBuffer(this.tables, 4 * (this.off.trials + k * TRIAL_WORDS), this.trialWords, k * TRIAL_WORDS, TRIAL_WORDS);
  }

  setLearningRate(k: number, lr: number): void {
    this.trialWords[k * TRIAL_WORDS + T.active] = 1;
    this.trialFloats[k * TRIAL_WORDS + T.lr] = lr;
    this.writeTrialRow(k);
  }

  deactivate(k: number): void {
    this.trialWords[k * TRIAL_WORDS + T.active] = 0;
    this.writeTrialRow(k);
  }

  private isActive(k: number): boolean {
    return this.trialWords[k * TRIAL_WORDS + T.active] !== 0;
  }

  async epoch(perm: ArrayLike<number>, dropSeeds: (k: number) => number[][] | null): Promise<EpochSums[]> {
    const q = this.device.queue;
    q.writeBuffer(this.tables, 4 * this.off.perm, Uint32Array.from(perm));
    if (this.adam) {
      // Adam's bias corrections per step, f64 rounded to f32 as the wasm kernel computes them
      const c = new Float32Array(2 * this.steps);
      for (let s = 0; s < this.steps; s++) {
        const tt = this.t + s + 1;
        c[2 * s] = 1 / (1 - this.beta1 ** tt);
        c[2 * s + 1] = 1 / (1 - this.beta2 ** tt);
      }
      q.writeBuffer(this.tables, 4 * this.off.steps, c);
    }
    if (this.dropping) q.writeBuffer(this.tables, 4 * this.off.mask, this.maskBits(dropSeeds));
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    this.encode(pass, this.epochPlan);
    pass.end();
    const rowsBytes = 4 * 2 * this.K * (this.train.n + this.val.n);
    enc.copyBufferToBuffer(this.actsBuf, 4 * this.acts.trainRows, this.staging, 0, rowsBytes);
    q.submit([enc.finish()]);
    this.t += this.steps;
    await this.staging.mapAsync(GPUMapMode.READ, 0, rowsBytes);
    try {
      const v = new Float32Array(this.staging.getMappedRange(0, rowsBytes));
      const valAt = 2 * this.K * this.train.n;
      return Array.from({ length: this.K }, (_, k) => {
        if (!this.isActive(k)) return { trainLoss: 0, trainCorrect: 0, valLoss: 0, valCorrect: 0 };
        const [trainLoss, trainCorrect] = sumPairs(v, 2 * k * this.train.n, this.train.n);
        const [valLoss, valCorrect] = sumPairs(v, valAt + 2 * k * this.val.n, this.val.n);
        return { trainLoss, trainCorrect, valLoss, valCorrect };
      });
    } finally {
      this.staging.unmap();
    }
  }

  /** The epoch's dropout mask bits of every trial, [step][hidden layer][trial] regions. */
  private maskBits(dropSeeds: (k: number) => number[][] | null): Uint32Array<ArrayBuffer> {
    const words = new Uint32Array(this.steps * this.maskStepWords);
    const batch = this.batch;
    for (let k = 0; k < this.K; k++) {
      const seeds = dropSeeds(k);
      if (!seeds) continue;
      const rate = this.trialFloats[k * TRIAL_WORDS + T.rate];
      seeds.forEach((perLayer, s) => {
        const rows = Math.min(batch, this.train.n - s * batch);
        perLayer.forEach((seed, l) => {
          const at = s * this.maskStepWords + this.layerMask[l].prefix + k * this.layerMask[l].words;
          setMaskBits(words, at, rows, this.block.layers[l].fout, l === 0, seed, rate);
        });
      });
    }
    return words;
  }

  private encode(pass: GPUComputePassEncoder, plan: Encoded[]): void {
    let current: Entry | null = null;
    for (const d of plan) {
      if (d.entry !== current) {
        pass.setPipeline(this.pipelines[d.entry]);
        current = d.entry;
      }
      pass.setBindGroup(0, this.bindGroup, [d.offset]);
      pass.dispatchWorkgroups(d.x, d.y);
    }
  }

  keepBest(k: number): void {
    if (!this.best) throw new Error('GpuStack.keepBest: no trial of this stack restores its best weights.');
    const enc = this.device.createCommandEncoder();
    const bytes = 4 * this.floats;
    enc.copyBufferToBuffer(this.params, k * bytes, this.best, k * bytes, bytes);
    this.device.queue.submit([enc.finish()]);
  }

  async scoreTest(k: number, best: boolean): Promise<TestSums | null> {
    if (!this.test) return null;
    const n = this.test.n;
    const v = await this.score(k, best, this.test, true, 2 * n);
    const [loss, correct] = sumPairs(v, 0, n);
    return { loss, correct, n };
  }

  async predict(k: number, best: boolean, rows: Float32Array | null): Promise<Float32Array> {
    let src = this.val;
    if (rows) {
      const n = rows.length / this.d;
      if (n > this.outRows) throw new Error('GpuStack.predict: more rows than were allocated.');
      this.device.queue.writeBuffer(this.data, 4 * this.inputOff, Float32Array.from(rows));
      src = { x: this.inputOff, y: 0, n };
    }
    return this.score(k, best, src, false, src.n * this.nOut);
  }

  /** Runs an evaluation pass of trial k's block (or its best, copied to the spare block) over
   *  `rows` and reads back `floats` floats: per-row losses (withLoss) or the outputs. */
  private async score(k: number, best: boolean, rows: Rows, withLoss: boolean, floats: number): Promise<Float32Array> {
    const enc = this.device.createCommandEncoder();
    let blockBase = k;
    if (best && this.best) {
      const bytes = 4 * this.floats;
      enc.copyBufferToBuffer(this.best, k * bytes, this.params, this.K * bytes, bytes);
      blockBase = this.K;
    }
    const plan = this.evalPlan(this.block, rows, blockBase, 1, false, withLoss ? this.acts.scoreRows : -1, rows.n);
    if (plan.length > this.scoreSlots) throw new Error('GpuStack: more scoring dispatches than slots.');
    const bytes = new ArrayBuffer(plan.length * CALL_STRIDE);
    plan.forEach((p, i) => writeCall(bytes, i, p.call));
    this.device.queue.writeBuffer(this.calls, this.scoreSlot * CALL_STRIDE, bytes);
    const pass = enc.beginComputePass();
    this.encode(pass, plan.map((p, i) => ({ entry: p.entry, offset: (this.scoreSlot + i) * CALL_STRIDE, ...groups(p.threads) })));
    pass.end();
    const from = withLoss ? this.acts.scoreRows : this.acts.out;
    enc.copyBufferToBuffer(this.actsBuf, 4 * from, this.scoreStaging, 0, 4 * floats);
    this.device.queue.submit([enc.finish()]);
    await this.scoreStaging.mapAsync(GPUMapMode.READ, 0, 4 * floats);
    try {
      return Float32Array.from(new Float32Array(this.scoreStaging.getMappedRange(0, 4 * floats)));
    } finally {
      this.scoreStaging.unmap();
    }
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}

/** Workgroups (x, y) for `threads` threads: x up to 65535 (the per-dimension limit). */
function groups(threads: number): { x: number; y: number } {
  const g = Math.max(1, Math.ceil(threads / WORKGROUP));
  const x = Math.min(g, 65535);
  return { x, y: Math.ceil(g / x) };
}

/** Writes call struct i (u32 fields, invN f32) into the calls buffer's bytes. */
function writeCall(bytes: ArrayBuffer, i: number, call: Dispatch['call']): void {
  const u = new Uint32Array(bytes, i * CALL_STRIDE, CALL_FIELDS.length);
  const f = new Float32Array(bytes, i * CALL_STRIDE, CALL_FIELDS.length);
  CALL_FIELDS.forEach((name, j) => {
    const v = call[name] ?? 0;
    if (name === 'invN') f[j] = v; else u[j] = v;
  });
}

/** Σ over n (loss, right) pairs from v[at..], in f64 and row order (as the wasm kernel sums). */
function sumPairs(v: Float32Array, at: number, n: number): [number, number] {
  let loss = 0;
  let right = 0;
  for (let i = 0; i < n; i++) {
    loss += v[at + 2 * i];
    right += v[at + 2 * i + 1];
  }
  return [loss, right];
}
