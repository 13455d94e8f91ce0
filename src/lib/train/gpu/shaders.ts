/**
 * The GPU fused trainer's WGSL: the wasm kernel's training step (asm/fused.ts) as compute
 * passes over K stacked trials, one thread per output value. Every entry point shares one
 * bind-group layout (see GPU_BINDINGS):
 *
 * - `call` (uniform, dynamic offset): what one dispatch does (layer, step, rows, sources);
 *   a struct of CALL_WORDS words, one per CALL_STRIDE bytes;
 * - `cfg` (uniform): the run's shape, buffer offsets and optimizer constants (CFG_FIELDS);
 * - `tables` (u32, read): layer table, trial table, per-step Adam corrections, the epoch's row
 *   order, dropout mask bits and which parameters are kernel weights (L1/L2 apply);
 * - `data` (f32, read): training, validation and test rows with their labels (class indices as
 *   floats) or targets, and rows handed to predict();
 * - `params` [K + 1 blocks] (the last block is spare: best weights are scored there);
 * - `opt` [2, K blocks]: optimizer slots (momentum / Adam m / RMSprop mean square, Adam v);
 * - `work`: gradient blocks [K] then the backward deltas [2 (ping-pong), K, batch, wide];
 * - `acts`: per layer its activations a and dropped-out outputs h [K, batch, fout], the
 *   evaluation ping-pong buffers [K, EVAL, wide], the evaluation outputs, and per-row losses.
 *
 * The formulas and their f32 operation order follow asm/ (and so tfjs' own ops): only summation
 * orders and the precision of exp, log, tanh and sqrt (WGSL f32, not f64 rounded) differ.
 */

/** Threads per workgroup (1-D; a dispatch spreads over x and y when it has more than 65535 groups). */
export const WORKGROUP = 64;

/** Bytes between two dispatches' `call` structs in the calls buffer (minUniformBufferOffsetAlignment). */
export const CALL_STRIDE = 256;

/** Words of a layer's row in the layer table. */
export const LAYER_WORDS = 10;
/** Layer-table columns. */
export const L = { fin: 0, fout: 1, act: 2, wOff: 3, bOff: 4, aOff: 5, hOff: 6, maskPrefix: 7, maskWords: 8 } as const;
/** Words of a trial's row in the trial table. */
export const TRIAL_WORDS = 8;
/** Trial-table columns (active is a u32 flag, the others f32 bits). */
export const T = { active: 0, lr: 1, l1: 2, l2x2: 3, rate: 4, scale: 5 } as const;

/** Fields of `cfg`, in order (u32 except the optimizer constants at the end, f32). */
export const CFG_FIELDS = [
  'nLayers', 'K', 'batch', 'd', 'nOut', 'classification', 'optimizer', 'floats',
  'params', 'wide', 'evalRows', 'trialsOff', 'stepsOff', 'permOff', 'maskOff', 'maskStepWords',
  'flagsOff', 'evalOff0', 'evalOff1', 'deltaOff', 'deltaParity',
  'beta1', 'nb1', 'beta2', 'nb2', 'decay', 'ndecay', 'momentum', 'eps',
] as const;
/** The first f32 field of `cfg`. */
export const CFG_FIRST_F32 = CFG_FIELDS.indexOf('beta1');

/** Fields of `call`, in order (u32 except invN, f32). */
export const CALL_FIELDS = [
  'layer', 'rows', 'row0', 'step', 'xOff', 'yOff', 'blockBase', 'nBlocks',
  'outOff', 'outStride', 'lossOff', 'lossStride', 'parity', 'checkActive', 'invN',
] as const;

/** Activation codes (as asm/elementwise.ts). */
export const ACT = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 } as const;
/** Optimizer codes (as asm/optimizer.ts). */
export const OPT = { sgd: 0, momentum: 1, adam: 2, rmsprop: 3 } as const;

const struct = (name: string, fields: readonly string[], firstF32: number) =>
  `struct ${name} {\n${fields.map((f, i) => `  ${f}: ${i >= firstF32 ? 'f32' : 'u32'},`).join('\n')}\n}`;

