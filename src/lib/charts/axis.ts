import { format } from 'd3-format';

/** A tick: position in pixels and its label. */
export interface Tick {
  pos: number;
  label: string;
}

/** Anything with d3's continuous-scale tick interface. */
interface TickScale {
  (v: number): number;
  ticks(count?: number): number[];
}

const fmtSmall = format('.1~e');
const fmtGeneral = format('~r');

/** Formats a tick value compactly: 0.001 -> "1e-3", 0.25 -> "0.25", 1500 -> "1.5k". */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (v === 0) return '0';
  if (a < 1e-2 || a >= 1e5) return fmtSmall(v).replace('e-', 'e−').replace('e+', 'e');
  if (a >= 1000) return format('~s')(v);
  return fmtGeneral(Number(v.toPrecision(3)));
}

/** Ticks of a linear or log scale; log scales keep only the powers of ten (and 2×, 5× when few decades). */
export function ticksOf(scale: TickScale, count: number, log = false): Tick[] {
  let values = scale.ticks(count);
  if (log && values.length > count) {
    // Within less than a decade d3 already returns a few plain ticks; thin out only long lists.
    const decades = values.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    const few = decades.length < 3;
    const kept = values.filter((v) => {
      const m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
      return Math.abs(m - 1) < 1e-6 || (few && (Math.abs(m - 2) < 1e-6 || Math.abs(m - 5) < 1e-6));
    });
    if (kept.length >= 2) values = kept;
  }
  return values.map((v) => ({ pos: scale(v), label: tickLabel(v) }));
}

/** Human duration: 950 -> "950 ms", 12_400 -> "12 s", 125_000 -> "2 min 5 s". */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
