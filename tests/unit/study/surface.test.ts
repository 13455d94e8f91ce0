import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSurface, encodeSurface, fromBase64, toBase64 } from '../../../src/lib/study/surface';

describe('stored decision surfaces', () => {
  it('base64 agrees with Node for any bytes, and back', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const s = toBase64(bytes);
      expect(s).toBe(Buffer.from(bytes).toString('base64'));
      expect(fromBase64(s)).toEqual(bytes);
    }));
  });

  it.each(['abc', 'ab=c', '!!!!', 'A==='])('refuses %j as base64', (s) => expect(fromBase64(s)).toBeNull());

  it.each([
    ['class indices, exactly', [0, 1, 2, 3, 2, 1, 0, 3, 9], 0],
    ['probabilities, to 1/255', [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1, 0.33, 0.66], 0.5 / 255],
    ['predictions, to 1/255 of the range', [-2, -1, 0, 1, 2, 3, 0.5, 1.5, 2.5], 2.5 / 255],
    ['a constant', [0.3, 0.3, 0.3, 0.3], 1e-6],
  ])('keeps %s', (_, values, tolerance) => {
    const s = encodeSurface(values)!;
    const back = decodeSurface(s)!;
    expect(back).toHaveLength(values.length);
    back.forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThanOrEqual(tolerance + 1e-6));
  });

  it.each([
    ['not a square', [1, 2, 3]],
    ['empty', []],
    ['a NaN', [0, NaN, 1, 1]],
  ])('does not store %s', (_, values) => expect(encodeSurface(values)).toBeUndefined());

  it('a damaged surface decodes to null', () => {
    const s = encodeSurface([0, 1, 2, 3])!;
    expect(decodeSurface({ ...s, side: 3 })).toBeNull();
    expect(decodeSurface({ ...s, data: '%%%%' })).toBeNull();
  });
});
