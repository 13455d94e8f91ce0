/**
 * The fit verdict of one trial, read from its own per-epoch loss curves: did it underfit,
 * overfit, diverge, bounce around, run out of epochs while still improving, or fit well?
 * Every rule and every number it compares against lives in THRESHOLDS.
 */
import type { Task } from '../experiment/types';
import type { EpochMetrics, TrialResult, TrialStatus } from '../train/types';
import { fmtNum, fmtPct, fmtPct1 } from './format';
import { mean, slope } from './stats';

/** What a trial's curves say about its fit. */
export type VerdictKind = 'underfitting' | 'overfitting' | 'good' | 'diverged' | 'unstable' | 'improving';

/** All verdict kinds in the order the rules are tried (most severe first); also the tie-break order. */
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
  overfitting: 'Add dropout or L2, use a smaller network, or stop training at the best epoch.',
  underfitting: 'Give the model more capacity (units, layers), train longer or raise the learning rate, or reduce regularisation.',
  improving: 'Train for more epochs: the validation loss had not levelled off yet.',
  good: 'No sign of over- or underfitting: compare its validation score with the other trials.',
};

/**
 * Every threshold the verdict rules use, in one place. Fractions are relative changes
 * (0.1 = 10%). "Level" of a loss means max(|loss|, lossFloorFraction × baselineLoss), so that
 * relative changes near zero loss are not blown up by dividing by a tiny number.
 */
export const THRESHOLDS = {
  /** diverged: final training loss above this multiple of the first epoch's training loss
   *  means the loss exploded instead of falling (healthy training never triples it); above
   *  this multiple of the baseline loss, the model is far worse than ignoring its inputs
   *  (confidently wrong), which is how a blow-up in the very first epoch shows. */
  explosionFactor: 3,
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
  /** steps smaller than this fraction of the level count as flat (no direction), so a flat
   *  curve with rounding jitter does not look like a zig-zag. */
  flatStep: 0.002,

  /** overfitting: only judged with at least this many epochs. */
  shapeMinEpochs: 5,
  /** overfitting: the validation minimum must come at or before this fraction of the epochs,
   *  i.e. well before the end. */
  overfitBestEpochFraction: 0.8,
  /** overfitting: the final validation loss must exceed its minimum by more than this
   *  fraction (of the minimum's level). */
  overfitRise: 0.1,
  /** overfitting: training loss must still have fallen by more than this fraction after the
   *  validation minimum, i.e. the train/validation gap kept widening. */
  overfitTrainDrop: 0.02,

  /** underfitting: training (and validation) loss at or above irreducible + this fraction of
   *  (baseline - irreducible), where baseline is the loss of a model that ignores its inputs
   *  (ln(nClasses) for balanced classes, 1 for standardised regression). 0.5 = the model
   *  removed less than half of the avoidable loss. */
  underfitLossRatio: 0.5,
  /** underfitting (classification): or training accuracy within this fraction of the way from
   *  chance to perfect (binary: <= 55%), with validation accuracy no better. */
  underfitAccMargin: 0.1,
  /** underfitting: validation loss may exceed training loss by at most this fraction (of the
   *  training loss's level); a bigger gap is not "the model cannot fit at all". */
  underfitMaxGap: 0.25,

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
   *  the accuracy form of the underfitting rule). */
  chanceAccuracy?: number;
}

/**
 * The numbers a verdict was decided on. Losses in the trial's loss units; fractions are
 * relative changes (0.1 = 10%); epochs are the 1-based `EpochMetrics.epoch` values.
 * NaN where a number does not exist (no accuracies, too few epochs). When a loss went
 * non-finite, the curve statistics describe the epochs before it.
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
  /** final train loss / initial train loss. */
  trainGrowth: number;
  /** epochs in the tail window. */
  tailEpochs: number;
  /** fall of the validation loss over the tail window (fitted line), relative; < 0 = rising. */
  tailValDrop: number;
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

