import type { TrialParams } from '../../lib/experiment/types';
import type { searchedParams } from '../../lib/experiment/params';
import { fromUnit } from '../../lib/search/space';

/** What manual search needs of the page: the searched dimensions, and a way to start a sweep. */
export interface ManualHost {
  /** the searched parameters of the experiment on the page. */
  readonly searched: ReturnType<typeof searchedParams>;
  /** a sweep may start now. */
  readonly canRun: boolean;
  /** a sweep is running. */
  readonly running: boolean;
  /** starts (or continues) the sweep. */
  run(): Promise<void>;
}

/**
 * Manual search: the draft typed in "Queue a trial" and the trials queued by hand. `queue` is the
 * live queue the search takes its next trial from (the same array, mutated in place); `queued` is
 * a copy of it for display.
 */
export class ManualSearch {
  /** the values typed in the manual "Queue a trial" form; a click on a chart fills in one of them. */
  manualDraft = $state<TrialParams>({});
  /** trials queued by hand and not started yet (a copy of the live queue, for display). */
  queued = $state.raw<TrialParams[]>([]);
  /** the live queue: handed to the search, which takes trials from its front. */
  readonly queue: TrialParams[] = [];

  constructor(private readonly host: ManualHost) {}

  /** Queues a trial with these searched values and starts it when nothing runs. */
  enqueue(params: TrialParams): void {
    this.queue.push(params);
    this.sync();
    if (!this.host.running && this.host.canRun) void this.host.run();
  }

  /** The manual draft as a full trial: typed values, the middle of the range for the rest. */
  draftParams(): TrialParams {
    const p: TrialParams = {};
    for (const d of this.host.searched) {
      const v = this.manualDraft[d.name] ?? fromUnit(d.spec, 0.5);
      p[d.name] = d.spec.type === 'categorical' ? d.spec.choices.find((c) => String(c) === String(v)) ?? v : Number(v);
    }
    return p;
  }

  /** Removes queued trial `i` before it starts. */
  unqueue(i: number): void {
    this.queue.splice(i, 1);
    this.sync();
  }

  /** Empties the queue (the sweep was cancelled). */
  clear(): void {
    this.queue.length = 0;
    this.queued = [];
  }

  /** Replaces the queue with a saved study's (the same array: a search may hold it). */
  replace(params: readonly TrialParams[]): void {
    this.queue.splice(0, this.queue.length, ...params);
    this.sync();
  }

  /** Copies the live queue for display (the search may have taken trials from it). */
  sync(): void {
    this.queued = [...this.queue];
  }
}
