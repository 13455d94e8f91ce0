import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import { validateExperiment } from '../../../src/lib/experiment/validate';
import { decodeExperiment, encodeExperiment } from '../../../src/lib/experiment/url';
import { resolveModel } from '../../../src/lib/model/spec';
import type { Experiment } from '../../../src/lib/experiment/types';

/** A CNN study on MNIST: one conv block, searched depth of conv blocks, filters, kernel, pooling and augmentation. */
function cnnStudy(f: (e: Experiment) => void = () => {}): Experiment {
  const e = defaultExperiment();
  e.data.id = 'mnist_2500';
  e.model.conv = [{ filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu', pool: 'max' }];
  e.model.augRotate = 10;
  e.space.convBlocks = { type: 'int', low: 1, high: 2, log: false };
  e.space.filters = { type: 'categorical', choices: [8, 16] };
  e.space.kernelSize = { type: 'categorical', choices: [3, 5] };
  e.space.pooling = { type: 'categorical', choices: ['max', 'avg'] };
  e.space.augShift = { type: 'int', low: 0, high: 2, log: false };
  f(e);
  return e;
}
const messages = (e: Experiment) => validateExperiment(e).map((x) => `${x.path}: ${x.message}`);

describe('image settings of an experiment', () => {
  it('a CNN study is valid, and its link carries conv blocks and augmentation exactly', () => {
    const e = cnnStudy();
    expect(messages(e)).toEqual([]);
    expect(decodeExperiment('#' + encodeExperiment(e))).toEqual({ kind: 'ok', experiment: e });
  });

  it('a trial gets its searched conv blocks, filters, kernel and pooling on every block', () => {
    const m = resolveModel(cnnStudy().model, { convBlocks: 2, filters: 16, kernelSize: 5, pooling: 'avg', augShift: 2, activation: 'tanh' });
    expect(m.conv).toEqual([1, 2].map(() => ({ filters: 16, kernel: 5, stride: 1, padding: 'same', activation: 'tanh', pool: 'avg' })));
    expect([m.augShift, m.augRotate]).toEqual([2, 10]);
    expect(resolveModel(cnnStudy().model, { convBlocks: 0 }).conv).toEqual([]);
  });

  it('says why conv blocks, augmentation and flips do not fit some data', () => {
    expect(messages(cnnStudy((e) => (e.data.id = 'iris')))).toContainEqual(expect.stringMatching(/^space\.convBlocks: Conv blocks need image data/));
    expect(messages(cnnStudy((e) => { e.space.convBlocks = { type: 'fixed' }; delete e.model.conv; e.data.id = 'penguins'; })))
      .toContainEqual(expect.stringMatching(/^space\.augShift: Augmentation needs image data/));
    expect(messages(cnnStudy((e) => (e.model.augFlip = 'horizontal')))).toContainEqual(expect.stringMatching(/^model\.augFlip: A mirrored MNIST 2,500 image is not the same class/));
    expect(messages(cnnStudy((e) => { e.data.id = 'fashion_mnist_2500'; e.model.augFlip = 'horizontal'; }))).toEqual([]);
    expect(messages(cnnStudy((e) => (e.model.topK = 100)))).toContainEqual(expect.stringMatching(/need every pixel/));
  });

  it('refuses a search whose largest network does not fit the image', () => {
    const tiny = cnnStudy((e) => {
      e.data.id = 'digits8x8';
      e.space.convBlocks = { type: 'int', low: 1, high: 4, log: false };
    });
    expect(messages(tiny)).toContainEqual(expect.stringMatching(/largest network the search can build does not fit the 8×8 image: Conv block 4: 2×2 pooling/));
    expect(messages(cnnStudy((e) => (e.model.conv![0].stride = 3)))).toContainEqual('model.conv.0.stride: Conv block 1: the stride must be 1 or 2.');
  });
});
