/**
 * Colour-blind-safe colours (Okabe & Ito, 2008) and the marks that go with them, so that no
 * meaning is carried by colour alone: verdicts also get a glyph and a dash pattern.
 */

/** The Okabe–Ito palette. */
export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
  grey: '#8c8c8c',
} as const;

/** Everything a chart needs to draw one verdict kind. */
export interface VerdictStyle {
  color: string;
  /** a one-character glyph shown beside the label and used as the point shape in scatters. */
  glyph: string;
  /** d3 symbol name for scatter points. */
  symbol: 'circle' | 'triangle' | 'square' | 'cross' | 'diamond' | 'star' | 'wye';
}

/** Style per verdict kind (keys match analysis/verdict kinds; 'running' and 'pending' for live trials). */
export const VERDICT_STYLE: Record<string, VerdictStyle> = {
  good: { color: OKABE_ITO.green, glyph: '✓', symbol: 'circle' },
  overfitting: { color: OKABE_ITO.vermillion, glyph: '▲', symbol: 'triangle' },
  underfitting: { color: OKABE_ITO.blue, glyph: '▼', symbol: 'square' },
  improving: { color: OKABE_ITO.skyBlue, glyph: '↗', symbol: 'diamond' },
  unstable: { color: OKABE_ITO.purple, glyph: '~', symbol: 'wye' },
  diverged: { color: OKABE_ITO.black, glyph: '✕', symbol: 'cross' },
  pruned: { color: OKABE_ITO.orange, glyph: '✂', symbol: 'star' },
  running: { color: OKABE_ITO.grey, glyph: '…', symbol: 'circle' },
  failed: { color: OKABE_ITO.grey, glyph: '!', symbol: 'cross' },
  cancelled: { color: OKABE_ITO.grey, glyph: '–', symbol: 'cross' },
};

/** Style for a verdict or state, grey when unknown. */
export function verdictStyle(kind: string | undefined): VerdictStyle {
  return (kind && VERDICT_STYLE[kind]) || VERDICT_STYLE.running;
}

/** Two-class colours for 2-D data points and decision surfaces (blue vs orange, as TF Playground, CB-safe). */
export const CLASS_COLORS = [OKABE_ITO.blue, OKABE_ITO.orange, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.vermillion, OKABE_ITO.skyBlue, OKABE_ITO.yellow, OKABE_ITO.black, '#999999', '#663300'] as const;

/** Parses '#rrggbb' to [r, g, b] 0..255. */
export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Blend of two '#rrggbb' colours, t in 0..1 (0 = a). Used to shade a class-probability surface. */
export function mixRgb(a: string, b: string, t: number): [number, number, number] {
  const [ar, ag, ab] = hexToRgb(a);
  const [br, bg, bb] = hexToRgb(b);
  const k = Math.min(1, Math.max(0, t));
  return [ar + (br - ar) * k, ag + (bg - ag) * k, ab + (bb - ab) * k];
}
