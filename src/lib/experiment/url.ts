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

/** Decodes a URL hash (with or without '#'); never throws. */
export function decodeExperiment(hash: string): DecodeResult {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h.trim() === '') return { kind: 'empty' };
  if (h.length > MAX_HASH_LENGTH) return { kind: 'error', message: `The shared link is too long (${h.length} characters).` };
  if (!h.startsWith(HASH_PREFIX)) {
    const m = /^x(\d+)=/.exec(h);
    return { kind: 'error', message: m ? `The shared link uses format version ${m[1]}, which this version does not know.` : 'The shared link is not a Hyperparameter Playground link.' };
  }
  let json: string | null = null;
  try {
    json = LZString.decompressFromEncodedURIComponent(h.slice(HASH_PREFIX.length));
  } catch {
    json = null;
  }
  if (!json) return { kind: 'error', message: 'The shared link is damaged: it could not be decompressed.' };
  if (json.length > MAX_JSON_LENGTH) return { kind: 'error', message: 'The shared link holds too much data.' };
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { kind: 'error', message: 'The shared link is damaged: its content is not valid JSON.' };
  }
  const r = parseExperiment(data);
  if (!r.ok) return { kind: 'error', message: `The shared link has invalid settings: ${r.errors.join('; ')}.` };
  return { kind: 'ok', experiment: r.experiment };
}
