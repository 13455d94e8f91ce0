import { describe, expect, it } from 'vitest';
import { summarizeStudy } from '../../../src/lib/analysis/summary';
import type { SummaryContext, SummaryTrial } from '../../../src/lib/analysis/summary';
import type { VerdictKind } from '../../../src/lib/analysis/verdict';
import type { TrialParams } from '../../../src/lib/experiment/types';
import type { Dimension } from '../../../src/lib/search/types';

const lrDrop: Dimension[] = [
  { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 1, log: true } },
  { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false } },
];
const acc = { name: 'val accuracy', direction: 'max', percent: true } as const;

const t = (id: number, params: TrialParams, verdict: VerdictKind | null, val: number, train?: number): SummaryTrial => ({ id, params, verdict, val, train });

// high learning rates diverge, low dropout overfits, tiny learning rates underfit
const studyA: SummaryTrial[] = [
  t(0, { learningRate: 0.9, dropout: 0.1 }, 'diverged', NaN),
  t(1, { learningRate: 0.8, dropout: 0.3 }, 'diverged', NaN),
  t(2, { learningRate: 1.0, dropout: 0.2 }, 'diverged', NaN),
  t(3, { learningRate: 0.5, dropout: 0.0 }, 'overfitting', 0.9),
  t(4, { learningRate: 0.03, dropout: 0.05 }, 'overfitting', 0.91),
  t(5, { learningRate: 0.01, dropout: 0.02 }, 'overfitting', 0.89),
  t(6, { learningRate: 0.03, dropout: 0.2 }, 'good', 0.965),
  t(7, { learningRate: 0.001, dropout: 0.4 }, 'good', 0.95),
  t(8, { learningRate: 0.0003, dropout: 0.3 }, 'underfitting', 0.7),
  t(9, { learningRate: 0.0001, dropout: 0.45 }, 'underfitting', 0.6),
  t(10, { learningRate: 0.005, dropout: 0.35 }, 'good', 0.94),
];

const unitsDrop: Dimension[] = [
  { name: 'units', spec: { type: 'int', low: 4, high: 64, log: true } },
  { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false } },
];
// one overfitting trial only; the train-val gap grows with units
const studyB: SummaryTrial[] = [4, 8, 16, 24, 32, 64].map((u, i) =>
  t(i, { units: u, dropout: [0.3, 0.1, 0.4, 0.0, 0.2, 0.25][i] }, i === 5 ? 'overfitting' : 'good', 0.9 - 0.01 * i, 0.9 + 0.01 * i));

const optAct: Dimension[] = [
  { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] } },
  { name: 'activation', spec: { type: 'categorical', choices: ['relu', 'tanh'] } },
];
const studyC: SummaryTrial[] = [
  t(0, { optimizer: 'sgd', activation: 'relu' }, 'diverged', NaN),
  t(1, { optimizer: 'sgd', activation: 'tanh' }, 'diverged', NaN),
  t(2, { optimizer: 'adam', activation: 'relu' }, 'overfitting', 0.31),
  t(3, { optimizer: 'rmsprop', activation: 'relu' }, 'overfitting', 0.35),
  t(4, { optimizer: 'adam', activation: 'tanh' }, 'good', 0.2),
  t(5, { optimizer: 'rmsprop', activation: 'tanh' }, 'good', 0.25),
  t(6, { optimizer: 'adam', activation: 'tanh' }, null, NaN),
];
const loss = { name: 'val loss', direction: 'min' } as const;

