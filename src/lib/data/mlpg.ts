/**
 * Reader of the shipped `mlpg-dataset` v1 files: `<id>.json` (header) + `<id>.bin` (little-endian
 * payload). Format: see datasets/SOURCES.md. Every malformed input throws an Error that says
 * what is wrong in words a user can pass on.
 */
import * as v from 'valibot';
import { makeDataset } from './hash';
import type { Dataset, FetchFn } from './types';

const Int0 = v.pipe(v.number(), v.integer(), v.minValue(0));
const Int1 = v.pipe(v.number(), v.integer(), v.minValue(1));
const Dtype = v.picklist(['float32', 'uint8']);
const Block = v.object({ dtype: Dtype, shape: v.pipe(v.array(Int1), v.minLength(1)), byteOffset: Int0, byteLength: Int0 });
const Range = v.tuple([Int0, Int0]);

const HeaderSchema = v.object({
  format: v.literal('mlpg-dataset'),
  version: v.literal(1),
  id: v.pipe(v.string(), v.regex(/^[a-z0-9_]+$/, 'id must be lower-case letters, digits and _')),
  name: v.string(),
  task: v.picklist(['classification', 'regression']),
  count: Int1,
  x: Block,
  y: Block,
  features: v.array(v.string()),
  classes: v.optional(v.pipe(v.array(v.string()), v.minLength(2))),
  classCounts: v.optional(v.array(Int0)),
  target: v.optional(v.string()),
  image: v.optional(v.object({ width: Int1, height: Int1, channels: Int1, maxValue: v.number() })),
  splits: v.optional(v.object({ train: v.optional(Range), test: v.optional(Range) })),
  source: v.object({
    manager: v.string(),
    package: v.string(),
    version: v.string(),
    path: v.optional(v.string()),
    upstream: v.optional(v.string()),
  }),
  license: v.pipe(v.string(), v.nonEmpty()),
  licenseNote: v.optional(v.string()),
  citation: v.pipe(v.string(), v.nonEmpty()),
  preprocessing: v.optional(v.string()),
  binFile: v.pipe(v.string(), v.regex(/^[\w.-]+\.bin$/, 'binFile must be a plain file name ending in .bin')),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits')),
});

/** A validated `mlpg-dataset` v1 header (unknown extra keys, e.g. `stats`, are dropped). */
export type MlpgHeader = v.InferOutput<typeof HeaderSchema>;
type Block = MlpgHeader['x'];

const BYTES: Record<Block['dtype'], number> = { float32: 4, uint8: 1 };

/** Validate the JSON header's structure (not yet its byte ranges). Throws an Error listing every problem. */
export function parseMlpgHeader(header: unknown): MlpgHeader {
  const r = v.safeParse(HeaderSchema, header);
  if (r.success) return r.output;
  // Only a string id is quoted: String() of a hostile object (`{"toString": 1}`) would itself throw.
  const id = typeof header === 'object' && header !== null && 'id' in header && typeof header.id === 'string' ? header.id.slice(0, 64) : '?';
  throw new Error(`Dataset header '${id}' is malformed:\n${v.summarize(r.issues)}`);
}

