/**
 * Learning-rate schedules: the learning rate of each epoch of a trial, from its base rate.
 * Pure and shared by both trainers (batched.ts, fused/runner.ts), the reference trainer and the
 * views, so that what is drawn is what was trained.
 */
import { modelValue } from '../experiment/defaults';
import type { ModelSpec, ScheduleKind } from '../experiment/types';

/** A schedule and its parameters (the ones its kind does not use are ignored). */
export interface LrSchedule {
  kind: ScheduleKind;
  /** linear warm-up, epochs >= 0: the rate climbs to the base over these first epochs. */
  warmup: number;
  /** step: epochs between two decays, >= 1. */
  stepSize: number;
  /** step: factor applied at each step, 0 < γ <= 1. */
  decay: number;
  /** exponential, cosine: the rate at the last epoch as a fraction of the base, 0..1. */
  final: number;
}

/** The schedule of a (resolved) model, with the defaults for what it does not set. */
export function scheduleOf(model: ModelSpec): LrSchedule {
  return {
    kind: modelValue(model, 'lrSchedule'),
    warmup: modelValue(model, 'lrWarmup'),
    stepSize: modelValue(model, 'lrStepSize'),
    decay: modelValue(model, 'lrDecay'),
    final: modelValue(model, 'lrFinal'),
  };
}

/**
 * The learning rate of `epoch` (1-based, as EpochMetrics) of a trial of `epochs` epochs.
 * Warm-up: epoch i <= W of W warm-up epochs trains at base · i / (W + 1). After it, with j the
 * epochs since warm-up (0 first) and p = j / (epochs - W - 1) its progress (0 when only one epoch
 * is left), clamped to 1:
 *  - constant: base;
 *  - step: base · decay^floor(j / stepSize);
 *  - exponential: base · final^p (geometric decay to final · base at the last epoch);
 *  - cosine: base · (final + (1 - final) · (1 + cos πp) / 2) (cosine annealing to final · base).
 * baseLr: > 0; returns a rate >= 0.
 */
export function lrAt(schedule: LrSchedule, baseLr: number, epoch: number, epochs: number): number {
  const i = epoch - 1;
  const w = Math.max(0, Math.min(Math.round(schedule.warmup), epochs - 1));
  if (i < w) return (baseLr * (i + 1)) / (w + 1);
  const j = i - w;
  const span = epochs - w - 1;
  const p = span > 0 ? Math.min(1, j / span) : 0;
  switch (schedule.kind) {
    case 'constant': return baseLr;
    case 'step': return baseLr * schedule.decay ** Math.floor(j / Math.max(1, Math.round(schedule.stepSize)));
    case 'exponential': return baseLr * schedule.final ** p;
    case 'cosine': return baseLr * (schedule.final + ((1 - schedule.final) * (1 + Math.cos(Math.PI * p))) / 2);
  }
}

/** The learning rate of every epoch of `model` (length model.epochs), from its base rate. */
export function lrCurve(model: ModelSpec): number[] {
  const s = scheduleOf(model);
  return Array.from({ length: model.epochs }, (_, i) => lrAt(s, model.learningRate, i + 1, model.epochs));
}

/** The learning rate of each reported epoch of a trial of `model`: what the trainer reported
 *  (EpochMetrics.lr), else the schedule's value (studies saved before rates were reported). */
export function epochRates(model: ModelSpec, epochs: readonly { epoch: number; lr?: number }[]): number[] {
  const s = scheduleOf(model);
  return epochs.map((e) => e.lr ?? lrAt(s, model.learningRate, e.epoch, model.epochs));
}

/** The schedule in a few words, e.g. 'cosine to 1% of the base, after 3 warm-up epochs'. */
export function scheduleText(s: LrSchedule): string {
  const pct = (f: number) => `${Number((f * 100).toPrecision(3))}%`;
  const kind = {
    constant: 'constant',
    step: `×${Number(s.decay.toPrecision(3))} every ${s.stepSize} epoch${s.stepSize === 1 ? '' : 's'}`,
    exponential: `exponential decay to ${pct(s.final)} of the base`,
    cosine: `cosine to ${pct(s.final)} of the base`,
  }[s.kind];
  return s.warmup > 0 ? `${kind}, after ${s.warmup} warm-up epoch${s.warmup === 1 ? '' : 's'}` : kind;
}
