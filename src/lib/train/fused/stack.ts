import seedrandom from 'seedrandom';
import { modelValue } from '../../experiment/defaults';
import type { Activation, OptimizerName } from '../../experiment/types';
import type { TrainData, TrialConfig } from '../types';
import { OPTIMIZER_CONSTANTS } from './constants';
import { Arena, type FusedExports } from './kernel';
import { EVAL_ROWS, widest, type BlockLayout } from './layout';

/** Per trial: train loss sum, train rows right, validation loss sum, validation rows right. */
export interface EpochSums {
  trainLoss: number;
  trainCorrect: number;
  valLoss: number;
  valCorrect: number;
}

/** Loss sum and rows right of one trial on the test rows (n of them). */
export interface TestSums {
  loss: number;
  correct: number;
  n: number;
}

/**
 * The per-epoch kernel of a stacked run (runner.ts): K trials of one architecture, addressed by
 * their slot k (0..K-1), holding the data, parameters and optimizer state wherever it computes
 * (the wasm kernel's memory: FusedStack; GPU buffers: gpu/stack.ts). The runner owns the
 * bookkeeping (reports, pruning, early stopping, divergence) and asks the stack only for numbers.
 * Methods that read results back may be asynchronous (GPU readback); the others are ordered
 * before the next epoch.
 */
export interface EpochStack {
  /** Mini-batches per epoch. */
  readonly steps: number;
  /** Sets the learning rate trial k trains with from the next epoch on (> 0); only for trials still training. */
  setLearningRate(k: number, lr: number): void;
  /** Stops training trial k (its parameters stay for scoring). */
  deactivate(k: number): void;
  /**
   * One epoch of the active trials over the training rows in the order `perm` ([nTrain] row
   * indices). `dropSeeds(k)`: trial k's dropout seeds [step][hidden layer], or null without
   * dropout. Every slot's sums (zeros for inactive trials).
   */
  epoch(perm: ArrayLike<number>, dropSeeds: (k: number) => number[][] | null): EpochSums[] | Promise<EpochSums[]>;
  /** Remembers trial k's current parameters as its best (restore-best). */
  keepBest(k: number): void;
  /** Loss sum and rows right on the test rows of trial k's current (or best) parameters; null without test rows. */
  scoreTest(k: number, best: boolean): TestSums | null | Promise<TestSums | null>;
  /** Outputs [n, nOut] of trial k's current (or best) parameters for the validation rows (rows = null) or `rows` [n, d]. */
  predict(k: number, best: boolean, rows: Float32Array | null): Float32Array | Promise<Float32Array>;
  /** Frees what the stack holds outside the JS heap (GPU buffers); the stack is unusable after. */
  dispose(): void;
}

/** Rows (x [n, d]) with their labels (i32 classes) or targets (f32), in kernel memory. */
interface Rows {
  x: number;
  y: number;
  n: number;
}

/**
 * K trials of one architecture in one kernel instance: the data (training, validation, test),
 * every trial's parameter block and optimizer slots, and the scratch buffers, all allocated once
 * up front (so the memory never grows and views stay valid). Trials are addressed by their slot
 * k (0..K-1); a trial that leaves is switched off and keeps its parameters for its final scoring.
 */
export class FusedStack implements EpochStack {
  readonly K: number;
  private readonly mem: Arena;
  private readonly train: Rows;
  private readonly val: Rows;
  private readonly test: Rows | null;
  /** the epoch's row order [nTrain] (i32). */
  private readonly perm: number;
  /** dropout alea states, four f64 per (step, hidden layer, trial); 0 without dropout. */
  private readonly drop: number;
  /** four f64 per trial: the epoch's sums (see EpochSums), or a test score. */
  private readonly metrics: number;
  /** trial k's parameter block. */
  private readonly blocks: number[];
  /** a block to score weights given from outside (restore-best). */
  private readonly spare: number;
  /** rows predict() is given (a decision-surface grid) [extraRows, d], and its outputs [outRows, nOut]. */
  private readonly input: number;
  private readonly out: number;
  private readonly outRows: number;
  private readonly hidden: number;
  private readonly nOut: number;
  /** optimizer steps taken (Adam's t). */
  private t = 0;
  /** per trial: its parameters at its best epoch (keepBest), or null. */
  private readonly best: (Float32Array | null)[];
  /** per trial: the arguments of setTrial after the learning rate (see setLearningRate). */
  private readonly trialArgs: [number, number, number, number, number, number, number][];

