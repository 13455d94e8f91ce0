import { VERDICT_LABELS } from '../analysis/verdict';

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

/** Display order of verdict kinds and trial states in legends and filters (good first, live trials last). */
export const KIND_ORDER: readonly string[] = ['good', 'improving', 'underfitting', 'overfitting', 'unstable', 'diverged', 'pruned', 'complete', 'failed', 'cancelled', 'running'];

const STATE_LABELS: Record<string, string> = { pruned: 'Pruned', complete: 'Complete', failed: 'Failed', cancelled: 'Cancelled', running: 'Running' };

/** Label of a verdict kind or trial state: 'overfitting' -> 'Overfitting', 'running' -> 'Running'. */
export function kindLabel(kind: string): string {
  return VERDICT_LABELS[kind as keyof typeof VERDICT_LABELS] ?? STATE_LABELS[kind] ?? kind;
}

/** `kinds` without duplicates, in KIND_ORDER (unknown kinds last, alphabetically). */
export function orderKinds(kinds: Iterable<string>): string[] {
  const rank = (k: string) => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...new Set(kinds)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** WCAG relative luminance of a '#rrggbb' colour, 0 (black) .. 1 (white). */
export function luminance(hex: string): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = hexToRgb(hex);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white, whichever has the higher contrast on the '#rrggbb' background `bg` (for text in heatmap cells). */
export function readableOn(bg: string): '#000000' | '#ffffff' {
  const l = luminance(bg);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}
