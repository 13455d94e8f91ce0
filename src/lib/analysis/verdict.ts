/**
 * The fit verdict of one trial, read from its own per-epoch curves: did it underfit, overfit,
 * diverge, bounce around, run out of epochs while still improving, or fit well?
 * It reads three things: the shape of the curves (explosions, zig-zags, a validation minimum
 * followed by a rise, a fall that has not levelled off), the generalisation gap between the
 * training and validation curves (in loss and in accuracy), and how far the training fit falls
 * short of what the data allows (a reference score, see baseline.ts).
 * Every rule and every number it compares against lives in THRESHOLDS.
 */
import type { Task } from '../experiment/types';
import type { EpochMetrics, TrainData, TrialResult, TrialStatus } from '../train/types';
import type { Reference } from './baseline';
import { fmtNum, fmtPct, fmtPct1 } from './format';
import { mean, slope } from './stats';

/** What a trial's curves say about its fit. */
export type VerdictKind = 'underfitting' | 'overfitting' | 'good' | 'diverged' | 'unstable' | 'improving';

/** All verdict kinds from most to least severe; the tie-break order where trials are grouped. */
export const VERDICT_KINDS: readonly VerdictKind[] = ['diverged', 'unstable', 'overfitting', 'underfitting', 'improving', 'good'];

/** Short UI label of each verdict. */
export const VERDICT_LABELS: Record<VerdictKind, string> = {
  diverged: 'Diverged',
  unstable: 'Unstable',
  overfitting: 'Overfitting',
  underfitting: 'Underfitting',
  improving: 'Still improving',
  good: 'Good fit',
};

/** One sentence of advice per verdict, for a student. */
export const VERDICT_HINTS: Record<VerdictKind, string> = {
  diverged: 'Lower the learning rate (by 3-10x) and try again.',
  unstable: 'Lower the learning rate or use a larger batch size to smooth the updates.',
  overfitting: 'Add dropout or L2, use a smaller network or more training data, or stop training at the best epoch.',
  underfitting: 'Give the model more capacity (units, layers), train longer or raise the learning rate, or reduce regularisation.',
  improving: 'Train for more epochs, or raise the learning rate if the loss is crawling: the validation loss had not levelled off yet.',
  good: 'No sign of over- or underfitting: compare its validation score with the other trials.',
};

/**
 * Every threshold the verdict rules use, in one place. Fractions are relative changes
 * (0.1 = 10%). "Level" of a loss means max(|loss|, lossFloorFraction × baselineLoss), so that
 * relative changes near zero loss are not blown up by dividing by a tiny number. "Avoidable
 * loss" is baselineLoss − irreducibleLoss; the "accuracy range" is 1 − chanceAccuracy.
 */
