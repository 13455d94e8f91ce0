/** Experiments and studies shared by the study tests. */
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import type { Experiment, PrunerConfig, StrategyKind, TrialParams } from '../../../src/lib/experiment/types';
import { createSearch } from '../../../src/lib/search/create';
import { newStudy } from '../../../src/lib/study/record';
import { resumeSearch } from '../../../src/lib/study/resume';
import type { StudyRecord } from '../../../src/lib/study/types';
import { newWorld, runSim, worldTrials, type SimOptions } from './simulate';

/** The default experiment with `kind`, a pruner, `budget` trials of `epochs` epochs, and a categorical axis. */
export function experimentWith(kind: StrategyKind, pruner: PrunerConfig['kind'] = 'none', o: { budget?: number; epochs?: number; repeats?: number } = {}): Experiment {
  const e = defaultExperiment();
  e.model.epochs = o.epochs ?? 9;
  e.space.optimizer = { type: 'categorical', choices: ['sgd', 'adam'] };
  e.strategy = {
    ...e.strategy,
    kind,
    budget: o.budget ?? 12,
    concurrency: 2,
    repeats: o.repeats ?? 1,
    pruner: { kind: pruner, minEpochs: 1, eta: pruner === 'hyperband' ? 3 : 2, warmupTrials: 2, warmupEpochs: 2 },
  };
  return e;
}

/** A manual queue of `n` trials (drawn by random search over the experiment's space). */
export function manualQueueFor(e: Experiment, n: number): TrialParams[] {
  const random = createSearch({ ...e, strategy: { ...e.strategy, kind: 'random' } }, { accuracy: false }).strategy;
  return Array.from({ length: n }, () => random.ask([])!);
}

/** A finished study simulated from `e` (metric: validation loss), with its log. */
export function simulatedStudy(e: Experiment, sim: Partial<SimOptions> = {}): StudyRecord {
  const study = newStudy({ id: 'sim-1', now: 1_700_000_000_000, experiment: e, metric: 'valLoss', name: 'Simulated study' });
  const manualQueue = e.strategy.kind === 'manual' ? manualQueueFor(e, e.strategy.budget) : undefined;
  const session = resumeSearch(study, { manualQueue });
  const world = newWorld();
  runSim(session, world, { lanes: 2, epochs: e.model.epochs, repeats: e.strategy.repeats, ...sim });
  return { ...study, trials: worldTrials(world), log: [...session.log] };
}
