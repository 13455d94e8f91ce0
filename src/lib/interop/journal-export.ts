/**
 * Writing the page's study as an Optuna journal file: one new study with every trial, written as
 * Optuna itself writes a trial added from a template (`study.add_trial`), so that
 * `optuna.storages.JournalStorage(JournalFileStorage(path))` (Optuna 3; `JournalFileBackend` in
 * 4) loads it with every trial valid. Each trial carries its training and validation curves as
 * user attributes and its per-epoch validation metric as intermediate values.
 */
import { METRICS } from '../analysis/metric';
import { searchedParams } from '../experiment/params';
import type { ParamName } from '../experiment/types';
import { endValue } from '../train/aggregate';
import type { EpochMetrics } from '../train/types';
import type { StudyRecord, StudyTrial } from '../study/types';
import { JOURNAL_OPS, OPTUNA_DIRECTIONS, OPTUNA_STATES, type OptunaState } from './journal-read';
import { EXTERNAL_NAMES } from './names';
import { curvesAttr, OPTUNA_FORMAT, STUDY_ATTRS, TRIAL_ATTRS } from './optuna-attrs';
import { distributionJson, distributionOfSpec, toInternal, type OptunaChoice, type OptunaDistribution } from './optuna-distributions';
import { pyFloat, pyIsoTime, pyJson, type PyValue } from './python-text';

/** Options of exportJournal. */
export interface JournalExportOptions {
  /** the Optuna study name; default the record's name. */
  studyName?: string;
}

/** The worker id written on every operation (Optuna only compares it with its own). */
const WORKER = 'hyperparameter-playground';

