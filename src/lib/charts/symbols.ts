/** SVG path strings of the verdict point shapes (d3-shape symbols), so shape repeats what colour says. */
import { symbol, symbolCircle, symbolCross, symbolDiamond, symbolSquare, symbolStar, symbolTriangle, symbolWye, type SymbolType } from 'd3-shape';
import { verdictStyle, type VerdictStyle } from './palette';

const SHAPES: Record<VerdictStyle['symbol'], SymbolType> = {
  circle: symbolCircle, triangle: symbolTriangle, square: symbolSquare, cross: symbolCross,
  diamond: symbolDiamond, star: symbolStar, wye: symbolWye,
};

/** Path `d` of the named shape centred on (0, 0); `area` in square pixels. */
export function symbolPath(shape: VerdictStyle['symbol'], area: number): string {
  return symbol(SHAPES[shape], area)() ?? '';
}

/** Path `d` of the point shape of a verdict kind or trial state (see VERDICT_STYLE). */
export function verdictSymbol(kind: string | undefined, area: number): string {
  return symbolPath(verdictStyle(kind).symbol, area);
}
