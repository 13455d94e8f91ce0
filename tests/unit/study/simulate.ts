/**
 * A deterministic stand-in for the worker pool, in virtual time: `lanes` workers take trials
 * from a SearchSession, report every epoch of the first run (the pruner may stop a trial), and
 * tell the outcome. Trials take different times per epoch, so asks, epochs and tells interleave;
 * some fail, some diverge. The world can be stopped after k outcomes and continued later. The same
 * pool drives a session on this thread (runSim) or one across a thread (runSimLive).
 */
import type { TrialParams } from '../../../src/lib/experiment/types';
import type { EpochDecision, TrialOutcome } from '../../../src/lib/search/types';
import type { LiveSearch } from '../../../src/lib/study/live-search';
import type { SearchSession } from '../../../src/lib/study/session';
import type { StudyTrial } from '../../../src/lib/study/types';

/** Settings of the simulated pool. */
export interface SimOptions {
  lanes: number;
  epochs: number;
  /** runs per trial (repeats); only the first reports epochs. */
  repeats: number;
}

/** A trial on a worker: when it started and how many epochs it has reported. */
export interface Running {
  id: number;
  params: TrialParams;
  start: number;
  done: number;
}

/** Everything the simulated pool knows. Plain data, so a copy can be continued elsewhere. */
export interface World {
  time: number;
  running: Running[];
  tells: number;
  trials: StudyTrial[];
}

export const newWorld = (): World => ({ time: 0, running: [], tells: 0, trials: [] });
export const copyWorld = (w: World): World => structuredClone(w);

/** Virtual time per epoch of trial `id`: 1, 2 or 3. */
const perEpoch = (id: number) => 1 + ((id * 7) % 3);
const failsAt = (id: number) => (id % 7 === 5 ? 2 : Infinity);
const divergesAt = (id: number) => (id % 11 === 10 ? 3 : Infinity);

/** A synthetic loss with an optimum at lr 1e-2, 32 units, l2 1e-4 and adam. */
export function quality(p: TrialParams): number {
  const lr = Math.log10(Number(p.learningRate ?? 0.01)) + 2;
  const units = Math.log2(Number(p.units ?? 32)) - 5;
  const l2 = Math.log10(Number(p.l2 ?? 1e-4)) + 4;
  return 0.2 + lr * lr * 0.3 + (units * units) / 10 + (l2 * l2) / 20 + (p.optimizer === 'sgd' ? 0.1 : 0);
}

/** The objective (minimised) of trial `id` after `epoch` of run `run`. */
export function objectiveAt(id: number, p: TrialParams, epoch: number, run = 0): number {
  if (epoch >= divergesAt(id)) return NaN;
  return quality(p) + 0.6 / epoch + 0.01 * run;
}

/** The trial as a record would keep it: its reported epochs. */
function trialOf(r: Running, state: StudyTrial['state']): StudyTrial {
  const epochs = Array.from({ length: r.done }, (_, i) => {
    const v = objectiveAt(r.id, r.params, i + 1);
    return { epoch: i + 1, trainLoss: v * 0.9, valLoss: v, elapsedMs: (i + 1) * 10 };
  });
  return { id: r.id, params: r.params, state, epochs };
}

/** What the simulated pool asks of a search, one step at a time (answered by runSim or runSimLive). */
type Call =
  | { k: 'next' }
  | { k: 'epoch'; id: number; epoch: number; objective: number }
  | { k: 'tell'; id: number; params: TrialParams; outcome: TrialOutcome };
type Reply = ({ id: number; params: TrialParams } | null) | EpochDecision | void;

function* end(w: World, r: Running, state: TrialOutcome['state'], opts: SimOptions): Generator<Call, void, Reply> {
  const curve = Array.from({ length: r.done }, (_, i) => objectiveAt(r.id, r.params, i + 1));
  const runs = state === 'complete' ? opts.repeats : 1;
  const finals = Array.from({ length: runs }, (_, run) => objectiveAt(r.id, r.params, r.done, run));
  const objective = state === 'failed' || state === 'diverged' ? NaN : finals.reduce((a, b) => a + b, 0) / runs;
  yield { k: 'tell', id: r.id, params: r.params, outcome: { state, objective, curve } };
  w.running = w.running.filter((x) => x !== r);
  w.trials.push(trialOf(r, state));
  w.tells++;
}

/** The simulated pool: runs the world until every trial has ended ('done') or `stopAfter`
 *  outcomes were told in all ('stopped': the free worker has not asked yet). */
function* simulate(w: World, opts: SimOptions, stopAfter: number): Generator<Call, 'done' | 'stopped', Reply> {
  for (;;) {
    while (w.running.length < opts.lanes) {
      const next = (yield { k: 'next' }) as { id: number; params: TrialParams } | null;
      if (!next) break;
      w.running.push({ id: next.id, params: next.params, start: w.time, done: 0 });
    }
    if (w.running.length === 0) return 'done';
    // the next event: a reported epoch, or the end of the later (unreported) repeats
    const at = (r: Running) => r.start + perEpoch(r.id) * (r.done < opts.epochs ? r.done + 1 : opts.epochs * opts.repeats);
    const r = [...w.running].sort((a, b) => at(a) - at(b) || a.id - b.id)[0];
    w.time = at(r);
    if (r.done === opts.epochs) {
      yield* end(w, r, 'complete', opts);
    } else {
      r.done++;
      const v = objectiveAt(r.id, r.params, r.done);
      const d = yield { k: 'epoch', id: r.id, epoch: r.done, objective: v };
      if (d === 'prune') yield* end(w, r, 'pruned', opts);
      else if (r.done >= failsAt(r.id)) yield* end(w, r, 'failed', opts);
      else if (Number.isNaN(v)) yield* end(w, r, 'diverged', opts);
      else if (r.done === opts.epochs && opts.repeats === 1) yield* end(w, r, 'complete', opts);
    }
    if (w.tells >= stopAfter) return 'stopped';
  }
}

/** Runs the simulated pool on a search session of this thread (see simulate). */
export function runSim(session: SearchSession, w: World, opts: SimOptions, stopAfter = Infinity): 'done' | 'stopped' {
  const sim = simulate(w, opts, stopAfter);
  let reply: Reply = undefined;
  for (;;) {
    const step = sim.next(reply);
    if (step.done) return step.value;
    const c = step.value;
    reply = c.k === 'next' ? session.next() : c.k === 'epoch' ? session.tellEpoch(c.id, c.epoch, c.objective) : session.tell(c.id, c.params, c.outcome);
  }
}

/** Runs the simulated pool on a LiveSearch (e.g. one in a worker), waiting for its answers. */
export async function runSimLive(session: LiveSearch, w: World, opts: SimOptions, stopAfter = Infinity): Promise<'done' | 'stopped'> {
  const sim = simulate(w, opts, stopAfter);
  let reply: Reply = undefined;
  for (;;) {
    const step = sim.next(reply);
    if (step.done) return step.value;
    const c = step.value;
    reply = c.k === 'next' ? await session.next() : c.k === 'epoch' ? await session.tellEpoch(c.id, c.epoch, c.objective) : session.tell(c.id, c.params, c.outcome);
  }
}

/** The records' trials of a world: the ended ones and, as 'running', the interrupted ones. */
export function worldTrials(w: World): StudyTrial[] {
  return [...w.trials, ...w.running.map((r) => trialOf(r, 'running'))].sort((a, b) => a.id - b.id);
}
