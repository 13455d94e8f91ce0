/**
 * Continuing a saved study: whether it can continue with the experiment now on the page, and
 * its search session rebuilt from the log (see session.ts for how replay works).
 */
import type { Experiment, TrialParams } from '../experiment/types';
import { createSearch } from '../search/create';
import { experimentDifferences } from './compare';
import { canResume } from './record';
import { localSearch, type LiveSearch } from './live-search';
import { remoteSearch, type SearchEndpoint } from './remote-search';
import { openSearch, type SearchSession } from './session';
import type { SearchEvent, StudyRecord } from './types';

/** Facts that may change between two sessions of one study: they do not change what the search proposes. */
export const RESUME_FREE_FACTS: ReadonlySet<string> = new Set(['strategy.budget', 'strategy.concurrency']);

/** What of a study its search is made from (a new search: an empty log). */
export type SearchOf = Pick<StudyRecord, 'experiment' | 'log' | 'metric'>;

/** What resumeSearch needs besides the study. */
export interface ResumeOptions {
  /** the experiment to continue with (default: the study's); only RESUME_FREE_FACTS may differ. */
  experiment?: Experiment;
  /** manual search: the page's live queue (kept, and still taken from after the replay). */
  manualQueue?: TrialParams[];
  /** called with every new event, e.g. to save the log as it grows. */
  onEvent?: (e: SearchEvent) => void;
  /** starts a search worker (search.worker.ts); without one the search runs on this thread. */
  spawn?: () => SearchEndpoint;
}

/** Trials the study's log asked (interrupted ones included). */
export function askedCount(log: readonly SearchEvent[]): number {
  return log.reduce((n, e) => n + (e.k === 'ask' ? 1 : 0), 0);
}

/**
 * Why `study` cannot continue with `experiment` ('' when it can): a study opened from an Optuna
 * journal or a results link has no search log; the search must be the same (only the budget and the parallel trials may change), and the
 * budget must cover the trials already asked.
 */
export function resumeBlocker(study: StudyRecord, experiment: Experiment = study.experiment): string {
  if (study.origin === 'optuna-journal') {
    return 'This study was opened from an Optuna journal: it holds the trials Optuna ran, not the page\'s own search history, so its search cannot be continued here. '
      + 'Press Run sweep to run the same experiment again here as a new study, or continue it in Python with the exported study.py and the same journal (python3 study.py --journal <file> --study-name <name>).';
  }
  if (!canResume(study)) return 'A study opened from a results link holds a digest of its results only: it cannot be continued. Open its file to continue it.';
  const diffs = experimentDifferences([study.experiment, experiment]).filter((d) => !RESUME_FREE_FACTS.has(d.key));
  if (diffs.length) return `The study cannot continue with a changed experiment (${diffs.map((d) => `${d.label} ${d.values.join(' → ')}`).join('; ')}): start a new study instead.`;
  const asked = askedCount(study.log ?? []);
  if (experiment.strategy.budget < asked) return `The trial budget (${experiment.strategy.budget}) is below the ${asked} trials the study already has.`;
  return '';
}

/**
 * The search session of `study`, ready to continue: a fresh strategy and pruner from its
 * experiment, with the log replayed into them. Its `next()` first hands out the interrupted trials
 * (same ids and params), then new ones up to the budget. For a new study (empty log) it is simply
 * a fresh search. Check resumeBlocker first; throws only when the strategy is not registered.
 */
export function resumeSearch(study: SearchOf, opts: ResumeOptions = {}): SearchSession {
  const experiment = opts.experiment ?? study.experiment;
  const log = study.log ?? [];
  const accuracy = study.metric === 'valAcc';
  const budget = experiment.strategy.budget;
  if (experiment.strategy.kind !== 'manual') {
    return openSearch(createSearch(experiment, { accuracy }), log, { budget, onEvent: opts.onEvent });
  }
  // Manual search: replay puts each logged trial in the queue just before it is asked again;
  // the trials the person queued since go back behind them.
  const queue = opts.manualQueue ?? [];
  const waiting = queue.splice(0);
  const session = openSearch(createSearch(experiment, { accuracy, manualQueue: queue }), log, {
    budget,
    beforeAsk: (p) => queue.push({ ...p }),
    onEvent: opts.onEvent,
  });
  queue.push(...waiting);
  return session;
}

/**
 * resumeSearch as a LiveSearch: in a search worker when `opts.spawn` is given (the replay runs
 * there too), on this thread for manual search, whose queue the page edits while it runs.
 */
export async function openLiveSearch(study: SearchOf, opts: ResumeOptions = {}): Promise<LiveSearch> {
  const experiment = opts.experiment ?? study.experiment;
  if (!opts.spawn || experiment.strategy.kind === 'manual') return localSearch(resumeSearch(study, opts));
  const spec = { experiment, log: study.log ?? [], budget: experiment.strategy.budget, accuracy: study.metric === 'valAcc' };
  return remoteSearch(opts.spawn(), spec, opts.onEvent);
}
