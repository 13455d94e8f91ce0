import type { ParamName, TrialParams } from '../../../src/lib/experiment/types';
import type { Dimension, Strategy, StrategyContext, TrialOutcome } from '../../../src/lib/search/types';

/** A test problem: a search space and an objective to minimise. */
export interface Problem {
  name: string;
  dims: Dimension[];
  f: (p: TrialParams) => number;
}

/** 1-D bowl in log-lr space, optimum lr = 10^-2.5. */
export const bowl: Problem = {
  name: 'log-lr bowl',
  dims: [{ name: 'learningRate', spec: { type: 'float', low: 1e-5, high: 1, log: true } }],
  f: (p) => (Math.log10(Number(p.learningRate)) + 2.5) ** 2,
};

/** 3-D quadratic (linear float, log int, log float) plus a categorical: +0.3 unless 'adam'. */
export const quadCat: Problem = {
  name: '3-D quadratic + categorical',
  dims: [
    { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false } },
    { name: 'units', spec: { type: 'int', low: 4, high: 256, log: true } },
    { name: 'l2', spec: { type: 'float', low: 1e-6, high: 1e-1, log: true } },
    { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'momentum', 'adam', 'rmsprop'] } },
  ],
  f: (p) =>
    ((Number(p.dropout) - 0.15) / 0.5) ** 2 +
    ((Math.log(Number(p.units)) - Math.log(32)) / Math.log(64)) ** 2 +
    ((Math.log10(Number(p.l2)) + 4) / 5) ** 2 +
    (p.optimizer === 'adam' ? 0 : 0.3),
};

/** A space with every kind of dimension. */
export const mixedDims: Dimension[] = [
  { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 1, log: true } },
  { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false } },
  { name: 'units', spec: { type: 'int', low: 4, high: 64, log: true } },
  { name: 'depth', spec: { type: 'int', low: 1, high: 3, log: false } },
  { name: 'batchSize', spec: { type: 'categorical', choices: [8, 16, 32, 64] } },
  { name: 'activation', spec: { type: 'categorical', choices: ['relu', 'tanh'] } },
];

/** A context for `dims`. */
export function ctxOf(dims: Dimension[], seed: number, budget = 30, gridPoints = 3): StrategyContext {
  return { dims, seed, budget, gridPoints };
}

/** A complete outcome with a flat curve. */
export function done(objective: number, epochs = 3): TrialOutcome {
  return { state: 'complete', objective, curve: new Array<number>(epochs).fill(objective) };
}

/** Runs a strategy sequentially (concurrency 1) for `budget` trials, ids from `firstId`;
 *  returns the params and objectives. */
export function run(strategy: Strategy, f: (p: TrialParams) => number, budget: number, firstId = 0): { params: TrialParams[]; ys: number[] } {
  const params: TrialParams[] = [];
  const ys: number[] = [];
  for (let id = firstId; id < firstId + budget; id++) {
    const p = strategy.ask([]);
    if (!p) break;
    const y = f(p);
    strategy.tell(id, p, done(y));
    params.push(p);
    ys.push(y);
  }
  return { params, ys };
}

