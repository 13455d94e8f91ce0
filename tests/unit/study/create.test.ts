import { describe, expect, it } from 'vitest';
import type { PrunerConfig, StrategyKind } from '../../../src/lib/experiment/types';
import { createSearch, prunerSpecOf, strategyContext } from '../../../src/lib/search/create';
import { STRATEGIES } from '../../../src/lib/search/registry';
import { experimentWith } from './fixtures';

describe('createSearch', () => {
  it.each(Object.keys(STRATEGIES) as StrategyKind[])('builds %s with the experiment\'s context', (kind) => {
    const e = experimentWith(kind);
    const kit = createSearch(e, { accuracy: true, manualQueue: [{ learningRate: 0.01 }] });
    expect(kit.pruner).toBeNull();
    expect(kit.strategy.ask([])).not.toBeNull();
    expect(strategyContext(e)).toMatchObject({ seed: e.strategy.seed, budget: 12, gridPoints: e.strategy.gridPoints });
  });

  it('manual search takes trials from the shared live queue', () => {
    const queue = [{ learningRate: 0.01 }];
    const kit = createSearch(experimentWith('manual'), { accuracy: false, manualQueue: queue });
    queue.push({ learningRate: 0.02 });
    expect([kit.strategy.ask([]), kit.strategy.ask([]), kit.strategy.ask([])]).toEqual([{ learningRate: 0.01 }, { learningRate: 0.02 }, null]);
  });

  it.each<[PrunerConfig['kind'], boolean, object | null]>([
    ['none', true, null],
    ['median', true, { kind: 'median', warmupTrials: 2, warmupEpochs: 2, label: 'val accuracy' }],
    ['asha', false, { kind: 'asha', minEpochs: 1, eta: 2, maxEpochs: 9, label: 'val loss' }],
    ['hyperband', true, { kind: 'hyperband', minEpochs: 1, eta: 3, maxEpochs: 9, label: 'val accuracy' }],
  ])('maps pruner %s (accuracy %s) to its spec', (kind, accuracy, spec) => {
    const e = experimentWith('random', kind);
    expect(prunerSpecOf(e, accuracy)).toEqual(spec);
    const kit = createSearch(e, { accuracy });
    expect(kit.pruner?.kind ?? 'none').toBe(kind);
  });

  it('words pruning reasons in the study metric (percent for accuracy)', () => {
    const kit = createSearch(experimentWith('random', 'asha'), { accuracy: true });
    kit.strategy.tellEpoch!(0, 1, -0.9);
    expect(kit.strategy.tellEpoch!(1, 1, -0.5)).toBe('prune');
    expect(kit.pruner!.reasonFor(1)).toMatch(/val accuracy 50\.0%.*90\.0%/);
    expect(kit.objective({ epoch: 1, trainLoss: 1, valLoss: 1, valAcc: 0.7, elapsedMs: 0 })).toBeCloseTo(-0.7);
  });

  it('names a strategy that is not registered', () => {
    expect(() => createSearch({ ...experimentWith('random'), strategy: { ...experimentWith('random').strategy, kind: 'bogus' as StrategyKind } }, { accuracy: true })).toThrow(/bogus strategy is not available/);
  });
});
