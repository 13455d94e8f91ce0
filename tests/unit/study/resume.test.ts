import { describe, expect, it } from 'vitest';
import type { PrunerConfig, StrategyKind, TrialParams } from '../../../src/lib/experiment/types';
import { STRATEGIES } from '../../../src/lib/search/registry';
import { decodeStudyFile, encodeStudyFile } from '../../../src/lib/study/file';
import { newStudy } from '../../../src/lib/study/record';
import { resumeBlocker, resumeSearch } from '../../../src/lib/study/resume';
import { logProblem } from '../../../src/lib/study/log';
import type { StudyRecord } from '../../../src/lib/study/types';
import { experimentWith, manualQueueFor } from './fixtures';
import { copyWorld, newWorld, objectiveAt, runSim, worldTrials, type SimOptions } from './simulate';

const KINDS = Object.keys(STRATEGIES) as StrategyKind[];
const PRUNERS: PrunerConfig['kind'][] = ['none', 'median', 'asha', 'hyperband'];

/** The asked params by id, from a log. */
const asks = (study: StudyRecord) => study.log!.flatMap((e) => (e.k === 'ask' ? [[e.id, e.params] as const] : []));

/**
 * Runs the study uninterrupted, and again stopped after `k` outcomes, saved to a file, opened,
 * resumed (interrupted trials first, their logged epochs reported again) and run to the end.
 */
function both(kind: StrategyKind, pruner: PrunerConfig['kind'], k: number, repeats = 1) {
  const e = experimentWith(kind, pruner, { repeats });
  const opts: SimOptions = { lanes: 2, epochs: e.model.epochs, repeats };
  const queue = kind === 'manual' ? manualQueueFor(e, e.strategy.budget) : undefined;
  const start = () => newStudy({ id: 'resume-test', now: 0, experiment: e, metric: 'valLoss' });

  const full = resumeSearch(start(), { manualQueue: queue && [...queue] });
  expect(runSim(full, newWorld(), opts)).toBe('done');

  const liveQueue = queue && [...queue];
  const first = resumeSearch(start(), { manualQueue: liveQueue });
  const world = newWorld();
  const stopped = runSim(first, world, opts, k);
  const saved: StudyRecord = { ...start(), trials: worldTrials(world), log: [...first.log], queued: liveQueue && [...liveQueue] };
  const opened = decodeStudyFile(encodeStudyFile(saved));
  if (opened.kind === 'error') throw new Error(opened.message);

  const second = resumeSearch(opened.study, { manualQueue: opened.study.queued ?? (queue ? [] : undefined) });
  const w2 = copyWorld(world);
  expect(second.divergedAt).toBeNull();
  expect(second.reruns.map((r) => r.id)).toEqual(w2.running.map((r) => r.id).sort((a, b) => a - b));
  for (const r of [...w2.running].sort((a, b) => a.id - b.id)) {
    const next = second.next()!;
    expect(next).toEqual({ id: r.id, params: r.params, rerun: true });
    for (let ep = 1; ep <= r.done; ep++) expect(second.tellEpoch(r.id, ep, objectiveAt(r.id, r.params, ep))).toBe('continue');
  }
  runSim(second, w2, opts);
  return { full, first, second, stopped, world };
}

describe.each(KINDS)('resuming a %s study', (kind) => {
  it.each(PRUNERS.flatMap((p) => [3, 7].map((k) => [p, k] as const)))('with pruner %s, interrupted after %i outcomes, asks what an uninterrupted run asks', (pruner, k) => {
    const { full, second, stopped, world } = both(kind, pruner, k);
    expect(stopped).toBe('stopped');
    expect(world.running.length).toBeGreaterThan(0);
    expect(second.log).toEqual(full.log);
    expect(logProblem(second.log)).toBe('');
  });

  it('with 3 repeats per trial and ASHA', () => {
    const { full, second } = both(kind, 'asha', 5, 3);
    expect(second.log).toEqual(full.log);
  });
});

