/**
 * How each search strategy is drawn when several are compared (the strategy race): an
 * Okabe–Ito colour and a dash pattern, so lines differ by more than colour. One place per fact.
 */
import type { StrategyKind } from '../experiment/types';
import { OKABE_ITO } from './palette';

/** Colour and SVG stroke-dasharray ('' = solid) of a strategy's line. */
export interface StrategyStyle {
  color: string;
  dash: string;
}

/** Style per strategy kind; no yellow (too pale on white), and no two kinds share a dash pattern. */
export const STRATEGY_STYLE: Record<StrategyKind, StrategyStyle> = {
  random: { color: OKABE_ITO.black, dash: '' },
  tpe: { color: OKABE_ITO.blue, dash: '8 3' },
  gp: { color: OKABE_ITO.vermillion, dash: '2 2' },
  evolution: { color: OKABE_ITO.green, dash: '10 3 2 3' },
  quasirandom: { color: OKABE_ITO.skyBlue, dash: '4 4' },
  grid: { color: OKABE_ITO.purple, dash: '1 4' },
  manual: { color: OKABE_ITO.orange, dash: '12 4' },
};

/** A strategy's short name for a sentence: its registry label without the parenthesis ("TPE (Bayesian)" -> "TPE"). */
export function shortLabel(label: string): string {
  return label.replace(/\s*\(.*\)\s*$/, '');
}
