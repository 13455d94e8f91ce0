/**
 * The network as a typed list of blocks — conv, pool, flatten, dense, dropout, output — with the
 * shape each block produces and its trainable parameters. ModelSpec says what a person chose
 * (conv blocks, dense layers, dropout); this list is what the trainer builds and what the UI shows.
 */
import type { Activation, ModelSpec, PaddingKind, Task } from '../experiment/types';
import { outputUnits } from './spec';

/** Shape of one sample: [height, width, channels] for images, [features] after flattening. */
export type Shape = readonly number[];

/** The input of a network: `d` features, laid out as an image when `image` is given. */
export interface InputShape {
  d: number;
  image?: { width: number; height: number; channels: number };
}

export type Block =
  | { kind: 'conv'; filters: number; kernel: number; stride: number; padding: PaddingKind; activation: Activation; out: Shape; params: number }
  | { kind: 'pool'; pool: 'max' | 'avg'; size: 2; out: Shape; params: 0 }
  | { kind: 'flatten'; out: Shape; params: 0 }
  | { kind: 'dense'; units: number; activation: Activation; out: Shape; params: number }
  | { kind: 'dropout'; rate: number; out: Shape; params: 0 }
  | { kind: 'output'; units: number; activation: 'linear'; out: Shape; params: number };

/** Output side of a convolution along one axis (TensorFlow's rule). */
export function convSide(side: number, kernel: number, stride: number, padding: PaddingKind): number {
  return padding === 'same' ? Math.ceil(side / stride) : Math.floor((side - kernel) / stride) + 1;
}

/**
 * The blocks of `spec` for `input` and `task` (`nClasses` outputs for classification). Throws an
 * Error saying which block is at fault when the conv blocks need an image and the input is not
 * one, or when a block would shrink the image to nothing.
 */
export function blocksOf(spec: ModelSpec, input: InputShape, task: Task, nClasses: number): Block[] {
  const out: Block[] = [];
  const conv = spec.conv ?? [];
  let shape: Shape = [input.d];
  if (conv.length > 0) {
    const img = input.image;
    if (!img || img.width * img.height * img.channels !== input.d) {
      throw new Error('Convolution blocks need image data (MNIST, Fashion-MNIST or Digits 8×8, with every pixel kept): set conv blocks to 0 for this dataset.');
    }
    let [h, w, c] = [img.height, img.width, img.channels];
    conv.forEach((b, i) => {
      const [h2, w2] = [convSide(h, b.kernel, b.stride, b.padding), convSide(w, b.kernel, b.stride, b.padding)];
      if (h2 < 1 || w2 < 1) throw new Error(`Conv block ${i + 1}: a ${b.kernel}×${b.kernel} kernel does not fit the ${h}×${w} image it receives; use 'same' padding, a smaller kernel or fewer blocks.`);
      out.push({ kind: 'conv', filters: b.filters, kernel: b.kernel, stride: b.stride, padding: b.padding, activation: b.activation, out: [h2, w2, b.filters], params: b.kernel * b.kernel * c * b.filters + b.filters });
      [h, w, c] = [h2, w2, b.filters];
      if (b.pool !== 'none') {
        if (h < 2 || w < 2) throw new Error(`Conv block ${i + 1}: 2×2 pooling needs at least 2×2 pixels but gets ${h}×${w}; use fewer blocks or no pooling.`);
        [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
        out.push({ kind: 'pool', pool: b.pool, size: 2, out: [h, w, c], params: 0 });
      }
    });
    shape = [h * w * c];
    out.push({ kind: 'flatten', out: shape, params: 0 });
  }
  let prev = shape[0];
  for (const l of spec.layers) {
    out.push({ kind: 'dense', units: l.units, activation: l.activation, out: [l.units], params: prev * l.units + l.units });
    prev = l.units;
    if (spec.dropout > 0) out.push({ kind: 'dropout', rate: spec.dropout, out: [l.units], params: 0 });
  }
  const units = outputUnits(task, nClasses);
  out.push({ kind: 'output', units, activation: 'linear', out: [units], params: prev * units + units });
  return out;
}

/** Trainable parameters of a list of blocks. */
export const blockParams = (blocks: readonly Block[]): number => blocks.reduce((s, b) => s + b.params, 0);

/** Multiply-adds of one forward pass of one sample (the cost a time estimate scales with). */
export function blockMacs(blocks: readonly Block[]): number {
  let macs = 0;
  for (const b of blocks) {
    if (b.kind === 'conv') macs += (b.params - b.filters) * b.out[0] * b.out[1];
    else if (b.kind === 'dense' || b.kind === 'output') macs += b.params - b.units;
  }
  return macs;
}

/** Whether `spec` has convolution blocks (such trials train on the tfjs-layers trainer, one at a time). */
export const isConv = (spec: Pick<ModelSpec, 'conv'>): boolean => (spec.conv?.length ?? 0) > 0;

/** A block in words, for the layer table: e.g. 'conv 8 × 3×3, relu', 'max pool 2×2'. */
export function blockLabel(b: Block): string {
  switch (b.kind) {
    case 'conv': return `conv ${b.filters} × ${b.kernel}×${b.kernel}${b.stride > 1 ? `, stride ${b.stride}` : ''}, ${b.padding}, ${b.activation}`;
    case 'pool': return `${b.pool} pool 2×2`;
    case 'flatten': return 'flatten';
    case 'dense': return `dense ${b.units}, ${b.activation}`;
    case 'dropout': return `dropout ${b.rate}`;
    case 'output': return `output ${b.units}`;
  }
}
