/**
 * Shared pieces of the lesson tests: hand-made trials with chosen curves, and the honesty checks every
 * reading must pass (every number it reports is quoted in its sentence; advice whenever the effect did
 * not fully appear; no NaN or undefined in the words).
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fmtNum, fmtPct, fmtPct1 } from '../../../src/lib/analysis/format';
import type { Experiment } from '../../../src/lib/experiment/types';
import { fmtShare } from '../../../src/lib/lessons/measure';
import { presetContext } from '../../../src/lib/lessons/preset';
import type { Lesson, LessonResult, LessonTrial, ReadContext, Reading } from '../../../src/lib/lessons/types';
import type { TrialParams } from '../../../src/lib/experiment/types';
import type { EpochMetrics } from '../../../src/lib/train/types';

/** One epoch's values for `curve`: losses, optional accuracies 0..1. */
export interface Point {
  train: number;
  val: number;
  trainAcc?: number;
  valAcc?: number;
}

/** `n` epochs from `f(epoch)` (1-based), `msPerEpoch` apart on the clock. */
export function curve(n: number, f: (epoch: number) => Point, msPerEpoch = 10): EpochMetrics[] {
  return Array.from({ length: n }, (_, i) => {
    const p = f(i + 1);
    const m: EpochMetrics = { epoch: i + 1, trainLoss: p.train, valLoss: p.val, elapsedMs: (i + 1) * msPerEpoch };
    if (p.valAcc !== undefined) {
      m.trainAcc = p.trainAcc ?? p.valAcc;
      m.valAcc = p.valAcc;
    }
    return m;
  });
}

/** A finished trial with these params and epochs. */
export function trial(id: number, params: TrialParams, epochs: EpochMetrics[], result: Partial<LessonResult> = {}): LessonTrial {
  return { id, params, state: 'complete', epochs, result: { timeMs: epochs[epochs.length - 1]?.elapsedMs ?? 0, ...result } };
}

/** A loss falling from `from` towards `to` with time constant `tau` epochs. */
export const decay = (from: number, to: number, tau: number) => (e: number): number => to + (from - to) * Math.exp(-(e - 1) / tau);

/** Whether `sentence` quotes `v` in one of the ways readings print numbers. */
export function quotes(sentence: string, v: number): boolean {
  const forms = [fmtNum(v), fmtNum(v, 3), fmtPct(v), fmtPct1(v), fmtShare(v), `${fmtNum(v * 100)} points`, `${fmtNum(Math.abs(v * 100))} points`, fmtNum(Math.abs(v))];
  return forms.some((f) => sentence.includes(f));
}

/** The checks every reading passes, whatever it says. */
export function expectHonest(r: Reading): void {
  expect(r.sentence.length).toBeGreaterThan(20);
  expect(r.sentence).not.toMatch(/NaN|undefined|\[object/);
  for (const [k, v] of Object.entries(r.numbers)) {
    expect(Number.isFinite(v), `numbers.${k} = ${v} is not finite`).toBe(true);
    expect(quotes(r.sentence, v), `numbers.${k} = ${v} is not quoted in: ${r.sentence}`).toBe(true);
  }
  if (r.appeared !== true) expect((r.advice ?? '').length, 'a reading whose effect did not fully appear gives advice').toBeGreaterThan(30);
}

/** The reading context of a lesson's unchanged presets (classification: validation accuracy). */
export function ctxOf(lesson: Lesson, experiments?: Record<string, Experiment>): ReadContext {
  return experiments ? { experiments, metric: 'valAcc' } : presetContext(lesson);
}

/** Puts tfjs on its cpu backend (call in beforeAll). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Time budget of one lesson's real run under node's cpu backend, ms (vitest timeout). */
export const RUN_TIMEOUT_MS = 90_000;
