import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allowedSilence, Watchdog } from '../../../src/lib/train/watchdog';

const limits = { firstEpochMs: 1000, minMs: 200, factor: 10, graceMs: 50 };

describe('allowedSilence', () => {
  it.each([
    [0, 1000],
    [5, 200],
    [20, 200],
    [100, 1000],
  ])('after epochs at most %i ms apart allows %i ms', (gap, want) => {
    expect(allowedSilence(gap, limits)).toBe(want);
  });
});

describe('Watchdog', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());
  const clock = () => now;
  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };

  it('stays quiet while epochs keep arriving', () => {
    const silent = vi.fn();
    const dog = new Watchdog(silent, limits, clock);
    for (let i = 0; i < 50; i++) {
      advance(15);
      dog.beat();
    }
    advance(150);
    dog.stop();
    advance(5000);
    expect(silent).not.toHaveBeenCalled();
  });

  it('reports a worker that goes silent after its epochs, once, with what it had seen', () => {
    const silent = vi.fn();
    const dog = new Watchdog(silent, limits, clock);
    for (let i = 0; i < 5; i++) {
      advance(10);
      dog.beat();
    }
    advance(190);
    expect(silent).not.toHaveBeenCalled();
    advance(100);
    expect(silent).toHaveBeenCalledTimes(1);
    expect(silent.mock.calls[0][0]).toMatch(/stopped responding \(no word for 0 s; its epochs had taken at most 0\.0 s\)/);
    advance(5000);
    expect(silent).toHaveBeenCalledTimes(1);
  });

  it('waits longer for the first epoch', () => {
    const silent = vi.fn();
    new Watchdog(silent, limits, clock);
    advance(900);
    expect(silent).not.toHaveBeenCalled();
    advance(200);
    expect(silent).toHaveBeenCalledTimes(1);
    expect(silent.mock.calls[0][0]).toMatch(/before its first epoch/);
  });

  it('an epoch that lands during the grace period counts', () => {
    const silent = vi.fn();
    const dog = new Watchdog(silent, limits, clock);
    advance(1000);
    dog.beat();
    advance(100);
    expect(silent).not.toHaveBeenCalled();
  });
});
