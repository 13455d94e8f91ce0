import { describe, expect, it } from 'vitest';
import LZString from 'lz-string';
import { canExist, conditionalParams, unreachableParams } from '../../../src/lib/experiment/conditions';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import { PARAMS, PARAM_META } from '../../../src/lib/experiment/params';
import type { Experiment, ParamName } from '../../../src/lib/experiment/types';
import { decodeExperiment, encodeExperiment, HASH_PREFIX } from '../../../src/lib/experiment/url';
import { fixedValue, validateExperiment } from '../../../src/lib/experiment/validate';
import { resolveModel } from '../../../src/lib/model/spec';
import { createSearch, strategyContext } from '../../../src/lib/search/create';
import { newStudy } from '../../../src/lib/study/record';
import { decodeStudyFile, encodeStudyFile } from '../../../src/lib/study/file';

const withEdit = (f: (e: Experiment) => void): Experiment => {
  const e = defaultExperiment();
  f(e);
  return e;
};
const momentumSearched = (e: Experiment) => (e.space.momentum = { type: 'float', low: 0.5, high: 0.99, log: false });

describe('conditions of the experiment', () => {
  it('every conditional parameter comes after its parent', () => {
    PARAMS.forEach((p, i) => {
      if (p.when) expect(PARAMS.findIndex((q) => q.name === p.when!.parent), p.name).toBeLessThan(i);
    });
  });

  it.each([
    ['optimizer fixed at adam: momentum never exists', (e: Experiment) => momentumSearched(e), [], ['momentum']],
    ['optimizer fixed at momentum: momentum always exists', (e: Experiment) => { momentumSearched(e); e.model.optimizer = 'momentum'; }, ['momentum:'], []],
    ['optimizer searched with momentum: momentum under it', (e: Experiment) => { momentumSearched(e); e.space.optimizer = { type: 'categorical', choices: ['sgd', 'momentum'] }; }, ['optimizer:', 'momentum:optimizer'], []],
    ['optimizer searched without momentum: momentum never exists', (e: Experiment) => { momentumSearched(e); e.space.optimizer = { type: 'categorical', choices: ['sgd', 'adam'] }; }, ['optimizer:'], ['momentum']],
    ['schedule searched: its parameters under it', (e: Experiment) => {
      e.space.lrSchedule = { type: 'categorical', choices: ['step', 'cosine'] };
      e.space.lrStepSize = { type: 'int', low: 2, high: 10, log: false };
      e.space.lrFinal = { type: 'float', low: 0.01, high: 0.5, log: true };
      e.space.lrWarmup = { type: 'int', low: 0, high: 5, log: false };
    }, ['lrSchedule:', 'lrWarmup:', 'lrStepSize:lrSchedule', 'lrFinal:lrSchedule'], []],
    ['schedule fixed at cosine: the step size never exists', (e: Experiment) => {
      e.model.lrSchedule = 'cosine';
      e.space.lrStepSize = { type: 'int', low: 2, high: 10, log: false };
      e.space.lrFinal = { type: 'float', low: 0.01, high: 0.5, log: true };
    }, ['lrFinal:'], ['lrStepSize']],
  ] as [string, (e: Experiment) => void, string[], string[]][])('%s', (_what, edit, dims, unreachable) => {
    const e = withEdit(edit);
    const mine = conditionalParams(e).filter((d) => !defaultExperiment().space[d.name] || defaultExperiment().space[d.name].type === 'fixed');
    expect(mine.map((d) => `${d.name}:${d.when?.parent ?? ''}`)).toEqual(dims);
    expect(unreachableParams(e).map((u) => u.name)).toEqual(unreachable);
    // a parameter no trial can have is an error at its row, saying why
    for (const name of unreachable) {
      const err = validateExperiment(e).find((x) => x.path === `space.${name}`);
      expect(err?.message).toMatch(new RegExp(`${PARAM_META[name as ParamName].label} is only used when`));
    }
    if (unreachable.length === 0) expect(validateExperiment(e)).toEqual([]);
  });

  it('the search of an experiment samples its conditional parameters only under their parents', () => {
    const e = withEdit((x) => {
      momentumSearched(x);
      x.space.optimizer = { type: 'categorical', choices: ['momentum', 'adam'] };
      x.space.beta1 = { type: 'float', low: 0.8, high: 0.95, log: false };
      x.strategy.budget = 60;
    });
    const s = createSearch(e, { accuracy: false }).strategy;
    for (let id = 0; id < 60; id++) {
      const p = s.ask([])!;
      expect(p.momentum !== undefined).toBe(p.optimizer === 'momentum');
      expect(p.beta1 !== undefined).toBe(p.optimizer === 'adam');
      const m = resolveModel(e.model, p);
      expect(m.optimizer).toBe(p.optimizer);
      if (p.momentum !== undefined) expect(m.momentum).toBe(p.momentum);
      s.tell(id, p, { state: 'complete', objective: id, curve: [] });
    }
  });
});