/** Read `count` elements of `b` from `bin` as float32 (little-endian, any alignment). */
function readBlock(bin: ArrayBuffer, b: Block, count: number): Float32Array {
  const view = new DataView(bin, b.byteOffset, b.byteLength);
  const out = new Float32Array(count);
  if (b.dtype === 'uint8') for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Build a Dataset from a header (parsed JSON, validated here) and its payload.
 * x: float32 [n, d] or uint8 images [n, h, w, c] (flattened to d = h·w·c float features, raw 0..maxValue);
 * y: uint8 class index or float32 regression target. Throws on any inconsistency between header and bytes.
 */
export function parseMlpg(header: unknown, bin: ArrayBuffer): Dataset {
  const h = parseMlpgHeader(header);
  const fail = (msg: string): never => {
    throw new Error(`Dataset '${h.id}': ${msg}`);
  };
  const n = h.count;
  if (h.x.shape[0] !== n) fail(`x.shape[0] is ${h.x.shape[0]} but count is ${n}`);
  if (h.y.shape.length !== 1 || h.y.shape[0] !== n) fail(`y.shape is [${h.y.shape}] but should be [${n}]`);
  if (h.x.shape.length < 2) fail(`x.shape [${h.x.shape}] has no feature axis`);
  const d = h.x.shape.slice(1).reduce((a, b) => a * b, 1);
  // An image file may name its pixels with one entry (e.g. "pixels_28x28"): they become px_<row>_<col>.
  const features = h.image && h.features.length === 1 && d > 1 ? pixelNames(h.image.width, h.image.height, h.image.channels) : h.features;
  if (features.length !== d) fail(`${h.features.length} feature names for ${d} features`);
  if (h.image && h.image.width * h.image.height * h.image.channels !== d) {
    fail(`image ${h.image.width}x${h.image.height}x${h.image.channels} does not match ${d} features`);
  }

  for (const [name, b, count] of [['x', h.x, n * d], ['y', h.y, n]] as const) {
    const need = count * BYTES[b.dtype];
    if (b.byteLength !== need) fail(`${name}.byteLength is ${b.byteLength} but ${count} ${b.dtype} values need ${need} bytes`);
    const end = b.byteOffset + b.byteLength;
    if (end > bin.byteLength) {
      fail(`${h.binFile} has ${bin.byteLength} bytes but ${name} needs bytes ${b.byteOffset}..${end} (truncated download?)`);
    }
  }
  const x = readBlock(bin, h.x, n * d);
  const y = readBlock(bin, h.y, n);
  if (!x.every(Number.isFinite)) fail('x contains NaN or infinite values');
  if (!y.every(Number.isFinite)) fail('y contains NaN or infinite values');

  if (h.task === 'classification') {
    const k = h.classes?.length ?? fail('a classification dataset needs `classes`');
    const counts = new Array<number>(k).fill(0);
    for (const c of y) {
      if (!Number.isInteger(c) || c < 0 || c >= k) fail(`label ${c} is not a class index in 0..${k - 1}`);
      counts[c]++;
    }
    if (h.classCounts && h.classCounts.join() !== counts.join()) {
      fail(`classCounts [${h.classCounts}] do not match the labels [${counts}]`);
    }
  }

  const test = h.splits?.test;
  if (test && !(test[0] < test[1] && test[1] <= n && test[1] - test[0] < n)) {
    fail(`splits.test [${test}] must be a proper sub-range [start, end) of 0..${n}`);
  }

  const s = h.source;
  return makeDataset({
    id: h.id,
    name: h.name,
    task: h.task,
    features,
    classes: h.classes,
    target: h.target,
    n,
    d,
    x,
    y,
    is2d: false,
    testRange: test,
    image: h.image && { width: h.image.width, height: h.image.height, channels: h.image.channels, maxValue: h.image.maxValue },
    meta: {
      license: h.license,
      licenseNote: h.licenseNote,
      licenseUrl: `https://spdx.org/licenses/${h.license}.html`,
      citation: h.citation,
      sourceText: `${s.manager} ${s.package} ${s.version}${s.path ? `, ${s.path}` : ''}`,
      url: s.upstream?.match(/https?:\/\/\S+/)?.[0],
      preprocessing: h.preprocessing,
    },
  });
}

/** Names of the pixels of a w×h×c image, row-major: px_<row>_<col> (…_<channel> for c > 1). */
function pixelNames(w: number, h: number, c: number): string[] {
  const out: string[] = [];
  for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) for (let k = 0; k < c; k++) out.push(c > 1 ? `px_${r}_${q}_${k}` : `px_${r}_${q}`);
  return out;
}

/**
 * Check `bin` against the header's sha256 (hex). Resolves true when verified, false when
 * `crypto.subtle` is unavailable (plain-http pages other than localhost); rejects on a mismatch.
 */
export async function verifySha256(bin: ArrayBuffer, sha256: string, label = 'payload'): Promise<boolean> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return false;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bin));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  if (hex !== sha256) throw new Error(`${label} is corrupt: sha256 ${hex} does not match the header's ${sha256}`);
  return true;
}

/** `base` + '/' + `file` without doubling slashes; an empty base means "relative to the page". */
function joinUrl(base: string, file: string): string {
  return base === '' ? file : `${base.replace(/\/+$/, '')}/${file}`;
}

async function fetchOk(fetchFn: FetchFn, url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new Error(`Could not load ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new Error(`Could not load ${url}: HTTP ${res.status}`);
  return res;
}

/**
 * Fetch `<baseUrl>/<id>.json` and its payload, verify the sha256 (when the platform can) and parse.
 * fetchFn: injectable for tests and workers.
 */
export async function loadMlpg(baseUrl: string, id: string, fetchFn: FetchFn = (u) => fetch(u)): Promise<Dataset> {
  const headerUrl = joinUrl(baseUrl, `${id}.json`);
  const json: unknown = await (await fetchOk(fetchFn, headerUrl)).json().catch(() => {
    throw new Error(`${headerUrl} is not valid JSON`);
  });
  const h = parseMlpgHeader(json);
  if (h.id !== id) throw new Error(`${headerUrl} describes dataset '${h.id}', expected '${id}'`);
  const binUrl = joinUrl(baseUrl, h.binFile);
  const bin = await (await fetchOk(fetchFn, binUrl)).arrayBuffer();
  await verifySha256(bin, h.sha256, binUrl);
  return parseMlpg(json, bin);
}
