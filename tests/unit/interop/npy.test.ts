import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { npyBytes, npzBytes } from '../../../src/lib/interop/npy';

/** Reads a .npy file back: its header dict text and its values. */
function readNpy(b: Uint8Array): { header: string; values: number[] } {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const len = view.getUint16(8, true);
  const header = new TextDecoder().decode(b.subarray(10, 10 + len));
  const float = header.includes("'<f4'");
  const values: number[] = [];
  for (let o = 10 + len; o < b.length; o += 4) values.push(float ? view.getFloat32(o, true) : view.getInt32(o, true));
  return { header, values };
}

describe('npyBytes', () => {
  it.each([
    [{ data: Float32Array.from([1.5, -2, 3, 4, 5, 6]), shape: [3, 2] }, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"],
    [{ data: Int32Array.from([7, -8, 9]), shape: [3] }, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"],
    [{ data: new Int32Array(0), shape: [0] }, "{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }"],
  ])('%#: magic, version 1.0, header padded to 64 bytes, little-endian data', (a, dict) => {
    const b = npyBytes(a);
    expect([...b.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const { header, values } = readNpy(b);
    expect((10 + header.length) % 64).toBe(0);
    expect(header.endsWith('\n')).toBe(true);
    expect(header.trimEnd()).toBe(dict);
    expect(values).toEqual([...a.data]);
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => npyBytes({ data: new Float32Array(5), shape: [2, 2] })).toThrow(RangeError);
  });
});

describe('npzBytes', () => {
  it('is a zip of <name>.npy entries', () => {
    const z = unzipSync(npzBytes({ x: { data: Float32Array.from([1, 2]), shape: [1, 2] }, idx: { data: Int32Array.from([0]), shape: [1] } }, Date.UTC(2024, 0, 1)));
    expect(Object.keys(z).sort()).toEqual(['idx.npy', 'x.npy']);
    expect(readNpy(z['x.npy']).values).toEqual([1, 2]);
  });
});
