import { describe, expect, it } from 'vitest';
import type { EpochMetrics, TrialStatus } from '../../../src/lib/train/types';
import {
  THRESHOLDS, VERDICT_KINDS, baselineLoss, chanceAccuracy, fitVerdict, labelNoiseLoss, verdictOf, verdictOptions,
} from '../../../src/lib/analysis/verdict';
import type { VerdictKind, VerdictOptions } from '../../../src/lib/analysis/verdict';

/** Epoch records from loss arrays (and optional accuracies). */
function curve(train: number[], val: number[], trainAcc?: number[], valAcc?: number[]): EpochMetrics[] {
  return train.map((t, i) => ({
    epoch: i + 1, trainLoss: t, valLoss: val[i], trainAcc: trainAcc?.[i], valAcc: valAcc?.[i], elapsedMs: 10 * (i + 1),
  }));
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const LN2 = Math.log(2);
const binary: VerdictOptions = { baselineLoss: LN2, chanceAccuracy: 0.5 };

// Overfitting: val falls to 0.31 at epoch 7 then rises linearly by 38% to epoch 20; train keeps falling.
const ofVal = range(20).map((i) => (i <= 6 ? 0.65 - (0.34 * i) / 6 : 0.31 * (1 + (0.38 * (i - 6)) / 13)));
const ofTrain = range(20).map((i) => 0.65 * 0.85 ** i);
// Good: both settle near 0.1 with a small gap.
const goodTrain = range(20).map((i) => 0.09 + 0.6 * 0.6 ** i);
const goodVal = range(20).map((i) => 0.1 + 0.6 * 0.6 ** i);
// Still improving: geometric fall that has not levelled off.
const impVal = range(10).map((i) => 0.3 * 0.9 ** i);
const impTrain = impVal.map((v) => v * 0.95);
// Unstable: falls for 10 epochs then zig-zags 0.3 / 0.5.
const unsVal = range(20).map((i) => (i < 10 ? 0.7 - 0.04 * i : i % 2 ? 0.5 : 0.3));
const unsTrain = range(20).map((i) => (i < 10 ? 0.7 - 0.04 * i : 0.28));
// Noisy but fine: ±3% alternating noise around a settled 0.2.
const noisyVal = range(20).map((i) => 0.2 * (1 + (i % 2 ? 0.03 : -0.03)) + 0.4 * 0.5 ** i);
const noisyTrain = range(20).map((i) => 0.18 + 0.4 * 0.5 ** i);
const flat = (v: number, n: number) => range(n).map(() => v);

interface Case {
  name: string;
  epochs: EpochMetrics[];
  status?: TrialStatus;
  opts?: VerdictOptions;
  kind: VerdictKind;
  /** substrings the sentence must contain. */
  says?: string[];
}

const cases: Case[] = [
  { name: 'overfitting: val minimum at epoch 7, rises 38% by 20, train keeps falling', epochs: curve(ofTrain, ofVal), kind: 'overfitting',
    says: ['bottomed at epoch 7 (0.31)', 'rose 38% by epoch 20'] },
  { name: 'good: both settle, small gap', epochs: curve(goodTrain, goodVal), kind: 'good', says: ['settled at 0.1', 'epoch 20'] },
  { name: 'good: noisy validation (±3%) is not unstable', epochs: curve(noisyTrain, noisyVal), kind: 'good' },
  { name: 'improving: validation loss still falling at the end', epochs: curve(impTrain, impVal), kind: 'improving', says: ['still falling at the end (epoch 10)'] },
  { name: 'improving, pruned: names the pruner', epochs: curve(impTrain, impVal), status: 'pruned', kind: 'improving', says: ['pruner stopped it at epoch 10'] },
  { name: 'unstable: zig-zag in the last half', epochs: curve(unsTrain, unsVal), kind: 'unstable', says: ['Validation loss jumped', '100%'] },
  { name: 'unstable: training loss zig-zags', epochs: curve(unsVal, unsTrain), kind: 'unstable', says: ['Training loss jumped'] },
  { name: 'underfitting: flat at chance loss', epochs: curve(flat(0.69, 15), flat(0.7, 15)), kind: 'underfitting', says: ['0.69', '100%'] },
  { name: 'underfitting: accuracy near chance with moderate loss', epochs: curve(flat(0.3, 10), flat(0.31, 10), flat(0.52, 10), flat(0.51, 10)),
    kind: 'underfitting', says: ['52.0%', '50.0%'] },
  { name: 'good: flat low curve', epochs: curve(flat(0.05, 12), flat(0.06, 12)), kind: 'good' },
  { name: 'good: high train loss from dropout but low val loss is not underfitting', epochs: curve(flat(0.45, 10), flat(0.2, 10)), kind: 'good' },
  { name: 'underfitting: label noise raises the bar unless irreducibleLoss is given', epochs: curve(flat(0.5, 10), flat(0.51, 10)), kind: 'underfitting' },
  { name: 'good: same curve with irreducible loss of 10% flipped labels', epochs: curve(flat(0.5, 10), flat(0.51, 10)),
    opts: { baselineLoss: LN2, irreducibleLoss: labelNoiseLoss(0.1, 2) }, kind: 'good' },
  { name: 'diverged: status says so', epochs: curve(goodTrain, goodVal), status: 'diverged', kind: 'diverged', says: ['stopped the trial after epoch 20'] },
  { name: 'diverged: NaN in the middle', epochs: curve([0.7, 0.6, NaN, 0.5], [0.7, 0.6, 0.6, 0.5]), kind: 'diverged', says: ['Training loss became NaN at epoch 3 (after 0.6 at epoch 2)'] },
  { name: 'diverged: infinite validation loss', epochs: curve([0.7, 0.6, 0.5], [0.7, Infinity, 0.5]), kind: 'diverged', says: ['Validation loss became infinity at epoch 2'] },
  { name: 'diverged: loss explodes but stays finite', epochs: curve([0.7, 1.5, 4, 30], [0.7, 2, 5, 40]), kind: 'diverged', says: ['grew from 0.7', 'to 30'] },
  { name: 'diverged: blown up from the first epoch, far above the baseline', epochs: curve(flat(12, 5), flat(14, 5)), kind: 'diverged', says: ['ended at 12', 'far above the 0.69'] },
  { name: 'diverged: no epochs at all', epochs: [], status: 'diverged', kind: 'diverged', says: ['before the first epoch'] },
  { name: '1 epoch, low loss: good', epochs: curve([0.1], [0.12]), kind: 'good', says: ['was 0.12 after 1 epoch'] },
  { name: '1 epoch, high loss: underfitting', epochs: curve([0.68], [0.69]), kind: 'underfitting', says: ['after only 1 epoch'] },
  { name: 'too few epochs for overfitting: short V shape is not judged', epochs: curve([0.5, 0.3, 0.2, 0.1], [0.5, 0.3, 0.32, 0.4]), kind: 'good', says: ['ended at 0.4'] },
  { name: 'regression: MSE falls well below 1', epochs: curve(range(30).map((i) => 0.05 + 0.9 * 0.7 ** i), range(30).map((i) => 0.07 + 0.9 * 0.7 ** i)),
    opts: { baselineLoss: 1 }, kind: 'good' },
  { name: 'regression: MSE stuck near the variance', epochs: curve(flat(0.9, 10), flat(0.95, 10)), opts: { baselineLoss: 1 }, kind: 'underfitting' },
];

describe('fitVerdict', () => {
  it.each(cases)('$name', ({ epochs, status, opts, kind, says }) => {
    const v = fitVerdict(epochs, status ?? 'complete', opts ?? binary);
    expect(v).not.toBeNull();
    expect(v!.kind).toBe(kind);
    for (const s of says ?? []) expect(v!.sentence).toContain(s);
    // one sentence: a single full stop at the end (numbers may contain dots)
    expect(v!.sentence.replace(/\d\.\d/g, '').split('. ').length).toBe(1);
    expect(v!.sentence.endsWith('.')).toBe(true);
    expect(v!.label.length).toBeGreaterThan(0);
  });

  it('overfitting evidence quotes the curve', () => {
    const v = fitVerdict(curve(ofTrain, ofVal), 'complete', binary)!;
    expect(v.evidence.bestValEpoch).toBe(7);
    expect(v.evidence.bestValLoss).toBeCloseTo(0.31, 10);
    expect(v.evidence.valRise).toBeCloseTo(0.38, 6);
    expect(v.evidence.trainDropAfterBest).toBeGreaterThan(0.5);
    expect(v.evidence.firstNonFiniteEpoch).toBe(0);
  });

  it('the oscillation measures a perfect zig-zag as 100% flips', () => {
    const v = fitVerdict(curve(unsTrain, unsVal), 'complete', binary)!;
    expect(v.evidence.valSignChanges).toBe(1);
    expect(v.evidence.valAmplitude).toBeCloseTo(0.2 / 0.4, 6);
    expect(v.evidence.trainSignChanges).toBe(0);
  });

  it('returns null when there is nothing to judge', () => {
    expect(fitVerdict([], 'complete', binary)).toBeNull();
    expect(fitVerdict(curve(goodTrain, goodVal), 'failed', binary)).toBeNull();
  });

  it('rejects a non-positive baseline', () => {
    expect(() => fitVerdict(curve([0.5], [0.5]), 'complete', { baselineLoss: 0 })).toThrow(RangeError);
  });

  it('verdictOf reads a TrialResult', () => {
    expect(verdictOf({ status: 'complete', epochs: curve(ofTrain, ofVal) }, binary)!.kind).toBe('overfitting');
  });

  it('a validation rise below the threshold is not overfitting', () => {
    const val = range(20).map((i) => (i <= 6 ? 0.65 - (0.34 * i) / 6 : 0.31 * (1 + (0.05 * (i - 6)) / 13)));
    expect(fitVerdict(curve(ofTrain, val), 'complete', binary)!.kind).toBe('good');
  });

  it('rules are tried in VERDICT_KINDS order and THRESHOLDS is the one place for numbers', () => {
    expect(VERDICT_KINDS[0]).toBe('diverged');
    expect(VERDICT_KINDS[VERDICT_KINDS.length - 1]).toBe('good');
    expect(THRESHOLDS.overfitBestEpochFraction).toBe(0.8);
  });
});

describe('baselines', () => {
  it.each([
    { task: 'classification' as const, n: 2, priors: undefined, loss: LN2, chance: 0.5 },
    { task: 'classification' as const, n: 3, priors: undefined, loss: Math.log(3), chance: 1 / 3 },
    { task: 'classification' as const, n: 2, priors: [0.9, 0.1], loss: -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)), chance: 0.9 },
    { task: 'regression' as const, n: 1, priors: undefined, loss: 1, chance: NaN },
  ])('$task n=$n priors=$priors', ({ task, n, priors, loss, chance }) => {
    expect(baselineLoss(task, n, priors)).toBeCloseTo(loss, 12);
    const o = verdictOptions(task, n, priors);
    expect(o.baselineLoss).toBeCloseTo(loss, 12);
    if (task === 'classification') expect(chanceAccuracy(n, priors)).toBeCloseTo(chance, 12);
    else expect(o.chanceAccuracy).toBeUndefined();
  });

  it.each([
    { flip: 0, k: 2, h: 0 },
    { flip: 0.5, k: 2, h: LN2 },
    { flip: 0.1, k: 2, h: -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)) },
    { flip: 2 / 3, k: 3, h: Math.log(3) },
  ])('labelNoiseLoss($flip, $k) = $h', ({ flip, k, h }) => {
    expect(labelNoiseLoss(flip, k)).toBeCloseTo(h, 12);
  });
});

