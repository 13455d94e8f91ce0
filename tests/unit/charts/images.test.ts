import { describe, expect, it } from 'vitest';
import { filterPictures, pixelPicture, rawRow, samplesPerClass } from '../../../src/lib/charts/images';

describe('image pictures', () => {
  it('draws ink dark on white, and undoes the standardisation of a row', () => {
    const p = pixelPicture([0, 255, 128, 0], 2, 2, 1, 255);
    expect(Array.from(p.rgba.slice(0, 8))).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
    const img = { width: 2, height: 1, channels: 1, maxValue: 1, mean: [1, 2], std: [2, 4] };
    expect(Array.from(rawRow(Float32Array.from([9, 9, 0.5, -0.5]), 1, img))).toEqual([2, 0]);
  });

  it('puts every filter on one diverging scale: white at 0, orange positive, purple negative', () => {
    // a 1×1 kernel, one channel, three filters: +2, 0, −2
    const { pictures, bound } = filterPictures({ kernel: 1, channels: 1, count: 3, weights: [2, 0, -2] });
    expect(bound).toBe(2);
    const [pos, zero, neg] = pictures.map((p) => Array.from(p.rgba.slice(0, 3)));
    expect(zero.every((v) => v > 230)).toBe(true);
    expect(pos[0]).toBeGreaterThan(pos[2]); // orange: red over blue
    expect(neg[2]).toBeGreaterThan(neg[1]); // purple: blue over green
  });

  it('picks the first rows of each class', () => {
    expect(samplesPerClass([1, 0, 1, 1, 2, 0], 3, 2)).toEqual([[1, 5], [0, 2], [4]]);
  });
});
