/**
 * Notices a training worker that has gone silent. A worker that crashes with an exception fires
 * an `error` event, but one that simply disappears (`self.close()`, out of memory, a lost GPU
 * device, a killed process) says nothing: the only sign is that its epochs stop arriving.
 */

/** Limits of the silence allowed between two epochs of a running trial, ms. */
export const WATCHDOG = {
  /** before the first epoch (setup, shader compilation, a slow first epoch). */
  firstEpochMs: 60_000,
  /** the least silence allowed after an epoch has been seen. */
  minMs: 8_000,
  /** allowed silence as a multiple of the longest gap between epochs seen so far. */
  factor: 10,
  /** a second look after the deadline, so epochs queued behind a busy main thread still count. */
  graceMs: 750,
} as const;

/** The silence allowed after epochs separated by at most `longestGapMs` (0: none seen yet), ms. */
export function allowedSilence(longestGapMs: number, limits: { firstEpochMs: number; minMs: number; factor: number } = WATCHDOG): number {
  return longestGapMs > 0 ? Math.max(limits.minMs, limits.factor * longestGapMs) : limits.firstEpochMs;
}

/**
 * Calls `onSilent(message)` once when no `beat()` arrives within the allowed silence. `now` and
 * the timer functions are injected for tests.
 */
export class Watchdog {
  private last: number;
  private longest = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private done = false;

  constructor(
    private readonly onSilent: (message: string) => void,
    private readonly limits: { firstEpochMs: number; minMs: number; factor: number; graceMs: number } = WATCHDOG,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
    this.arm();
  }

  /** An epoch arrived: the worker is alive. */
  beat(): void {
    const t = this.now();
    this.longest = Math.max(this.longest, t - this.last);
    this.last = t;
    // The deadline moves with every epoch (and shrinks after the slow first one).
    if (this.timer) clearTimeout(this.timer);
    this.arm();
  }

  /** The trial ended (or was cancelled): stop watching. */
  stop(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.done) return;
    const wait = Math.max(0, this.last + allowedSilence(this.longest, this.limits) - this.now());
    this.timer = setTimeout(() => this.check(), wait);
  }

  private check(): void {
    if (this.done) return;
    const limit = allowedSilence(this.longest, this.limits);
    if (this.now() - this.last < limit) return this.arm();
    // Give epochs already queued behind a busy main thread a chance to arrive first.
    this.timer = setTimeout(() => {
      if (this.done) return;
      const silent = this.now() - this.last;
      if (silent < limit) return this.arm();
      this.stop();
      const seen = this.longest > 0 ? `; its epochs had taken at most ${(this.longest / 1000).toFixed(1)} s` : ' before its first epoch';
      this.onSilent(`The training worker stopped responding (no word for ${(silent / 1000).toFixed(0)} s${seen}).`);
    }, this.limits.graceMs);
  }
}