export const THRESHOLDS = {
  /** diverged: final training loss above this multiple of the first epoch's training loss
   *  means the loss exploded instead of falling (healthy training never triples it); above
   *  this multiple of the baseline loss, the model is far worse than ignoring its inputs
   *  (confidently wrong), which is how a blow-up in the very first epoch shows. */
  explosionFactor: 3,
  /** diverged: final validation loss above this multiple of the baseline loss, whatever the
   *  accuracy does. A classifier can still rank the right class first while its outputs have
   *  blown up to such scale that each mistake costs thousands of nats (RMSprop at learning rate
   *  10 on digits8x8: 95% accuracy at a validation loss of 1.3e+5). Honest overfitting stays a few
   *  times the baseline at most, so 10x leaves room for it. */
  valExplosionFactor: 10,
  /** floor of a loss's level, as a fraction of the baseline loss: a swing from 0.01 to 0.02
   *  at near-perfect fit is measured against 0.2 × baseline, not against 0.01 (0.1 still called
   *  ±0.015 Adam jitter around a 98%-accurate spiral model "unstable"). */
  lossFloorFraction: 0.2,

  /** unstable: only judged with at least this many epochs (the last half then has >= 3 steps). */
  oscillationMinEpochs: 8,
  /** unstable: fraction of consecutive epoch-to-epoch steps in the last half whose direction
   *  flips (up, down, up...). A smoothly falling or rising curve scores 0, a zig-zag scores 1. */
  oscillationSignChanges: 0.5,
  /** unstable: mean absolute epoch-to-epoch step in the last half, relative to the level of the
   *  loss there. Ordinary validation noise is a few %, a too-high learning rate bounces 15%+. */
  oscillationAmplitude: 0.15,
  /** unstable, from the training loss alone (validation smooth): its mean step must be at least this
   *  large instead. The training loss is an average over mini-batches with dropout active, so it is
   *  noisier than the validation loss: dropout 0.8 on 180 digits rows bounces it 16% per epoch at a
   *  learning rate that is fine. */
  oscillationAmplitudeTrain: 0.3,
  /** steps smaller than this fraction of the level count as flat (no direction), so a flat
   *  curve with rounding jitter does not look like a zig-zag. */
  flatStep: 0.002,

  /** overfitting, rising form: only judged with at least this many epochs. */
  shapeMinEpochs: 5,
  /** overfitting, rising form: the validation minimum must come at or before this fraction of
   *  the epochs, i.e. well before the end. */
  overfitBestEpochFraction: 0.8,
  /** overfitting, rising form: the final validation loss must exceed its minimum by more than
   *  this fraction (of the minimum's level). */
  overfitRise: 0.1,
  /** overfitting, rising form: training loss must still have fallen by more than this fraction
   *  after the validation minimum, i.e. the train/validation gap kept widening. */
  overfitTrainDrop: 0.02,
  /** overfitting, gap form: final validation loss above the final training loss by at least this
   *  fraction of the avoidable loss... (digits8x8, 1,348 training rows: good fits end 2.7-2.9%
   *  apart; two 512-unit layers on 180 rows: 7.8-9.6%, with or without dropout 0.5 or L2.) */
  overfitGap: 0.05,
  /** ...and at least this multiple of the training loss (a gap that is small next to the losses
   *  themselves is sampling noise of a small validation split: regression MSE 0.08 vs 0.13)... */
  overfitGapRatio: 2,
  /** ...and, when there are accuracies, training accuracy above validation accuracy by at least
   *  this fraction of the accuracy range (digits8x8: good fits 1.7-2.5%, 180 rows: 4.7-5.7%;
   *  a Gaussian-blobs model 0.04 nats apart in loss has equal accuracies).
   *  The gaps are read only when the training fit itself is not short (see underfitShortfall). */
  overfitAccGap: 0.03,

  /** underfitting: training (and validation) loss at or above irreducible + this fraction of
   *  the avoidable loss, where baseline is the loss of a model that ignores its inputs
   *  (ln(nClasses) for balanced classes, 1 for standardised regression). 0.5 = the model
   *  removed less than half of the avoidable loss. */
  underfitLossRatio: 0.5,
  /** underfitting (classification): or training accuracy within this fraction of the way from
   *  chance to perfect (binary: <= 55%), with validation accuracy no better. */
  underfitAccMargin: 0.1,
  /** underfitting: validation loss may exceed training loss by at most this fraction (of the
   *  training loss's level); a bigger gap is not "the model cannot fit at all". */
  underfitMaxGap: 0.25,
  /** underfitting, against what the data allows (needs VerdictOptions.reference): training and
   *  validation scores both short of the reference by at least this fraction of the way from
   *  the baseline to the reference ("shortfall"). Accuracy: (ref − acc) / (ref − chance); loss:
   *  (loss − ref) / (baseline − ref). digits8x8 with a 98% k-NN reference: 4 hidden units end
   *  7-22% short on the training rows, 64+ units at or above the reference. */
  underfitShortfall: 0.05,

  /** still improving: the tail window is this fraction of the epochs... */
  tailFraction: 0.2,
  /** ...but at least this many epochs (or all of them, if fewer). */
  tailMinEpochs: 3,
  /** underfitting, second form: a final validation loss above irreducible + this × (baseline −
   *  irreducible) is "no better than ignoring the inputs", whatever the training loss did (a slow
   *  learner that has begun to fit the training rows but not yet anything that generalises). */
  chanceLossRatio: 0.8,
  /** still improving: validation loss fell by at least this fraction of its level across the
   *  tail window (least-squares line, so one lucky epoch does not count). */
  improvingDrop: 0.05,
  /** still improving rather than underfitting: a model that falls short but whose validation loss
   *  still falls at >= this fraction of its average pace over the run is crawling (a learning
   *  rate too low: nearly a straight line), not stuck. A model short of capacity bends over
   *  toward its floor. digits8x8 at epoch 30: 4 hidden units 0.26; SGD at 1e-3 0.55; Adam at
   *  1e-5 0.89. */
  crawlPace: 0.4,
  /** wording only: the sentence says validation loss is "close to" the training loss only when
   *  they differ by at most this fraction of the larger of the two (no level floor here). */
  closeGap: 0.25,
} as const;

/** What the rules compare a trial against. */
export interface VerdictOptions {
  /** loss of a model that ignores its inputs: cross-entropy of predicting the class priors
   *  (nats; ln(nClasses) when balanced) or the variance of the target (≈ 1 once
   *  standardised) for MSE. > 0. See `baselineLoss`. */
  baselineLoss: number;
  /** loss no model can beat (e.g. from label noise, see `labelNoiseLoss`); default 0. */
  irreducibleLoss?: number;
  /** accuracy of always predicting the majority class, 0..1 (classification only; enables
   *  the accuracy form of the underfitting rule and the accuracy gap of the overfitting rule). */
  chanceAccuracy?: number;
  /** what the data allows: a reference model's validation score on the same split (e.g.
   *  `knnReference` of baseline.ts). Without it, underfitting is judged only against a model
   *  that ignores its inputs. An accuracy reference needs `chanceAccuracy`. */
  reference?: Reference;
}

