/**
 * A yardstick for "what the data allows": the validation score of a k-nearest-neighbour model
 * fitted on the same training rows. It needs no training, works on curved 2-D problems as well
 * as on pixels, and is computed once per prepared split; the fit verdict compares a trial's
 * curves with it to tell a model that cannot fit the data (underfitting) from data that is hard.
 */
import type { TrainData } from '../train/types';

/** What a reference model scored on the validation rows of a split. */
export interface Reference {
  /** 'accuracy' (classification, 0..1, higher is better) or 'loss' (regression: MSE in the
   *  trial's loss units, i.e. of the standardised target; lower is better). */
  metric: 'accuracy' | 'loss';
  /** the score, in the units of `metric`. */
  value: number;
  /** what scored it, as a noun phrase for a sentence: "a 3-nearest-neighbour classifier". */
  name: string;
}

/** Neighbour counts tried by `knnReference`; the best validation score among them is reported. */
export const KNN_KS: readonly number[] = [1, 3, 5, 9, 15];

/** Most (validation rows × training rows × features) multiply-adds `knnReference` spends before
 *  it subsamples rows evenly: about 40 ms of one core (digits8x8: 449 × 1,348 × 64 ≈ 3.9e7). */
export const KNN_MAX_WORK = 4e7;

/** Indices 0..n-1, or `max` of them evenly spaced when there are more (at least one). */
function evenRows(n: number, max: number): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  const m = Math.max(1, Math.floor(max));
  return Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
}

/**
 * The best validation score of k-nearest-neighbour models (Euclidean distance on the prepared,
 * standardised features; k from KNN_KS, capped at the training rows) fitted on the training rows.
 * Classification: accuracy of a majority vote (ties go to the class of the nearest tied
 * neighbour). Regression: MSE of the neighbours' mean target.
 * Deterministic. When nVal × nTrain × d exceeds `maxWork` multiply-adds, both splits are thinned
 * to evenly spaced rows (same share each) so the cost stays bounded.
 * Returns null when either split is empty.
 */
export function knnReference(
  data: Pick<TrainData, 'task' | 'd' | 'nClasses' | 'xTrain' | 'yTrain' | 'xVal' | 'yVal'>,
  maxWork = KNN_MAX_WORK,
): Reference | null {
  const { d } = data;
  const nTrain = data.yTrain.length;
  const nVal = data.yVal.length;
  if (nTrain === 0 || nVal === 0 || d <= 0) return null;
  const shrink = Math.min(1, Math.sqrt(maxWork / (nTrain * nVal * d)));
  const tr = evenRows(nTrain, Math.max(1, shrink * nTrain));
  const va = evenRows(nVal, Math.max(1, shrink * nVal));
  const classification = data.task === 'classification';
  const ks = KNN_KS.filter((k) => k <= tr.length);
  const kMax = ks[ks.length - 1];

  // the kMax nearest training rows of one validation row, nearest first (insertion into a short list)
  const nd = new Float64Array(kMax);
  const ni = new Int32Array(kMax);
  const score = new Float64Array(ks.length);
  const votes = new Float64Array(Math.max(1, data.nClasses));
  const { xTrain, xVal, yTrain, yVal } = data;
  for (let vi = 0; vi < va.length; vi++) {
    const v = va[vi];
    let filled = 0;
    const vo = v * d;
    for (let ti = 0; ti < tr.length; ti++) {
      const t = tr[ti];
      const to = t * d;
      // partial sums only grow: stop adding once this row cannot be among the kMax nearest
      const cut = filled === kMax ? nd[kMax - 1] : Infinity;
      let s = 0;
      let j = 0;
      while (j < d && s < cut) {
        const end = Math.min(d, j + 8);
        for (; j < end; j++) {
          const z = xVal[vo + j] - xTrain[to + j];
          s += z * z;
        }
      }
      if (s >= cut) continue;
      let p = filled < kMax ? filled++ : kMax - 1;
      while (p > 0 && nd[p - 1] > s) {
        nd[p] = nd[p - 1];
        ni[p] = ni[p - 1];
        p--;
      }
      nd[p] = s;
      ni[p] = t;
    }
    const truth = yVal[v];
    if (classification) {
      votes.fill(0);
      let next = 0;
      ks.forEach((k, ki) => {
        for (; next < k; next++) votes[yTrain[ni[next]]]++;
        let top = 0;
        for (let c = 1; c < votes.length; c++) if (votes[c] > votes[top]) top = c;
        let pred = top;
        for (let i = 0; i < k; i++) {
          if (votes[yTrain[ni[i]]] === votes[top]) { pred = yTrain[ni[i]]; break; }
        }
        if (pred === truth) score[ki]++;
      });
    } else {
      let sum = 0;
      let next = 0;
      ks.forEach((k, ki) => {
        for (; next < k; next++) sum += yTrain[ni[next]];
        score[ki] += (sum / k - truth) ** 2;
      });
    }
  }
  let best = 0;
  for (let i = 1; i < ks.length; i++) {
    if (classification ? score[i] > score[best] : score[i] < score[best]) best = i;
  }
  const k = ks[best];
  return classification
    ? { metric: 'accuracy', value: score[best] / va.length, name: `a ${k}-nearest-neighbour classifier` }
    : { metric: 'loss', value: score[best] / va.length, name: `a ${k}-nearest-neighbour regressor` };
}