describe('a model that never learned does not overfit', () => {
  it('calls a near-chance curve with a late rise underfitting, not overfitting', () => {
    // binary task: baseline ln 2 = 0.693; validation hovers at chance, dips a little, then rises 10%+
    const val = [0.70, 0.68, 0.66, 0.67, 0.69, 0.71, 0.72, 0.73, 0.74, 0.745];
    const train = [0.70, 0.69, 0.68, 0.67, 0.66, 0.65, 0.64, 0.63, 0.62, 0.61];
    const epochs = val.map((v, i) => ({ epoch: i + 1, trainLoss: train[i], valLoss: v, trainAcc: 0.55, valAcc: 0.52, elapsedMs: i }));
    const v = fitVerdict(epochs, 'complete', verdictOptions('classification', 2));
    expect(v?.kind).toBe('underfitting');
  });
});

describe('a model whose validation loss stays at chance is not a good fit', () => {
  it('is underfitting even when the training loss falls and the gap is wide', () => {
    const val = Array.from({ length: 20 }, (_, i) => 0.693 + 0.002 * Math.sin(i));
    const train = Array.from({ length: 20 }, (_, i) => 0.69 - 0.012 * i);
    const epochs = val.map((v, i) => ({ epoch: i + 1, trainLoss: train[i], valLoss: v, trainAcc: 0.5 + 0.01 * i, valAcc: 0.53, elapsedMs: i }));
    const v = fitVerdict(epochs, 'complete', verdictOptions('classification', 2));
    expect(v?.kind).toBe('underfitting');
    expect(v?.sentence).toMatch(/no better than/);
  });
});