/**
 * The numbers a verdict was decided on. Losses in the trial's loss units; fractions are
 * relative changes (0.1 = 10%); epochs are the 1-based `EpochMetrics.epoch` values.
 * NaN where a number does not exist (no accuracies, no reference, too few epochs). When a loss
 * went non-finite, the curve statistics describe the epochs before it.
 */
export interface VerdictEvidence {
  /** epochs recorded. */
  epochs: number;
  baselineLoss: number;
  /** underfitting threshold on the loss (irreducible + ratio × avoidable). */
  underfitLoss: number;
  firstTrainLoss: number;
  finalTrainLoss: number;
  finalValLoss: number;
  /** accuracies 0..1. */
  finalTrainAcc: number;
  finalValAcc: number;
  /** epoch of the lowest validation loss (first one, on ties). */
  bestValEpoch: number;
  bestValLoss: number;
  /** (final - best) validation loss, relative to the best's level. */
  valRise: number;
  /** fall of the training loss from the best-validation epoch to the end, relative. */
  trainDropAfterBest: number;
  /** (final val - final train) loss, relative to the train loss's level; < 0 when val is lower. */
  gap: number;
  /** final val - final train loss, in loss units (the generalisation gap). */
  lossGap: number;
  /** lossGap as a fraction of the avoidable loss (floored at lossFloorFraction × baseline). */
  lossGapFraction: number;
  /** final val loss / final train loss (Infinity when the training loss is 0). */
  lossRatio: number;
  /** final train - final val accuracy, 0..1 (NaN without accuracies). */
  accGap: number;
  /** accGap as a fraction of the accuracy range 1 − chance (NaN without chanceAccuracy). */
  accGapFraction: number;
  /** final train loss / initial train loss. */
  trainGrowth: number;
  /** final validation loss / baseline loss (above valExplosionFactor: diverged). */
  valBlowup: number;
  /** the reference score (VerdictOptions.reference.value), NaN without one. */
  reference: number;
  /** how far the final training / validation score falls short of the reference, as a fraction of
   *  the way from baseline (chance accuracy, or baseline loss) to the reference; <= 0 = reached it. */
  trainShortfall: number;
  valShortfall: number;
  /** epochs in the tail window. */
  tailEpochs: number;
  /** fall of the validation loss over the tail window (fitted line), relative; < 0 = rising. */
  tailValDrop: number;
  /** fall per epoch of the validation loss over the tail window (fitted line) divided by its
   *  average fall per epoch over the whole run; 1 = a straight line, near 0 = levelled off.
   *  NaN when the loss did not fall overall or there are fewer than 2 tail epochs. */
  paceRatio: number;
  /** direction flips of the last half's steps, fraction 0..1 (0 with too few epochs). */
  valSignChanges: number;
  trainSignChanges: number;
  /** mean absolute step of the last half, relative to its level. */
  valAmplitude: number;
  trainAmplitude: number;
  /** first epoch with a non-finite loss, 0 when none. */
  firstNonFiniteEpoch: number;
}

/** The fit verdict of one trial. */
export interface FitVerdict {
  kind: VerdictKind;
  /** short UI label (VERDICT_LABELS). */
  label: string;
  /** one sentence for a student, quoting numbers from the curves. */
  sentence: string;
  /** one sentence of advice (VERDICT_HINTS). */
  hint: string;
  evidence: VerdictEvidence;
}

/**
 * Loss of a model that ignores its inputs. Classification: cross-entropy (nats) of always
 * predicting the class priors, -Σ p ln p (= ln(nClasses) when `priors` is omitted, i.e.
 * balanced). Regression: 1, the MSE of predicting the mean of a standardised target.
 */
export function baselineLoss(task: Task, nClasses: number, priors?: readonly number[]): number {
  if (task === 'regression') return 1;
  if (!priors) return Math.log(Math.max(2, nClasses));
  let h = 0;
  for (const p of priors) if (p > 0) h -= p * Math.log(p);
  return h;
}

/** Accuracy of always guessing the majority class, 0..1 (1/nClasses when balanced). */
export function chanceAccuracy(nClasses: number, priors?: readonly number[]): number {
  if (!priors || priors.length === 0) return 1 / Math.max(2, nClasses);
  return Math.max(...priors);
}

