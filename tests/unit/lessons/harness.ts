/**
 * Runs a lesson's experiments under node the way the page's sweep does, without workers: the
 * search from createSearch behind a search session, trials asked a lane's share at a time (one
 * lane per worker), grouped by batchKey and trained together by trainBatch, each through every
 * fold × repeat with the pool's seed offsets, combined by combineRuns, the outcome told to the
 * search, and the fit verdict computed as the page computes it. Mirrors src/lib/train/pool.ts
 * (configOf, runGroup, outcome) and src/ui/study.svelte.ts (sweepKit, verdictOpts); if those change,
 * change this with them.
 *
 * The lanes run one after another here, so trials never share the CPU (timings are clean) and a
 * sequential strategy sees every earlier lane's outcomes, which a parallel pool may not.
 */
import { fitVerdict, labelNoiseLoss, verdictOptions } from '../../../src/lib/analysis/verdict';
import { LABEL_FLIP_PER_NOISE } from '../../../src/lib/data/generators';
import { generateDataset, getDataset } from '../../../src/lib/data/registry';
import { prepare, prepareFolds } from '../../../src/lib/data/split';
import type { Experiment, TrialParams } from '../../../src/lib/experiment/types';
import type { Lesson, LessonTrial, LessonTrials } from '../../../src/lib/lessons/types';
import { resolveModel } from '../../../src/lib/model/spec';
import { createSearch } from '../../../src/lib/search/create';
import type { TrialOutcome } from '../../../src/lib/search/types';
import { openSearch } from '../../../src/lib/study/session';
import { combineRuns, endValue } from '../../../src/lib/train/aggregate';
import { trainBatch } from '../../../src/lib/train/batched';
import { batchKey, MAX_BATCH } from '../../../src/lib/train/batching';
import { runSeedOffset } from '../../../src/lib/train/config';
import type { EpochMetrics, TrainData, TrialConfig, TrialResult } from '../../../src/lib/train/types';

/** A finished trial with its whole result (a LessonTrial, like the page's TrialView). */
export interface HarnessTrial extends LessonTrial {
  result: TrialResult;
}

/** Workers the pool would use: the experiment's concurrency (calibration picks 2 on a laptop). */
function lanesOf(e: Experiment): number {
  return Math.max(1, Math.min(e.strategy.autoWorkers ? 2 : e.strategy.concurrency, e.strategy.budget));
}

/** The data of each fold, as the page's sweepKit prepares it (2-D generated data only). */
export function foldData(e: Experiment): TrainData[] {
  const entry = getDataset(e.data.id);
  if (entry?.kind !== '2d') throw new Error(`the lesson harness generates 2-D data only, not '${e.data.id}'`);
  const ds = generateDataset(entry, e.data);
  return e.strategy.validation.scheme === 'kfold'
    ? prepareFolds(ds, e.data, e.strategy.validation.k).map((p) => p.data)
    : [prepare(ds, e.data).data];
}

/** Trains every trial of `e` as the page's sweep would; trials in id order. */
export async function runExperiment(e: Experiment): Promise<HarnessTrial[]> {
  const data = foldData(e);
  const d0 = data[0];
  const kit = createSearch(e, { accuracy: d0.task === 'classification' });
  const source = openSearch(kit, [], { budget: e.strategy.budget });
  const counts = new Array<number>(d0.nClasses).fill(0);
  for (const y of d0.yTrain) counts[y]++;
  const vOpts = verdictOptions('classification', d0.nClasses, counts.map((c) => c / d0.yTrain.length), labelNoiseLoss(e.data.noise * LABEL_FLIP_PER_NOISE, d0.nClasses));
  const lanes = lanesOf(e);
  const es = e.strategy.earlyStopping;
  const configOf = (id: number, params: TrialParams): TrialConfig => ({
    trialId: id,
    model: resolveModel(e.model, params),
    seed: e.strategy.seed * 1000 + id,
    shuffleSeed: e.strategy.seed * 1000 + 999,
    boundaryGrid: 0,
    ...(es.enabled ? { earlyStopping: { patience: es.patience, minDelta: es.minDelta, restoreBest: es.restoreBest } } : {}),
  });
  const out: HarnessTrial[] = [];
  while (source.remaining > 0) {
    const max = e.strategy.batching ? Math.max(1, Math.min(MAX_BATCH, Math.ceil(source.remaining / lanes))) : 1;
    const asked: { id: number; params: TrialParams; cfg: TrialConfig }[] = [];
    while (asked.length < max && source.remaining > 0) {
      const next = source.next();
      if (next === null) break;
      asked.push({ ...next, cfg: configOf(next.id, next.params) });
    }
    if (asked.length === 0) break;
    const groups = new Map<string, typeof asked>();
    for (const q of asked) groups.set(batchKey(q.cfg), [...(groups.get(batchKey(q.cfg)) ?? []), q]);
    for (const group of groups.values()) {
      const runs = data.length * Math.max(1, e.strategy.repeats);
      const results: TrialResult[][] = group.map(() => []);
      for (let run = 0; run < runs; run++) {
        const fold = run % data.length;
        const offset = runSeedOffset(Math.floor(run / data.length), fold);
        const alive = group.map((_, i) => i).filter((i) => results[i].every((r) => r.status === 'complete'));
        if (alive.length === 0) break;
        const cfgs = alive.map((i) => ({ ...group[i].cfg, seed: group[i].cfg.seed + offset, shuffleSeed: group[i].cfg.shuffleSeed! + offset }));
        const onEpoch = (id: number, m: EpochMetrics) => (run === 0 && source.tellEpoch(id, m.epoch, kit.objective(m)) === 'prune' ? 'prune' : 'continue');
        const rs = await trainBatch(data[fold], cfgs, onEpoch);
        alive.forEach((i, j) => results[i].push(rs[j]));
      }
      group.forEach((q, i) => {
        const r = combineRuns(results[i]);
        const ends = (r.runs ?? [r]).map((x) => endValue(x, kit.objective));
        const value = ends.reduce((a, b) => a + b, 0) / ends.length;
        const failed = r.status === 'failed' || r.status === 'diverged' || !Number.isFinite(value);
        const outcome: TrialOutcome = { state: r.status === 'cancelled' ? 'failed' : r.status, objective: failed ? NaN : value, curve: r.epochs.map(kit.objective) };
        source.tell(q.id, q.params, outcome);
        const verdict = fitVerdict(r.epochs, r.status, vOpts);
        out.push({ id: q.id, params: q.params, state: r.status, epochs: r.epochs, result: r, verdict });
      });
    }
  }
  return out.sort((a, b) => a.id - b.id);
}

/** Trains every run of `lesson` in order, with each run's experiment changed by `edit` (e.g. another seed). */
export async function runLesson(lesson: Lesson, edit: (e: Experiment) => Experiment = (e) => e): Promise<{ trials: LessonTrials; experiments: Record<string, Experiment> }> {
  const trials: Record<string, HarnessTrial[]> = {};
  const experiments: Record<string, Experiment> = {};
  for (const run of lesson.runs) {
    const e = edit(structuredClone(run.experiment));
    experiments[run.id] = e;
    trials[run.id] = await runExperiment(e);
  }
  return { trials, experiments };
}

/** `e` with data and strategy seeds set to `seed` (other points, split, weights and batch order). */
export function reseed(seed: number): (e: Experiment) => Experiment {
  return (e) => ({ ...e, data: { ...e.data, seed }, strategy: { ...e.strategy, seed } });
}
