/**
 * Reading an Optuna JournalStorage file (`JournalFileStorage` in Optuna 3, `JournalFileBackend`
 * in 4): one JSON object per line, each an operation with an `op_code`, replayed in order the way
 * Optuna replays them into studies and trials. Updates to finished trials, to unknown ids or to
 * deleted studies are ignored as Optuna ignores another worker's; a cut-off last line (a write in
 * progress) is skipped. Anything else malformed gives a message naming the line. Never throws.
 */
import { isPlainObject } from '../study/json';
import {
  compatible,
  parseDistribution,
  toExternal,
  type OptunaChoice,
  type OptunaDistribution,
} from './optuna-distributions';
import { parseIsoTime, parsePyJson } from './python-text';

/** Journal operation codes (Optuna's JournalOperation). 10 (DISCARD_TRIALS) is written by other implementations and ignored, as Optuna does. */
export const JOURNAL_OPS = {
  createStudy: 0,
  deleteStudy: 1,
  setStudyUserAttr: 2,
  setStudySystemAttr: 3,
  createTrial: 4,
  setTrialParam: 5,
  setTrialStateValues: 6,
  setTrialIntermediateValue: 7,
  setTrialUserAttr: 8,
  setTrialSystemAttr: 9,
} as const;

/** Optuna trial states by their stored number (TrialState: RUNNING=0 … WAITING=4). */
export const OPTUNA_STATES = ['running', 'complete', 'pruned', 'fail', 'waiting'] as const;
/** An Optuna trial state. */
export type OptunaState = (typeof OPTUNA_STATES)[number];
/** Optuna study directions by their stored number (StudyDirection: NOT_SET=0, MINIMIZE=1, MAXIMIZE=2). */
export const OPTUNA_DIRECTIONS = ['not_set', 'minimize', 'maximize'] as const;
/** An Optuna study direction. */
export type OptunaDirection = (typeof OPTUNA_DIRECTIONS)[number];

/** One trial as Optuna's replay leaves it. Times are ms since 1970 (null when not set). */
export interface JournalTrial {
  /** storage-wide trial id (creation order over all studies). */
  trialId: number;
  /** 0-based number within its study. */
  number: number;
  state: OptunaState;
  /** objective values (one per direction), null while none were told. */
  values: number[] | null;
  /** parameter values (external representation: ints, floats, choices), by Optuna name. */
  params: Record<string, OptunaChoice>;
  distributions: Record<string, OptunaDistribution>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  /** reported values by step (NaN when reported as NaN or null). */
  intermediate: Map<number, number>;
  start: number | null;
  complete: number | null;
}

/** One study as Optuna's replay leaves it. */
export interface JournalStudy {
  studyId: number;
  name: string;
  directions: OptunaDirection[];
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  /** in number order. */
  trials: JournalTrial[];
}

/** Hostile-input limits of readJournal. */
export const JOURNAL_LIMITS = {
  /** characters of the journal text. */
  maxChars: 64_000_000,
  /** operations (lines). */
  maxLines: 2_000_000,
  /** studies created. */
  maxStudies: 10_000,
  /** trials created over all studies. */
  maxTrials: 200_000,
  /** characters of one line. */
  maxLineChars: 4_000_000,
} as const;

/** The studies of a journal (in creation order, deleted ones left out) with notes on what was skipped, or why it cannot be read. */
export type JournalRead = { kind: 'ok'; studies: JournalStudy[]; notes: string[] } | { kind: 'error'; message: string };

/** A malformed operation: turned into the error message of readJournal. */
class Malformed extends Error {}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** `x` when it is a plain object, else a Malformed error naming `what`. */
function obj(x: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(x)) throw new Malformed(`${what} is not an object`);
  return x;
}

function int(x: unknown, what: string): number {
  if (!isInt(x)) throw new Malformed(`${what} is not a whole number`);
  return x;
}

/** A metric value: a number, or null / NaN as NaN. */
function metric(x: unknown, what: string): number {
  if (x === null) return NaN;
  if (typeof x !== 'number') throw new Malformed(`${what} is not a number`);
  return x;
}

