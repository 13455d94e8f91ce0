import type { EpochMetrics, TrialResult, TrialStatus } from './types';

/** Severity order of run outcomes: the trial ends as the worst of its runs. */
const SEVERITY: TrialStatus[] = ['complete', 'pruned', 'cancelled', 'diverged', 'failed'];

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

/**
 * One trial's result from its runs (k-fold folds and/or repeats with other seeds): per-epoch
 * metrics averaged over the runs that reached that epoch, the per-epoch standard deviation of the
 * validation metrics in `spread`, confusion matrices summed, test scores averaged, times added.
 * A single run is returned as it is.
 */
export function combineRuns(runs: TrialResult[]): TrialResult {
  if (runs.length === 1) return runs[0];
  const first = runs[0];
  const status = runs.map((r) => r.status).reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a));
  const longest = Math.max(...runs.map((r) => r.epochs.length));
  const epochs: EpochMetrics[] = [];
  const spread: NonNullable<TrialResult['spread']> = { valLoss: [], valAcc: [] };
  for (let i = 0; i < longest; i++) {
    const at = runs.map((r) => r.epochs[i]).filter((e): e is EpochMetrics => e !== undefined);
    const avg = (k: keyof EpochMetrics) => mean(at.map((e) => e[k] as number));
    const m: EpochMetrics = { epoch: i + 1, trainLoss: avg('trainLoss'), valLoss: avg('valLoss'), elapsedMs: Math.max(...at.map((e) => e.elapsedMs)) };
    // every run of a configuration follows the same schedule
    if (at[0].lr !== undefined) m.lr = at[0].lr;
    if (at.every((e) => e.valAcc !== undefined)) {
      m.trainAcc = avg('trainAcc');
      m.valAcc = avg('valAcc');
      spread.valAcc!.push(sd(at.map((e) => e.valAcc!)));
    }
    spread.valLoss.push(sd(at.map((e) => e.valLoss)));
    epochs.push(m);
  }
  const confusion = runs.every((r) => r.confusion)
    ? first.confusion!.map((row, i) => row.map((_, j) => runs.reduce((a, r) => a + r.confusion![i][j], 0)))
    : undefined;
  const tests = runs.map((r) => r.test).filter((t): t is NonNullable<TrialResult['test']> => t !== undefined);
  return {
    ...first,
    status,
    epochs,
    spread: spread.valAcc!.length ? spread : { valLoss: spread.valLoss },
    confusion,
    timeMs: runs.reduce((a, r) => a + r.timeMs, 0),
    peakTensors: Math.max(...runs.map((r) => r.peakTensors ?? 0)),
    test: tests.length === runs.length
      ? { loss: mean(tests.map((t) => t.loss)), ...(tests.every((t) => t.acc !== undefined) ? { acc: mean(tests.map((t) => t.acc!)) } : {}) }
      : undefined,
    message: runs.find((r) => r.message)?.message,
    stoppedEarly: runs.some((r) => r.stoppedEarly),
    restoredBest: runs.some((r) => r.restoredBest),
    runs: runs.map((r) => ({ status: r.status, epochs: r.epochs, bestEpoch: r.bestEpoch, restoredBest: r.restoredBest })),
  };
}

/** The value a run ends with on `metric`: its best epoch when restore-best applied, else its last. */
export function endValue(r: Pick<TrialResult, 'epochs' | 'bestEpoch' | 'restoredBest'>, metric: (m: EpochMetrics) => number): number {
  const e = r.restoredBest && r.bestEpoch ? r.epochs[r.bestEpoch - 1] : r.epochs[r.epochs.length - 1];
  return e ? metric(e) : NaN;
}