/**
 * Cross-entropy (nats) no classifier can beat when a fraction `flip` (0..1) of labels was
 * replaced by a uniformly chosen other class: the entropy of the label given the clean class.
 */
export function labelNoiseLoss(flip: number, nClasses: number): number {
  const e = Math.min(1, Math.max(0, flip));
  const k = Math.max(2, nClasses);
  let h = 0;
  if (e < 1) h -= (1 - e) * Math.log(1 - e);
  if (e > 0) h -= e * Math.log(e / (k - 1));
  return h;
}

/**
 * VerdictOptions for a task: baseline from the priors, chance accuracy for classification,
 * `irreducibleLoss` (loss units, default 0) and an optional `reference` score of what the data
 * allows (see baseline.ts `knnReference`).
 */
export function verdictOptions(task: Task, nClasses: number, priors?: readonly number[], irreducibleLoss = 0, reference?: Reference | null): VerdictOptions {
  const ref = reference ? { reference } : {};
  return task === 'regression'
    ? { baselineLoss: baselineLoss(task, nClasses), irreducibleLoss, ...ref }
    : { baselineLoss: baselineLoss(task, nClasses, priors), chanceAccuracy: chanceAccuracy(nClasses, priors), irreducibleLoss, ...ref };
}

/**
 * VerdictOptions for a prepared split: the class priors counted from its training labels
 * (classification; `yTrain` holds class indices 0..nClasses-1), `irreducibleLoss` (loss units,
 * default 0) and the `reference` score of what the data allows (`knnReference(data)`, computed
 * once per split). What the page passes to fitVerdict for every trial of a study.
 */
export function verdictOptionsFor(data: Pick<TrainData, 'task' | 'nClasses' | 'yTrain'>, irreducibleLoss = 0, reference?: Reference | null): VerdictOptions {
  if (data.task === 'regression') return verdictOptions('regression', 1, undefined, irreducibleLoss, reference);
  const counts = new Array<number>(data.nClasses).fill(0);
  for (const y of data.yTrain) counts[y]++;
  const priors = data.yTrain.length > 0 ? counts.map((c) => c / data.yTrain.length) : undefined;
  return verdictOptions('classification', data.nClasses, priors, irreducibleLoss, reference);
}

interface Oscillation {
  signChanges: number;
  amplitude: number;
}

/** Direction flips and relative step size of the last half of `s` (see THRESHOLDS). */
function oscillation(s: readonly number[], level: (x: number) => number): Oscillation {
  if (s.length < THRESHOLDS.oscillationMinEpochs) return { signChanges: 0, amplitude: 0 };
  const w = s.slice(Math.floor(s.length / 2));
  const lvl = level(mean(w));
  const d = w.slice(1).map((x, i) => x - w[i]);
  const sign = d.map((x) => (Math.abs(x) <= THRESHOLDS.flatStep * lvl ? 0 : Math.sign(x)));
  let flips = 0;
  for (let i = 0; i + 1 < sign.length; i++) if (sign[i] * sign[i + 1] < 0) flips++;
  return {
    signChanges: sign.length > 1 ? flips / (sign.length - 1) : 0,
    amplitude: mean(d.map(Math.abs)) / lvl,
  };
}

/** Fraction of the way from `floor` (chance / baseline) to the reference that `score` falls
 *  short; NaN when either is missing or the reference is no better than the floor. */
function shortfall(score: number | undefined, ref: Reference | undefined, floor: number | undefined): number {
  if (!ref || score === undefined || floor === undefined || !Number.isFinite(score) || !Number.isFinite(floor)) return NaN;
  const range = ref.metric === 'accuracy' ? ref.value - floor : floor - ref.value;
  if (!(range > 0)) return NaN;
  return (ref.metric === 'accuracy' ? ref.value - score : score - ref.value) / range;
}

