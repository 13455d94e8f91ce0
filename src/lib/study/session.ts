/**
 * A search session: the one door between a sweep and its strategy (+ pruner), which writes
 * every step into the study's event log, and which can start from a saved log.
 *
 * Resume by replay: the saved log is played into a fresh strategy and pruner (every ask, epoch
 * report and outcome in its original order), which leaves them exactly as they were when the log
 * stopped: same history, same random numbers drawn. Trials asked but never told (interrupted)
 * are handed out again first, with their ids and params, without asking the strategy; their
 * epochs already in the log are answered from the log, so the pruner hears each epoch once. From
 * then on, the same events in the same order give the same trials as an uninterrupted run.
 *
 * The strategy sees as `pending` the trials asked and not yet told or dropped, in ask order.
 */
import type { TrialParams } from '../experiment/types';
import type { EpochDecision, Pruner, Strategy, TrialOutcome } from '../search/types';
import { sameParams } from './log';
import type { SearchEvent } from './types';

/** A trial to start: its id, its params, and whether it is an interrupted trial trained again. */
export interface NextTrial {
  id: number;
  params: TrialParams;
  rerun: boolean;
}

/** What a sweep calls instead of the strategy. */
export interface SearchSession {
  /** the next trial to start, or null (budget spent, or the strategy has nothing now: try again after a trial ends). */
  next(): NextTrial | null;
  /** trial `id` finished `epoch` (1-based) with `objective` (minimised); 'prune' stops it. A repeated epoch gets its first answer. */
  tellEpoch(id: number, epoch: number, objective: number): EpochDecision;
  /** trial `id` ended; the strategy and pruner learn `outcome` with the params `next` gave
   *  (once per trial; a trial `next` never gave is ignored). */
  tell(id: number, params: TrialParams, outcome: TrialOutcome): void;
  /** gives trial `id` up without an outcome (e.g. cancelled on purpose): never trained again. */
  drop(id: number): void;
  /** the whole log: the saved one followed by this session's events. */
  readonly log: readonly SearchEvent[];
  readonly strategy: Strategy;
  readonly pruner: Pruner | null;
  /** interrupted trials not handed out again yet, in ask order. */
  readonly reruns: readonly { id: number; params: TrialParams }[];
  /** id of the first logged trial the replayed strategy would have proposed differently (the
   *  app changed since the log was written); the log's params are kept. null when identical. */
  readonly divergedAt: number | null;
  /** trials the session can still hand out (reruns included). */
  readonly remaining: number;
}

/** How a session starts. */
export interface SessionOptions {
  /** total trials of the study (asked trials count, interrupted ones once). */
  budget: number;
  /** id of the first trial when the log is empty; default 0. */
  firstId?: number;
  /** called with a logged trial's params just before it is asked again during replay (manual
   *  search puts it in its queue). */
  beforeAsk?: (params: TrialParams) => void;
  /** called with every new event (not the replayed ones), e.g. to save the log as it grows. */
  onEvent?: (e: SearchEvent) => void;
}

/**
 * Opens a session on `kit` (a fresh strategy and pruner, e.g. from createSearch) after replaying
 * `log` into it. `log` must be valid (logProblem(log) === ''); an empty log starts a new search.
 */
export function openSearch(kit: { strategy: Strategy; pruner: Pruner | null }, log: readonly SearchEvent[], opts: SessionOptions): SearchSession {
  const { strategy } = kit;
  const events: SearchEvent[] = [];
  /** every asked trial's params, in ask order. */
  const asked = new Map<number, TrialParams>();
  /** told or dropped: no longer pending. */
  const closed = new Set<number>();
  /** each trial's answers per epoch. */
  const answers = new Map<number, Map<number, EpochDecision>>();
  let nextId = opts.firstId ?? 0;
  let divergedAt: number | null = null;
  let replaying = true;

  const pending = () => [...asked].filter(([id]) => !closed.has(id)).map(([, p]) => p);
  const record = (e: SearchEvent) => {
    events.push(e);
    if (!replaying) opts.onEvent?.(e);
  };
  const answer = (id: number, epoch: number, objective: number): EpochDecision => {
    const d = strategy.tellEpoch?.(id, epoch, objective) ?? 'continue';
    let m = answers.get(id);
    if (!m) answers.set(id, (m = new Map()));
    m.set(epoch, d);
    record({ k: 'epoch', id, epoch, objective });
    return d;
  };
  const close = (id: number, outcome: TrialOutcome | null) => {
    closed.add(id);
    answers.delete(id);
    record(outcome ? { k: 'tell', id, outcome: { state: outcome.state, objective: outcome.objective, curve: [...outcome.curve] } } : { k: 'drop', id });
  };

  for (const e of log) {
    switch (e.k) {
      case 'ask': {
        opts.beforeAsk?.(e.params);
        const p = strategy.ask(pending());
        if (divergedAt === null && !sameParams(p, e.params)) divergedAt = e.id;
        asked.set(e.id, { ...e.params });
        nextId = Math.max(nextId, e.id + 1);
        record({ k: 'ask', id: e.id, params: { ...e.params } });
        break;
      }
      case 'wait':
        if (strategy.ask(pending()) !== null && divergedAt === null) divergedAt = nextId;
        record({ k: 'wait' });
        break;
      case 'epoch':
        answer(e.id, e.epoch, e.objective);
        break;
      case 'tell':
        strategy.tell(e.id, asked.get(e.id) ?? {}, e.outcome);
        close(e.id, e.outcome);
        break;
      case 'drop':
        close(e.id, null);
        break;
    }
  }
  replaying = false;
  const reruns = [...asked].filter(([id]) => !closed.has(id)).map(([id, params]) => ({ id, params }));

  return {
    next() {
      const r = reruns.shift();
      if (r) return { id: r.id, params: { ...r.params }, rerun: true };
      if (asked.size >= opts.budget) return null;
      const params = strategy.ask(pending());
      if (params === null) {
        record({ k: 'wait' });
        return null;
      }
      const id = nextId++;
      asked.set(id, params);
      record({ k: 'ask', id, params: { ...params } });
      return { id, params, rerun: false };
    },
    tellEpoch(id, epoch, objective) {
      if (!strategy.tellEpoch || closed.has(id) || !asked.has(id)) return 'continue';
      const m = answers.get(id);
      const last = m ? Math.max(...m.keys()) : 0;
      if (epoch <= last) return m?.get(epoch) ?? 'continue';
      return answer(id, epoch, objective);
    },
    tell(id, _params, outcome) {
      const params = asked.get(id);
      if (!params || closed.has(id)) return;
      strategy.tell(id, params, outcome);
      close(id, outcome);
    },
    drop(id) {
      if (!asked.has(id) || closed.has(id)) return;
      const i = reruns.findIndex((r) => r.id === id);
      if (i >= 0) reruns.splice(i, 1);
      close(id, null);
    },
    get log() {
      return events;
    },
    strategy,
    pruner: kit.pruner,
    get reruns() {
      return reruns;
    },
    divergedAt,
    get remaining() {
      return reruns.length + Math.max(0, opts.budget - asked.size);
    },
  };
}
