/**
 * Brush maths for a vertical axis, free of the DOM: a brush is a span of the axis as fractions
 * 0..1 of its length measured from the low (bottom) end; the chart converts fractions to data
 * units with its scale, so log and categorical axes brush the same way.
 */

/** [lo, hi] fractions of the axis length from the bottom, 0 <= lo <= hi <= 1. */
export type Span = [number, number];

/** Keyboard actions on a focused brush axis. */
export type BrushAction = 'up' | 'down' | 'grow' | 'shrink';

/** Defaults; one place. */
export const BRUSH_DEFAULTS = {
  /** how far one key press moves or resizes the brush, fraction of the axis. */
  step: 0.05,
  /** the brush a first key press creates on an unbrushed axis. */
  initial: [0.35, 0.65] as Span,
  /** the thinnest brush the keyboard can make, fraction of the axis. */
  minSpan: 0.02,
  /** a pointer drag shorter than this (pixels) is a click: it clears the axis's brush. */
  clickPx: 3,
} as const;

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * The span between two pointer positions `a`, `b` (pixels from the top of an axis `length`
 * pixels long), sorted and clamped to the axis.
 */
export function spanFromPixels(a: number, b: number, length: number): Span {
  if (!(length > 0)) return [0, 0];
  const fa = clamp01(1 - a / length);
  const fb = clamp01(1 - b / length);
  return [Math.min(fa, fb), Math.max(fa, fb)];
}

/** Pixels from the top of an axis `length` long of the span's [top, bottom] edges. */
export function spanToPixels(span: Span, length: number): [number, number] {
  return [(1 - span[1]) * length, (1 - span[0]) * length];
}

/**
 * The span after one key press: 'up'/'down' move it by `step` without leaving the axis;
 * 'grow'/'shrink' widen or narrow it by `step` about its centre (never below minSpan). With no
 * span yet, any action starts from BRUSH_DEFAULTS.initial.
 */
export function nudgeSpan(span: Span | null, action: BrushAction, step: number = BRUSH_DEFAULTS.step): Span {
  if (!span) return [...BRUSH_DEFAULTS.initial];
  let [lo, hi] = span[0] <= span[1] ? span : [span[1], span[0]];
  const w = hi - lo;
  switch (action) {
    case 'up': {
      const d = Math.min(step, 1 - hi);
      return [lo + d, hi + d];
    }
    case 'down': {
      const d = Math.min(step, lo);
      return [lo - d, hi - d];
    }
    case 'grow':
      lo = clamp01(lo - step / 2);
      hi = clamp01(hi + step / 2);
      return [lo, hi];
    case 'shrink': {
      const nw = Math.max(BRUSH_DEFAULTS.minSpan, w - step);
      if (nw >= w) return [lo, hi];
      const c = (lo + hi) / 2;
      return [c - nw / 2, c + nw / 2];
    }
  }
}

/** The BrushAction of a keyboard key (Shift turns up/down into grow/shrink; + and - too), or null. */
export function brushActionOf(key: string, shift: boolean): BrushAction | null {
  if (key === 'ArrowUp') return shift ? 'grow' : 'up';
  if (key === 'ArrowDown') return shift ? 'shrink' : 'down';
  if (key === '+' || key === '=') return 'grow';
  if (key === '-') return 'shrink';
  return null;
}