/** All statistics of a curve the rules need (see VerdictEvidence). */
function evidenceOf(epochs: readonly EpochMetrics[], opts: VerdictOptions): VerdictEvidence {
  const base = opts.baselineLoss;
  const irr = Math.min(opts.irreducibleLoss ?? 0, base);
  const avoidable = Math.max(base - irr, THRESHOLDS.lossFloorFraction * base);
  const level = (x: number) => Math.max(Math.abs(x), THRESHOLDS.lossFloorFraction * base);
  const bad = epochs.findIndex((e) => !Number.isFinite(e.trainLoss) || !Number.isFinite(e.valLoss));
  const ok = bad < 0 ? epochs : epochs.slice(0, bad);
  const n = ok.length;
  const train = ok.map((e) => e.trainLoss);
  const val = ok.map((e) => e.valLoss);
  let best = -1;
  for (let i = 0; i < n; i++) if (best < 0 || val[i] < val[best]) best = i;
  const last = n - 1;
  const k = Math.min(n, Math.max(THRESHOLDS.tailMinEpochs, Math.round(THRESHOLDS.tailFraction * n)));
  const tail = val.slice(n - k);
  const tailPace = k >= 2 ? -slope(tail) : NaN;
  const avgPace = n >= 2 ? (val[0] - val[last]) / (n - 1) : NaN;
  const vo = oscillation(val, level);
  const to = oscillation(train, level);
  const at = (i: number) => (i >= 0 ? ok[i] : undefined);
  const fin = at(last);
  const trainAcc = fin?.trainAcc ?? NaN;
  const valAcc = fin?.valAcc ?? NaN;
  const chance = opts.chanceAccuracy;
  const ref = opts.reference;
  const floor = ref?.metric === 'accuracy' ? chance : base;
  const accGap = trainAcc - valAcc;
  return {
    epochs: epochs.length,
    baselineLoss: base,
    underfitLoss: irr + THRESHOLDS.underfitLossRatio * (base - irr),
    firstTrainLoss: at(0)?.trainLoss ?? NaN,
    finalTrainLoss: fin?.trainLoss ?? NaN,
    finalValLoss: fin?.valLoss ?? NaN,
    finalTrainAcc: trainAcc,
    finalValAcc: valAcc,
    bestValEpoch: at(best)?.epoch ?? NaN,
    bestValLoss: at(best)?.valLoss ?? NaN,
    valRise: n > 0 ? (val[last] - val[best]) / level(val[best]) : NaN,
    trainDropAfterBest: n > 0 ? (train[best] - train[last]) / level(train[best]) : NaN,
    gap: n > 0 ? (val[last] - train[last]) / level(train[last]) : NaN,
    lossGap: n > 0 ? val[last] - train[last] : NaN,
    lossGapFraction: n > 0 ? (val[last] - train[last]) / avoidable : NaN,
    lossRatio: n > 0 ? val[last] / train[last] : NaN,
    accGap,
    accGapFraction: chance !== undefined && chance < 1 ? accGap / (1 - chance) : NaN,
    trainGrowth: n > 0 ? train[last] / train[0] : NaN,
    valBlowup: n > 0 ? val[last] / base : NaN,
    reference: ref?.value ?? NaN,
    trainShortfall: shortfall(ref?.metric === 'accuracy' ? fin?.trainAcc : fin?.trainLoss, ref, floor),
    valShortfall: shortfall(ref?.metric === 'accuracy' ? fin?.valAcc : fin?.valLoss, ref, floor),
    tailEpochs: k,
    tailValDrop: k >= 2 ? (tailPace * (k - 1)) / level(mean(tail)) : 0,
    paceRatio: avgPace > 0 && Number.isFinite(tailPace) ? tailPace / avgPace : NaN,
    valSignChanges: vo.signChanges,
    trainSignChanges: to.signChanges,
    valAmplitude: vo.amplitude,
    trainAmplitude: to.amplitude,
    firstNonFiniteEpoch: bad < 0 ? 0 : epochs[bad].epoch,
  };
}

/** "1 epoch" / "20 epochs". */
const epochs1 = (n: number) => (n === 1 ? '1 epoch' : `${n} epochs`);

/** Relative change as a student would compute it: (b - a) / a. */
const rel = (a: number, b: number) => (a !== 0 ? (b - a) / Math.abs(a) : 0);

/** Why the run ended, as a clause, for trials that did not run their full budget. */
function stopClause(status: TrialStatus, lastEpoch: number): string {
  if (status === 'pruned') return ` when the pruner stopped it at epoch ${lastEpoch}`;
  if (status === 'cancelled') return ` when the trial was cancelled at epoch ${lastEpoch}`;
  return ` at the end (epoch ${lastEpoch})`;
}

/** " (accuracy 98.4%)" when `acc` is a number, else "". */
const accNote = (acc: number) => (Number.isFinite(acc) ? ` (accuracy ${fmtPct1(acc)})` : '');

