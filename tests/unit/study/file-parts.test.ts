import { describe, expect, it, vi } from 'vitest';
import { encodeStudyFile } from '../../../src/lib/study/file';
import { joinedLength, joinStudy, studyFrame, trialEncoder } from '../../../src/lib/study/file-parts';
import type { StudyRecord } from '../../../src/lib/study/types';
import { experimentWith, simulatedStudy } from './fixtures';

const study = simulatedStudy(experimentWith('tpe', 'asha', { budget: 5, epochs: 3 }));
const { trials, ...withoutTrials } = study;

describe('study file parts', () => {
  it.each<[string, StudyRecord]>([
    ['a study with its log', study],
    ['no trials', { ...study, trials: [] }],
    ['no log (a results link)', { ...study, log: undefined }],
    ['a queue and an author', { ...study, author: 'Ada', queued: [{ ...trials[0].params }] }],
    ['the trials last', { ...withoutTrials, trials }],
    ['the trials first', { trials, ...withoutTrials }],
    ['a name with quotes and brackets', { ...study, name: '"trials":[] ] }' }],
  ])('%s: the frame and the trials join into the study file text', (_, s) => {
    const frame = studyFrame(s);
    const texts = s.trials.map((t) => JSON.stringify(t));
    const file = encodeStudyFile(s);
    expect(frame.pre.endsWith('"trials":[')).toBe(true);
    expect(joinStudy(frame, texts)).toBe(file);
    expect(joinedLength(frame, texts)).toBe(file.length);
  });

  it('encodes a trial object once, and a new object again', () => {
    const encode = trialEncoder();
    const spy = vi.spyOn(JSON, 'stringify');
    try {
      expect(encode(trials[0])).toBe(encode(trials[0]));
      encode({ ...trials[0] });
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
