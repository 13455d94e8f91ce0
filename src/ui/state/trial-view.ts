import type { TrialParams } from '../../lib/experiment/types';
import type { StoredVerdict } from '../../lib/study/types';
import type { TrialState } from '../../lib/search/types';
import type { EpochMetrics, TrialConfig, TrialResult } from '../../lib/train/types';

/** One trial as the page shows it. Replaced (never mutated) on every change. */
export interface TrialView {
  id: number;
  params: TrialParams;
  cfg: TrialConfig;
  state: TrialState | 'cancelled';
  epochs: EpochMetrics[];
  backend: string;
  worker: number;
  /** wall-clock start and end, ms since 1970. */
  startedAt: number;
  endedAt?: number;
  result?: TrialResult;
  /** the fit verdict: computed on this page (a FitVerdict fits), or as stored in a saved study. */
  verdict?: StoredVerdict;
  /** while running with k-fold or repeats: which run (0-based) of how many, and its epoch. */
  run?: { run: number; runs: number; epoch: number };
  /** why the pruner stopped this trial. */
  pruneReason?: string;
  /** times the trial was started again after its worker was lost. */
  retries?: number;
  /** in a class comparison: whose study the trial comes from. */
  student?: string;
}