function values(x: unknown, what: string): number[] | null {
  if (x === null || x === undefined) return null;
  if (!Array.isArray(x) || x.length > 100) throw new Malformed(`${what} is not a list of numbers`);
  return x.map((v, i) => metric(v, `${what}[${i}]`));
}

function time(x: unknown, what: string): number | null {
  if (x === null || x === undefined) return null;
  const t = parseIsoTime(x);
  if (Number.isNaN(t)) throw new Malformed(`${what} is not an ISO date and time`);
  return t;
}

function state(x: unknown): OptunaState {
  const s = OPTUNA_STATES[int(x, 'the trial state')];
  if (s === undefined) throw new Malformed(`the trial state ${String(x)} is not one Optuna knows`);
  return s;
}

const finished = (s: OptunaState): boolean => s === 'complete' || s === 'pruned' || s === 'fail';

/** Replays journal operations into studies; `apply` throws Malformed for a broken one. */
class Replay {
  readonly studies = new Map<number, JournalStudy>();
  readonly trials: JournalTrial[] = [];
  private readonly studyOf: number[] = [];
  private nextStudyId = 0;
  /** live study ids by name (a deleted study's name can be used again). */
  private readonly byName = new Map<string, number>();
  /** per study: the distribution each parameter was first stored with (all later ones are compatible with it). */
  private readonly firstDist = new Map<number, Map<string, OptunaDistribution>>();
  readonly notes = new Set<string>();
  /** parsed distribution texts (a study repeats the same few thousands of times). */
  private readonly distCache = new Map<string, OptunaDistribution | string>();

  private distribution(text: unknown): OptunaDistribution | string {
    if (typeof text !== 'string') return parseDistribution(text);
    let d = this.distCache.get(text);
    if (d === undefined) {
      d = parseDistribution(text);
      if (this.distCache.size < 10_000) this.distCache.set(text, d);
    }
    // a copy: trials must not share (and so cannot change) one object
    if (typeof d === 'string') return d;
    return d.name === 'CategoricalDistribution' ? { ...d, choices: [...d.choices] } : { ...d };
  }

  apply(op: Record<string, unknown>): void {
    const code = int(op.op_code, 'op_code');
    switch (code) {
      case JOURNAL_OPS.createStudy: return this.createStudy(op);
      case JOURNAL_OPS.deleteStudy: {
        const id = int(op.study_id, 'study_id');
        const study = this.studies.get(id);
        if (study) this.byName.delete(study.name);
        this.studies.delete(id);
        return;
      }
      case JOURNAL_OPS.setStudyUserAttr:
      case JOURNAL_OPS.setStudySystemAttr: {
        const study = this.studies.get(int(op.study_id, 'study_id'));
        const user = code === JOURNAL_OPS.setStudyUserAttr;
        const attrs = obj(user ? op.user_attr : op.system_attr, user ? 'user_attr' : 'system_attr');
        if (study) Object.assign(user ? study.userAttrs : study.systemAttrs, attrs);
        return;
      }
      case JOURNAL_OPS.createTrial: return this.createTrial(op);
      case JOURNAL_OPS.setTrialParam: return this.setParam(op);
      case JOURNAL_OPS.setTrialStateValues: return this.setState(op);
      case JOURNAL_OPS.setTrialIntermediateValue: {
        const t = this.updatable(op);
        const step = int(op.step, 'step');
        const v = metric(op.intermediate_value, 'intermediate_value');
        t?.intermediate.set(step, v);
        return;
      }
      case JOURNAL_OPS.setTrialUserAttr:
      case JOURNAL_OPS.setTrialSystemAttr: {
        const t = this.updatable(op);
        const user = code === JOURNAL_OPS.setTrialUserAttr;
        const attrs = obj(user ? op.user_attr : op.system_attr, user ? 'user_attr' : 'system_attr');
        if (t) Object.assign(user ? t.userAttrs : t.systemAttrs, attrs);
        return;
      }
      case 10:
        return; // DISCARD_TRIALS: only other implementations act on it; Optuna skips it too
      default:
        this.notes.add(`operations with op_code ${code} are not known here and were skipped.`);
    }
  }

