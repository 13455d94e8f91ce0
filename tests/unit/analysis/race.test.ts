import { describe, expect, it } from 'vitest';
import { raceSpread } from '../../../src/lib/analysis/history';
import { finalBest, raceBaseline, raceReaches, raceSentence, trialsToReach, type RaceLine } from '../../../src/lib/analysis/race';

const line = (key: string, label: string, seeds: number[][], dir: 'min' | 'max' = 'max'): RaceLine => ({ key, label, spread: raceSpread(seeds, dir) });
const pct = (v: number) => `${v.toFixed(1)}%`;

describe('trialsToReach', () => {
  it.each([
    { values: [80, 90, 95, 97], target: 95, dir: 'max' as const, n: 3 },
    { values: [80, 90], target: 95, dir: 'max' as const, n: null },
    { values: [NaN, 0.5, 0.3], target: 0.5, dir: 'min' as const, n: 2 },
    { values: [0.5], target: NaN, dir: 'min' as const, n: null },
  ])('$values to $target ($dir) -> $n', ({ values, target, dir, n }) => {
    expect(trialsToReach(raceSpread([values], dir), target, dir)).toBe(n);
  });
});

describe('finalBest', () => {
  it('is the last finite median, NaN when none', () => {
    expect(finalBest(raceSpread([[1, 3, 2]], 'max'))).toBe(3);
    expect(finalBest(raceSpread([[NaN, NaN]], 'max'))).toBeNaN();
    expect(finalBest([])).toBeNaN();
  });
});

describe('raceBaseline', () => {
  it('prefers random search when it has a result', () => {
    const lines = [line('tpe', 'TPE', [[90, 98]]), line('random', 'Random', [[80, 97]])];
    expect(raceBaseline(lines, 'max')).toBe(1);
  });
  it('else takes the line with the worst final best', () => {
    expect(raceBaseline([line('tpe', 'TPE', [[90, 98]]), line('gp', 'GP', [[85, 92]])], 'max')).toBe(1);
    expect(raceBaseline([line('tpe', 'TPE', [[0.2]], 'min'), line('gp', 'GP', [[0.4]], 'min')], 'min')).toBe(1);
    expect(raceBaseline([line('random', 'Random', [[NaN]]), line('tpe', 'TPE', [[90]])], 'max')).toBe(1);
    expect(raceBaseline([line('tpe', 'TPE', [])], 'max')).toBe(-1);
  });
});

describe('raceSentence', () => {
  const lines = [
    line('random', 'Random', [[80, 85, 90, 92, 95, 95, 97.8]]),
    line('tpe', 'TPE', [[85, 97.8, 98, 98, 98.5, 98.5, 98.5]]),
    line('gp', 'GP', [[70, 75, 80, 81, 82, 90, 91]]),
    line('evolution', 'Evolution', [[]]),
  ];
  const reaches = raceReaches(lines, 'max', raceBaseline(lines, 'max'));
  const text = reaches.map((r) => raceSentence(r, 'Random', pct));
  it.each([
    { i: 0, s: 'Random is the yardstick: its best, 97.8%, came after 7 trials.' },
    { i: 1, s: "TPE reached 97.8% (Random's best) in 2 trials; Random needed 7. It went on to 98.5%." },
    { i: 2, s: "GP did not reach 97.8% (Random's best) in its 7 trials; its best was 91.0%." },
    { i: 3, s: 'Evolution has no finished trial yet.' },
  ])('line $i', ({ i, s }) => {
    expect(text[i]).toBe(s);
  });
  it('says "too" on a tie and reads the median over seeds', () => {
    const l = [line('random', 'Random', [[1, 2], [1, 2]]), line('tpe', 'TPE', [[0, 2], [1, 2], [0, 3]])];
    const r = raceReaches(l, 'max', 0);
    expect(raceSentence(r[1], 'Random', String)).toBe("TPE reached 2 (Random's best) in 2 trials; Random needed 2 too.");
  });
});
