/**
 * Classification metrics from labels or from a confusion matrix.
 * Division by zero gives 0 (a class never predicted has precision 0; a class never present has
 * recall 0), as scikit-learn does with `zero_division=0`.
 */

/** Precision, recall, F1 (all 0..1) and support (true samples) of one class. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** samples whose true class is this one. */
  support: number;
}

/** Per-class metrics, accuracy and macro averages of a confusion matrix. */
export interface ClassificationReport {
  /** one entry per class index 0..nClasses-1. */
  perClass: ClassMetrics[];
  /** correct / total, 0..1; 0 when there are no samples. */
  accuracy: number;
  /** unweighted means over the classes that occur (in yTrue or yPred); support = total samples. */
  macro: ClassMetrics;
  /** total samples. */
  total: number;
}

/**
 * Confusion matrix [true][predicted] of counts, shape [nClasses, nClasses].
 * `yTrue`, `yPred`: class indices (floats like 1.0 are accepted), same length.
 * Throws RangeError on a length mismatch or a label that is not an integer in [0, nClasses).
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new RangeError(`yTrue has ${yTrue.length} labels, yPred ${yPred.length}`);
  if (!Number.isInteger(nClasses) || nClasses < 1) throw new RangeError(`nClasses must be an integer >= 1, got ${nClasses}`);
  const cm = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  const check = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 0 || v >= nClasses) throw new RangeError(`${what} label ${v} is not a class index in [0, ${nClasses})`);
    return v;
  };
  for (let i = 0; i < yTrue.length; i++) cm[check(yTrue[i], 'true')][check(yPred[i], 'predicted')]++;
  return cm;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Per-class precision, recall, F1 and support, accuracy and macro averages of a square
 * confusion matrix `cm` [true][predicted] (as from confusionMatrix or TrialResult.confusion).
 * Division by zero -> 0. Macro averages skip classes with no true and no predicted samples
 * (scikit-learn's default when labels are not listed); they are 0 when no class occurs.
 */
export function classificationReport(cm: readonly (readonly number[])[]): ClassificationReport {
  const k = cm.length;
  const colSum = new Array<number>(k).fill(0);
  let total = 0;
  let correct = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      colSum[p] += cm[t][p];
      total += cm[t][p];
    }
    correct += cm[t][t];
  }
  const perClass: ClassMetrics[] = cm.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const precision = ratio(row[c], colSum[c]);
    const recall = ratio(row[c], support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const present = perClass.filter((m, c) => m.support > 0 || colSum[c] > 0);
  const avg = (f: (m: ClassMetrics) => number) => ratio(present.reduce((a, m) => a + f(m), 0), present.length);
  return {
    perClass,
    accuracy: ratio(correct, total),
    macro: { precision: avg((m) => m.precision), recall: avg((m) => m.recall), f1: avg((m) => m.f1), support: total },
    total,
  };
}
