import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStudyFile, encodeStudyFile, STUDY_FORMAT, studyFileName } from '../../../src/lib/study/file';
import { storeTrial } from '../../../src/lib/study/record';
import { STUDY_LIMITS, STUDY_VERSION, type StudyRecord } from '../../../src/lib/study/types';
import { experimentWith, simulatedStudy } from './fixtures';
import { hostileValue, pathsOf, pollutedText, prototypeClean, setAt } from './hostile';

/** A small study with every optional part: a result with a surface, a verdict, NaN metrics. */
function richStudy(): StudyRecord {
  const s = simulatedStudy(experimentWith('tpe', 'asha', { budget: 4, epochs: 3 }));
  const t = s.trials[0];
  const rich = storeTrial({
    ...t,
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_001_000,
    backend: 'cpu',
    worker: 1,
    verdict: { kind: 'good', label: 'Good fit', sentence: 'It fits.', hint: 'Compare it.' },
    result: {
      trialId: t.id, status: 'complete', epochs: t.epochs, backend: 'cpu', timeMs: 1000, paramCount: 1234, retries: 1,
      boundary: Float32Array.from({ length: 16 }, (_, i) => i % 3), confusion: [[5, 1], [2, 7]], test: { loss: 0.3, acc: 0.9 },
      runs: [{ status: 'complete', epochs: t.epochs }], spread: { valLoss: [0.1, NaN, 0.2] },
    },
  });
  return { ...s, author: 'Ada', dataset: { id: 'spiral', task: 'classification', dataHash: 'sha256:abc' }, trials: [rich, ...s.trials.slice(1)] };
}

const study = richStudy();
const text = encodeStudyFile(study);
const doc = JSON.parse(text) as Record<string, unknown>;

describe('study file', () => {
  it('round-trips a study (NaN as null and back), with origin file', () => {
    expect(text.startsWith(`{"format":"${STUDY_FORMAT}","version":${STUDY_VERSION}`)).toBe(true);
    const r = decodeStudyFile(text);
    expect(r).toEqual({ kind: 'ok', study: { ...study, origin: 'file' } });
    if (r.kind === 'ok') expect(r.study.trials[0].result?.spread?.valLoss[1]).toBeNaN();
  });

  it.each([
    ['My study: lr × units!', 'my-study-lr-units.hpstudy.json'],
    ['***', 'sim-1.hpstudy.json'],
  ])('names the file of %j %j', (name, file) => {
    expect(studyFileName({ ...study, name })).toBe(file);
  });

  it.each([
    ['an empty file', '', /empty/],
    ['plain text', 'hello', /not valid JSON/],
    ['a cut-off file', text.slice(0, Math.floor(text.length / 2)), /not valid JSON.*cut off/],
    ['a JSON array', '[1,2]', /holds an array/],
    ['a JSON number', '42', /holds a number/],
    ['null', 'null', /holds null/],
    ['an Optuna journal', '{"op_code": 0, "worker_id": "w", "study_name": "s", "directions": [1]}\n{"op_code": 4, "worker_id": "w"}\n', /^This is an Optuna journal file, not a Hyperparameter Playground study file: open it with "Open Optuna journal…"/],
    ['an experiment without results', JSON.stringify(experimentWith('random')), /experiment without results/],
    ['some other JSON', '{"name": "package", "version": "1.0.0"}', /no "format"/],
    ['a newer version', JSON.stringify({ ...doc, version: STUDY_VERSION + 1 }), /newer version/],
    ['no version', JSON.stringify({ ...doc, version: 'one' }), /no valid version/],
    ['trials of the wrong type', JSON.stringify({ ...doc, trials: 'many' }), /trials/],
    ['too many trials', JSON.stringify({ ...doc, trials: new Array(STUDY_LIMITS.maxTrials + 1).fill(0) }), /too large.*trials/],
    ['too many epochs', JSON.stringify(setAt(doc, ['trials', 0, 'epochs'], new Array(STUDY_LIMITS.maxEpochs + 1).fill((doc.trials as { epochs: unknown[] }[])[0].epochs[0]))), /epochs/],
    ['a bad experiment', JSON.stringify(setAt(doc, ['experiment', 'model', 'dropout'], 2)), /experiment is not valid/],
    ['a duplicate trial', JSON.stringify({ ...doc, trials: [...(doc.trials as unknown[]), (doc.trials as unknown[])[0]] }), /two trials/],
    ['an out-of-range param', JSON.stringify(setAt(doc, ['trials', 0, 'params', 'learningRate'], -1)), /invalid value/],
    ['a log out of order', JSON.stringify({ ...doc, log: [{ k: 'tell', id: 0, outcome: { state: 'complete', objective: 1, curve: [] } }] }), /search log is damaged/],
    ['a text of 40 MB', ' '.repeat(STUDY_LIMITS.maxFileChars + 1), /too large/],
  ])('refuses %s with a message', (_, input, message) => {
    const r = decodeStudyFile(input);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(message);
  });
});

describe('study file under hostile input (property-based)', () => {
  const neverThrows = (input: string) => {
    const r = decodeStudyFile(input);
    expect(['ok', 'error']).toContain(r.kind);
    if (r.kind === 'error') expect(r.message.length).toBeGreaterThan(10);
    return r;
  };

  it('random bytes and strings: an error, never a throw', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 500 }).map((b) => String.fromCharCode(...b))), (s) => {
      expect(neverThrows(s).kind).toBe('error');
    }), { numRuns: 300 });
  });

  it('every truncation of a valid file: an error naming a cut-off file', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: text.length - 1 }), (n) => {
      const r = neverThrows(text.slice(0, n));
      expect(r.kind).toBe('error');
    }), { numRuns: 200 });
  });

  it('any value replaced anywhere (wrong types, huge arrays): ok or a message, never a throw', () => {
    const paths = pathsOf(doc);
    fc.assert(fc.property(fc.integer({ min: 0, max: paths.length - 1 }), hostileValue, (i, value) => {
      const r = neverThrows(JSON.stringify(setAt(doc, paths[i], value)));
      // whatever is accepted is a valid record: it saves and opens again unchanged
      if (r.kind === 'ok') expect(decodeStudyFile(encodeStudyFile(r.study))).toEqual(r);
    }), { numRuns: 300 });
  });

  it('arbitrary JSON under the study format tag: ok or a message', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })), (o) => {
      neverThrows(JSON.stringify({ ...o, format: STUDY_FORMAT, version: 1 }));
    }), { numRuns: 200 });
  });

  it('prototype-pollution keys never reach Object.prototype and are not kept', () => {
    fc.assert(fc.property(pollutedText(doc), (s) => {
      const r = neverThrows(s);
      expect(prototypeClean()).toBe(true);
      if (r.kind === 'ok') expect(JSON.stringify(r.study)).not.toMatch(/polluted/);
    }), { numRuns: 50 });
  });
});
