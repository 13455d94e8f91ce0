/**
 * Teacher links: an experiment (or a lesson) with a mission, some settings sections locked
 * (visible, not editable) or hidden, and projector mode. Carried in the URL hash as `#t1=…`
 * (lz-string, validated like every other link: a tampered lock list opens a working page with a
 * message). Locks never touch saving or handing in a study.
 */
import LZString from 'lz-string';
import * as v from 'valibot';
import type { Experiment } from '../experiment/types';
import { decompressBounded, MAX_HASH_LENGTH } from '../experiment/url';
import { parseExperiment } from '../experiment/validate';

/** Longest decompressed teacher link, characters. */
const MAX_JSON = 64_000;

/** The settings sections a teacher can lock or hide. */
export const LOCKABLE = ['data', 'network', 'space', 'strategy'] as const;
export type Lockable = (typeof LOCKABLE)[number];
/** What a person reads for each section. */
export const LOCKABLE_LABELS: Record<Lockable, string> = { data: 'Data', network: 'Network', space: 'Search space', strategy: 'Strategy and budget' };
/** How a section is shown to a student. */
export type LockMode = 'open' | 'locked' | 'hidden';

/** What a teacher link holds. */
export interface TeacherSetup {
  experiment: Experiment;
  mission: string;
  /** the lesson it starts from, if any. */
  lesson?: string;
  locks: Partial<Record<Lockable, Exclude<LockMode, 'open'>>>;
  projector: boolean;
}

const PREFIX = 't1=';
/** Longest mission text, characters. */
export const MAX_MISSION = 1000;

/** Whether a hash is a teacher link. */
export function isTeacherLink(hash: string): boolean {
  return /^#?t\d+=/.test(hash);
}

/** The hash (without '#') of a teacher link. */
export function encodeTeacherLink(s: TeacherSetup): string {
  const locks = Object.fromEntries(Object.entries(s.locks).filter(([, m]) => m === 'locked' || m === 'hidden'));
  return PREFIX + LZString.compressToEncodedURIComponent(JSON.stringify({ e: s.experiment, m: s.mission, l: s.lesson, k: locks, p: s.projector ? 1 : 0 }));
}

const shape = v.object({
  e: v.unknown(),
  m: v.optional(v.pipe(v.string(), v.maxLength(MAX_MISSION)), ''),
  l: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,40}$/))),
  k: v.optional(v.record(v.string(), v.unknown()), {}),
  p: v.optional(v.picklist([0, 1]), 0),
});

/** A teacher link read back: the setup, plus notes on what was ignored; or why it cannot be read. */
export type TeacherDecode = { kind: 'ok'; setup: TeacherSetup; notes: string[] } | { kind: 'error'; message: string };

/**
 * Reads a teacher link. Never throws. Unknown sections or modes in the lock list are dropped and
 * named in `notes` (the page still opens, with every other lock applied).
 */
export function decodeTeacherLink(hash: string): TeacherDecode {
  try {
    const h = hash.replace(/^#/, '');
    if (!h.startsWith(PREFIX)) return { kind: 'error', message: 'This is not a teacher link of the Hyperparameter Playground.' };
    if (h.length > MAX_HASH_LENGTH) return { kind: 'error', message: `The teacher link is too long (${h.length} characters).` };
    const d = decompressBounded(h.slice(PREFIX.length), MAX_JSON);
    if (d.kind !== 'ok' || !d.text) return { kind: 'error', message: 'The teacher link is damaged: it could not be decompressed.' };
    let json: unknown;
    try {
      json = JSON.parse(d.text);
    } catch {
      return { kind: 'error', message: 'The teacher link is damaged: its content is not valid JSON.' };
    }
    const r = v.safeParse(shape, json);
    if (!r.success) return { kind: 'error', message: `The teacher link is damaged: ${r.issues[0].message}.` };
    const e = parseExperiment(r.output.e);
    if (!e.ok) return { kind: 'error', message: `The teacher link's experiment is not valid: ${e.errors.slice(0, 3).join('; ')}` };
    const notes: string[] = [];
    const locks: TeacherSetup['locks'] = {};
    for (const [key, mode] of Object.entries(r.output.k)) {
      if (!(LOCKABLE as readonly string[]).includes(key)) notes.push(`an unknown section "${key.slice(0, 40)}" in its lock list was ignored`);
      else if (mode !== 'locked' && mode !== 'hidden') notes.push(`an unknown lock "${String(mode).slice(0, 40)}" for ${LOCKABLE_LABELS[key as Lockable]} was ignored`);
      else locks[key as Lockable] = mode;
    }
    return { kind: 'ok', setup: { experiment: e.experiment, mission: r.output.m, lesson: r.output.l, locks, projector: r.output.p === 1 }, notes };
  } catch (e) {
    return { kind: 'error', message: `The teacher link could not be read (${e instanceof Error ? e.message : String(e)}).` };
  }
}
