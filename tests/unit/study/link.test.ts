import fc from 'fast-check';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { VERDICT_KINDS } from '../../../src/lib/analysis/verdict';
import { makeRng } from '../../../src/lib/search/rng';
import { digestOf, sampleIndices } from '../../../src/lib/study/digest';
import { decodeStudyLink, encodeStudyLink, fitsInLink, isStudyLink, STUDY_LINK_LIMIT, STUDY_LINK_PREFIX, studyLink } from '../../../src/lib/study/link';
import { resumeBlocker } from '../../../src/lib/study/resume';
import type { StudyRecord, StudyTrial } from '../../../src/lib/study/types';
import { experimentWith, simulatedStudy } from './fixtures';
import { hostileValue, pathsOf, prototypeClean, setAt } from './hostile';

/** A classification study of `n` trials of `epochs` epochs with noisy accuracy curves (hard to compress) and verdicts. */
function accuracyStudy(n: number, epochs: number): StudyRecord {
  const s = simulatedStudy(experimentWith('random', 'none', { budget: n, epochs }));
  const rng = makeRng(3, 'link-test');
  const trials: StudyTrial[] = s.trials.map((t, i) => ({
    ...t,
    epochs: t.epochs.map((e) => ({ ...e, valAcc: Math.min(1, 0.5 + 0.4 * rng()), trainAcc: Math.min(1, 0.5 + 0.5 * rng()), valLoss: e.valLoss + rng() })),
    ...(t.state === 'complete' ? { verdict: { kind: VERDICT_KINDS[i % VERDICT_KINDS.length], label: 'x', sentence: 'y', hint: 'z' } } : {}),
  }));
  return { ...s, metric: 'valAcc', author: 'Grace', dataset: { ...s.dataset, dataHash: 'sha256:0123456789abcdef' }, trials };
}

const small = accuracyStudy(12, 30);
const hash = encodeStudyLink(small);

describe('results link', () => {
  it('opens as a read-only record with params, states, verdict kinds, finals and downsampled curves', () => {
    const r = decodeStudyLink(`#${hash}`);
    if (r.kind === 'error') throw new Error(r.message);
    const s = r.study;
    expect(s).toMatchObject({ origin: 'link', name: small.name, author: 'Grace', metric: 'valAcc', experiment: small.experiment, createdAt: small.createdAt });
    expect(s.dataset.dataHash).toBe(small.dataset.dataHash);
    expect(s.log).toBeUndefined();
    expect(resumeBlocker(s)).toMatch(/results link/);
    expect(s.trials.map((t) => [t.id, t.state, t.verdict?.kind])).toEqual(small.trials.map((t) => [t.id, t.state, t.verdict?.kind]));
    for (const [i, t] of s.trials.entries()) {
      const o = small.trials[i];
      expect(t.params.optimizer).toBe(o.params.optimizer);
      expect(Math.abs(Number(t.params.learningRate) / Number(o.params.learningRate) - 1)).toBeLessThan(5e-4);
      expect(t.epochs.length).toBe(Math.min(12, o.epochs.length));
      const last = t.epochs.at(-1);
      const lastO = o.epochs.at(-1);
      if (!last || !lastO) continue;
      expect(last.epoch).toBe(lastO.epoch);
      expect(last.valAcc).toBeCloseTo(lastO.valAcc!, 3);
      // intermediate points: within 1% of the trial's range
      sampleIndices(o.epochs.length).forEach((k, j) => expect(Math.abs(t.epochs[j].valAcc! - o.epochs[k].valAcc!)).toBeLessThan(0.01));
    }
  });

  it.each([
    [64, 100],
    [64, 500],
  ])('fits a study of %i trials × %i epochs within the limit', (n, epochs) => {
    const s = accuracyStudy(n, epochs);
    const link = studyLink(s);
    expect(link.kind).toBe('ok');
    if (link.kind === 'ok') {
      expect(link.points).toBe(12);
      expect(link.hash.length).toBeLessThanOrEqual(STUDY_LINK_LIMIT);
      expect(decodeStudyLink(link.hash).kind).toBe('ok');
    }
  });

  it('says when a study does not fit (the page offers the file instead)', () => {
    const s = accuracyStudy(256, 40);
    expect(fitsInLink(s)).toBe(false);
    expect(studyLink(s)).toMatchObject({ kind: 'too-long', limit: STUDY_LINK_LIMIT });
  });

  it.each([
    ['s1=abc', true],
    ['#s1=abc', true],
    ['#s2=abc', true],
    ['#x1=abc', false],
    ['', false],
  ])('isStudyLink(%j) = %s', (h, yes) => expect(isStudyLink(h)).toBe(yes));

  it.each([
    ['not ours', 'x1=abc', /not a results link/],
    ['a newer format', 's2=abc', /format 2/],
    ['too long', `s1=${'A'.repeat(3 * STUDY_LINK_LIMIT)}`, /too long/],
    ['damaged', 's1=%%%', /damaged|not valid/],
    ['a cut-off link', hash.slice(0, hash.length / 2), /damaged|not valid/],
    ['an array', STUDY_LINK_PREFIX + LZString.compressToEncodedURIComponent('[1]'), /damaged/],
  ])('refuses %s', (_, h, message) => {
    const r = decodeStudyLink(h);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(message);
  });
});

describe('results link under hostile input (property-based)', () => {
  const neverThrows = (h: string) => {
    const r = decodeStudyLink(h);
    expect(['ok', 'error']).toContain(r.kind);
    if (r.kind === 'error') expect(r.message.length).toBeGreaterThan(10);
    return r;
  };
  const linkOf = (x: unknown) => STUDY_LINK_PREFIX + LZString.compressToEncodedURIComponent(JSON.stringify(x));
  const digest = digestOf(small);

  it('random strings, with and without the prefix: an error, never a throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.boolean(), (s, prefixed) => {
      expect(neverThrows(prefixed ? STUDY_LINK_PREFIX + s : s).kind).toBe('error');
    }), { numRuns: 300 });
  });

  it('every truncation of a valid link: never a throw', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: hash.length - 1 }), (n) => {
      neverThrows(hash.slice(0, n));
    }), { numRuns: 200 });
  });

  it('any value of the digest replaced: ok or a message, never a throw', () => {
    const paths = pathsOf(digest);
    fc.assert(fc.property(fc.integer({ min: 0, max: paths.length - 1 }), hostileValue, (i, value) => {
      neverThrows(linkOf(setAt(digest, paths[i], value)));
    }), { numRuns: 300 });
  });

  it('prototype-pollution keys never reach Object.prototype', () => {
    fc.assert(fc.property(fc.constantFrom('__proto__', 'constructor', 'prototype'), (key) => {
      const text = JSON.stringify(digest).replace('{', `{"${key}":{"polluted":true},`);
      neverThrows(STUDY_LINK_PREFIX + LZString.compressToEncodedURIComponent(text));
      expect(prototypeClean()).toBe(true);
    }));
  });
});