/**
 * The fit verdict of one trial from its per-epoch curves and how it ended.
 * Rules, in this order (thresholds in THRESHOLDS):
 *  - diverged: status 'diverged', any non-finite loss, final train loss > explosionFactor × the
 *    first epoch's or × the baseline, or final validation loss > valExplosionFactor × the baseline
 *    (whatever the accuracy does).
 *  - unstable: (>= oscillationMinEpochs) the validation or training loss zig-zags in the last half.
 *  - overfitting, for a model that learned something (best validation loss below the underfitting
 *    line) and whose training fit is not short: either the rising form (>= shapeMinEpochs;
 *    validation minimum at <= 80% of the epochs, final validation loss > 10% above it, training
 *    loss still falling after it) or the gap form (final validation loss above the training loss by
 *    >= overfitGap of the avoidable loss and >= overfitGapRatio times it and, with accuracies,
 *    training accuracy above validation accuracy by >= overfitAccGap of the accuracy range).
 *  - underfitting: training and validation loss both high relative to the baseline (or accuracy
 *    near chance) with a small gap; or, with a reference, training and validation scores both short
 *    of it by >= underfitShortfall. A model that meets this but whose validation loss still falls
 *    at >= crawlPace of its average pace is "improving" instead (crawling, not stuck).
 *  - improving: validation loss still falling over the last ~20% of epochs.
 *  - underfitting, second form: final validation loss no better than ignoring the inputs
 *    (chanceLossRatio), whatever the training loss did.
 *  - good: none of the above.
 * Returns null when there is nothing to judge: a 'failed' trial, or no epochs unless it diverged.
 * `epochs`: in order, one per finished epoch. Throws RangeError when baselineLoss is not > 0.
 */
