/**
 * Building a lesson's experiments: the page's default experiment with a lesson's overrides, every
 * parameter fixed except the ones the lesson compares. One place for what every lesson shares.
 */
import { defaultEarlyStopping, defaultExperiment, defaultPruner, fixedSpace } from '../experiment/defaults';
import type { DataSpec, EarlyStoppingConfig, Experiment, ModelSpec, SearchSpace, StrategySpec, ValidationConfig } from '../experiment/types';
import type { Lesson, LessonRun, ReadContext } from './types';

/** A lesson experiment as the differences from the page's default. */
export interface PresetSpec {
  /** dataset and split (2-D generators: id, noise 0..0.5, samples, fractions, seed). */
  data: Partial<DataSpec>;
  model?: Partial<ModelSpec>;
  /** the searched parameters; every other one is fixed at its `model` value. */
  search?: Partial<SearchSpace>;
  strategy?: Partial<Omit<StrategySpec, 'earlyStopping' | 'validation'>> & {
    earlyStopping?: Partial<EarlyStoppingConfig>;
    validation?: Partial<ValidationConfig>;
  };
}

/**
 * Two moons with 30% noise, half of 150 points for training, 150 epochs: two 64-unit ReLU layers learn
 * the training points almost by heart while the validation loss turns up after its minimum (seeds 1-8:
 * lowest at epochs 3-59, final validation loss 0.37-1.4, 0.2-1.25 above the training loss). With 100
 * epochs the overfitting was too mild on 2 of 8 seeds for dropout or L2 to show.
 * The dropout and L2 lessons train exactly this; the early-stopping lesson adds a test split.
 */
export const OVERFIT_PRESET: Required<Pick<PresetSpec, 'data' | 'model'>> = {
  data: { id: 'moons', noise: 0.3, samples: 150, valFraction: 0.5, testFraction: 0 },
  model: {
    layers: [{ units: 64, activation: 'relu' }, { units: 64, activation: 'relu' }],
    optimizer: 'adam', learningRate: 0.003, batchSize: 16, epochs: 150, dropout: 0, l2: 0,
  },
};

/**
 * The number of trials a grid over `space` has when every searched parameter is categorical (the
 * product of the numbers of choices); null when a parameter is a range.
 */
export function categoricalGridSize(space: Partial<SearchSpace>): number | null {
  let n = 1;
  for (const spec of Object.values(space)) {
    if (!spec || spec.type === 'fixed') continue;
    if (spec.type !== 'categorical') return null;
    n *= spec.choices.length;
  }
  return n;
}

/**
 * A full Experiment from the page's default and `p`. Lesson defaults: grid search (so the trials are
 * exactly the listed choices, each once), a budget of one trial per grid point, strategy seed 1, no
 * pruner, no early stopping, hold-out validation, one repeat, and an automatic choice of backend
 * and workers.
 */
export function preset(p: PresetSpec): Experiment {
  const base = defaultExperiment();
  const search = p.search ?? {};
  const { earlyStopping, validation, ...strategy } = p.strategy ?? {};
  return {
    ...base,
    data: { ...base.data, ...p.data },
    model: { ...base.model, ...p.model },
    space: { ...fixedSpace(), ...search },
    strategy: {
      ...base.strategy,
      kind: 'grid',
      budget: categoricalGridSize(search) ?? base.strategy.budget,
      seed: 1,
      pruner: defaultPruner(),
      repeats: 1,
      ...strategy,
      earlyStopping: { ...defaultEarlyStopping(), ...earlyStopping },
      validation: { scheme: 'holdout', k: 5, ...validation },
    },
  };
}

/** The experiment "open in the playground" loads: the lesson's first run's. */
export function mainExperiment(lesson: Pick<Lesson, 'runs'>): Experiment {
  return lesson.runs[0].experiment;
}

/** The context of reading a lesson whose runs trained their presets unchanged, optimising `metric`. */
export function presetContext(lesson: Pick<Lesson, 'runs'>, metric: ReadContext['metric'] = 'valAcc'): ReadContext {
  return { experiments: Object.fromEntries(lesson.runs.map((r: LessonRun) => [r.id, r.experiment])), metric };
}
