/**
 * Decision surfaces (side² values, row-major, see TrialResult.boundary) stored in a record as one
 * byte per value, base64-encoded: class indices exactly, probabilities and predictions to 1/255 of
 * their range. About 3 kB per 48 × 48 surface.
 */
import type { StoredSurface } from './types';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Standard base64 (with '=' padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i], bytes[i + 1] ?? 0, bytes[i + 2] ?? 0];
    const n = (a << 16) | (b << 8) | c;
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
  }
  return out;
}

/** Bytes of a standard base64 string, or null when it is not base64. */
export function fromBase64(s: string): Uint8Array | null {
  if (s.length % 4 !== 0) return null;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < s.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const ch = s[i + j];
      const d = ch === '=' && i + j >= s.length - pad ? 0 : INDEX.get(ch);
      if (d === undefined) return null;
      n = (n << 6) | d;
    }
    for (const [k, shift] of [[0, 16], [1, 8], [2, 0]] as const) if (o + k < out.length) out[o + k] = (n >> shift) & 255;
    o += 3;
  }
  return out;
}

/** A surface for storage; undefined when `values` is not a non-empty square or holds a non-finite value. */
export function encodeSurface(values: ArrayLike<number>): StoredSurface | undefined {
  const side = Math.round(Math.sqrt(values.length));
  if (side === 0 || side * side !== values.length) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  let ints = true;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) return undefined;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    ints &&= Number.isInteger(x);
  }
  ints &&= hi - lo <= 255;
  const span = hi - lo || 1;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = ints ? values[i] - lo : Math.round(((values[i] - lo) / span) * 255);
  return { side, lo, hi, ints, data: toBase64(bytes) };
}

/** The values of a stored surface (side² of them), or null when it is damaged. */
export function decodeSurface(s: StoredSurface): Float32Array | null {
  const bytes = fromBase64(s.data);
  if (!bytes || bytes.length !== s.side * s.side || !(s.hi >= s.lo)) return null;
  const span = s.hi - s.lo || 1;
  return Float32Array.from(bytes, (q) => (s.ints ? s.lo + q : s.lo + (q / 255) * span));
}
