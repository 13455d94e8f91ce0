import LZString from 'lz-string';
import type { Experiment } from './types';
import { parseExperiment } from './validate';

/** Prefix of the v1 hash format: `#x1=<lz-string compressed JSON>`. */
export const HASH_PREFIX = 'x1=';
/** Hashes longer than this are refused before decompression (hostile input guard), characters. */
export const MAX_HASH_LENGTH = 16_000;
const MAX_JSON_LENGTH = 64_000;

/** Encodes an Experiment as a URL hash (without the leading '#'). Uses lz-string's URI-safe encoding. */
export function encodeExperiment(e: Experiment): string {
  return HASH_PREFIX + LZString.compressToEncodedURIComponent(JSON.stringify(e));
}

/** Result of reading a hash: empty (no hash), an experiment, or an error naming what was wrong. */
export type DecodeResult =
  | { kind: 'empty' }
  | { kind: 'ok'; experiment: Experiment }
  | { kind: 'error'; message: string };

/** lz-string's URI-safe alphabet: character -> 6-bit value. */
const URI_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';

/** What bounded decompression found: the text, or why there is none. */
export type Decompressed = { kind: 'ok'; text: string } | { kind: 'damaged' } | { kind: 'too-long' };

/**
 * lz-string's decompressFromEncodedURIComponent (same format, same output), except that it stops
 * as soon as the output would exceed `maxChars` characters. lz-string itself builds the whole
 * output first, and a 16,000-character link can expand to tens of millions of characters.
 */
export function decompressBounded(input: string, maxChars: number): Decompressed {
  const s = input.replace(/ /g, '+');
  if (s === '') return { kind: 'damaged' };
  const values = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const v = URI_ALPHABET.indexOf(s[i]);
    if (v < 0) return { kind: 'damaged' };
    values[i] = v;
  }
  // Bits are read least significant first, from 6-bit characters, most significant bit first.
  let val = values[0];
  let position = 32;
  let index = 1;
  const read = (nBits: number): number => {
    let bits = 0;
    for (let power = 1; power !== 2 ** nBits; power *= 2) {
      const bit = val & position;
      position >>= 1;
      if (position === 0) {
        position = 32;
        val = values[index++] ?? 0;
      }
      if (bit) bits += power;
    }
    return bits;
  };
  const literal = (code: number): string | null => (code === 0 ? String.fromCharCode(read(8)) : code === 1 ? String.fromCharCode(read(16)) : null);
  const head = read(2);
  if (head === 2) return { kind: 'ok', text: '' };
  const first = literal(head);
  if (first === null) return { kind: 'damaged' };
  const dictionary: string[] = ['', '', '', first];
  let dictSize = 4;
  let enlargeIn = 4;
  let numBits = 3;
  let w = first;
  const out = [first];
  let total = first.length;
  const grow = () => {
    if (--enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits++;
    }
  };
  for (;;) {
    if (index > s.length) return { kind: 'damaged' };
    let code = read(numBits);
    if (code === 2) return { kind: 'ok', text: out.join('') };
    const lit = code < 2 ? literal(code) : null;
    if (lit !== null) {
      dictionary[dictSize++] = lit;
      code = dictSize - 1;
      grow();
    }
    let entry: string;
    if (code < dictSize) entry = dictionary[code];
    else if (code === dictSize) entry = w + w.charAt(0);
    else return { kind: 'damaged' };
    total += entry.length;
    if (total > maxChars) return { kind: 'too-long' };
    out.push(entry);
    dictionary[dictSize++] = w + entry.charAt(0);
    grow();
    w = entry;
  }
}

/** `text` without its closing full stop(s), to be joined into a longer sentence that ends with one. */
const clause = (text: string): string => text.replace(/\.+$/, '');

/** Decodes a URL hash (with or without '#'); never throws. */
export function decodeExperiment(hash: string): DecodeResult {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h.trim() === '') return { kind: 'empty' };
  if (h.length > MAX_HASH_LENGTH) return { kind: 'error', message: `The shared link is too long (${h.length} characters).` };
  if (!h.startsWith(HASH_PREFIX)) {
    const m = /^x(\d+)=/.exec(h);
    return { kind: 'error', message: m ? `The shared link uses format version ${m[1]}, which this version does not know.` : 'The shared link is not a Hyperparameter Playground link.' };
  }
  const d = decompressBounded(h.slice(HASH_PREFIX.length), MAX_JSON_LENGTH);
  if (d.kind === 'too-long') return { kind: 'error', message: 'The shared link holds too much data.' };
  if (d.kind === 'damaged' || d.text === '') return { kind: 'error', message: 'The shared link is damaged: it could not be decompressed.' };
  let data: unknown;
  try {
    data = JSON.parse(d.text);
  } catch {
    return { kind: 'error', message: 'The shared link is damaged: its content is not valid JSON.' };
  }
  const r = parseExperiment(data);
  if (!r.ok) return { kind: 'error', message: `The shared link has invalid settings: ${r.errors.map(clause).join('; ')}.` };
  return { kind: 'ok', experiment: r.experiment };
}
