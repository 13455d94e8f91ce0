/**
 * The results link: a study's digest (see digest.ts) compressed with lz-string into a URL hash,
 * `#s1=<...>`. A study fits when its hash is at most STUDY_LINK_LIMIT characters: 64 trials of
 * 4 searched hyperparameters with noisy curves take about 6,600 characters at 12 points per
 * curve; bigger studies get fewer points (LINK_POINTS), and past that should be shared as a file.
 * Opening a link gives a read-only record (origin 'link', no search log). Never throws.
 */
import LZString from 'lz-string';
import { decompressBounded } from '../experiment/url';
import * as v from 'valibot';
import { VERDICT_KINDS } from '../analysis/verdict';
import { searchedParams } from '../experiment/params';
import { parseExperiment } from '../experiment/validate';
import { digestOf, sampleIndices, STATE_CODES, studyOfDigest, type Digest } from './digest';
import { neverThrow, parseJson } from './json';
import { parseStudy } from './schema';
import { STUDY_LIMITS, type StudyDecode, type StudyRecord } from './types';

/** Prefix of a results link's hash (format 1). */
export const STUDY_LINK_PREFIX = 's1=';
/** Longest hash a results link may have, characters (≈ 8 KB; every browser and chat app keeps it). */
export const STUDY_LINK_LIMIT = 8192;
/** Points per curve tried in turn until the link fits. */
export const LINK_POINTS = [12, 8, 5] as const;
/** Longest decompressed digest read, characters. */
const MAX_DIGEST_CHARS = 400_000;

/** Whether a hash (with or without '#') is a results link rather than an experiment link. */
export function isStudyLink(hash: string): boolean {
  return /^#?s\d+=/.test(hash);
}

/** The hash of a study's digest with `points` per curve (without '#'), whatever its length. */
export function encodeStudyLink(study: StudyRecord, points: number = LINK_POINTS[0]): string {
  return STUDY_LINK_PREFIX + LZString.compressToEncodedURIComponent(JSON.stringify(digestOf(study, points)));
}

/** A results link for `study`, with the most points per curve that fit; or, when none fits, its size. */
export type StudyLink = { kind: 'ok'; hash: string; points: number } | { kind: 'too-long'; chars: number; limit: number };

/** The results link of `study` within STUDY_LINK_LIMIT, or 'too-long' (offer the file instead). */
export function studyLink(study: StudyRecord): StudyLink {
  let chars = 0;
  for (const points of LINK_POINTS) {
    const hash = encodeStudyLink(study, points);
    if (hash.length <= STUDY_LINK_LIMIT) return { kind: 'ok', hash, points };
    chars = hash.length;
  }
  return { kind: 'too-long', chars, limit: STUDY_LINK_LIMIT };
}

/** Whether `study` can be shared as a results link. */
export function fitsInLink(study: StudyRecord): boolean {
  return studyLink(study).kind === 'ok';
}

const int = v.pipe(v.number(), v.integer());
const n = v.nullable(v.pipe(v.number(), v.finite()));
const qs = v.pipe(v.array(v.pipe(int, v.minValue(-1), v.maxValue(99))), v.maxLength(LINK_POINTS[0]));
const rowSchema = v.tuple([
  v.pipe(int, v.minValue(0)),
  v.pipe(v.array(n), v.maxLength(16)),
  v.pipe(int, v.minValue(0), v.maxValue(STATE_CODES.length - 1)),
  v.pipe(int, v.minValue(-1), v.maxValue(VERDICT_KINDS.length - 1)),
  v.pipe(int, v.minValue(0), v.maxValue(STUDY_LIMITS.maxEpochs)),
  v.pipe(v.array(n), v.maxLength(4)),
  v.pipe(v.number(), v.finite()),
  v.pipe(v.number(), v.finite()),
  qs,
  qs,
]);
const digestSchema = v.object({
  e: v.unknown(),
  n: v.pipe(v.string(), v.maxLength(200)),
  a: v.optional(v.pipe(v.string(), v.maxLength(200))),
  c: v.pipe(v.number(), v.finite()),
  h: v.optional(v.pipe(v.string(), v.maxLength(200))),
  m: v.picklist(['valLoss', 'valAcc']),
  k: v.pipe(int, v.minValue(2), v.maxValue(LINK_POINTS[0])),
  t: v.pipe(v.array(rowSchema), v.maxLength(STUDY_LIMITS.maxTrials)),
});

