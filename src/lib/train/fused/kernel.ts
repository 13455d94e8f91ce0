import kernelUrl from './kernel.wasm?url';

/**
 * The exports of the fused kernel (asm/fused.ts, built to ./kernel.wasm by scripts/build-kernel.mjs).
 * Pointers are byte offsets into `memory`; booleans are 0/1.
 */
export interface FusedExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  configure(isClassification: number, layers: number, trials: number, batch: number, xEpoch: number, yEpoch: number, dz: number, da: number, gradient: number, evalA: number, evalB: number, evalRows: number): void;
  configureOptimizer(kind: number, beta1: number, beta2: number, decay: number, momentum: number, eps: number): void;
  setLayer(l: number, fin: number, fout: number, act: number, wOffBytes: number, bOffBytes: number, a: number, h: number, mask: number): void;
  setTrial(k: number, active: number, lr: number, l1: number, l2x2: number, rate: number, scale: number, p: number, m: number, v: number): void;
  setActive(k: number, active: number): void;
  epoch(x: number, y: number, perm: number, n: number, t: number, drop: number, xVal: number, yVal: number, nVal: number, metrics: number): number;
  evaluate(p: number, x: number, y: number, n: number, out: number): void;
  predict(p: number, x: number, n: number, out: number): void;
  MAX_LAYERS: WebAssembly.Global;
  MAX_TRIALS: WebAssembly.Global;
  SGD: WebAssembly.Global;
  MOMENTUM: WebAssembly.Global;
  ADAM: WebAssembly.Global;
  RMSPROP: WebAssembly.Global;
  LINEAR: WebAssembly.Global;
  RELU: WebAssembly.Global;
  TANH: WebAssembly.Global;
  SIGMOID: WebAssembly.Global;
}

/** Where the kernel's bytes come from: the page fetches the bundled file; node tests read it from disk. */
export type KernelSource = () => Promise<BufferSource>;

const fetchBundled: KernelSource = async () => {
  const res = await fetch(kernelUrl);
  if (!res.ok) throw new Error(`The fused kernel did not load (${res.status} ${kernelUrl}).`);
  return res.arrayBuffer();
};

let source: KernelSource = fetchBundled;
let compiled: Promise<WebAssembly.Module> | null = null;

/** Replaces where the kernel's bytes come from (node: read src/lib/train/fused/kernel.wasm from disk). */
export function setKernelSource(s: KernelSource): void {
  source = s;
  compiled = null;
}

/** The compiled kernel, compiled once per worker; rejects where WebAssembly SIMD is missing. */
export function compiledKernel(): Promise<WebAssembly.Module> {
  if (!compiled) {
    const p = source().then((bytes) => WebAssembly.compile(bytes));
    p.catch(() => { if (compiled === p) compiled = null; }); // a failed load may be retried
    compiled = p;
  }
  return compiled;
}

/** A fresh instance of the kernel with its own memory (one per training run; no imports). */
export async function instantiateKernel(): Promise<FusedExports> {
  const instance = await WebAssembly.instantiate(await compiledKernel(), {});
  return instance.exports as unknown as FusedExports;
}

/**
 * Bump allocation in a kernel instance's memory, growing it as needed. Every region is 16-byte
 * aligned and followed by 16 spare bytes (the matrix products read whole vectors past ragged
 * ends). Views must be taken after the last allocation (growing detaches older ones).
 */
export class Arena {
  private top: number;

  constructor(readonly k: FusedExports) {
    this.top = align16(k.heapBase());
  }

  /** A region of `bytes` bytes; its address. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = align16(at + bytes + 16);
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) this.k.memory.grow(Math.ceil((this.top - have) / 65536));
    return at;
  }

  /** A region holding `values`; its address. */
  put(values: Float32Array | Int32Array): number {
    const at = this.alloc(values.byteLength);
    (values instanceof Float32Array ? this.f32(at, values.length) : this.i32(at, values.length)).set(values);
    return at;
  }

  f32(at: number, n: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, at, n);
  }

  i32(at: number, n: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, at, n);
  }

  f64(at: number, n: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, at, n);
  }
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