describe('resume', () => {
  it('a pruned search really prunes, interrupts trials and waits (the tests above test something)', () => {
    const { full } = both('evolution', 'asha', 4);
    const kinds = new Set(full.log.map((e) => (e.k === 'tell' ? e.outcome.state : e.k)));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['ask', 'epoch', 'pruned', 'complete', 'failed']));
  });

  it('reports when the app proposes other trials than the log holds, and keeps the log', () => {
    const e = experimentWith('random');
    const study = { ...newStudy({ id: 'x', now: 0, experiment: e, metric: 'valLoss' }), log: [
      { k: 'ask' as const, id: 0, params: { learningRate: 0.01, units: 16, l2: 1e-4, optimizer: 'adam' } satisfies TrialParams },
    ] };
    const s = resumeSearch(study);
    expect(s.divergedAt).toBe(0);
    expect(s.next()).toEqual({ id: 0, params: study.log[0].params, rerun: true });
    expect(s.next()?.id).toBe(1);
  });

  it('answers an epoch reported twice (a retried worker) with the first answer, logged once', () => {
    const s = resumeSearch(newStudy({ id: 'x', now: 0, experiment: experimentWith('random', 'median'), metric: 'valLoss' }));
    const t = s.next()!;
    expect(s.tellEpoch(t.id, 1, 0.5)).toBe('continue');
    expect(s.tellEpoch(t.id, 1, 0.9)).toBe('continue');
    expect(s.log.filter((x) => x.k === 'epoch')).toHaveLength(1);
  });

  it('drops a cancelled trial: not handed out again, budget still counted', () => {
    const e = experimentWith('random', 'none', { budget: 2 });
    const s = resumeSearch(newStudy({ id: 'x', now: 0, experiment: e, metric: 'valLoss' }));
    const a = s.next()!;
    s.drop(a.id);
    const again = resumeSearch({ ...newStudy({ id: 'x', now: 0, experiment: e, metric: 'valLoss' }), log: [...s.log] });
    expect(again.reruns).toEqual([]);
    expect(again.next()?.id).toBe(1);
    expect(again.next()).toBeNull();
  });

  it.each([
    ['a changed dropout', (s: StudyRecord) => ({ ...s.experiment, model: { ...s.experiment.model, dropout: 0.3 } }), /dropout 0 → 0.3/],
    ['a budget below the trials run', (s: StudyRecord) => ({ ...s.experiment, strategy: { ...s.experiment.strategy, budget: 1 } }), /below the/],
    ['a higher budget and more workers', (s: StudyRecord) => ({ ...s.experiment, strategy: { ...s.experiment.strategy, budget: 40, concurrency: 4 } }), /^$/],
  ])('resumeBlocker: %s', (_, edit, expected) => {
    const { first } = both('random', 'none', 3);
    const s: StudyRecord = { ...newStudy({ id: 'x', now: 0, experiment: experimentWith('random'), metric: 'valLoss' }), log: [...first.log] };
    expect(resumeBlocker(s, edit(s))).toMatch(expected);
  });

  it('resumeBlocker: a link study cannot continue', () => {
    const s: StudyRecord = { ...newStudy({ id: 'x', now: 0, experiment: experimentWith('random'), metric: 'valLoss' }), origin: 'link' };
    delete s.log;
    expect(resumeBlocker(s)).toMatch(/results link/);
  });

  it('resumeBlocker: a study opened from an Optuna journal says why it cannot continue here, and what can be done', () => {
    const s: StudyRecord = { ...newStudy({ id: 'x', now: 0, experiment: experimentWith('random'), metric: 'valLoss' }), origin: 'optuna-journal' };
    delete s.log;
    const why = resumeBlocker(s);
    expect(why).toMatch(/^This study was opened from an Optuna journal: .*not the page's own search history, so its search cannot be continued here\./);
    expect(why).toMatch(/Run sweep to run the same experiment again here as a new study/);
    expect(why).toMatch(/python3 study\.py --journal/);
    expect(why).not.toMatch(/results link/);
  });
});