export function fitVerdict(epochs: readonly EpochMetrics[], status: TrialStatus, opts: VerdictOptions): FitVerdict | null {
  if (!(opts.baselineLoss > 0) || !Number.isFinite(opts.baselineLoss)) {
    throw new RangeError(`baselineLoss must be a finite number > 0, got ${opts.baselineLoss}`);
  }
  if (status === 'failed') return null;
  if (epochs.length === 0 && status !== 'diverged') return null;
  const ev = evidenceOf(epochs, opts);
  const T = THRESHOLDS;
  const n = epochs.length;
  const lastEpoch = n > 0 ? epochs[n - 1].epoch : 0;
  const base = fmtNum(ev.baselineLoss);
  const make = (kind: VerdictKind, sentence: string): FitVerdict => ({
    kind, label: VERDICT_LABELS[kind], sentence, hint: VERDICT_HINTS[kind], evidence: ev,
  });

  // diverged
  if (ev.firstNonFiniteEpoch > 0) {
    const i = epochs.findIndex((x) => x.epoch === ev.firstNonFiniteEpoch);
    const e = epochs[i];
    const isTrain = !Number.isFinite(e.trainLoss);
    const bad = isTrain ? e.trainLoss : e.valLoss;
    const prev = i > 0 ? (isTrain ? epochs[i - 1].trainLoss : epochs[i - 1].valLoss) : NaN;
    const before = Number.isFinite(prev) ? ` (after ${fmtNum(prev)} at epoch ${epochs[i - 1].epoch})` : '';
    return make('diverged', `${isTrain ? 'Training' : 'Validation'} loss became ${fmtNum(bad)} at epoch ${e.epoch}${before}: the weights blew up, which usually means the learning rate is too high.`);
  }
  if (n === 0) {
    return make('diverged', 'The loss blew up before the first epoch finished, which usually means the learning rate is too high.');
  }
  const exploded = n >= 2 && ev.finalTrainLoss > T.explosionFactor * Math.max(ev.firstTrainLoss, T.lossFloorFraction * ev.baselineLoss);
  if (exploded) {
    return make('diverged', `Training loss grew from ${fmtNum(ev.firstTrainLoss)} at epoch ${epochs[0].epoch} to ${fmtNum(ev.finalTrainLoss)} at epoch ${lastEpoch} (${fmtNum(ev.trainGrowth)}× higher) instead of falling, so training diverged.`);
  }
  if (ev.finalTrainLoss > T.explosionFactor * ev.baselineLoss) {
    return make('diverged', `Training loss ended at ${fmtNum(ev.finalTrainLoss)} at epoch ${lastEpoch}, far above the ${base} of a model that ignores its inputs, so training diverged.`);
  }
  if (ev.valBlowup > T.valExplosionFactor) {
    const acc = Number.isFinite(ev.finalValAcc) ? `, although validation accuracy was ${fmtPct1(ev.finalValAcc)}` : '';
    return make('diverged', `Validation loss ended at ${fmtNum(ev.finalValLoss)} at epoch ${lastEpoch}, ${fmtNum(ev.valBlowup)}× the ${base} of a model that ignores its inputs${acc} (training loss ${fmtNum(ev.finalTrainLoss)}): the weights blew up into huge, overconfident outputs, which usually means the learning rate is too high.`);
  }
  if (status === 'diverged') {
    return make('diverged', `The trainer stopped the trial after epoch ${lastEpoch} because the loss blew up (training loss had been ${fmtNum(ev.finalTrainLoss)}), which usually means the learning rate is too high.`);
  }

  // unstable
  const valOsc = ev.valSignChanges >= T.oscillationSignChanges && ev.valAmplitude >= T.oscillationAmplitude;
  const trainOsc = ev.trainSignChanges >= T.oscillationSignChanges && ev.trainAmplitude >= T.oscillationAmplitudeTrain;
  if (valOsc || trainOsc) {
    const [which, flips, amp] = valOsc ? ['Validation', ev.valSignChanges, ev.valAmplitude] : ['Training', ev.trainSignChanges, ev.trainAmplitude];
    const from = epochs[Math.floor(n / 2)].epoch;
    return make('unstable', `${which} loss jumped up and down from epoch ${from} to ${lastEpoch}, changing direction ${fmtPct(flips)} of the time by ${fmtPct(amp)} per epoch on average, a typical sign of a learning rate that is too high.`);
  }

  // How short of what is achievable the fit is. Without a reference, only "no better than ignoring
  // the inputs" (loss) or "barely above chance" (accuracy) counts; with one, falling short of it.
  const lossHigh = ev.finalTrainLoss >= ev.underfitLoss && ev.finalValLoss >= ev.underfitLoss;
  const chance = opts.chanceAccuracy;
  const accCut = chance !== undefined ? chance + T.underfitAccMargin * (1 - chance) : NaN;
  const accLow = chance !== undefined && Number.isFinite(ev.finalTrainAcc) && ev.finalTrainAcc <= accCut
    && !(ev.finalValAcc > accCut);
  const trainShort = ev.trainShortfall >= T.underfitShortfall;
  const refShort = trainShort && ev.valShortfall >= T.underfitShortfall;
  const lossForm = (lossHigh || accLow) && ev.gap <= T.underfitMaxGap;
  const cannotFit = lossForm || refShort;

  // overfitting: only a model that learned something can overfit (one whose best validation loss
  // never got below the underfitting line was never better than ignoring its inputs), and a model
  // that cannot fit its own training rows has a bias problem first.
  const learned = ev.bestValLoss < ev.underfitLoss && !trainShort && !cannotFit;
  const bestPos = epochs.findIndex((e) => e.epoch === ev.bestValEpoch) + 1;
  if (learned && n >= T.shapeMinEpochs && bestPos <= T.overfitBestEpochFraction * n && ev.valRise > T.overfitRise && ev.trainDropAfterBest > T.overfitTrainDrop) {
    return make('overfitting', `Validation loss bottomed at epoch ${ev.bestValEpoch} (${fmtNum(ev.bestValLoss)}) and rose ${fmtPct(rel(ev.bestValLoss, ev.finalValLoss))} by epoch ${lastEpoch} (${fmtNum(ev.finalValLoss)}) while training loss kept falling (to ${fmtNum(ev.finalTrainLoss)}).`);
  }
  const accGapWide = !Number.isFinite(ev.accGapFraction) || ev.accGapFraction >= T.overfitAccGap;
  if (learned && ev.lossGapFraction >= T.overfitGap && ev.lossRatio >= T.overfitGapRatio && accGapWide) {
    const times = Number.isFinite(ev.lossRatio) ? `${fmtNum(ev.lossRatio)}× higher, at ` : '';
    const notes = [
      ...(Number.isFinite(ev.accGap) ? [`accuracy ${fmtPct1(ev.finalValAcc)}`] : []),
      ...(fmtNum(ev.bestValLoss) !== fmtNum(ev.finalValLoss) ? [`lowest ${fmtNum(ev.bestValLoss)} at epoch ${ev.bestValEpoch}`] : []),
    ];
    const va = notes.length ? ` (${notes.join('; ')})` : '';
    return make('overfitting', `By epoch ${lastEpoch} training loss was down to ${fmtNum(ev.finalTrainLoss)}${accNote(ev.finalTrainAcc)} but validation loss was ${times}${fmtNum(ev.finalValLoss)}${va}: a gap of ${fmtNum(ev.lossGap)}, ${fmtPct(ev.lossGap / ev.baselineLoss)} of the ${base} of a model that ignores its inputs, so the model fits its training rows much better than new data.`);
  }

  // underfitting (unless it is still crawling down at a steady pace: then it is slow, not stuck)
  const falling = ev.tailValDrop >= T.improvingDrop;
  const crawling = falling && ev.paceRatio >= T.crawlPace;
  const refText = opts.reference
    ? (opts.reference.metric === 'accuracy' ? `${opts.reference.name} reaches ${fmtPct1(opts.reference.value)}` : `${opts.reference.name} reaches a loss of ${fmtNum(opts.reference.value)}`)
    : '';
  if (cannotFit && !crawling) {
    const still = falling ? `, though it was still falling slowly (${fmtPct(ev.tailValDrop)} over the last ${epochs1(ev.tailEpochs)})` : '';
    const after = n === 1 ? ` after only ${epochs1(1)}` : ` after ${epochs1(n)}`;
    if (lossForm) {
      if (lossHigh) {
        return make('underfitting', `Training loss was still ${fmtNum(ev.finalTrainLoss)}${after}, ${fmtPct(ev.finalTrainLoss / ev.baselineLoss)} of the ${base} a model that ignores its inputs would get, with validation loss about the same (${fmtNum(ev.finalValLoss)})${still}.`);
      }
      const valAcc = Number.isFinite(ev.finalValAcc) ? ` and validation accuracy ${fmtPct1(ev.finalValAcc)}` : '';
      return make('underfitting', `Training accuracy was only ${fmtPct1(ev.finalTrainAcc)}${after}${valAcc}, barely above the ${fmtPct1(chance!)} of always guessing the most common class${still}.`);
    }
    const scores = opts.reference!.metric === 'accuracy'
      ? `Training accuracy reached only ${fmtPct1(ev.finalTrainAcc)}${after} (validation ${fmtPct1(ev.finalValAcc)})`
      : `Training loss was still ${fmtNum(ev.finalTrainLoss)}${after} (validation ${fmtNum(ev.finalValLoss)})`;
    const stillVal = falling ? `, though its validation loss was still falling slowly (${fmtPct(ev.tailValDrop)} over the last ${epochs1(ev.tailEpochs)})` : '';
    return make('underfitting', `${scores}, while ${refText} on the same validation rows: the model cannot fit even the rows it trains on${stillVal}.`);
  }

  // still improving
  if (falling) {
    const slow = !cannotFit
      ? ', so more epochs would probably lower it further'
      : `, at ${fmtPct(ev.paceRatio)} of its average pace over the run, while ${
        refShort && opts.reference!.metric === 'accuracy' && Number.isFinite(ev.finalTrainAcc)
          ? `training accuracy is only ${fmtPct1(ev.finalTrainAcc)} and ${refText}`
          : refShort
            ? `training loss is still ${fmtNum(ev.finalTrainLoss)} and ${refText}`
            : `training loss is still ${fmtNum(ev.finalTrainLoss)}, ${fmtPct(ev.finalTrainLoss / ev.baselineLoss)} of the ${base} of a model that ignores its inputs`
      }: learning is slow, not stuck, so more epochs or a higher learning rate should lower it further`;
    return make('improving', `Validation loss was still falling${stopClause(status, lastEpoch)}, down about ${fmtPct(ev.tailValDrop)} over the last ${epochs1(ev.tailEpochs)} to ${fmtNum(ev.finalValLoss)}${slow}.`);
  }

  // Validation never got below the underfitting line although training loss did: whatever the
  // model learned does not carry over to new data yet. Not a good fit; it has not learned the pattern.
  const chanceLine = (opts.irreducibleLoss ?? 0) + T.chanceLossRatio * (ev.baselineLoss - (opts.irreducibleLoss ?? 0));
  if (ev.finalValLoss >= chanceLine) {
    return make('underfitting', `Validation loss stayed at ${fmtNum(ev.finalValLoss)}${accNote(ev.finalValAcc)} after ${epochs1(n)}, no better than the ${base} of a model that ignores its inputs, even though training loss fell to ${fmtNum(ev.finalTrainLoss)}: the model has not yet learned a pattern that carries over to new data.`);
  }

  // good
  const diff = Math.abs(ev.lossGap) / Math.max(Math.abs(ev.finalValLoss), Math.abs(ev.finalTrainLoss));
  const trainAcc = Number.isFinite(ev.finalTrainAcc) ? `, accuracy ${fmtPct1(ev.finalTrainAcc)}` : '';
  const close = !(diff > T.closeGap);
  const rest = close
    ? `, close to the training loss of ${fmtNum(ev.finalTrainLoss)}`
    : ev.lossGap > 0
      ? `; training loss was lower (${fmtNum(ev.finalTrainLoss)}${trainAcc}), a gap of ${fmtNum(ev.lossGap)}, ${fmtPct(ev.lossGap / ev.baselineLoss)} of the ${base} of a model that ignores its inputs`
      : `, below the training loss of ${fmtNum(ev.finalTrainLoss)}`;
  const below = close && ev.finalValLoss < ev.underfitLoss ? `, well below the ${base} of a model that ignores its inputs` : '';
  const when = n === 1 ? 'after 1 epoch' : `by epoch ${lastEpoch}`;
  const verb = n === 1 ? 'was' : Math.abs(ev.tailValDrop) < T.improvingDrop ? 'settled at' : 'ended at';
  return make('good', `Validation loss ${verb} ${fmtNum(ev.finalValLoss)}${accNote(ev.finalValAcc)} ${when}${rest}${below}.`);
}

/** The fit verdict of a finished trial (see fitVerdict). */
export function verdictOf(result: Pick<TrialResult, 'epochs' | 'status'>, opts: VerdictOptions): FitVerdict | null {
  return fitVerdict(result.epochs, result.status, opts);
}
