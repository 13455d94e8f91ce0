/**
 * NumPy's array files: `.npy` (format 1.0: magic, a header dict padded to 64 bytes, then the raw
 * little-endian data, C order) and `.npz` (a zip of .npy files, what `numpy.load` opens as a
 * mapping of names to arrays).
 */
import { zipSync } from 'fflate';

/** An array to store: float32 or int32 values with their shape (row-major). */
export interface NpyArray {
  data: Float32Array | Int32Array;
  /** e.g. [n, d] or [n]; the product must equal data.length. */
  shape: readonly number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The bytes of a version 1.0 .npy file holding `a`. Throws a RangeError when the shape does not match the data. */
export function npyBytes(a: NpyArray): Uint8Array {
  const count = a.shape.reduce((n, s) => n * s, 1);
  if (!a.shape.every((s) => Number.isInteger(s) && s >= 0) || count !== a.data.length) {
    throw new RangeError(`npy: shape [${a.shape.join(', ')}] does not hold ${a.data.length} values`);
  }
  const descr = a.data instanceof Float32Array ? '<f4' : '<i4';
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces and ended by \n to a multiple of 64
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + a.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const base = 10 + header.length;
  if (a.data instanceof Float32Array) a.data.forEach((v, i) => view.setFloat32(base + 4 * i, v, true));
  else a.data.forEach((v, i) => view.setInt32(base + 4 * i, v, true));
  return out;
}

/** The bytes of an .npz file with one `<name>.npy` entry per array (deflated, as `numpy.savez_compressed`). `mtime`: ms since 1970, stamped on the entries. */
export function npzBytes(arrays: Readonly<Record<string, NpyArray>>, mtime: number): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, a] of Object.entries(arrays)) files[`${name}.npy`] = npyBytes(a);
  return zipSync(files, { level: 6, mtime: new Date(Math.max(mtime, Date.UTC(1980, 0, 2))) });
}
