import type { Activation, ModelSpec } from '../../experiment/types';

/** One dense layer of a trial's parameter block; offsets in floats from the block's start. */
export interface BlockLayer {
  fin: number;
  fout: number;
  /** the hidden layer's activation; 'linear' for the output layer. */
  activation: Activation;
  /** kernel [fin, fout] row-major, then bias [fout]. */
  wOff: number;
  bOff: number;
}

/**
 * One trial's parameters as one block of floats, in the order of tfjs' `model.getWeights()`
 * flattened (kernel [fanIn, fanOut], bias, per layer), so weights move between the kernel and
 * tfjs unchanged. `floats` is rounded up to a multiple of 4 with at least 4 spare floats: the
 * kernel's matrix products read whole 4-lane vectors past a ragged row end.
 */
export interface BlockLayout {
  layers: BlockLayer[];
  /** parameters of one trial. */
  params: number;
  /** floats reserved per block (params, padded). */
  floats: number;
}

/** The block of a dense network: d inputs, `layers` hidden, nOut linear outputs. */
export function blockLayout(layers: ModelSpec['layers'], d: number, nOut: number): BlockLayout {
  const out: BlockLayer[] = [];
  let fin = d;
  let off = 0;
  const shapes = [...layers.map((l) => ({ units: l.units, activation: l.activation })), { units: nOut, activation: 'linear' as const }];
  for (const s of shapes) {
    out.push({ fin, fout: s.units, activation: s.activation, wOff: off, bOff: off + fin * s.units });
    off += fin * s.units + s.units;
    fin = s.units;
  }
  return { layers: out, params: off, floats: roundUp4(off) + 4 };
}

/** n rounded up to a multiple of 4. */
export function roundUp4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** Rows the evaluation passes (validation, test, predictions) take at a time. */
export const EVAL_ROWS = 128;

/** Floats of one scratch buffer of `rows` rows as wide as the widest layer (inputs included). */
export function widest(block: BlockLayout): number {
  return Math.max(...block.layers.flatMap((l) => [l.fin, l.fout]));
}