  /**
   * `weights[k]`: trial k's initial block (see initialWeights). `batch`: mini-batch rows.
   * `extraRows`: rows that predict() may be given besides the validation rows (a surface grid).
   */
  constructor(private readonly k: FusedExports, private readonly data: TrainData, cfgs: TrialConfig[], private readonly block: BlockLayout, weights: Float32Array[], private readonly batch: number, extraRows: number) {
    const K = cfgs.length;
    if (K > k.MAX_TRIALS.value) throw new Error(`The fused kernel trains at most ${k.MAX_TRIALS.value} trials at once.`);
    if (block.layers.length > k.MAX_LAYERS.value) throw new Error(`The fused kernel takes at most ${k.MAX_LAYERS.value} layers.`);
    this.K = K;
    this.best = cfgs.map(() => null);
    const mem = (this.mem = new Arena(k));
    const classification = data.task === 'classification';
    const rows = (x: Float32Array, y: Float32Array): Rows => ({ x: mem.put(x), y: mem.put(classification ? Int32Array.from(y) : y), n: y.length });
    this.train = rows(data.xTrain, data.yTrain);
    this.val = rows(data.xVal, data.yVal);
    this.test = data.xTest && data.yTest && data.yTest.length > 0 ? rows(data.xTest, data.yTest) : null;
    this.perm = mem.alloc(4 * this.train.n);
    this.hidden = block.layers.length - 1;
    this.nOut = block.layers[this.hidden].fout;
    const dropping = this.hidden > 0 && cfgs.some((c) => c.model.dropout > 0);
    this.drop = dropping ? mem.alloc(32 * this.steps * this.hidden * K) : 0;
    this.metrics = mem.alloc(32 * K);
    const fb = 4 * block.floats;
    const optimizer = cfgs[0].model.optimizer;
    const nSlots = optimizer === 'adam' ? 2 : optimizer === 'sgd' ? 0 : 1;
    this.blocks = cfgs.map(() => mem.alloc(fb));
    const slots = cfgs.map(() => Array.from({ length: nSlots }, () => mem.alloc(fb)));
    this.spare = mem.alloc(fb);
    this.outRows = Math.max(this.val.n, this.test?.n ?? 0, extraRows);
    this.out = mem.alloc(4 * this.outRows * this.nOut);
    this.input = mem.alloc(4 * extraRows * data.d);
    // scratch of the training step and of the evaluation passes (see configure in asm/fused.ts)
    const wide = widest(block);
    const scratch = [4 * this.train.n * data.d, 4 * this.train.n, 4 * batch * wide, 4 * batch * wide, fb, 4 * EVAL_ROWS * wide, 4 * EVAL_ROWS * wide].map((b) => mem.alloc(b));
    const layerBufs = block.layers.map((l, i) => {
      const masked = dropping && i < this.hidden;
      return [mem.alloc(4 * batch * l.fout), masked ? mem.alloc(4 * batch * l.fout) : 0, masked ? mem.alloc(4 * batch * l.fout) : 0];
    });
    const [xEpoch, yEpoch, dz, da, grad, evalA, evalB] = scratch;
    k.configure(classification ? 1 : 0, block.layers.length, K, batch, xEpoch, yEpoch, dz, da, grad, evalA, evalB, EVAL_ROWS);
    const c = OPTIMIZER_CONSTANTS;
    // momentum and Adam's betas are the model's (every trial of a batch shares them, see batchKey)
    const m0 = cfgs[0].model;
    k.configureOptimizer(optimizerCode(k, optimizer), modelValue(m0, 'beta1'), modelValue(m0, 'beta2'), c.rmsDecay, modelValue(m0, 'momentum'), c.epsilon);
    block.layers.forEach((l, i) => {
      const [a, h, mask] = layerBufs[i];
      k.setLayer(i, l.fin, l.fout, activationCode(k, l.activation), 4 * l.wOff, 4 * l.bOff, a, h, mask);
    });
    this.trialArgs = cfgs.map((cfg, j) => {
      const s = cfg.model;
      mem.f32(this.blocks[j], block.floats).set(weights[j]);
      // The kernel takes f32s, as the batched trainer's per-entry tensors hold them: lr, l1, 2·l2, rate, 1/(1 - rate).
      const rest: [number, number, number, number, number, number, number] = [s.l1, 2 * s.l2, s.dropout, 1 / (1 - s.dropout), this.blocks[j], slots[j][0] ?? 0, slots[j][1] ?? 0];
      k.setTrial(j, 1, s.learningRate, ...rest);
      return rest;
    });
  }

