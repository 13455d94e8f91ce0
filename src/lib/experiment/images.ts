/**
 * The checks an experiment with conv blocks or image augmentation needs: image data with every
 * pixel kept, flips only where a mirror image keeps its class, and conv blocks that fit the image
 * in the largest network the search can build.
 */
import { getDataset } from '../data/registry';
import { blocksOf } from '../model/blocks';
import { resolveModel } from '../model/spec';
import { fixedValue } from './values';
import type { Experiment, ParamName, ParamSpec } from './types';

/** Every value a parameter can take in `e` (its fixed value, its choices, or its range's ends). */
function valuesOf(e: Experiment, name: ParamName): (number | string)[] {
  const s: ParamSpec = e.space[name];
  if (s.type === 'fixed') return [fixedValue(e, name)];
  if (s.type === 'categorical') return s.choices;
  return [s.low, s.high];
}

const largest = (e: Experiment, name: ParamName): number => Math.max(...valuesOf(e, name).map(Number));

/** Whether some trial of `e` has conv blocks. */
export const usesConv = (e: Experiment): boolean => largest(e, 'convBlocks') > 0;

/** Whether some trial of `e` augments its training images. */
export function usesAugmentation(e: Experiment): boolean {
  return (['augShift', 'augRotate', 'augNoise'] as const).some((n) => largest(e, n) > 0) || valuesOf(e, 'augFlip').includes('horizontal');
}

/** Problems of `e`'s image settings, as [path, message]; none when it has no conv block and no augmentation. */
export function imageProblems(e: Experiment): [string, string][] {
  const conv = usesConv(e);
  const aug = usesAugmentation(e);
  if (!conv && !aug) return [];
  const what = conv ? 'Conv blocks need' : 'Augmentation needs';
  const path = conv ? (e.space.convBlocks.type === 'fixed' ? 'model.conv' : 'space.convBlocks') : 'space.augShift';
  const entry = getDataset(e.data.id);
  const img = entry?.kind === 'real' ? entry.image : undefined;
  if (!img) return [[path, `${what} image data: choose MNIST, Fashion-MNIST or Digits 8×8, or set them to 0.`]];
  const out: [string, string][] = [];
  if (e.data.features || largest(e, 'topK') > 0) out.push([path, `${what} every pixel of the image: keep all features and set top-k features to 0.`]);
  if (!img.flips && valuesOf(e, 'augFlip').includes('horizontal')) {
    out.push([e.space.augFlip.type === 'fixed' ? 'model.augFlip' : 'space.augFlip', `A mirrored ${entry?.label ?? 'image'} image is not the same class (a flipped 2 is no 2): flips are only for data like Fashion-MNIST.`]);
  }
  if (conv) {
    // the deepest network with the largest kernel shrinks the image most
    const worst = resolveModel(e.model, { convBlocks: largest(e, 'convBlocks'), ...(e.space.kernelSize.type === 'fixed' ? {} : { kernelSize: largest(e, 'kernelSize') }) });
    try {
      blocksOf(worst, { d: img.width * img.height * img.channels, image: img }, 'classification', 2);
    } catch (err) {
      out.push([path, `The largest network the search can build does not fit the ${img.width}×${img.height} image: ${(err as Error).message}`]);
    }
  }
  return out;
}