/** The shader module's source (entry points: forward, loss, dweight, dinput, update, evalForward, evalLoss). */
export const WGSL = /* wgsl */ `
${struct('Cfg', CFG_FIELDS, CFG_FIRST_F32)}
${struct('Call', CALL_FIELDS, CALL_FIELDS.indexOf('invN'))}

@group(0) @binding(0) var<uniform> call: Call;
@group(0) @binding(1) var<uniform> cfg: Cfg;
@group(0) @binding(2) var<storage, read> tables: array<u32>;
@group(0) @binding(3) var<storage, read> data: array<f32>;
@group(0) @binding(4) var<storage, read_write> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> opt: array<f32>;
@group(0) @binding(6) var<storage, read_write> work: array<f32>;
@group(0) @binding(7) var<storage, read_write> acts: array<f32>;

fn lf(l: u32, f: u32) -> u32 { return tables[l * ${LAYER_WORDS}u + f]; }
fn tu(k: u32, f: u32) -> u32 { return tables[cfg.trialsOff + k * ${TRIAL_WORDS}u + f]; }
fn tf(k: u32, f: u32) -> f32 { return bitcast<f32>(tu(k, f)); }

// The thread's index over a dispatch spread across x and y.
fn flat(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * ${WORKGROUP}u + lid.x;
}

// tanh saturates to ±1 in f32 beyond |z| = 9; clamping keeps sinh/cosh-based builtins finite.
fn activate(z: f32, act: u32) -> f32 {
  switch act {
    case ${ACT.relu}u: { return max(z, 0.0); }
    case ${ACT.tanh}u: { return tanh(clamp(z, -10.0, 10.0)); }
    case ${ACT.sigmoid}u: { return 1.0 / (1.0 + exp(-z)); }
    default: { return z; }
  }
}

// dL/dz from dL/da and the activation's output a (tfjs' gradient formulas, as asm/elementwise.ts).
fn activationGrad(d: f32, a: f32, act: u32) -> f32 {
  switch act {
    case ${ACT.relu}u: { return d * select(0.0, 1.0, a > 0.0); }
    case ${ACT.tanh}u: { return d * (1.0 - a * a); }
    case ${ACT.sigmoid}u: { return d * (a * (1.0 - a)); }
    default: { return d; }
  }
}

// The dropout factor of trial k's hidden layer l at (row r, unit j) of this step: scale or 0
// from the mask bits; 1 without dropout.
fn dropFactor(k: u32, l: u32, r: u32, j: u32) -> f32 {
  if (tf(k, ${T.rate}u) <= 0.0) { return 1.0; }
  let bit = r * lf(l, ${L.fout}u) + j;
  let word = tables[cfg.maskOff + call.step * cfg.maskStepWords + lf(l, ${L.maskPrefix}u) + k * lf(l, ${L.maskWords}u) + bit / 32u];
  return select(0.0, tf(k, ${T.scale}u), ((word >> (bit % 32u)) & 1u) == 1u);
}

// Training row r of this step: its index in the data (the epoch's order).
fn trainRow(r: u32) -> u32 { return tables[cfg.permOff + call.row0 + r]; }

fn delta(parity: u32, k: u32, r: u32, j: u32) -> u32 {
  return cfg.deltaOff + parity * cfg.deltaParity + (k * cfg.batch + r) * cfg.wide + j;
}

fn trialOn(k: u32) -> bool { return tu(k, ${T.active}u) != 0u; }

// Forward through layer call.layer for every (unit j, row r, trial k): z = b + x·W, then the
// activation and dropout (hidden layers) or the logits (output layer) into acts.
@compute @workgroup_size(${WORKGROUP})
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let l = call.layer;
  let fin = lf(l, ${L.fin}u);
  let fout = lf(l, ${L.fout}u);
  let idx = flat(wid, nwg, lid);
  if (idx >= fout * call.rows * cfg.K) { return; }
  let j = idx % fout;
  let r = (idx / fout) % call.rows;
  let k = idx / (fout * call.rows);
  if (!trialOn(k)) { return; }
  let p = k * cfg.floats;
  let w = p + lf(l, ${L.wOff}u);
  var z = params[p + lf(l, ${L.bOff}u) + j];
  // the input row's start, hoisted out of the product (table reads cost on every backend)
  if (l == 0u) {
    let x = call.xOff + trainRow(r) * cfg.d;
    for (var i = 0u; i < fin; i++) { z = z + data[x + i] * params[w + i * fout + j]; }
  } else {
    let x = lf(l - 1u, ${L.hOff}u) + (k * cfg.batch + r) * fin;
    for (var i = 0u; i < fin; i++) { z = z + acts[x + i] * params[w + i * fout + j]; }
  }
  let at = (k * cfg.batch + r) * fout + j;
  if (l == cfg.nLayers - 1u) {
    acts[lf(l, ${L.aOff}u) + at] = z;
    return;
  }
  let a = activate(z, lf(l, ${L.act}u));
  acts[lf(l, ${L.aOff}u) + at] = a;
  acts[lf(l, ${L.hOff}u) + at] = a * dropFactor(k, l, r, j);
}

// The loss of one row from its outputs at acts[z..z + nOut) and its label/target y; with a
// gradient target (g != 0xffffffff) writes dL/dz·invN there (work). Returns (loss, right).
fn rowLoss(z: u32, y: f32, g: u32, invN: f32) -> vec2<f32> {
  if (cfg.classification == 0u) {
    let diff = acts[z] - y;
    if (g != 0xffffffffu) { work[g] = diff * invN * 2.0; }
    return vec2<f32>(diff * diff, 0.0);
  }
  let n = cfg.nOut;
  var mx = acts[z];
  for (var j = 1u; j < n; j++) { mx = max(mx, acts[z + j]); }
  var sum = 0.0;
  for (var j = 0u; j < n; j++) {
    let e = exp(acts[z + j] - mx);
    if (g != 0xffffffffu) { work[g + j] = e; }
    sum = sum + e;
  }
  let label = min(u32(y), n - 1u);
  let trueLogit = acts[z + label] - mx;
  if (g != 0xffffffffu) {
    for (var j = 0u; j < n; j++) { work[g + j] = (work[g + j] / sum - select(0.0, 1.0, j == label)) * invN; }
  }
  return vec2<f32>(log(sum) - trueLogit, select(0.0, 1.0, trueLogit >= 0.0));
}

// Loss of every (row r, trial k) of this step: its (loss, right) at acts[lossOff..], dL/dz into delta 0.
@compute @workgroup_size(${WORKGROUP})
fn loss(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let idx = flat(wid, nwg, lid);
  if (idx >= call.rows * cfg.K) { return; }
  let r = idx % call.rows;
  let k = idx / call.rows;
  if (!trialOn(k)) { return; }
  let last = cfg.nLayers - 1u;
  let z = lf(last, ${L.aOff}u) + (k * cfg.batch + r) * cfg.nOut;
  let v = rowLoss(z, data[call.yOff + trainRow(r)], delta(0u, k, r, 0u), call.invN);
  let o = call.lossOff + (k * call.lossStride + call.row0 + r) * 2u;
  acts[o] = v.x;
  acts[o + 1u] = v.y;
}

// Weight and bias gradients of layer call.layer for every (unit j, input i, trial k): dW = xᵀ·dz
// (i < fin) and db = Σ_r dz (i = fin), rows summed in order, into trial k's gradient block.
@compute @workgroup_size(${WORKGROUP})
fn dweight(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let l = call.layer;
  let fin = lf(l, ${L.fin}u);
  let fout = lf(l, ${L.fout}u);
  let idx = flat(wid, nwg, lid);
  if (idx >= fout * (fin + 1u) * cfg.K) { return; }
  let j = idx % fout;
  let i = (idx / fout) % (fin + 1u);
  let k = idx / (fout * (fin + 1u));
  if (!trialOn(k)) { return; }
  var s = 0.0;
  let dz = delta(call.parity, k, 0u, j);
  let wide = cfg.wide;
  if (i == fin) {
    for (var r = 0u; r < call.rows; r++) { s = s + work[dz + r * wide]; }
    work[k * cfg.floats + lf(l, ${L.bOff}u) + j] = s;
    return;
  }
  if (l == 0u) {
    let x = call.xOff + i;
    for (var r = 0u; r < call.rows; r++) { s = s + data[x + trainRow(r) * cfg.d] * work[dz + r * wide]; }
  } else {
    let x = lf(l - 1u, ${L.hOff}u) + k * cfg.batch * fin + i;
    for (var r = 0u; r < call.rows; r++) { s = s + acts[x + r * fin] * work[dz + r * wide]; }
  }
  work[k * cfg.floats + lf(l, ${L.wOff}u) + i * fout + j] = s;
}

// dL/dz of layer call.layer - 1 for every (unit i, row r, trial k): dz·Wᵀ, through the dropout
// mask and the activation's gradient, into the other delta buffer.
@compute @workgroup_size(${WORKGROUP})
fn dinput(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let l = call.layer;
  let fin = lf(l, ${L.fin}u);
  let fout = lf(l, ${L.fout}u);
  let idx = flat(wid, nwg, lid);
  if (idx >= fin * call.rows * cfg.K) { return; }
  let i = idx % fin;
  let r = (idx / fin) % call.rows;
  let k = idx / (fin * call.rows);
  if (!trialOn(k)) { return; }
  let w = k * cfg.floats + lf(l, ${L.wOff}u) + i * fout;
  var s = 0.0;
  let dz = delta(call.parity, k, r, 0u);
  for (var j = 0u; j < fout; j++) { s = s + work[dz + j] * params[w + j]; }
  let below = l - 1u;
  s = s * dropFactor(k, below, r, i);
  let a = acts[lf(below, ${L.aOff}u) + (k * cfg.batch + r) * fin + i];
  work[delta(1u - call.parity, k, r, i)] = activationGrad(s, a, lf(below, ${L.act}u));
}

// The optimizer step of every (parameter, trial k), with L1/L2 on kernel weights; Adam's bias
// corrections of this step from the step table.
@compute @workgroup_size(${WORKGROUP})
fn update(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let idx = flat(wid, nwg, lid);
  if (idx >= cfg.params * cfg.K) { return; }
  let q = idx % cfg.params;
  let k = idx / cfg.params;
  if (!trialOn(k)) { return; }
  let at = k * cfg.floats + q;
  let w = params[at];
  var d = work[at];
  if (tables[cfg.flagsOff + q] != 0u) {
    let l2x2 = tf(k, ${T.l2x2}u);
    let l1 = tf(k, ${T.l1}u);
    if (l2x2 != 0.0) { d = d + l2x2 * w; }
    // tfjs' gradient of |w| is step(w, -1): +1 above zero, -1 at and below it
    if (l1 != 0.0) { d = d + l1 * select(-1.0, 1.0, w > 0.0); }
  }
  let rate = tf(k, ${T.lr}u);
  let mAt = at;
  let vAt = cfg.K * cfg.floats + at;
  switch cfg.optimizer {
    case ${OPT.sgd}u: { params[at] = w - rate * d; }
    case ${OPT.momentum}u: {
      let acc = opt[mAt] * cfg.momentum + d;
      params[at] = w - rate * acc;
      opt[mAt] = acc;
    }
    case ${OPT.adam}u: {
      let c1 = bitcast<f32>(tables[cfg.stepsOff + 2u * call.step]);
      let c2 = bitcast<f32>(tables[cfg.stepsOff + 2u * call.step + 1u]);
      let mm = opt[mAt] * cfg.beta1 + d * cfg.nb1;
      let vv = opt[vAt] * cfg.beta2 + (d * d) * cfg.nb2;
      let den = sqrt(vv * c2) + cfg.eps;
      params[at] = w - ((mm * c1) / den) * rate;
      opt[mAt] = mm;
      opt[vAt] = vv;
    }
    default: {
      let ms = opt[mAt] * cfg.decay + (d * d) * cfg.ndecay;
      params[at] = w - (d * rate) / sqrt(ms + cfg.eps);
      opt[mAt] = ms;
    }
  }
}

// Evaluation forward through layer call.layer for every (unit j, row r of the chunk, block kk)
// of parameter blocks blockBase + kk, rows call.row0.. of data at xOff (no dropout); the output
// layer writes its outputs at acts[outOff + kk·outStride + row·nOut].
@compute @workgroup_size(${WORKGROUP})
fn evalForward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let l = call.layer;
  let fin = lf(l, ${L.fin}u);
  let fout = lf(l, ${L.fout}u);
  let idx = flat(wid, nwg, lid);
  if (idx >= fout * call.rows * call.nBlocks) { return; }
  let j = idx % fout;
  let r = (idx / fout) % call.rows;
  let kk = idx / (fout * call.rows);
  let blk = call.blockBase + kk;
  if (call.checkActive != 0u && !trialOn(blk)) { return; }
  let p = blk * cfg.floats;
  let w = p + lf(l, ${L.wOff}u);
  let src = select(cfg.evalOff0, cfg.evalOff1, (l % 2u) == 0u) + kk * cfg.evalRows * cfg.wide + r * fin;
  var z = params[p + lf(l, ${L.bOff}u) + j];
  if (l == 0u) {
    let x = call.xOff + (call.row0 + r) * cfg.d;
    for (var i = 0u; i < fin; i++) { z = z + data[x + i] * params[w + i * fout + j]; }
  } else {
    for (var i = 0u; i < fin; i++) { z = z + acts[src + i] * params[w + i * fout + j]; }
  }
  if (l == cfg.nLayers - 1u) {
    acts[call.outOff + kk * call.outStride + (call.row0 + r) * fout + j] = z;
    return;
  }
  let dst = select(cfg.evalOff1, cfg.evalOff0, (l % 2u) == 0u) + kk * cfg.evalRows * cfg.wide + r * fout;
  acts[dst + j] = activate(z, lf(l, ${L.act}u));
}

// Evaluation loss of every (row r < call.rows, block kk) from the outputs of evalForward and the
// labels/targets at yOff: (loss, right) at acts[lossOff + (kk·lossStride + r)·2].
@compute @workgroup_size(${WORKGROUP})
fn evalLoss(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let idx = flat(wid, nwg, lid);
  if (idx >= call.rows * call.nBlocks) { return; }
  let r = idx % call.rows;
  let kk = idx / call.rows;
  if (call.checkActive != 0u && !trialOn(call.blockBase + kk)) { return; }
  let v = rowLoss(call.outOff + kk * call.outStride + r * cfg.nOut, data[call.yOff + r], 0xffffffffu, 0.0);
  let o = call.lossOff + (kk * call.lossStride + r) * 2u;
  acts[o] = v.x;
  acts[o + 1u] = v.y;
}
`;