  /** Sets the learning rate trial k trains with from the next epoch on (a schedule's value; > 0).
   *  Only for trials still training: it switches the trial on. */
  setLearningRate(k: number, lr: number): void {
    this.k.setTrial(k, 1, lr, ...this.trialArgs[k]);
  }

  /** Mini-batches per epoch. */
  get steps(): number {
    return Math.ceil(this.data.yTrain.length / this.batch);
  }

  /** Stops training trial k (its parameters stay for scoring). */
  deactivate(k: number): void {
    this.k.setActive(k, 0);
  }

  /**
   * One epoch of the active trials over the training rows in the order `perm`. `dropSeeds(k)`
   * gives trial k's dropout seeds for the epoch, [step][hidden layer] (null: no dropout); each
   * becomes the alea state tfjs' randomUniform starts from. Returns every slot's sums (zeros for
   * inactive trials).
   */
  epoch(perm: ArrayLike<number>, dropSeeds: (k: number) => number[][] | null): EpochSums[] {
    this.mem.i32(this.perm, this.train.n).set(perm);
    if (this.drop) {
      const states = this.mem.f64(this.drop, 4 * this.steps * this.hidden * this.K);
      for (let k = 0; k < this.K; k++) {
        dropSeeds(k)?.forEach((perLayer, step) => perLayer.forEach((seed, l) => states.set(aleaState(seed), 4 * ((step * this.hidden + l) * this.K + k))));
      }
    }
    const { train, val } = this;
    this.t = this.k.epoch(train.x, train.y, this.perm, train.n, this.t, this.drop, val.x, val.y, val.n, this.metrics);
    const m = this.mem.f64(this.metrics, 4 * this.K);
    return Array.from({ length: this.K }, (_, k) => ({ trainLoss: m[4 * k], trainCorrect: m[4 * k + 1], valLoss: m[4 * k + 2], valCorrect: m[4 * k + 3] }));
  }

  /** A copy of trial k's parameters (tfjs' getWeights order, flattened). */
  params(k: number): Float32Array {
    return Float32Array.from(this.mem.f32(this.blocks[k], this.block.params));
  }

  /** Keeps a copy of trial k's parameters as its best. */
  keepBest(k: number): void {
    this.best[k] = this.params(k);
  }

  /** Loss sum and rows right of trial k (or of its best parameters) on the test rows; null without test rows. */
  scoreTest(k: number, best: boolean): TestSums | null {
    if (!this.test) return null;
    const at = this.metrics + 32 * k;
    this.k.evaluate(this.blockOf(k, best), this.test.x, this.test.y, this.test.n, at);
    const [loss, correct] = this.mem.f64(at, 2);
    return { loss, correct, n: this.test.n };
  }

  /** Outputs [n, nOut] of trial k (or of its best parameters) for the validation rows (rows = null) or for `rows` [n, d]. */
  predict(k: number, best: boolean, rows: Float32Array | null): Float32Array {
    const p = this.blockOf(k, best);
    const n = rows ? rows.length / this.data.d : this.val.n;
    if (n > this.outRows) throw new Error('FusedStack.predict: more rows than were allocated.');
    if (rows) this.mem.f32(this.input, rows.length).set(rows);
    this.k.predict(p, rows ? this.input : this.val.x, n, this.out);
    return Float32Array.from(this.mem.f32(this.out, n * this.nOut));
  }

  /** Nothing to free: the kernel instance goes with the stack. */
  dispose(): void {}

  /** The block to score: trial k's own, or its best parameters copied into the spare block. */
  private blockOf(k: number, best: boolean): number {
    const weights = best ? this.best[k] : null;
    if (!weights) return this.blocks[k];
    this.mem.f32(this.spare, weights.length).set(weights);
    return this.spare;
  }
}

/** The alea state (c, s0, s1, s2) that tfjs' randomUniform starts from for an integer seed. */
export function aleaState(seed: number): [number, number, number, number] {
  const s = seedrandom.alea(String(seed), { state: true }).state();
  return [s.c, s.s0, s.s1, s.s2];
}

function optimizerCode(k: FusedExports, o: OptimizerName): number {
  return ({ sgd: k.SGD, momentum: k.MOMENTUM, adam: k.ADAM, rmsprop: k.RMSPROP })[o].value as number;
}

function activationCode(k: FusedExports, a: Activation): number {
  return ({ linear: k.LINEAR, relu: k.RELU, tanh: k.TANH, sigmoid: k.SIGMOID })[a].value as number;
}
