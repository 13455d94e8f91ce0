/**
 * Image augmentation for the training split: every image gets its own random shift, rotation,
 * horizontal flip and pixel noise, drawn afresh at every epoch. Works on standardised rows (what
 * a worker holds): each pixel goes back to raw units, the image is resampled (bilinear, the
 * background fills what moves in), noise is added, and the result is standardised again.
 * Pure TypeScript, seeded: the same rng gives the same images.
 */
import { modelValue } from '../experiment/defaults';
import type { ModelSpec } from '../experiment/types';
import type { Rng } from '../search/rng';
import type { ImageLayout } from '../train/types';

/** What to do to each training image (ModelSpec's aug* fields). */
export interface Augmentation {
  /** largest shift, pixels, each axis. */
  shift: number;
  /** largest rotation, degrees either way. */
  rotate: number;
  /** Gaussian noise sd, fraction of the pixel range. */
  noise: number;
  flip: boolean;
}

/** The augmentation a model asks for, or null when it asks for none. */
export function augmentationOf(m: ModelSpec): Augmentation | null {
  const a = { shift: modelValue(m, 'augShift'), rotate: modelValue(m, 'augRotate'), noise: modelValue(m, 'augNoise'), flip: modelValue(m, 'augFlip') === 'horizontal' };
  return a.shift > 0 || a.rotate > 0 || a.noise > 0 || a.flip ? a : null;
}

/** A standard normal draw (Box–Muller). */
function gauss(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * `n` augmented copies of the standardised image rows `x` [n, d] (d = width·height·channels):
 * a new array, `x` is left alone. Each image: flip (half of them, when asked), rotate by
 * U(−rotate, rotate) degrees about its centre, shift by U(−shift, shift) pixels per axis, then add
 * N(0, noise·maxValue) to every raw pixel, clamped to the pixel range.
 */
export function augmentImages(x: Float32Array, n: number, img: ImageLayout, a: Augmentation, rng: Rng): Float32Array {
  const { width: w, height: h, channels: c, mean, std, maxValue } = img;
  const d = w * h * c;
  if (x.length !== n * d) throw new Error(`augmentImages: ${x.length} values are not ${n} images of ${w}×${h}×${c}`);
  const out = new Float32Array(n * d);
  const raw = new Float32Array(d);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) raw[j] = x[o + j] * std[j] + mean[j];
    const flip = a.flip && rng() < 0.5;
    const theta = a.rotate > 0 ? ((rng() * 2 - 1) * a.rotate * Math.PI) / 180 : 0;
    const dx = a.shift > 0 ? (rng() * 2 - 1) * a.shift : 0;
    const dy = a.shift > 0 ? (rng() * 2 - 1) * a.shift : 0;
    const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        // the source of output pixel (q, r): undo the shift, then the rotation, then the flip
        const ux = q - dx - cx;
        const uy = r - dy - cy;
        let sx = cos * ux + sin * uy + cx;
        const sy = -sin * ux + cos * uy + cy;
        if (flip) sx = w - 1 - sx;
        for (let k = 0; k < c; k++) {
          let v = bilinear(raw, w, h, c, k, sx, sy);
          if (a.noise > 0) v = Math.min(maxValue, Math.max(0, v + gauss(rng) * a.noise * maxValue));
          const j = (r * w + q) * c + k;
          out[o + j] = (v - mean[j]) / std[j];
        }
      }
    }
  }
  return out;
}

/** Raw pixel value at (sx, sy) of channel k, bilinear; 0 (background) outside the image. */
function bilinear(raw: Float32Array, w: number, h: number, c: number, k: number, sx: number, sy: number): number {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const at = (x: number, y: number) => (x >= 0 && x < w && y >= 0 && y < h ? raw[(y * w + x) * c + k] : 0);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}
