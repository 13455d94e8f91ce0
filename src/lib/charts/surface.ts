/**
 * Painting of a 2-D decision surface and of the data points over it, shared by the large data
 * view and the per-trial thumbnails so both read the same way: blue (class 0) through white to
 * orange (class 1), pale enough for points to stay readable.
 */
import { CLASS_COLORS, mixRgb, hexToRgb } from './palette';

/** Opacity (0..255) of the surface shading over the plot background. */
export const SURFACE_ALPHA = 120;

/** What the surface values mean: class-1 probability (binary), argmax class index (multi-class). */
export interface SurfaceOptions {
  /** classes of the task: 2 = values are P(class 1) in 0..1; > 2 = values are class indices. */
  nClasses: number;
  /** opacity 0..255 of every pixel; default SURFACE_ALPHA. */
  alpha?: number;
}

/** The RGBA pixels of a square surface. */
export interface SurfaceImage {
  /** side of the square grid, pixels. */
  side: number;
  /** side² × 4 bytes, row-major from the top-left (xmin, ymax), as TrialResult.boundary. */
  data: Uint8ClampedArray;
}

/**
 * RGBA pixels of `surface` (side² values, row-major from the top-left). Binary: P(class 1) blended
 * class-0 colour -> white (0.5) -> class-1 colour; multi-class: the colour of the predicted class.
 * A length that is not a perfect square gives side 0.
 */
export function surfaceRgba(surface: ArrayLike<number>, opts: SurfaceOptions): SurfaceImage {
  const side = Math.round(Math.sqrt(surface.length));
  if (side * side !== surface.length) return { side: 0, data: new Uint8ClampedArray(0) };
  const a = opts.alpha ?? SURFACE_ALPHA;
  const data = new Uint8ClampedArray(side * side * 4);
  const classRgb = CLASS_COLORS.map((c) => mixRgb(c, '#ffffff', 0.35));
  for (let i = 0; i < side * side; i++) {
    const q = surface[i];
    let rgb: [number, number, number];
    if (!Number.isFinite(q)) rgb = hexToRgb('#bbbbbb');
    else if (opts.nClasses > 2) rgb = classRgb[Math.round(q)] ?? hexToRgb('#bbbbbb');
    else rgb = q < 0.5 ? mixRgb(CLASS_COLORS[0], '#ffffff', q * 2) : mixRgb('#ffffff', CLASS_COLORS[1], (q - 0.5) * 2);
    data[i * 4] = rgb[0];
    data[i * 4 + 1] = rgb[1];
    data[i * 4 + 2] = rgb[2];
    data[i * 4 + 3] = a;
  }
  return { side, data };
}

/** The part of a 2-D canvas context the painters use (a real CanvasRenderingContext2D fits). */
export type Paint2D = Pick<CanvasRenderingContext2D,
  'fillRect' | 'drawImage' | 'beginPath' | 'arc' | 'fill' | 'stroke'> & {
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  lineWidth: number;
  imageSmoothingEnabled: boolean;
};

/** A box on the canvas, pixels. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const scratch = new Map<number, OffscreenCanvas>();

/**
 * Paints `img` smoothly scaled into `box`. Uses an OffscreenCanvas where there is one; otherwise
 * (tests, old browsers) one rectangle per grid cell.
 */
export function paintSurface(ctx: Paint2D, img: SurfaceImage, box: Box): void {
  const { side, data } = img;
  if (side === 0) return;
  if (typeof OffscreenCanvas !== 'undefined') {
    let off = scratch.get(side);
    if (!off) scratch.set(side, (off = new OffscreenCanvas(side, side)));
    off.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(data), side, side), 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, box.x, box.y, box.w, box.h);
    return;
  }
  const cw = box.w / side;
  const ch = box.h / side;
  for (let i = 0; i < side * side; i++) {
    const [r, g, b, a] = data.subarray(i * 4, i * 4 + 4);
    ctx.fillStyle = `rgba(${r},${g},${b},${(a / 255).toFixed(3)})`;
    ctx.fillRect(box.x + (i % side) * cw, box.y + Math.floor(i / side) * ch, cw, ch);
  }
}

/** How to draw one split's points. */
export interface PointStyle {
  /** radius, pixels. */
  radius: number;
  /** true: white fill with a class-coloured ring (validation); false: filled (training). */
  ring: boolean;
  /** ring or outline width, pixels. */
  lineWidth?: number;
}

/**
 * Draws 2-D points: `xs` [n, 2] row-major, `ys` [n] class indices, mapped by sx/sy into canvas
 * pixels (the caller's scales already include any box offset).
 */
export function paintPoints(ctx: Paint2D, xs: ArrayLike<number>, ys: ArrayLike<number>, sx: (v: number) => number, sy: (v: number) => number, style: PointStyle): void {
  for (let i = 0; i < ys.length; i++) {
    ctx.beginPath();
    ctx.arc(sx(xs[2 * i]), sy(xs[2 * i + 1]), style.radius, 0, 2 * Math.PI);
    const c = CLASS_COLORS[ys[i]] ?? '#000000';
    if (style.ring) {
      ctx.fillStyle = '#fff';
      ctx.fill();
      ctx.lineWidth = style.lineWidth ?? 1.8;
      ctx.strokeStyle = c;
      ctx.stroke();
    } else {
      ctx.fillStyle = c;
      ctx.fill();
      if ((style.lineWidth ?? 0.8) > 0) {
        ctx.lineWidth = style.lineWidth ?? 0.8;
        ctx.strokeStyle = '#fff';
        ctx.stroke();
      }
    }
  }
}
