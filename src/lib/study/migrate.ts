/**
 * Migrations of the Study record: each step turns a document of version n into version n + 1,
 * so a record of any older version is brought up to date one step at a time before it is
 * validated. Steps work on plain JSON (not on typed records): the old shapes have no types here.
 */
import { isPlainObject } from './json';
import { STUDY_VERSION } from './types';

/** One step: from version `from` to `from + 1`. `up` may throw; the caller turns it into a message. */
export interface Migration {
  from: number;
  /** a short sentence of what changed, for the changelog and messages. */
  note: string;
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

/** The migrations of the Study record, oldest first. Version 1 is the first version: none yet. */
export const MIGRATIONS: readonly Migration[] = [];

/** A document brought to the target version, or why it could not be. */
export type MigrateResult = { ok: true; doc: Record<string, unknown>; from: number } | { ok: false; message: string };

/**
 * Brings `doc` (with a numeric `version`) to `target` (default STUDY_VERSION) through
 * `migrations`. A newer version, a missing step, a non-integer version or a failing step is an
 * error naming the version. `doc` itself is not modified (each step gets a copy).
 */
export function migrate(doc: Record<string, unknown>, migrations: readonly Migration[] = MIGRATIONS, target: number = STUDY_VERSION): MigrateResult {
  const from = doc.version;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 0) {
    return { ok: false, message: 'it has no valid version number.' };
  }
  if (from > target) {
    return { ok: false, message: `it was saved by a newer version of the app (study format ${from}; this version reads up to ${target}). Update the page and try again.` };
  }
  let current: Record<string, unknown> = doc;
  for (let v = from; v < target; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) return { ok: false, message: `its study format ${v} is too old to be read (no way to bring it to format ${target}).` };
    try {
      const next = step.up({ ...current });
      if (!isPlainObject(next)) return { ok: false, message: `bringing it from format ${v} to ${v + 1} gave no study.` };
      current = { ...next, version: v + 1 };
    } catch (e) {
      return { ok: false, message: `it could not be brought from format ${v} to ${v + 1} (${e instanceof Error ? e.message : String(e)}).` };
    }
  }
  return { ok: true, doc: current, from };
}