describe('summarizeStudy', () => {
  it.each([
    {
      name: 'learning-rate divergence, dropout overfitting, lr underfitting',
      trials: studyA, ctx: { dims: lrDrop, metric: acc } as SummaryContext,
      out: [
        'Of 11 finished trials, 3 fit well, 2 underfit, 3 overfit and 3 diverged.',
        'The best trial (#6, 96.5% val accuracy) used learning rate 0.03 and dropout 0.2, and was a good fit.',
        'Every trial with learning rate ≥ 0.8 diverged (3 trials), while the highest learning rate that did not diverge was 0.5.',
        'The 3 overfitting trials used lower dropout than the other 5 (median 0.02 against 0.35), the clearest difference of any hyperparameter.',
        'The 2 underfitting trials used lower learning rate than the other 6 (median 0.0002 against 0.02), the clearest difference of any hyperparameter.',
      ],
    },
    {
      name: 'too few overfitting trials: the train-val gap correlation names units',
      trials: studyB, ctx: { dims: unitsDrop, metric: acc } as SummaryContext,
      out: [
        'Of 6 finished trials, 5 fit well and 1 overfit.',
        'The best trial (#0, 90.0% val accuracy) used units per hidden layer 4 and dropout 0.3, and was a good fit.',
        'The gap between training and validation accuracy grew with higher units per hidden layer (Spearman 1 over 6 trials).',
      ],
    },
    {
      name: 'categorical: a diverging optimizer and an overfitting activation, loss metric',
      trials: studyC, ctx: { dims: optAct, metric: loss } as SummaryContext,
      out: [
        'Of 7 finished trials, 2 fit well, 2 overfit, 2 diverged and 1 failed.',
        'The best trial (#4, val loss 0.2) used optimizer adam and activation tanh, and was a good fit.',
        'Every trial with optimizer sgd diverged (2 trials).',
        'The 2 overfitting trials mostly used activation relu (2 of 2, against 0 of the other 2), the clearest difference of any hyperparameter.',
      ],
    },
    { name: 'no trials', trials: [], ctx: { dims: lrDrop, metric: acc } as SummaryContext, out: ['No trials have finished yet.'] },
    {
      name: 'one trial',
      trials: [t(3, { learningRate: 0.01, dropout: 0.1 }, 'improving', 0.8)], ctx: { dims: lrDrop, metric: acc } as SummaryContext,
      out: [
        'The one finished trial was still improving.',
        'The best trial (#3, 80.0% val accuracy) used learning rate 0.01 and dropout 0.1, and was still improving when it stopped, so more epochs might do even better.',
      ],
    },
    {
      name: 'all diverged',
      trials: [t(0, { learningRate: 0.9 }, 'diverged', NaN), t(1, { learningRate: 0.5 }, 'diverged', NaN)],
      ctx: { dims: lrDrop.slice(0, 1), metric: acc } as SummaryContext,
      out: ['Of 2 finished trials, 2 diverged.', 'All 2 finished trials diverged.'],
    },
    {
      name: 'scattered divergence has no range to blame; groups that do not differ say so',
      trials: [
        t(0, { learningRate: 0.1, dropout: 0.1 }, 'diverged', NaN),
        t(1, { learningRate: 0.01, dropout: 0.2 }, 'good', 0.9),
        t(2, { learningRate: 0.001, dropout: 0.3 }, 'diverged', NaN),
        t(3, { learningRate: 0.0001, dropout: 0.4 }, 'good', 0.8),
        t(4, { learningRate: 0.01, dropout: 0.25 }, 'overfitting', 0.85),
        t(5, { learningRate: 0.001, dropout: 0.3 }, 'overfitting', 0.84),
        t(6, { learningRate: 0.001, dropout: 0.3 }, 'good', 0.83),
      ],
      ctx: { dims: lrDrop, metric: acc } as SummaryContext,
      out: [
        'Of 7 finished trials, 3 fit well, 2 overfit and 2 diverged.',
        'The best trial (#1, 90.0% val accuracy) used learning rate 0.01 and dropout 0.2, and was a good fit.',
        '2 trials diverged, with no single hyperparameter range to blame.',
        'The 2 overfitting trials do not differ clearly from the others in any single hyperparameter.',
      ],
    },
  ])('$name', ({ trials, ctx, out }) => {
    expect(summarizeStudy(trials, ctx)).toEqual(out);
  });
});