/** What is wrong with the rows' shapes given the experiment ('' when nothing). */
function rowsProblem(d: Digest): string {
  const dims = searchedParams(d.e.space);
  for (const [id, p, , , epochs, finals, , , val, train] of d.t) {
    if (p.length !== dims.length) return `trial ${id} has ${p.length} values for ${dims.length} searched hyperparameters`;
    for (const [i, dim] of dims.entries()) {
      const x = p[i];
      if (dim.spec.type === 'categorical' && x !== null && !(Number.isInteger(x) && x >= 0 && x < dim.spec.choices.length)) return `trial ${id} has no valid ${dim.name}`;
    }
    const k = sampleIndices(epochs, d.k).length;
    if (val.length !== k || train.length !== k) return `trial ${id} has curves of the wrong length`;
    if (epochs > 0 && finals.length !== (d.m === 'valAcc' ? 4 : 2)) return `trial ${id} has the wrong final values`;
  }
  return '';
}

/** A stable id for the record of a link: 'link-' and a 32-bit FNV-1a hash of the hash. */
function linkId(hash: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < hash.length; i++) h = Math.imul(h ^ hash.charCodeAt(i), 0x01000193);
  return `link-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** Opens a results link (hash with or without '#'): a read-only record, or a message. Never throws. */
export function decodeStudyLink(hash: string): StudyDecode {
  return neverThrow('The results link could not be read', (): StudyDecode => {
    const h = typeof hash === 'string' && hash.startsWith('#') ? hash.slice(1) : String(hash);
    if (h.length > 2 * STUDY_LINK_LIMIT) return { kind: 'error', message: `The results link is too long (${h.length} characters).` };
    if (!h.startsWith(STUDY_LINK_PREFIX)) {
      const m = /^s(\d+)=/.exec(h);
      return { kind: 'error', message: m ? `The results link uses format ${m[1]}, which this version does not know: update the page.` : 'This is not a results link of the Hyperparameter Playground.' };
    }
    const d = decompressBounded(h.slice(STUDY_LINK_PREFIX.length), MAX_DIGEST_CHARS);
    if (d.kind === 'too-long') return { kind: 'error', message: `The results link unpacks to more than ${MAX_DIGEST_CHARS.toLocaleString('en')} characters: it is not one this page made.` };
    if (d.kind === 'damaged' || !d.text) return { kind: 'error', message: 'The results link is damaged: it could not be decompressed.' };
    const json = d.text;
    const parsed = parseJson(json, MAX_DIGEST_CHARS, 'The results link');
    if (!parsed.ok) return { kind: 'error', message: parsed.message };
    const r = v.safeParse(digestSchema, parsed.value, { abortEarly: true });
    if (!r.success) {
      const i = r.issues[0];
      const path = i.path?.map((p) => String(p.key)).join('.') ?? '';
      return { kind: 'error', message: `The results link is damaged: ${path ? `${path}: ` : ''}${i.message}.` };
    }
    const e = parseExperiment(r.output.e);
    if (!e.ok) return { kind: 'error', message: `The results link has invalid settings: ${e.errors.join('; ')}.` };
    const digest = { ...r.output, e: e.experiment } as Digest;
    const bad = rowsProblem(digest);
    if (bad) return { kind: 'error', message: `The results link is damaged: ${bad}.` };
    const study = parseStudy(studyOfDigest(digest, linkId(h)));
    return study.kind === 'ok' ? study : { kind: 'error', message: `The results link is damaged: ${study.message}` };
  });
}