describe('units of layer k only when the depth reaches k', () => {
  const e = withEdit((x) => {
    x.space.depth = { type: 'int', low: 1, high: 3, log: false };
    x.space.units3 = { type: 'categorical', choices: [4, 64] };
    x.strategy.kind = 'grid';
  });

  it('grid: one configuration per valid combination, each model shaped by it', () => {
    const s = createSearch(e, { accuracy: false }).strategy;
    // depth 1 or 2: the default space (3 × 3 × 3 points); depth 3: that × 2 sizes of layer 3
    expect(s.capacity).toBe(27 * (1 + 1 + 2));
    for (let id = 0; id < s.capacity; id++) {
      const p = s.ask([])!;
      expect(p.units3 !== undefined).toBe(p.depth === 3);
      const m = resolveModel(e.model, p);
      expect(m.layers.length).toBe(p.depth);
      expect(m.layers.map((l) => l.units)).toEqual(m.layers.map((_, i) => (i === 2 ? p.units3 : p.units)));
    }
  });

  it('a fixed depth too shallow for the layer is an error at its row', () => {
    const shallow = withEdit((x) => (x.space.units4 = { type: 'int', low: 4, high: 8, log: false }));
    expect(validateExperiment(shallow).find((x) => x.path === 'space.units4')?.message).toMatch(/Units of layer 4 is only used when hidden layers is at least 4, and hidden layers is fixed at 3/);
    expect(fixedValue(shallow, 'units2')).toBe(32);
  });
});

describe('saved links and studies', () => {
  it('a link made before schedules and optimizer constants existed still opens, with their defaults', () => {
    const old = defaultExperiment() as unknown as { space: Record<string, unknown> };
    for (const name of ['lrSchedule', 'lrWarmup', 'lrStepSize', 'lrDecay', 'lrFinal', 'momentum', 'beta1', 'beta2', 'topK', 'units2', 'units3', 'units4', 'units5', 'units6']) delete old.space[name];
    const r = decodeExperiment(HASH_PREFIX + LZString.compressToEncodedURIComponent(JSON.stringify(old)));
    if (r.kind !== 'ok') throw new Error(r.kind === 'error' ? r.message : 'empty');
    expect(r.experiment.space.momentum).toEqual({ type: 'fixed' });
    expect(r.experiment.model.momentum).toBeUndefined();
    expect(fixedValue(r.experiment, 'momentum')).toBe(0.9);
    expect(fixedValue(r.experiment, 'lrSchedule')).toBe('constant');
  });

  it('a link carries the schedule, the constants and the conditional space', () => {
    const e = withEdit((x) => {
      Object.assign(x.model, { lrSchedule: 'step', lrStepSize: 5, lrDecay: 0.5, lrWarmup: 2, momentum: 0.8, optimizer: 'momentum' });
      x.space.lrSchedule = { type: 'categorical', choices: ['step', 'exponential'] };
      x.space.lrFinal = { type: 'float', low: 0.01, high: 0.2, log: true };
      x.space.momentum = { type: 'float', low: 0.5, high: 0.95, log: false };
    });
    const r = decodeExperiment(encodeExperiment(e));
    expect(r).toEqual({ kind: 'ok', experiment: e });
    expect(strategyContext((r as { experiment: Experiment }).experiment)).toEqual(strategyContext(e));
  });

  it('a study file keeps trials without their inactive parameters, and the learning rate of each epoch', () => {
    const e = withEdit((x) => {
      x.space.optimizer = { type: 'categorical', choices: ['sgd', 'momentum'] };
      momentumSearched(x);
    });
    const study = newStudy({ id: 'cond-1', now: 1_700_000_000_000, experiment: e, metric: 'valLoss', name: 'Conditional' });
    const epochs = [{ epoch: 1, trainLoss: 1, valLoss: 1.1, elapsedMs: 5, lr: 0.01 }, { epoch: 2, trainLoss: 0.9, valLoss: 1, elapsedMs: 9, lr: 0.005 }];
    const trials = [
      { id: 0, params: { learningRate: 0.01, units: 16, l2: 1e-4, optimizer: 'sgd' }, state: 'complete' as const, epochs },
      { id: 1, params: { learningRate: 0.02, units: 32, l2: 1e-3, optimizer: 'momentum', momentum: 0.9 }, state: 'complete' as const, epochs },
    ];
    const r = decodeStudyFile(encodeStudyFile({ ...study, trials }));
    if (r.kind !== 'ok') throw new Error(r.message);
    expect(r.study.trials.map((t) => t.params)).toEqual(trials.map((t) => t.params));
    expect(r.study.trials[0].epochs.map((m) => m.lr)).toEqual([0.01, 0.005]);
    expect(r.study.experiment).toEqual(e);
  });
});

describe('canExist', () => {
  it.each([
    ['momentum', (e: Experiment) => e, false],
    ['momentum', (e: Experiment) => { e.model.optimizer = 'momentum'; return e; }, true],
    ['beta1', (e: Experiment) => e, true],
    ['lrFinal', (e: Experiment) => { e.space.lrSchedule = { type: 'categorical', choices: ['constant', 'cosine'] }; return e; }, true],
    ['lrStepSize', (e: Experiment) => { e.space.lrSchedule = { type: 'categorical', choices: ['constant', 'cosine'] }; return e; }, false],
    ['units3', (e: Experiment) => e, true],
    ['units4', (e: Experiment) => e, false],
    ['units4', (e: Experiment) => { e.space.depth = { type: 'int', low: 1, high: 4, log: false }; return e; }, true],
    ['learningRate', (e: Experiment) => e, true],
  ] as [ParamName, (e: Experiment) => Experiment, boolean][])('%s (case %#)', (name, edit, expected) => {
    expect(canExist(edit(defaultExperiment()), name)).toBe(expected);
  });
});
