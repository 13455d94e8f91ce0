/**
 * Calibrates the lessons' presets: trains each lesson's runs with several seeds (data and strategy
 * seed both set to s; seed 1 is the preset itself) through the test harness and prints what the
 * reading says, its numbers and the wall time, so one can check that the effect is robust.
 *
 *   nice -n 10 node bench/run-ts.mjs tests/unit/lessons/calibrate.ts learning-rate 1,2,3,4,5
 *   BACKEND=cpu nice -n 10 node bench/run-ts.mjs tests/unit/lessons/calibrate.ts all 1
 *
 * PATCH='{"data":{"noise":0.2}}' overrides parts of every run's experiment (data, model, space, strategy).
 * Uses tfjs's wasm backend on one thread by default (the same numbers as the cpu backend the tests
 * use, a few times faster).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';
import type { Experiment } from '../../../src/lib/experiment/types';
import { LESSONS } from '../../../src/lib/lessons/registry';
import { reseed, runLesson } from './harness';

/** Entry point: `<lesson id | all> [seeds, comma-separated]`. */
export async function main(args: string[]): Promise<void> {
  const backend = process.env.BACKEND ?? 'wasm';
  if (backend === 'wasm') {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(fileURLToPath(new URL('../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs ${backend} backend did not start`);
  await tf.ready();
  const [which = 'all', seedList = '1'] = args;
  const seeds = seedList.split(',').map(Number);
  for (const lesson of LESSONS.filter((l) => which === 'all' || which.split(',').includes(l.id))) {
    for (const seed of seeds) {
      const t0 = performance.now();
      const patch = JSON.parse(process.env.PATCH ?? '{}') as { data?: object; model?: object; space?: object; strategy?: object };
      const edit = (e: Experiment): Experiment => reseed(seed)({ ...e, data: { ...e.data, ...patch.data }, model: { ...e.model, ...patch.model }, space: { ...e.space, ...patch.space }, strategy: { ...e.strategy, ...patch.strategy } });
      const { trials, experiments } = await runLesson(lesson, edit);
      const s = (performance.now() - t0) / 1000;
      const r = lesson.read(trials, { experiments, metric: 'valAcc' });
      const nums = Object.entries(r.numbers).map(([k, v]) => `${k}=${Number(v.toPrecision(3))}`).join(' ');
      console.log(`${lesson.id} seed ${seed} (${s.toFixed(1)} s, ${backend}): ${r.appeared}\n  ${r.sentence}\n  ${nums}${r.advice ? `\n  advice: ${r.advice}` : ''}`);
    }
  }
}
