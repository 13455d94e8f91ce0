/**
 * The search as a running sweep uses it: trials to start, epochs and outcomes told, the log as it
 * grows, and the sampler's and pruner's pictures. Either on this thread (localSearch: manual
 * search, whose queue the page edits while it runs) or in a search worker (remote-search.ts), so
 * a strategy's work — a GP refit, TPE's densities, a long replay on resume — never stalls the page.
 */
import type { TrialParams } from '../experiment/types';
import type { EpochDecision, TrialOutcome } from '../search/types';
import type { SearchPictures } from './search-host';
import type { NextTrial, SearchSession } from './session';
import type { SearchEvent } from './types';

/** A search session a sweep can talk to across a thread. */
export interface LiveSearch {
  /** the next trial, or null (budget spent, or nothing now: asked again when a trial ends). */
  next(): Promise<NextTrial | null>;
  tellEpoch(id: number, epoch: number, objective: number): Promise<EpochDecision>;
  /** trial `id` ended; its event is in `log` once the search has taken it. */
  tell(id: number, params: TrialParams, outcome: TrialOutcome): void;
  drop(id: number): void;
  /** trials it can still hand out (as of its last answer). */
  readonly remaining: number;
  /** the saved log followed by this session's events, as far as the search has answered. */
  readonly log: readonly SearchEvent[];
  /** see SearchSession.divergedAt. */
  readonly divergedAt: number | null;
  describe(): Promise<SearchPictures>;
  /** why trial `id` was pruned, or null. */
  reasonFor(id: number): string | null;
  /** resolves when every call made so far is answered (and its events are in `log`). */
  settled(): Promise<void>;
  /** ends it (a worker is terminated); `log` stays readable. */
  close(): void;
}

/** A session on this thread as a LiveSearch. */
export function localSearch(s: SearchSession): LiveSearch {
  return {
    next: async () => s.next(),
    tellEpoch: async (id, epoch, objective) => s.tellEpoch(id, epoch, objective),
    tell: (id, params, outcome) => s.tell(id, params, outcome),
    drop: (id) => s.drop(id),
    get remaining() {
      return s.remaining;
    },
    get log() {
      return s.log;
    },
    divergedAt: s.divergedAt,
    describe: async () => ({ strategy: s.strategy.describe?.() ?? null, pruner: s.pruner?.describe() ?? null }),
    reasonFor: (id) => s.pruner?.reasonFor(id) ?? null,
    settled: async () => undefined,
    close: () => undefined,
  };
}
