/**
 * The DOM-free half of exporting a chart: which computed styles to copy into a standalone
 * SVG, file names, and wrapping a note into lines.
 */

/** Computed style properties copied onto every exported SVG element, with the value that needs no copy. */
export const EXPORT_STYLE_DEFAULTS: Record<string, string> = {
  fill: 'rgb(0, 0, 0)',
  'fill-opacity': '1',
  stroke: 'none',
  'stroke-width': '1px',
  'stroke-dasharray': 'none',
  'stroke-opacity': '1',
  'stroke-linecap': 'butt',
  'stroke-linejoin': 'miter',
  opacity: '1',
  'font-size': '',
  'font-weight': '',
  'font-family': '',
  'text-anchor': 'start',
  'dominant-baseline': 'auto',
  visibility: 'visible',
  display: 'inline',
  'paint-order': 'normal',
};

/**
 * The `style` attribute for an exported element: every property of EXPORT_STYLE_DEFAULTS whose
 * computed value (from `get`) is set and differs from its default, as "prop:value;…".
 * Font properties are always written (an empty default) so text keeps its look outside the page.
 */
export function styleDecl(get: (prop: string) => string): string {
  const out: string[] = [];
  for (const [prop, dflt] of Object.entries(EXPORT_STYLE_DEFAULTS)) {
    const v = get(prop).trim();
    if (v && v !== dflt) out.push(`${prop}:${v}`);
  }
  return out.join(';');
}

/** A file name from a chart title: "Gap map: lr × batch" -> "gap-map-lr-batch.svg". */
export function exportFilename(title: string, ext: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents, split off by NFKD
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${slug || 'chart'}.${ext}`;
}

/** Splits `text` into lines of at most `maxChars` characters at spaces (a longer word gets its own line). */
export function wrapText(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + word.length > maxChars) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}
