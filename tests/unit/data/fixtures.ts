/** Test helpers: the shipped dataset files read from disk, and a fetch that serves them. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FetchFn } from '../../../src/lib/data/types';

/** Absolute path of the app's datasets/ folder. */
export const DATASETS_DIR = fileURLToPath(new URL('../../../datasets/', import.meta.url));

/** A copy of a file's bytes as a standalone ArrayBuffer. */
export function readBytes(file: string): ArrayBuffer {
  const b = readFileSync(DATASETS_DIR + file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Header (parsed JSON, untyped) and payload of a shipped dataset. */
export function readMlpg(id: string): { header: Record<string, unknown>; bin: ArrayBuffer } {
  const header = JSON.parse(new TextDecoder().decode(readBytes(`${id}.json`))) as Record<string, unknown>;
  return { header, bin: readBytes(`${id}.bin`) };
}

/** A fetch serving files of datasets/ by base name; 404 for anything missing. Records requested URLs. */
export function diskFetch(requested: string[] = []): FetchFn {
  return async (url) => {
    requested.push(url);
    try {
      return new Response(readBytes(basename(url)));
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}
