import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import type { Experiment } from '../../../src/lib/experiment/types';
import { describeDifferences, experimentDifferences } from '../../../src/lib/study/compare';
import { bestSoFarSeries, poolTrials } from '../../../src/lib/study/series';
import type { StudyRecord, StudyTrial } from '../../../src/lib/study/types';
import { newStudy } from '../../../src/lib/study/record';

const edit = (f: (e: Experiment) => void): Experiment => {
  const e = defaultExperiment();
  f(e);
  return e;
};
const base = defaultExperiment();

describe('describeDifferences', () => {
  it.each<[string, Experiment[], string]>([
    ['one changed value', [base, edit((e) => (e.model.dropout = 0.3))], 'dropout 0 → 0.3; everything else equal'],
    ['identical', [base, defaultExperiment()], 'identical experiments'],
    ['a single experiment', [base], ''],
    ['three experiments', [base, edit((e) => (e.model.dropout = 0.3)), edit((e) => (e.model.dropout = 0.5))], 'dropout 0 / 0.3 / 0.5; everything else equal'],
    ['fixed vs searched', [base, edit((e) => (e.space.dropout = { type: 'float', low: 0, high: 0.5, log: false }))], 'dropout 0 → searched 0–0.5; everything else equal'],
    ['a new choice list', [base, edit((e) => (e.space.optimizer = { type: 'categorical', choices: ['sgd', 'adam'] }))], 'optimizer adam → one of sgd, adam; everything else equal'],
    ['data and strategy', [base, edit((e) => { e.data.noise = 0.2; e.strategy.kind = 'tpe'; })], 'noise 10% → 20%; strategy random → tpe; everything else equal'],
    ['layers', [base, edit((e) => (e.model.layers = [{ units: 64, activation: 'tanh' }]))], 'hidden layers 32-32-32 relu → 64 tanh; everything else equal'],
    ['the pruner', [base, edit((e) => (e.strategy.pruner = { ...e.strategy.pruner, kind: 'asha' }))], 'pruner none → ASHA (from epoch 5, η 3); everything else equal'],
    ['how trials ran is not a difference', [base, edit((e) => { e.backend = 'cpu'; e.strategy.batching = false; e.strategy.autoWorkers = false; })], 'identical experiments'],
    ['many differences', [base, edit((e) => { e.model.dropout = 0.1; e.model.l1 = 0.01; e.model.epochs = 10; e.strategy.seed = 9; e.strategy.budget = 20; e.data.seed = 4; })],
      'data seed 1 → 4; dropout 0 → 0.1; L1 penalty 0 → 0.01; epochs 80 → 10; and 2 more differences'],
  ])('%s', (_, experiments, line) => {
    expect(describeDifferences(experiments)).toBe(line);
  });

  it('lists each difference with one value per experiment', () => {
    expect(experimentDifferences([base, edit((e) => (e.strategy.repeats = 3))])).toEqual([{ key: 'strategy.repeats', label: 'repeats', values: ['1', '3'] }]);
  });
});

const trial = (id: number, state: StudyTrial['state'], acc: number, endedAt: number): StudyTrial => ({
  id, params: {}, state, endedAt, epochs: [{ epoch: 1, trainLoss: 1, valLoss: 1, valAcc: acc, trainAcc: acc, elapsedMs: 1 }],
});
const studyOf = (id: string, author: string | undefined, trials: StudyTrial[], metric: StudyRecord['metric'] = 'valAcc'): StudyRecord =>
  ({ ...newStudy({ id, now: 0, experiment: base, metric, author, name: `study ${id}` }), trials });

describe('several studies', () => {
  const a = studyOf('a', 'Ada', [trial(0, 'complete', 0.6, 30), trial(1, 'pruned', 0.9, 10), trial(2, 'complete', 0.8, 20), trial(3, 'running', 0.99, 0)]);
  const b = studyOf('b', undefined, [trial(0, 'complete', 0.7, 5)]);

  it('best-so-far series in the order trials ended, percent for accuracy, pruned never the best', () => {
    const [sa, sb] = bestSoFarSeries([a, b]);
    expect(sa.label).toBe('Ada');
    expect(sb.label).toBe('study b');
    expect(sa.points.map((p) => [p.step, p.value, p.best])).toEqual([[1, NaN, NaN], [2, 80, 80], [3, 60, 80]]);
    expect(sb.points.map((p) => p.best)).toEqual([70]);
  });

  it('pools trials tagged by study and author, leaving out studies of another metric', () => {
    const c = studyOf('c', 'Cy', [trial(0, 'complete', 0.5, 1)], 'valLoss');
    const pooled = poolTrials([a, b, c]);
    expect(pooled.map((p) => [p.studyId, p.author, p.trial.id, p.kind])).toEqual([
      ['a', 'Ada', 0, 'complete'], ['a', 'Ada', 1, 'pruned'], ['a', 'Ada', 2, 'complete'], ['a', 'Ada', 3, 'running'], ['b', undefined, 0, 'complete'],
    ]);
    expect(pooled[0].value).toBeCloseTo(60);
    expect(pooled[1].value).toBeNaN();
  });
});
