/**
 * Export of a chart as a standalone SVG or a PNG, and file downloads. The chart's <svg>
 * elements (with their computed styles inlined) and <canvas> elements (as embedded images) are
 * placed where they sit on screen inside `root`, under the chart's title, with an optional note.
 */
import { styleDecl, wrapText } from '../../lib/charts/export';

const NS = 'http://www.w3.org/2000/svg';
const TITLE_H = 26;
const NOTE_LINE = 15;
const PAD = 8;

/** A clone of `svg` whose elements carry their computed styles, so it renders the same outside the page. */
function inlined(svg: SVGSVGElement): SVGSVGElement {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  const drop: Element[] = [];
  src.forEach((el, i) => {
    const out = dst[i];
    const cs = getComputedStyle(el);
    if (cs.display === 'none') {
      drop.push(out);
      return;
    }
    const style = styleDecl((p) => cs.getPropertyValue(p));
    if (style) out.setAttribute('style', style);
    else out.removeAttribute('style');
    out.removeAttribute('tabindex');
    out.removeAttribute('class');
  });
  drop.forEach((el) => el.remove());
  return clone;
}

/** The SVG text of everything drawn inside `root`, with `title` on top and `note` (wrapped) below. */
export function composeSvg(root: HTMLElement, title: string, note = ''): { text: string; width: number; height: number } {
  const box = root.getBoundingClientRect();
  const width = Math.ceil(box.width);
  const noteLines = note ? wrapText(note, Math.max(30, Math.floor((width - 2 * PAD) / 6.2))) : [];
  const bodyH = Math.ceil(box.height);
  const height = TITLE_H + bodyH + (noteLines.length ? noteLines.length * NOTE_LINE + PAD : 0);
  const out = document.createElementNS(NS, 'svg');
  out.setAttribute('xmlns', NS);
  out.setAttribute('width', String(width));
  out.setAttribute('height', String(height));
  out.setAttribute('viewBox', `0 0 ${width} ${height}`);
  out.setAttribute('font-family', getComputedStyle(root).fontFamily);
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#ffffff');
  out.append(bg);
  const head = document.createElementNS(NS, 'text');
  head.setAttribute('x', String(PAD));
  head.setAttribute('y', '18');
  head.setAttribute('style', 'font-size:14px;font-weight:600;fill:#1d1d1f');
  head.textContent = title;
  out.append(head);
  const body = document.createElementNS(NS, 'g');
  body.setAttribute('transform', `translate(0,${TITLE_H})`);
  out.append(body);
  for (const el of root.querySelectorAll<HTMLCanvasElement | SVGSVGElement>('svg, canvas')) {
    if (el.parentElement?.closest('svg') || el.closest('[data-export-skip]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const at = { x: String(r.left - box.left), y: String(r.top - box.top), width: String(r.width), height: String(r.height) };
    if (el instanceof HTMLCanvasElement) {
      const img = document.createElementNS(NS, 'image');
      for (const [k, v] of Object.entries(at)) img.setAttribute(k, v);
      img.setAttribute('preserveAspectRatio', 'none');
      img.setAttribute('href', el.toDataURL('image/png'));
      body.append(img);
    } else {
      const c = inlined(el);
      for (const [k, v] of Object.entries(at)) c.setAttribute(k, v);
      c.removeAttribute('role');
      body.append(c);
    }
  }
  noteLines.forEach((line, i) => {
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('x', String(PAD));
    t.setAttribute('y', String(TITLE_H + bodyH + PAD + (i + 0.8) * NOTE_LINE));
    t.setAttribute('style', 'font-size:11.5px;fill:#444');
    t.textContent = line;
    out.append(t);
  });
  return { text: new XMLSerializer().serializeToString(out), width, height };
}

/** Renders SVG text to a PNG at `scale`× its size (white background, as composed). */
export async function svgToPng(text: string, width: number, height: number, scale = 2): Promise<Blob> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw to a canvas.');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, width, height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed.'))), 'image/png'));
}

/** Saves `blob` as a file named `name` through a temporary <a download>. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