/** VerdictOptions for a task: baseline from the priors, chance accuracy for classification. */
export function verdictOptions(task: Task, nClasses: number, priors?: readonly number[], irreducibleLoss = 0): VerdictOptions {
  return task === 'regression'
    ? { baselineLoss: baselineLoss(task, nClasses), irreducibleLoss }
    : { baselineLoss: baselineLoss(task, nClasses, priors), chanceAccuracy: chanceAccuracy(nClasses, priors), irreducibleLoss };
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

/** All statistics of a curve the rules need (see VerdictEvidence). */
function evidenceOf(epochs: readonly EpochMetrics[], opts: VerdictOptions): VerdictEvidence {
  const base = opts.baselineLoss;
  const irr = Math.min(opts.irreducibleLoss ?? 0, base);
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
  const vo = oscillation(val, level);
  const to = oscillation(train, level);
  const at = (i: number) => (i >= 0 ? ok[i] : undefined);
  return {
    epochs: epochs.length,
    baselineLoss: base,
    underfitLoss: irr + THRESHOLDS.underfitLossRatio * (base - irr),
    firstTrainLoss: at(0)?.trainLoss ?? NaN,
    finalTrainLoss: at(last)?.trainLoss ?? NaN,
    finalValLoss: at(last)?.valLoss ?? NaN,
    finalTrainAcc: at(last)?.trainAcc ?? NaN,
    finalValAcc: at(last)?.valAcc ?? NaN,
    bestValEpoch: at(best)?.epoch ?? NaN,
    bestValLoss: at(best)?.valLoss ?? NaN,
    valRise: n > 0 ? (val[last] - val[best]) / level(val[best]) : NaN,
    trainDropAfterBest: n > 0 ? (train[best] - train[last]) / level(train[best]) : NaN,
    gap: n > 0 ? (val[last] - train[last]) / level(train[last]) : NaN,
    trainGrowth: n > 0 ? train[last] / train[0] : NaN,
    tailEpochs: k,
    tailValDrop: k >= 2 ? (-slope(tail) * (k - 1)) / level(mean(tail)) : 0,
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

/**
 * The fit verdict of one trial from its per-epoch curves and how it ended.
 * Rules, tried in VERDICT_KINDS order (thresholds in THRESHOLDS):
 *  - diverged: status 'diverged', any non-finite loss, or final train loss > explosionFactor × the
 *    first epoch's or × the baseline.
 *  - unstable: (>= oscillationMinEpochs) the validation or training loss zig-zags in the last half.
 *  - overfitting: (>= shapeMinEpochs) validation minimum at <= 80% of the epochs, final validation
 *    loss > 10% above it, and training loss still fell after it.
 *  - underfitting: training and validation loss both high relative to the baseline (or accuracy
 *    near chance), with a small gap; or, after the improving check, a final validation loss still no
 *    better than ignoring the inputs (chanceLossRatio) whatever the training loss did.
 *  - improving: validation loss still falling over the last ~20% of epochs.
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
    return make('diverged', `Training loss ended at ${fmtNum(ev.finalTrainLoss)} at epoch ${lastEpoch}, far above the ${fmtNum(ev.baselineLoss)} of a model that ignores its inputs, so training diverged.`);
  }
  if (status === 'diverged') {
    return make('diverged', `The trainer stopped the trial after epoch ${lastEpoch} because the loss blew up (training loss had been ${fmtNum(ev.finalTrainLoss)}), which usually means the learning rate is too high.`);
  }

  // unstable
  const valOsc = ev.valSignChanges >= T.oscillationSignChanges && ev.valAmplitude >= T.oscillationAmplitude;
  const trainOsc = ev.trainSignChanges >= T.oscillationSignChanges && ev.trainAmplitude >= T.oscillationAmplitude;
  if (valOsc || trainOsc) {
    const [which, flips, amp] = valOsc ? ['Validation', ev.valSignChanges, ev.valAmplitude] : ['Training', ev.trainSignChanges, ev.trainAmplitude];
    const from = epochs[Math.floor(n / 2)].epoch;
    return make('unstable', `${which} loss jumped up and down from epoch ${from} to ${lastEpoch}, changing direction ${fmtPct(flips)} of the time by ${fmtPct(amp)} per epoch on average, a typical sign of a learning rate that is too high.`);
  }

  // overfitting
  const bestPos = epochs.findIndex((e) => e.epoch === ev.bestValEpoch) + 1;
  // ...and only a model that learned something can overfit: one whose best validation loss never
  // got below the underfitting line was never better than ignoring its inputs (that is underfitting).
  if (n >= T.shapeMinEpochs && bestPos <= T.overfitBestEpochFraction * n && ev.valRise > T.overfitRise && ev.trainDropAfterBest > T.overfitTrainDrop
    && ev.bestValLoss < ev.underfitLoss) {
    return make('overfitting', `Validation loss bottomed at epoch ${ev.bestValEpoch} (${fmtNum(ev.bestValLoss)}) and rose ${fmtPct(rel(ev.bestValLoss, ev.finalValLoss))} by epoch ${lastEpoch} (${fmtNum(ev.finalValLoss)}) while training loss kept falling (to ${fmtNum(ev.finalTrainLoss)}).`);
  }

  // underfitting
  const lossHigh = ev.finalTrainLoss >= ev.underfitLoss && ev.finalValLoss >= ev.underfitLoss;
  const chance = opts.chanceAccuracy;
  const accCut = chance !== undefined ? chance + T.underfitAccMargin * (1 - chance) : NaN;
  const accLow = chance !== undefined && Number.isFinite(ev.finalTrainAcc) && ev.finalTrainAcc <= accCut
    && !(ev.finalValAcc > accCut);
  if ((lossHigh || accLow) && ev.gap <= T.underfitMaxGap) {
    const still = ev.tailValDrop >= T.improvingDrop ? ', though it was still falling' : '';
    const after = n === 1 ? ` after only ${epochs1(1)}` : ` after ${epochs1(n)}`;
    if (lossHigh) {
      return make('underfitting', `Training loss was still ${fmtNum(ev.finalTrainLoss)}${after}, ${fmtPct(ev.finalTrainLoss / ev.baselineLoss)} of the ${fmtNum(ev.baselineLoss)} a model that ignores its inputs would get, with validation loss about the same (${fmtNum(ev.finalValLoss)})${still}.`);
    }
    const valAcc = Number.isFinite(ev.finalValAcc) ? ` and validation accuracy ${fmtPct1(ev.finalValAcc)}` : '';
    return make('underfitting', `Training accuracy was only ${fmtPct1(ev.finalTrainAcc)}${after}${valAcc}, barely above the ${fmtPct1(chance!)} of always guessing the most common class${still}.`);
  }

  // still improving
  if (ev.tailValDrop >= T.improvingDrop) {
    return make('improving', `Validation loss was still falling${stopClause(status, lastEpoch)}, down about ${fmtPct(ev.tailValDrop)} over the last ${epochs1(ev.tailEpochs)} to ${fmtNum(ev.finalValLoss)}, so more epochs would probably lower it further.`);
  }

  // Validation never got below the underfitting line although training loss did: whatever the
  // model learned does not carry over to new data yet. Not a good fit; it has not learned the pattern.
  const chanceLine = (opts.irreducibleLoss ?? 0) + THRESHOLDS.chanceLossRatio * (ev.baselineLoss - (opts.irreducibleLoss ?? 0));
  if (ev.finalValLoss >= chanceLine) {
    const va = Number.isFinite(ev.finalValAcc) ? ` (accuracy ${fmtPct1(ev.finalValAcc)})` : '';
    return make('underfitting', `Validation loss stayed at ${fmtNum(ev.finalValLoss)}${va} after ${epochs1(n)}, no better than the ${fmtNum(ev.baselineLoss)} of a model that ignores its inputs, even though training loss fell to ${fmtNum(ev.finalTrainLoss)}: the model has not yet learned a pattern that carries over to new data.`);
  }

  // good
  const acc = Number.isFinite(ev.finalValAcc) ? ` (accuracy ${fmtPct1(ev.finalValAcc)})` : '';
  const rest = Math.abs(ev.gap) <= T.underfitMaxGap
    ? `close to the training loss of ${fmtNum(ev.finalTrainLoss)}`
    : `with training loss at ${fmtNum(ev.finalTrainLoss)}`;
  const below = ev.finalValLoss < ev.underfitLoss ? `, well below the ${fmtNum(ev.baselineLoss)} of a model that ignores its inputs` : '';
  const when = n === 1 ? 'after 1 epoch' : `by epoch ${lastEpoch}`;
  const verb = n === 1 ? 'was' : Math.abs(ev.tailValDrop) < T.improvingDrop ? 'settled at' : 'ended at';
  return make('good', `Validation loss ${verb} ${fmtNum(ev.finalValLoss)}${acc} ${when}, ${rest}${below}.`);
}

/** The fit verdict of a finished trial (see fitVerdict). */
export function verdictOf(result: Pick<TrialResult, 'epochs' | 'status'>, opts: VerdictOptions): FitVerdict | null {
  return fitVerdict(result.epochs, result.status, opts);
}