  private createStudy(op: Record<string, unknown>): void {
    if (typeof op.study_name !== 'string') throw new Malformed('study_name is not text');
    const dirs = op.directions;
    if (!Array.isArray(dirs) || dirs.length === 0 || dirs.length > 100) throw new Malformed('directions is not a list');
    const directions = dirs.map((d) => {
      const x = OPTUNA_DIRECTIONS[int(d, 'a direction')];
      if (x === undefined) throw new Malformed(`direction ${String(d)} is not one Optuna knows`);
      return x;
    });
    if (this.byName.has(op.study_name)) return;
    if (this.nextStudyId >= JOURNAL_LIMITS.maxStudies) throw new Malformed(`it creates more than ${JOURNAL_LIMITS.maxStudies} studies`);
    const studyId = this.nextStudyId++;
    this.byName.set(op.study_name, studyId);
    this.firstDist.set(studyId, new Map());
    this.studies.set(studyId, { studyId, name: op.study_name.slice(0, 512), directions, userAttrs: {}, systemAttrs: {}, trials: [] });
  }

  private createTrial(op: Record<string, unknown>): void {
    const studyId = int(op.study_id, 'study_id');
    const study = this.studies.get(studyId);
    if (!study) return;
    if (this.trials.length >= JOURNAL_LIMITS.maxTrials) throw new Malformed(`it creates more than ${JOURNAL_LIMITS.maxTrials} trials`);
    const distributions: Record<string, OptunaDistribution> = {};
    if (op.distributions !== undefined) {
      for (const [k, text] of Object.entries(obj(op.distributions, 'distributions'))) {
        const d = this.distribution(text);
        if (typeof d === 'string') throw new Malformed(`the distribution of "${k.slice(0, 60)}": ${d}`);
        distributions[k] = d;
      }
    }
    const params: Record<string, OptunaChoice> = {};
    if (op.params !== undefined) {
      for (const [k, internal] of Object.entries(obj(op.params, 'params'))) {
        const d = distributions[k];
        if (!d) throw new Malformed(`parameter "${k.slice(0, 60)}" has no distribution`);
        const v = toExternal(d, internal);
        if (v === undefined) throw new Malformed(`parameter "${k.slice(0, 60)}" has an invalid value`);
        params[k] = v;
      }
    }
    const intermediate = new Map<number, number>();
    if (op.intermediate_values !== undefined) {
      for (const [k, v] of Object.entries(obj(op.intermediate_values, 'intermediate_values'))) {
        const step = Number(k);
        if (!Number.isInteger(step)) throw new Malformed(`intermediate step "${k.slice(0, 20)}" is not a whole number`);
        intermediate.set(step, metric(v, `intermediate value ${step}`));
      }
    }
    const told = values(op.values, 'values');
    const single = op.value === undefined || op.value === null ? null : [metric(op.value, 'value')];
    const trial: JournalTrial = {
      trialId: this.trials.length,
      number: study.trials.length,
      state: op.state === undefined ? 'running' : state(op.state),
      values: told ?? single,
      params,
      distributions,
      userAttrs: op.user_attrs === undefined ? {} : { ...obj(op.user_attrs, 'user_attrs') },
      systemAttrs: op.system_attrs === undefined ? {} : { ...obj(op.system_attrs, 'system_attrs') },
      intermediate,
      start: time(op.datetime_start, 'datetime_start'),
      complete: time(op.datetime_complete, 'datetime_complete'),
    };
    this.trials.push(trial);
    this.studyOf.push(studyId);
    study.trials.push(trial);
    const first = this.firstDist.get(studyId)!;
    for (const [k, d] of Object.entries(distributions)) if (!first.has(k)) first.set(k, d);
  }

  /** The trial an operation names, or null when Optuna would ignore the operation (unknown id, finished trial, deleted study). */
  private updatable(op: Record<string, unknown>): JournalTrial | null {
    const id = int(op.trial_id, 'trial_id');
    const t = this.trials[id];
    if (!t || finished(t.state) || !this.studies.has(this.studyOf[id])) return null;
    return t;
  }