/** Median of a list. */
export function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Checks that params lie in the space: ints integral, ranges respected, categoricals valid. */
export function outsideSpace(dims: Dimension[], p: TrialParams): string | null {
  for (const d of dims) {
    const v = p[d.name as ParamName];
    if (v === undefined) return `${d.name} missing`;
    if (d.spec.type === 'categorical') {
      if (!d.spec.choices.includes(v)) return `${d.name}=${v} not a choice`;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${d.name}=${v} not a number`;
    if (v < d.spec.low || v > d.spec.high) return `${d.name}=${v} outside [${d.spec.low}, ${d.spec.high}]`;
    if (d.spec.type === 'int' && !Number.isInteger(v)) return `${d.name}=${v} not an integer`;
  }
  return null;
}

/** An objective on mixedDims with an interior optimum. */
export function fMixed(p: TrialParams): number {
  return (
    (Math.log10(Number(p.learningRate)) + 2) ** 2 +
    (Number(p.dropout) - 0.2) ** 2 +
    (Math.log2(Number(p.units)) - 4) ** 2 / 4 +
    (Number(p.depth) === 2 ? 0 : 0.2) +
    (p.batchSize === 32 ? 0 : 0.1) +
    (p.activation === 'tanh' ? 0 : 0.1)
  );
}

/**
 * Simulates the worker pool: up to `concurrency` trials run at once and finish oldest first
 * (when ask returns null, or the pool is full). Every 7th trial fails, every 5th is pruned
 * after 2 epochs. Returns the asked params in ask order.
 */
export function runPool(strategy: Strategy, f: (p: TrialParams) => number, budget: number, concurrency: number): TrialParams[] {
  const asked: TrialParams[] = [];
  const running: { id: number; params: TrialParams }[] = [];
  const finishOldest = () => {
    const t = running.shift()!;
    const y = f(t.params);
    let outcome: TrialOutcome;
    if (t.id % 7 === 6) outcome = { state: 'failed', objective: NaN, curve: [] };
    else if (t.id % 5 === 4) outcome = { state: 'pruned', objective: y + 1, curve: [y + 2, y + 1] };
    else outcome = done(y);
    strategy.tell(t.id, t.params, outcome);
  };
  while (asked.length < budget) {
    if (running.length >= concurrency) finishOldest();
    const p = strategy.ask(running.map((r) => r.params));
    if (!p) {
      if (running.length === 0) break;
      finishOldest();
      continue;
    }
    running.push({ id: asked.length, params: p });
    asked.push(p);
  }
  while (running.length) finishOldest();
  return asked;
}

/** 4-D problem whose optimum sits between grid points (lr 10^-2.7, dropout 0.17, units 45,
 *  depth 2.6 — an int axis, so 3 is best and 2 close): no grid or int snap lands on it. */
export const between: Problem = {
  name: 'optimum between grid points',
  dims: [
    { name: 'learningRate', spec: { type: 'float', low: 1e-5, high: 1, log: true } },
    { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false } },
    { name: 'units', spec: { type: 'int', low: 4, high: 256, log: true } },
    { name: 'depth', spec: { type: 'int', low: 1, high: 4, log: false } },
  ],
  f: (p) =>
    ((Math.log10(Number(p.learningRate)) + 2.7) / 5) ** 2 +
    ((Number(p.dropout) - 0.17) / 0.5) ** 2 +
    ((Math.log(Number(p.units)) - Math.log(45)) / Math.log(64)) ** 2 +
    ((Number(p.depth) - 2.6) / 3) ** 2,
};

const BEST_LOG_LR: Record<string, number> = { sgd: -1, momentum: -1.5, adam: -3, rmsprop: -2.5 };
const OPTIMIZER_PENALTY: Record<string, number> = { sgd: 0.3, momentum: 0.2, adam: 0, rmsprop: 0.1 };

/** Two categoricals and two log floats, where the best learning rate depends on the optimizer
 *  (optimum: adam, lr 1e-3, l2 10^-4.3, relu). */
export const optimizerLr: Problem = {
  name: 'categorical with an interaction',
  dims: [
    { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 1, log: true } },
    { name: 'l2', spec: { type: 'float', low: 1e-6, high: 1e-1, log: true } },
    { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'momentum', 'adam', 'rmsprop'] } },
    { name: 'activation', spec: { type: 'categorical', choices: ['relu', 'tanh', 'sigmoid'] } },
  ],
  f: (p) => {
    const o = String(p.optimizer);
    return (
      ((Math.log10(Number(p.learningRate)) - BEST_LOG_LR[o]) / 4) ** 2 +
      ((Math.log10(Number(p.l2)) + 4.3) / 5) ** 2 +
      OPTIMIZER_PENALTY[o] +
      (p.activation === 'relu' ? 0 : 0.15)
    );
  },
};

/** 12 configurations (3 ints × 2 × 2 choices): small enough to exhaust. */
export const tinyDims: Dimension[] = [
  { name: 'depth', spec: { type: 'int', low: 1, high: 3, log: false } },
  { name: 'activation', spec: { type: 'categorical', choices: ['relu', 'tanh'] } },
  { name: 'batchSize', spec: { type: 'categorical', choices: [16, 64] } },
];
