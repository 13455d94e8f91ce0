/** Options of early stopping on a validation objective (lower is better). */
export interface EarlyStoppingOptions {
  /** epochs without a significant improvement before stopping, >= 1. */
  patience: number;
  /** an epoch improves only if it beats the reference best by more than this, >= 0; default 0. */
  minDelta?: number;
  /** never stop before this many epochs; default 0. */
  minEpochs?: number;
}

/** What early stopping decided about a curve. Epochs are 1-based (curve[e - 1] is epoch e). */
export interface EarlyStoppingResult {
  /** the epoch after which training stops (the last epoch trained), or null if the curve ran out first. */
  stopEpoch: number | null;
  /** the epoch with the lowest value up to the stop (earliest on ties): the weights to restore.
   *  null when no epoch had a finite value. */
  bestEpoch: number | null;
  /** the value at bestEpoch (NaN when bestEpoch is null). */
  bestValue: number;
}

/**
 * Early stopping, one epoch at a time (as Keras' EarlyStopping with mode 'min'): an epoch is an
 * improvement when its value is below the last improvement's value minus minDelta; after
 * `patience` epochs in a row without one, training stops. Independently it remembers the epoch
 * with the lowest value, for restore-best. Non-finite values never improve.
 */
export class EarlyStopper {
  /** epochs seen so far. */
  epoch = 0;
  /** see EarlyStoppingResult. */
  bestEpoch: number | null = null;
  bestValue = NaN;
  /** true once update() has answered 'stop'. */
  stopped = false;
  private reference = Infinity;
  private wait = 0;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly minEpochs: number;

  constructor(options: EarlyStoppingOptions) {
    this.patience = Math.max(1, Math.floor(options.patience));
    this.minDelta = Math.max(0, options.minDelta ?? 0);
    this.minEpochs = Math.max(0, options.minEpochs ?? 0);
  }

  /** feeds the value after the next epoch; 'stop' when training should end now. */
  update(value: number): 'continue' | 'stop' {
    if (this.stopped) return 'stop';
    this.epoch++;
    const finite = Number.isFinite(value);
    if (finite && (this.bestEpoch === null || value < this.bestValue)) {
      this.bestEpoch = this.epoch;
      this.bestValue = value;
    }
    if (finite && value < this.reference - this.minDelta) {
      this.reference = value;
      this.wait = 0;
    } else {
      this.wait++;
    }
    if (this.wait >= this.patience && this.epoch >= this.minEpochs) {
      this.stopped = true;
      return 'stop';
    }
    return 'continue';
  }
}

/** Runs EarlyStopper over a whole curve (curve[e - 1]: validation objective after epoch e). */
export function earlyStopping(curve: readonly number[], options: EarlyStoppingOptions): EarlyStoppingResult {
  const s = new EarlyStopper(options);
  for (const v of curve) {
    if (s.update(v) === 'stop') return { stopEpoch: s.epoch, bestEpoch: s.bestEpoch, bestValue: s.bestValue };
  }
  return { stopEpoch: null, bestEpoch: s.bestEpoch, bestValue: s.bestValue };
}