  private setParam(op: Record<string, unknown>): void {
    const t = this.updatable(op);
    if (typeof op.param_name !== 'string') throw new Malformed('param_name is not text');
    const d = this.distribution(op.distribution);
    if (typeof d === 'string') throw new Malformed(`the distribution of "${op.param_name.slice(0, 60)}": ${d}`);
    const v = toExternal(d, op.param_value_internal);
    if (v === undefined) throw new Malformed(`parameter "${op.param_name.slice(0, 60)}" has an invalid value`);
    if (!t) return;
    const name = op.param_name;
    // As Optuna: the parameter's distribution in the study decides what is compatible.
    const first = this.firstDist.get(this.studyOf[t.trialId])!;
    const seen = first.get(name);
    if (seen && !compatible(seen, d)) {
      this.notes.add(`a value of parameter "${name.slice(0, 60)}" with an incompatible distribution was skipped (Optuna skips it too).`);
      return;
    }
    if (!seen) first.set(name, d);
    t.params[name] = v;
    t.distributions[name] = d;
  }

  private setState(op: Record<string, unknown>): void {
    const t = this.updatable(op);
    const s = state(op.state);
    const told = values(op.values, 'values');
    if (!t) return;
    if (s === 'running' && t.state === 'running') return;
    if (s === 'running') t.start = time(op.datetime_start, 'datetime_start');
    if (finished(s)) t.complete = time(op.datetime_complete, 'datetime_complete');
    t.state = s;
    if (told) t.values = told;
  }
}

/**
 * Replays an Optuna journal file's text into its studies. A study's trials come in number order;
 * notes say what was skipped. Refuses more than JOURNAL_LIMITS. Never throws.
 */
export function readJournal(text: unknown): JournalRead {
  try {
    if (typeof text !== 'string') return { kind: 'error', message: 'The journal is not text.' };
    if (text.length > JOURNAL_LIMITS.maxChars) return { kind: 'error', message: `The journal is too large (${(text.length / 1e6).toFixed(1)} MB; at most ${JOURNAL_LIMITS.maxChars / 1e6} MB).` };
    const lines = text.split('\n');
    if (lines.length > JOURNAL_LIMITS.maxLines) return { kind: 'error', message: `The journal has too many lines (${lines.length}; at most ${JOURNAL_LIMITS.maxLines}).` };
    let lastFilled = lines.length - 1;
    while (lastFilled >= 0 && lines[lastFilled].trim() === '') lastFilled--;
    if (lastFilled < 0) return { kind: 'error', message: 'The journal is empty.' };
    const replay = new Replay();
    for (let i = 0; i <= lastFilled; i++) {
      const line = lines[i];
      if (line.trim() === '') continue;
      const where = `line ${i + 1}`;
      const parsed = line.length > JOURNAL_LIMITS.maxLineChars ? { ok: false as const } : parsePyJson(line);
      if (!parsed.ok) {
        // Optuna too reads a journal whose last line is still being written.
        if (i === lastFilled && i > 0) {
          replay.notes.add(`its last line is cut off (a write in progress?) and was skipped.`);
          break;
        }
        return { kind: 'error', message: `This is not an Optuna journal: ${where} is not valid JSON.` };
      }
      if (!isPlainObject(parsed.value) || !('op_code' in parsed.value)) {
        return { kind: 'error', message: `This is not an Optuna journal: ${where} is not an operation (no "op_code").` };
      }
      try {
        replay.apply(parsed.value);
      } catch (e) {
        if (e instanceof Malformed) return { kind: 'error', message: `The journal is damaged at ${where}: ${e.message}.` };
        throw e;
      }
    }
    const studies = [...replay.studies.values()].sort((a, b) => a.studyId - b.studyId);
    return { kind: 'ok', studies, notes: [...replay.notes] };
  } catch (e) {
    return { kind: 'error', message: `The journal could not be read: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}` };
  }
}
