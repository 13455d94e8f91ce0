/**
 * Pixels for the image views: dataset images in grey, learned filters on a diverging scale.
 * Pure functions returning RGBA bytes; the components put them on a canvas.
 */
import { interpolatePuOr } from 'd3-scale-chromatic';
import type { ImageLayout } from '../train/types';

/** An RGBA picture of `width` × `height` pixels. */
export interface Picture {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** Raw pixels (0..maxValue, row-major, `channels` per pixel) as a picture: ink dark on white,
 *  as the digits were written; three channels are shown as colour. */
export function pixelPicture(raw: ArrayLike<number>, width: number, height: number, channels: number, maxValue: number): Picture {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) {
      const v = raw[p * channels + (channels === 3 ? k : 0)] / maxValue;
      rgba[p * 4 + k] = 255 - 255 * Math.min(1, Math.max(0, v));
    }
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** Row `i` of standardised rows `x` back in raw pixel units (undoing the layout's standardisation). */
export function rawRow(x: Float32Array, i: number, img: ImageLayout): Float32Array {
  const d = img.width * img.height * img.channels;
  return Float32Array.from({ length: d }, (_, j) => x[i * d + j] * img.std[j] + img.mean[j]);
}

/**
 * Each learned filter of a first conv layer (`weights` in [kh, kw, in, out] order) as a picture,
 * channel-averaged, on a purple–orange diverging scale centred on 0 and shared by all filters
 * (so their strengths compare): purple negative, white 0, orange positive. Also returns that scale's bound.
 */
export function filterPictures(f: { kernel: number; channels: number; count: number; weights: number[] }): { pictures: Picture[]; bound: number } {
  const { kernel: k, channels: c, count: n, weights: w } = f;
  const bound = Math.max(1e-12, ...w.map(Math.abs));
  const pictures = Array.from({ length: n }, (_, o) => {
    const rgba = new Uint8ClampedArray(k * k * 4);
    for (let p = 0; p < k * k; p++) {
      let v = 0;
      for (let ch = 0; ch < c; ch++) v += w[(p * c + ch) * n + o] / c;
      const rgb = rgbOf(interpolatePuOr(0.5 + v / bound / 2));
      rgba.set([...rgb, 255], p * 4);
    }
    return { width: k, height: k, rgba };
  });
  return { pictures, bound };
}

/** 'rgb(r, g, b)' or '#rrggbb' as three bytes. */
function rgbOf(css: string): [number, number, number] {
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(css);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = css.replace('#', '');
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

/** Rows of `y` to show per class: the first `per` rows of each class, in class order. */
export function samplesPerClass(y: ArrayLike<number>, classes: number, per: number): number[][] {
  const out: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    if (out[c] && out[c].length < per) out[c].push(i);
  }
  return out;
}
