/** A conditional search space shared by the conditional-search tests, and its checks. */
import type { ParamName, TrialParams } from '../../../src/lib/experiment/types';
import { activeMask } from '../../../src/lib/search/active';
import type { Dimension } from '../../../src/lib/search/types';
import { outsideSpace } from './helpers';

const adam = { parent: 'optimizer', oneOf: ['adam'] } as const;
const step = { parent: 'lrSchedule', oneOf: ['step'] } as const;

/** Optimizer constants under their optimizer, schedule parameters under their schedule. */
export const condDims: Dimension[] = [
  { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 1, log: true } },
  { name: 'lrSchedule', spec: { type: 'categorical', choices: ['constant', 'step', 'exponential', 'cosine'] } },
  { name: 'lrStepSize', spec: { type: 'int', low: 2, high: 20, log: false }, when: step },
  { name: 'lrDecay', spec: { type: 'float', low: 0.1, high: 0.9, log: false }, when: step },
  { name: 'lrFinal', spec: { type: 'float', low: 1e-3, high: 0.3, log: true }, when: { parent: 'lrSchedule', oneOf: ['exponential', 'cosine'] } },
  { name: 'depth', spec: { type: 'int', low: 1, high: 3, log: false } },
  { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'momentum', 'adam', 'rmsprop'] } },
  { name: 'momentum', spec: { type: 'float', low: 0.5, high: 0.99, log: false }, when: { parent: 'optimizer', oneOf: ['momentum'] } },
  { name: 'beta1', spec: { type: 'float', low: 0.7, high: 0.95, log: false }, when: adam },
  { name: 'beta2', spec: { type: 'float', low: 0.99, high: 0.9999, log: false }, when: adam },
];

/** What is wrong with `p` in a conditional space (null when nothing): an active parameter
 *  missing or outside its range, an inactive or unknown one present. */
export function conditionalProblem(dims: Dimension[], p: TrialParams): string | null {
  const mask = activeMask(dims, dims.map((d) => p[d.name]));
  const names = new Set<string>(dims.map((d) => d.name));
  for (const k of Object.keys(p)) if (!names.has(k)) return `${k} is no dimension`;
  for (const [i, d] of dims.entries()) {
    if (!mask[i] && p[d.name] !== undefined) return `${d.name} present but inactive (${JSON.stringify(p)})`;
  }
  return outsideSpace(dims.filter((_, i) => mask[i]), p);
}

/** A conditional objective whose best region needs the conditional parameters right: Adam with
 *  β1 near 0.8, or SGD with momentum near 0.95; a step schedule with a strong decay. */
export function fConditional(p: TrialParams): number {
  const lr = (Math.log10(Number(p.learningRate)) + 2.5) ** 2 / 4;
  const opt: Record<string, () => number> = {
    sgd: () => 0.8,
    momentum: () => 0.15 + ((Number(p.momentum) - 0.95) / 0.2) ** 2,
    adam: () => ((Number(p.beta1) - 0.8) / 0.1) ** 2 + ((Number(p.beta2) - 0.995) / 0.01) ** 2 / 4,
    rmsprop: () => 0.5,
  };
  const sched: Record<string, () => number> = {
    constant: () => 0.4,
    step: () => ((Number(p.lrDecay) - 0.2) / 0.4) ** 2 + ((Number(p.lrStepSize) - 6) / 10) ** 2,
    exponential: () => 0.3 + ((Math.log10(Number(p.lrFinal)) + 2) / 2) ** 2,
    cosine: () => 0.25 + ((Math.log10(Number(p.lrFinal)) + 2) / 2) ** 2,
  };
  return lr + opt[String(p.optimizer)]() + sched[String(p.lrSchedule)]() + (Number(p.depth) === 2 ? 0 : 0.1);
}

/** Every parameter name of the space. */
export const condNames = condDims.map((d) => d.name as ParamName);
