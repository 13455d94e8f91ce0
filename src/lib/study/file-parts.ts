/**
 * A study file's text cut where its trials go, so a store can keep each trial's JSON apart and
 * write only the trials that changed. The parts join into exactly the text encodeStudyFile
 * writes: `frame.pre + trial texts joined by ',' + frame.post`.
 */
import { encodeStudyFile } from './file';
import type { StudyRecord, StudyTrial } from './types';

/** A study file's text without its trials: `pre` ends with '"trials":[', `post` starts with ']'. */
export interface StudyFrame {
  pre: string;
  post: string;
}

/** The frame of `study`'s file text: everything but the trials, encoded once. */
export function studyFrame(study: StudyRecord): StudyFrame {
  const fields = Object.entries(study);
  const at = fields.findIndex(([k]) => k === 'trials');
  // The fields before the trials go through encodeStudyFile itself, so the file's header (its
  // format tag) stays defined in one place; fromEntries keeps the field order JSON writes.
  const open = encodeStudyFile(Object.fromEntries([...fields.slice(0, at), ['trials', []]]) as unknown as StudyRecord);
  if (!open.endsWith('"trials":[]}')) throw new Error('studyFrame: the study file does not end with its trials and the fields after them.');
  const rest = JSON.stringify(Object.fromEntries(fields.slice(at + 1)));
  return { pre: open.slice(0, -2), post: rest === '{}' ? ']}' : `],${rest.slice(1)}` };
}

/** The study file text from its frame and its trials' texts (each the JSON of one trial, in order). */
export function joinStudy(frame: StudyFrame, trials: readonly string[]): string {
  return frame.pre + trials.join(',') + frame.post;
}

/** The length of joinStudy(frame, trials), characters, without building the text. */
export function joinedLength(frame: StudyFrame, trials: readonly string[]): number {
  let n = frame.pre.length + frame.post.length + Math.max(0, trials.length - 1);
  for (const t of trials) n += t.length;
  return n;
}

/**
 * A function giving a trial's JSON text, encoding each trial object once. Records never change a
 * trial in place (a changed trial is a new object), so an object's text never goes stale, and a
 * trial nobody holds any more drops out of the cache with it.
 */
export function trialEncoder(): (trial: StudyTrial) => string {
  const texts = new WeakMap<StudyTrial, string>();
  return (trial) => {
    let text = texts.get(trial);
    if (text === undefined) texts.set(trial, (text = JSON.stringify(trial)));
    return text;
  };
}
