/**
 * The search session's side of a search worker (search.worker.ts): a session opened from the
 * study's log, answering the sweep's calls, each answer carrying the log events the call wrote.
 * Kept apart from the worker file so tests drive it over a real message channel in Node.
 */
import type { Experiment, TrialParams } from '../experiment/types';
import { createSearch } from '../search/create';
import type { EpochDecision, PrunerSnapshot, StrategySnapshot, TrialOutcome } from '../search/types';
import { openSearch, type NextTrial, type SearchSession } from './session';
import type { SearchEvent } from './types';

/** What a search worker is opened with: the study's experiment and log, the budget, the metric. */
export interface SearchSpec {
  experiment: Experiment;
  log: readonly SearchEvent[];
  budget: number;
  /** the study optimises validation accuracy rather than validation loss. */
  accuracy: boolean;
}

/** The sampler's and the pruner's pictures, as the "what the sampler is thinking" panel shows them. */
export interface SearchPictures {
  strategy: StrategySnapshot | null;
  pruner: PrunerSnapshot | null;
}

/** Every answer: the log events the call wrote, and the trials the session can still hand out. */
export interface Answer {
  events: SearchEvent[];
  remaining: number;
}

/** The calls a search worker answers. */
export interface SearchHostApi {
  /** replays the log into a fresh strategy and pruner (see openSearch); any earlier session goes. */
  open(spec: SearchSpec): { divergedAt: number | null; remaining: number };
  next(): Answer & { trial: NextTrial | null };
  /** the pruner's answer, with its reason when it prunes. */
  tellEpoch(id: number, epoch: number, objective: number): Answer & { decision: EpochDecision; reason: string | null };
  tell(id: number, params: TrialParams, outcome: TrialOutcome): Answer;
  drop(id: number): Answer;
  describe(): SearchPictures;
}

/** A search host with no session yet. */
export function searchHost(): SearchHostApi {
  let session: SearchSession | null = null;
  let fresh: SearchEvent[] = [];
  const open = (): SearchSession => {
    if (!session) throw new Error('The search was not opened.');
    return session;
  };
  const answer = (): Answer => {
    const events = fresh;
    fresh = [];
    return { events, remaining: open().remaining };
  };
  return {
    open(spec) {
      fresh = [];
      session = openSearch(createSearch(spec.experiment, { accuracy: spec.accuracy }), spec.log, { budget: spec.budget, onEvent: (e) => fresh.push(e) });
      return { divergedAt: session.divergedAt, remaining: session.remaining };
    },
    next() {
      const trial = open().next();
      return { ...answer(), trial };
    },
    tellEpoch(id, epoch, objective) {
      const decision = open().tellEpoch(id, epoch, objective);
      return { ...answer(), decision, reason: decision === 'prune' ? open().pruner?.reasonFor(id) ?? null : null };
    },
    tell(id, params, outcome) {
      open().tell(id, params, outcome);
      return answer();
    },
    drop(id) {
      open().drop(id);
      return answer();
    },
    describe() {
      const s = open();
      return { strategy: s.strategy.describe?.() ?? null, pruner: s.pruner?.describe() ?? null };
    },
  };
}