/** Journal file name for a study: its name in lower-case words, then '.optuna-journal.log'. */
export function journalFileName(study: Pick<StudyRecord, 'name' | 'id'>): string {
  const slug = study.name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${slug || study.id}.optuna-journal.log`;
}

/** The value a trial's metric takes in Optuna: accuracy as a fraction, or the loss; NaN when missing. */
function metricOf(key: StudyRecord['metric']): (m: EpochMetrics) => number {
  return key === 'valAcc' ? (m) => m.valAcc ?? NaN : (m) => m.valLoss;
}

/** Every parameter the trials hold, with a distribution that holds every trial's value: the
 *  searched spec widened to the values seen (manual trials may lie outside it), or, for a value of
 *  a parameter the space leaves fixed, the list of values seen. */
function distributionsOf(study: StudyRecord): Map<ParamName, OptunaDistribution> {
  const out = new Map<ParamName, OptunaDistribution>();
  for (const { name, spec } of searchedParams(study.experiment.space)) out.set(name, distributionOfSpec(spec));
  for (const t of study.trials) {
    for (const [name, value] of Object.entries(t.params) as [ParamName, number | string | undefined][]) {
      if (value === undefined) continue;
      const d = out.get(name);
      if (!d) out.set(name, { name: 'CategoricalDistribution', choices: [value] });
      else if (d.name === 'CategoricalDistribution') {
        if (toInternal(d, value) === undefined) d.choices.push(value);
      } else if (typeof value === 'number') {
        const v = d.name === 'IntDistribution' ? Math.round(value) : value;
        // a value a log range cannot hold (0 for a penalty) makes the whole axis linear
        if (d.log && v < (d.name === 'IntDistribution' ? 1 : Number.MIN_VALUE)) d.log = false;
        d.low = Math.min(d.low, v);
        d.high = Math.max(d.high, v);
      }
    }
  }
  return out;
}

/** Optuna's state of an app trial (a complete trial without a finite value is written as failed). */
function stateOf(t: StudyTrial, value: number): OptunaState {
  switch (t.state) {
    case 'running': return 'running';
    case 'complete': return Number.isFinite(value) ? 'complete' : 'fail';
    case 'pruned': return 'pruned';
    default: return 'fail';
  }
}

const dropUndefined = (o: Record<string, PyValue>): Record<string, PyValue> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The user attributes of one trial. */
function trialAttrs(t: StudyTrial): Record<string, PyValue> {
  const r = t.result;
  return dropUndefined({
    [TRIAL_ATTRS.curves]: curvesAttr(t.epochs) as unknown as PyValue,
    [TRIAL_ATTRS.status]: t.state,
    [TRIAL_ATTRS.id]: t.id,
    [TRIAL_ATTRS.bestEpoch]: r?.bestEpoch,
    [TRIAL_ATTRS.stoppedEarly]: r?.stoppedEarly,
    [TRIAL_ATTRS.restoredBest]: r?.restoredBest,
    [TRIAL_ATTRS.test]: r?.test ? dropUndefined({ loss: Number.isFinite(r.test.loss) ? r.test.loss : null, acc: r.test.acc }) : undefined,
    [TRIAL_ATTRS.message]: r?.message,
    [TRIAL_ATTRS.pruneReason]: t.pruneReason,
    [TRIAL_ATTRS.device]: t.backend ?? r?.backend,
    [TRIAL_ATTRS.timeMs]: r && Number.isFinite(r.timeMs) ? pyFloat(r.timeMs) : undefined,
    [TRIAL_ATTRS.paramCount]: r?.paramCount,
  });
}

/**
 * The study as the text of a new Optuna journal file: a study named `opts.studyName` (or the
 * record's name) whose direction maximises accuracy or minimises loss, with the experiment,
 * metric and parameter names as study user attributes, then one trial per app trial in id order
 * (Optuna numbers them 0, 1, 2, ...; the app id is kept as a user attribute). Parameters use
 * EXTERNAL_NAMES. A trial's value is its metric at its end epoch (the best epoch when restore-best
 * applied, else the last), as the page's search saw it; its intermediate values are the per-epoch
 * validation metric (non-finite ones left out). Failed, diverged and cancelled trials are FAIL,
 * interrupted ones RUNNING.
 */
export function exportJournal(study: StudyRecord, opts: JournalExportOptions = {}): string {
  const lines: string[] = [];
  const op = (code: number, fields: Record<string, PyValue>) => lines.push(pyJson({ op_code: code, worker_id: WORKER, ...fields }));
  const higher = METRICS[study.metric].higherBetter;
  op(JOURNAL_OPS.createStudy, { study_name: opts.studyName ?? study.name, directions: [OPTUNA_DIRECTIONS.indexOf(higher ? 'maximize' : 'minimize')] });
  const dists = distributionsOf(study);
  const names: Record<string, ParamName> = {};
  for (const name of dists.keys()) names[EXTERNAL_NAMES[name]] = name;
  const studyAttrs: Record<string, PyValue> = {
    [STUDY_ATTRS.format]: OPTUNA_FORMAT,
    [STUDY_ATTRS.experiment]: JSON.parse(JSON.stringify(study.experiment)) as PyValue,
    [STUDY_ATTRS.metric]: study.metric,
    [STUDY_ATTRS.paramNames]: names,
    [STUDY_ATTRS.dataset]: JSON.parse(JSON.stringify(study.dataset)) as PyValue,
  };
  for (const [k, v] of Object.entries(studyAttrs)) op(JOURNAL_OPS.setStudyUserAttr, { study_id: 0, user_attr: { [k]: v } });

  const metric = metricOf(study.metric);
  const distJson = new Map([...dists].map(([k, d]) => [k, distributionJson(d)]));
  for (const t of [...study.trials].sort((a, b) => a.id - b.id)) {
    const end = endValue({ epochs: t.epochs, bestEpoch: t.result?.bestEpoch, restoredBest: t.result?.restoredBest }, metric);
    const state = stateOf(t, end);
    const intermediate: Record<string, PyValue> = {};
    for (const e of t.epochs) {
      const v = metric(e);
      if (Number.isFinite(v)) intermediate[String(e.epoch)] = pyFloat(v);
    }
    const steps = Object.keys(intermediate);
    const value = state === 'complete' ? pyFloat(end) : state === 'pruned' && steps.length ? intermediate[steps[steps.length - 1]] : null;
    const params: Record<string, PyValue> = {};
    const distributions: Record<string, PyValue> = {};
    for (const [name, v] of Object.entries(t.params) as [ParamName, OptunaChoice | undefined][]) {
      const d = dists.get(name);
      if (v === undefined || !d) continue;
      const internal = toInternal(d, d.name === 'IntDistribution' && typeof v === 'number' ? Math.round(v) : v);
      if (internal === undefined) continue;
      params[EXTERNAL_NAMES[name]] = d.name === 'CategoricalDistribution' ? internal : pyFloat(internal);
      distributions[EXTERNAL_NAMES[name]] = distJson.get(name)!;
    }
    const start = t.startedAt ?? study.createdAt;
    const done = state !== 'running';
    op(JOURNAL_OPS.createTrial, {
      study_id: 0,
      datetime_start: pyIsoTime(start),
      state: OPTUNA_STATES.indexOf(state),
      value,
      values: null,
      datetime_complete: done ? pyIsoTime(Math.max(start, t.endedAt ?? study.updatedAt)) : undefined,
      distributions,
      params,
      user_attrs: trialAttrs(t),
      system_attrs: {},
      intermediate_values: intermediate,
    });
  }
  return `${lines.join('\n')}\n`;
}
