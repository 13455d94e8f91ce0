import type { TrialParams } from '../experiment/types';
import { activeParams, dropInactive } from './active';
import type { Strategy, StrategyContext } from './types';

/** The manual strategy: it proposes exactly the trials a person queued, in order. */
export interface ManualStrategy extends Strategy {
  /** adds a trial to the end of the queue (only the searched params; others stay fixed). */
  enqueue(params: TrialParams): void;
  /** trials queued and not yet handed out. */
  readonly queued: readonly TrialParams[];
}

/**
 * Manual search: the person is the sampler. `ask` hands out the queued trials first-in first-out
 * and answers null when the queue is empty; results are not used to propose anything.
 * The queue may be given (e.g. filled before the sweep starts) and keeps growing while it runs.
 */
export function createManual(ctx: StrategyContext, queue: TrialParams[] = []): ManualStrategy {
  const names = ctx.dims.map((d) => d.name);
  return {
    capacity: Infinity,
    get queued() {
      return queue;
    },
    enqueue(params) {
      // Keep only the searched params, so a stray field cannot override a fixed setting, and of
      // those only the ones active under the trial's own values (no inactive one reaches a trainer).
      queue.push(activeParams(ctx.dims, Object.fromEntries(names.filter((n) => params[n] !== undefined).map((n) => [n, params[n]]))));
    },
    ask: () => {
      const p = queue.shift();
      return p ? dropInactive(ctx.dims, p) : null;
    },
    tell() {},
  };
}
