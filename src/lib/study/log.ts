/**
 * The search log's rules, shared by the schema (is a saved log possible?) and the session
 * (replay). See SearchEvent in types.ts.
 */
import type { TrialParams } from '../experiment/types';
import type { SearchEvent } from './types';

/** Same searched values (the log's params come back from JSON, so numbers compare exactly). */
export function sameParams(a: TrialParams | null, b: TrialParams): boolean {
  if (a === null) return false;
  const ka = Object.keys(a).filter((k) => a[k as keyof TrialParams] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k as keyof TrialParams] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.is(a[k as keyof TrialParams], b[k as keyof TrialParams]));
}

/** What is wrong with a log's order ('' when nothing): ids asked once, epochs and outcomes only
 *  for asked and still open trials, epochs increasing per trial. */
export function logProblem(log: readonly SearchEvent[]): string {
  const open = new Map<number, number>(); // id -> last epoch reported
  const closed = new Set<number>();
  for (const [i, e] of log.entries()) {
    if (e.k === 'wait') continue;
    if (e.k === 'ask') {
      if (open.has(e.id) || closed.has(e.id)) return `event ${i + 1} asks trial ${e.id} a second time.`;
      open.set(e.id, 0);
      continue;
    }
    const last = open.get(e.id);
    if (last === undefined) return `event ${i + 1} is about trial ${e.id}, which is not running.`;
    if (e.k === 'epoch') {
      if (e.epoch <= last) return `event ${i + 1} reports epoch ${e.epoch} of trial ${e.id} after epoch ${last}.`;
      open.set(e.id, e.epoch);
    } else {
      open.delete(e.id);
      closed.add(e.id);
    }
  }
  return '';
}
