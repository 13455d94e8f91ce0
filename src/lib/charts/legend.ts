/**
 * Layout of a legend drawn inside an SVG (so that it survives export): items flow left to
 * right and wrap to new rows, like inline text.
 */

/** Defaults; one place. */
export const LEGEND = {
  /** row height, pixels. */
  rowHeight: 18,
  /** gap between items, pixels. */
  gap: 14,
  /** width of an item's mark (symbol, line or swatch) plus its gap to the label, pixels. */
  mark: 22,
  /** average glyph width as a fraction of the font size (system sans-serif). */
  charWidth: 0.58,
} as const;

/** Estimated width of `text` at `fontSize` pixels (no DOM measuring, so layout is pure). */
export function textWidth(text: string, fontSize = 11): number {
  return [...text].length * fontSize * LEGEND.charWidth;
}

/** Position of one legend item (top-left of its row box), and the total height. */
export interface FlowLayout {
  items: { x: number; y: number }[];
  /** rows × rowHeight; 0 when there are no items. */
  height: number;
}

/**
 * Positions of items of the given widths flowing into rows at most `maxWidth` wide; an item
 * wider than the row gets a row of its own.
 */
export function flowLayout(widths: readonly number[], maxWidth: number, rowHeight: number = LEGEND.rowHeight, gap: number = LEGEND.gap): FlowLayout {
  const items: { x: number; y: number }[] = [];
  let x = 0;
  let row = 0;
  for (const w of widths) {
    if (x > 0 && x + w > maxWidth) {
      x = 0;
      row++;
    }
    items.push({ x, y: row * rowHeight });
    x += w + gap;
  }
  return { items, height: widths.length ? (row + 1) * rowHeight : 0 };
}

/** One legend entry: a mark and its label. `kind` picks the verdict symbol for 'symbol' marks. */
export interface LegendItem {
  label: string;
  color: string;
  mark: 'symbol' | 'line' | 'dash' | 'swatch' | 'dot' | 'ring' | 'none';
  kind?: string;
  /** stroke-dasharray of a 'line' mark ('' or absent: solid). */
  dash?: string;
}

/** Layout of `items` flowing into `maxWidth` (label widths estimated at 11 px). */
export function legendLayout(items: readonly Pick<LegendItem, 'label'>[], maxWidth: number): FlowLayout {
  return flowLayout(items.map((i) => LEGEND.mark + textWidth(i.label)), maxWidth);
}
