/**
 * tfjs' wasm backend has no Conv2DBackpropFilter kernel (the weight gradient of a 2-D
 * convolution), so conv networks could not train on it. It does have the 3-D one: a 2-D
 * convolution is a 3-D convolution over a depth of one, so the 2-D kernel is that call on the
 * same memory with a depth axis of size 1 added to the shapes (no copy). Registered once, before
 * a conv network trains on wasm; checked against the cpu backend's kernel in the unit tests.
 * Stride 1 only: the 3-D kernel is wrong for larger strides, so strided convolutions are built
 * as stride 1 followed by sampling (model/build.ts).
 */
import { getKernel, registerKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

interface Attrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | unknown;
  dataFormat?: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as Attrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm: only NHWC data is supported');
  if (pad !== 'same' && pad !== 'valid') throw new Error(`Conv2DBackpropFilter on wasm: padding '${String(pad)}' is not supported (only 'same' and 'valid')`);
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  // tfjs-wasm's Conv3DBackpropFilterV2 gives wrong numbers for strides above 1 (checked against
  // the cpu backend); the model builder makes every convolution stride 1 (see model/build.ts).
  if (sh !== 1 || sw !== 1) throw new Error('Conv2DBackpropFilter on wasm: only stride 1 is supported');
  const conv3d = getKernel('Conv3DBackpropFilterV2', 'wasm');
  if (!conv3d) throw new Error('Conv2DBackpropFilter on wasm: the wasm backend has no Conv3DBackpropFilterV2 either');
  const [n, h, w, c] = x.shape;
  const [, oh, ow, oc] = dy.shape;
  const dw = conv3d.kernelFunc({
    inputs: { x: { ...x, shape: [n, 1, h, w, c] }, dy: { ...dy, shape: [n, 1, oh, ow, oc] } },
    backend,
    attrs: { strides: [1, sh, sw], pad, filterShape: [1, ...filterShape] },
  }) as TensorInfo;
  return { dataId: dw.dataId, shape: filterShape, dtype: dw.dtype };
};

let registered = false;

/** Registers the wasm Conv2DBackpropFilter kernel (once; a no-op when tfjs already has one). */
export function registerWasmConvGrad(): void {
  if (registered) return;
  registered = true;
  if (getKernel('Conv2DBackpropFilter', 'wasm')) return;
  registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter });
}
