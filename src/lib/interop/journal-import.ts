/**
 * Opening an Optuna study from a journal file as the page's Study record. A study written by the
 * exported script (or by exportJournal) carries the experiment, the parameter names and every
 * trial's curves, so it comes back as it was trained. Any other Optuna study is read as far as
 * it maps: parameters by name (see names.ts) and distribution, curves from the reported
 * intermediate values, and a report of everything that could not be mapped. Never throws.
 */
import { METRICS, type MetricKey } from '../analysis/metric';
import { unreachableParams } from '../experiment/conditions';
import { defaultExperiment, fixedSpace } from '../experiment/defaults';
import { LIMITS, PARAM_META } from '../experiment/params';
import type { Experiment, ParamName, TrialParams } from '../experiment/types';
import { checkParamSpec, checkParamValue, parseExperiment } from '../experiment/validate';
import { isPlainObject } from '../study/json';
import { parseStudy } from '../study/schema';
import { STUDY_LIMITS, STUDY_VERSION, type DatasetIdentity, type StoredResult, type StudyRecord, type StudyTrial } from '../study/types';
import type { EpochMetrics } from '../train/types';
import { readJournal, type JournalStudy, type JournalTrial } from './journal-read';
import { aliasNote, appParamOf, normaliseChoice } from './names';
import { epochsOfCurves, STUDY_ATTRS, TRIAL_ATTRS } from './optuna-attrs';
import type { OptunaChoice, OptunaDistribution, SearchedSpec } from './optuna-distributions';

/** Options of importJournal. */
export interface JournalImportOptions {
  /** which study of the journal to open; default the only one, else the one with most trials. */
  studyName?: string;
  /** ms since 1970: the record's createdAt/updatedAt when the trials carry no times. */
  now: number;
}

/** The opened study, Optuna's best trial (its app id, null when no trial completed), the names
 *  of every study in the journal, and notes on what could not be mapped; or why nothing could be opened. */
export type JournalImport =
  | { kind: 'ok'; study: StudyRecord; bestTrialId: number | null; studyNames: string[]; notes: string[] }
  | { kind: 'error'; message: string };

/** Notes kept at most (the rest are counted). */
const MAX_NOTES = 40;

class Notes {
  private readonly list: string[] = [];
  private readonly seen = new Set<string>();
  private extra = 0;
  add(note: string): void {
    if (this.seen.has(note)) return;
    this.seen.add(note);
    if (this.list.length < MAX_NOTES) this.list.push(note);
    else this.extra++;
  }
  all(): string[] {
    return this.extra ? [...this.list, `… and ${this.extra} more notes.`] : [...this.list];
  }
}

/** How one Optuna parameter maps onto the page: the app parameter and its spec. */
interface Mapping {
  app: ParamName;
  spec: SearchedSpec;
}

/** The app spec of an Optuna distribution for parameter `app`, or a sentence saying why there is none. */
function specOf(app: ParamName, d: OptunaDistribution, notes: Notes, label: string): SearchedSpec | string {
  const m = PARAM_META[app];
  if (d.name === 'CategoricalDistribution') {
    const choices: (number | string)[] = [];
    for (const c of d.choices) {
      const v = normaliseChoice(app, c);
      if (v === undefined) notes.add(`${label}: the choice ${JSON.stringify(c)} has no counterpart in the page and was left out.`);
      else if (!choices.includes(v)) choices.push(v);
    }
    if (choices.length === 0) return 'none of its choices exists in the page';
    if (choices.length > LIMITS.maxChoices) return `it has ${choices.length} choices (the page allows ${LIMITS.maxChoices})`;
    return { type: 'categorical', choices };
  }
  if (m.kind === 'categorical') return `it is numeric but the page's ${m.label.toLowerCase()} is a list of options`;
  if (d.step !== null && d.step !== 1) notes.add(`${label}: its step of ${d.step} was dropped (the page samples without steps).`);
  if (m.kind === 'int') {
    if (d.name === 'FloatDistribution') notes.add(`${label}: a float range for a whole-number parameter; values are rounded.`);
    return { type: 'int', low: Math.ceil(d.low), high: Math.floor(d.high), log: d.log };
  }
  return { type: 'float', low: d.low, high: d.high, log: d.log };
}

/** The union of one parameter's distributions over the trials (Optuna lets a range differ per trial). */
function unionOf(dists: OptunaDistribution[]): OptunaDistribution {
  const first = dists[0];
  if (first.name === 'CategoricalDistribution') return first;
  const same = dists.filter((d): d is typeof first => d.name === first.name);
  return { ...first, low: Math.min(...same.map((d) => d.low)), high: Math.max(...same.map((d) => d.high)) };
}

/** A study's own record of the app's names and experiment, when it was written by the app or its script. */
interface Stored {
  experiment?: Experiment;
  names: Map<string, ParamName>;
  metric?: MetricKey;
  dataset?: DatasetIdentity;
}

function storedOf(study: JournalStudy, notes: Notes): Stored {
  const a = study.userAttrs;
  const out: Stored = { names: new Map() };
  if (a[STUDY_ATTRS.experiment] !== undefined) {
    const r = parseExperiment(a[STUDY_ATTRS.experiment]);
    if (r.ok) out.experiment = r.experiment;
    else notes.add(`The study's experiment could not be read (${r.errors[0] ?? 'invalid'}); it was rebuilt from the trials.`);
  }
  const names = a[STUDY_ATTRS.paramNames];
  if (isPlainObject(names)) {
    for (const [ext, app] of Object.entries(names)) if (typeof app === 'string' && app in PARAM_META) out.names.set(ext, app as ParamName);
  }
  const metric = a[STUDY_ATTRS.metric];
  if (metric === 'valAcc' || metric === 'valLoss') out.metric = metric;
  const ds = a[STUDY_ATTRS.dataset];
  if (isPlainObject(ds) && typeof ds.id === 'string') {
    const pick = <T>(k: string, ok: (x: unknown) => boolean) => (ok(ds[k]) ? (ds[k] as T) : undefined);
    const count = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
    out.dataset = Object.fromEntries(Object.entries({
      id: ds.id.slice(0, 64),
      name: pick<string>('name', (x) => typeof x === 'string' && x.length <= 200),
      task: pick<DatasetIdentity['task']>('task', (x) => x === 'classification' || x === 'regression'),
      rows: pick<number>('rows', count),
      features: pick<number>('features', count),
      classes: pick<number>('classes', count),
      dataHash: pick<string>('dataHash', (x) => typeof x === 'string' && x.length <= 200),
    }).filter(([, v]) => v !== undefined)) as unknown as DatasetIdentity;
  }
  return out;
}

/** The app parameter of each Optuna parameter name, and the experiment to hold them. */
function mappingsOf(study: JournalStudy, stored: Stored, notes: Notes): { experiment: Experiment; map: Map<string, Mapping> } {
  const byName = new Map<string, OptunaDistribution[]>();
  for (const t of study.trials) for (const [k, d] of Object.entries(t.distributions)) (byName.get(k) ?? byName.set(k, []).get(k)!).push(d);
  const map = new Map<string, Mapping>();
  if (stored.experiment) {
    const e = stored.experiment;
    for (const name of byName.keys()) {
      const app = stored.names.get(name) ?? appParamOf(name);
      const spec = app ? e.space[app] : undefined;
      if (!app || !spec) notes.add(`Parameter "${name}" has no counterpart in the page; its values are not shown.`);
      else if (spec.type === 'fixed') notes.add(`Parameter "${name}" is fixed in the study's experiment; its values are not shown.`);
      else map.set(name, { app, spec });
    }
    return { experiment: e, map };
  }
  const e = defaultExperiment();
  e.data.id = 'csv';
  e.space = fixedSpace();
  const taken = new Set<ParamName>();
  for (const [name, dists] of byName) {
    const app = appParamOf(name);
    const label = `Parameter "${name}"`;
    if (!app) {
      notes.add(`${label} has no counterpart in the page; its values are not shown.`);
      continue;
    }
    if (taken.has(app)) {
      notes.add(`${label} is a second name for the page's ${PARAM_META[app].label.toLowerCase()}; only the first is shown.`);
      continue;
    }
    const caution = aliasNote(name);
    if (caution) notes.add(`${label} was ${caution}.`);
    const spec = specOf(app, unionOf(dists), notes, label);
    const problem = typeof spec === 'string' ? spec : checkParamSpec(app, spec);
    if (typeof spec === 'string' || problem) {
      notes.add(`${label} could not be mapped to the page's ${PARAM_META[app].label.toLowerCase()}: ${problem || spec}.`);
      continue;
    }
    taken.add(app);
    e.space[app] = spec;
    map.set(name, { app, spec });
  }
  // a parameter the page uses only under a parent's value none of these trials can have
  for (const u of unreachableParams(e)) {
    e.space[u.name] = { type: 'fixed' };
    for (const [name, m] of map) {
      if (m.app !== u.name) continue;
      map.delete(name);
      notes.add(`Parameter "${name}" has no counterpart in the page for these trials (${u.message.replace(/\.$/, '')}); its values are not shown.`);
    }
  }
  return { experiment: e, map };
}

/** A trial's value of an app parameter, as the page spells it; undefined when it does not fit. */
function appValue(m: Mapping, v: OptunaChoice): number | string | undefined {
  const x = normaliseChoice(m.app, v);
  if (x === undefined) return undefined;
  const value = m.spec.type === 'int' && typeof x === 'number' ? Math.round(x) : x;
  return checkParamValue(m.app, value) ? undefined : value;
}

/** Epochs from the reported intermediate values (the study metric only; training curves unknown). */
function epochsOfIntermediate(t: JournalTrial, metric: MetricKey, percent: boolean): EpochMetrics[] {
  const steps = [...t.intermediate.keys()].sort((a, b) => a - b).slice(0, STUDY_LIMITS.maxEpochs);
  return steps.map((s, i) => {
    const v = t.intermediate.get(s) ?? NaN;
    return metric === 'valAcc'
      ? { epoch: i + 1, trainLoss: NaN, valLoss: NaN, valAcc: percent ? v / 100 : v, trainAcc: NaN, elapsedMs: NaN }
      : { epoch: i + 1, trainLoss: NaN, valLoss: v, elapsedMs: NaN };
  });
}

const attrNum = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const attrCount = (x: unknown): number | undefined => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : undefined);
const attrText = (x: unknown, max: number = STUDY_LIMITS.maxText): string | undefined => (typeof x === 'string' ? x.slice(0, max) : undefined);
const attrBool = (x: unknown): boolean | undefined => (typeof x === 'boolean' ? x : undefined);

/** The app state of an Optuna trial (a FAIL keeps the app's own word for it when it has one). */
function stateOf(t: JournalTrial): StudyTrial['state'] {
  switch (t.state) {
    case 'running': return 'running';
    case 'complete': return 'complete';
    case 'pruned': return 'pruned';
    default: {
      const s = t.userAttrs[TRIAL_ATTRS.status];
      return s === 'diverged' || s === 'cancelled' ? s : 'failed';
    }
  }
}

/** The study's trial as the page keeps it. */
function trialOf(t: JournalTrial, map: Map<string, Mapping>, metric: MetricKey, percent: boolean, notes: Notes): StudyTrial | null {
  const params: TrialParams = {};
  for (const [name, v] of Object.entries(t.params)) {
    const m = map.get(name);
    if (!m) continue;
    const x = appValue(m, v);
    if (x === undefined) {
      notes.add(`Trial ${t.number} has a value of "${name}" (${JSON.stringify(v)}) that the page does not allow; the trial was left out.`);
      return null;
    }
    params[m.app] = x;
  }
  const a = t.userAttrs;
  const fromCurves = epochsOfCurves(a[TRIAL_ATTRS.curves], STUDY_LIMITS.maxEpochs);
  if (a[TRIAL_ATTRS.curves] !== undefined && !fromCurves) notes.add(`Trial ${t.number}'s curves could not be read; its reported values are shown instead.`);
  if (!fromCurves && t.intermediate.size > STUDY_LIMITS.maxEpochs) notes.add(`Trial ${t.number} reported ${t.intermediate.size} steps; the first ${STUDY_LIMITS.maxEpochs} are shown.`);
  const epochs = fromCurves ?? epochsOfIntermediate(t, metric, percent);
  const state = stateOf(t);
  const device = attrText(a[TRIAL_ATTRS.device], 32);
  const start = t.start ?? undefined;
  const end = t.complete ?? undefined;
  const trial: StudyTrial = { id: t.number, params, state, epochs };
  if (state !== 'running') {
    const rawTest = a[TRIAL_ATTRS.test];
    const test = isPlainObject(rawTest) ? rawTest : undefined;
    const testLoss = test ? attrNum(test.loss) : undefined;
    const result: StoredResult = Object.fromEntries(Object.entries({
      status: state === 'failed' || state === 'diverged' || state === 'pruned' || state === 'cancelled' ? state : 'complete',
      // trained outside the browser: `backend` says 'cpu' for want of a better word, the trial's `backend` field says where
      backend: 'cpu',
      timeMs: attrNum(a[TRIAL_ATTRS.timeMs]) ?? (start !== undefined && end !== undefined ? Math.max(0, end - start) : NaN),
      message: attrText(a[TRIAL_ATTRS.message]),
      bestEpoch: attrCount(a[TRIAL_ATTRS.bestEpoch]),
      stoppedEarly: attrBool(a[TRIAL_ATTRS.stoppedEarly]),
      restoredBest: attrBool(a[TRIAL_ATTRS.restoredBest]),
      paramCount: attrCount(a[TRIAL_ATTRS.paramCount]),
      test: testLoss !== undefined || test?.loss === null ? { loss: testLoss ?? NaN, ...(attrNum(test?.acc) !== undefined ? { acc: attrNum(test?.acc) } : {}) } : undefined,
    }).filter(([, v]) => v !== undefined)) as unknown as StoredResult;
    trial.result = result;
  }
  const reason = attrText(a[TRIAL_ATTRS.pruneReason]);
  if (state === 'pruned') trial.pruneReason = reason ?? `pruned by Optuna after step ${Math.max(...t.intermediate.keys(), 0)}`;
  trial.backend = device ?? 'optuna';
  if (start !== undefined) trial.startedAt = start;
  if (end !== undefined) trial.endedAt = end;
  return trial;
}

/** Optuna's best trial: the first complete trial (by number) with the best finite value. */
function bestOf(trials: readonly JournalTrial[], higher: boolean): JournalTrial | null {
  let best: JournalTrial | null = null;
  for (const t of trials) {
    const v = t.values?.[0];
    if (t.state !== 'complete' || v === undefined || !Number.isFinite(v)) continue;
    if (!best || (higher ? v > best.values![0] : v < best.values![0])) best = t;
  }
  return best;
}

/** The record id of an imported study: its name in letters and digits, and the time. */
function recordId(name: string, now: number): string {
  const slug = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `optuna-${slug || 'study'}-${Math.max(0, Math.floor(now)).toString(36)}`;
}

/**
 * Opens one study of an Optuna journal file as a Study record (origin 'optuna-journal', no search
 * log: it cannot be continued in the page). Trials keep their Optuna numbers as ids; waiting trials
 * are left out; FAIL becomes failed (or diverged/cancelled when the script said so). Curves come
 * from the `hpp_curves` user attribute when present, else from the intermediate values (validation
 * metric only, so no fit verdict). A study written by the app or its script carries its
 * experiment; any other gets the page's defaults with a space built from its distributions, and
 * the notes say what did not map. Never throws.
 */
export function importJournal(text: unknown, opts: JournalImportOptions): JournalImport {
  try {
    const read = readJournal(text);
    if (read.kind === 'error') return read;
    const notes = new Notes();
    read.notes.forEach((n) => notes.add(`The journal: ${n}`));
    const names = read.studies.map((s) => s.name);
    if (read.studies.length === 0) return { kind: 'error', message: 'The journal holds no study.' };
    let study: JournalStudy | undefined;
    if (opts.studyName !== undefined) {
      study = read.studies.find((s) => s.name === opts.studyName);
      if (!study) return { kind: 'error', message: `The journal has no study named "${opts.studyName.slice(0, 100)}" (it has ${names.slice(0, 10).map((n) => `"${n}"`).join(', ')}).` };
    } else {
      study = read.studies.reduce((a, b) => (b.trials.length > a.trials.length ? b : a));
      if (read.studies.length > 1) notes.add(`The journal holds ${read.studies.length} studies; "${study.name}" (the one with most trials) was opened.`);
    }
    if (study.directions.length !== 1) return { kind: 'error', message: `Study "${study.name}" optimises ${study.directions.length} objectives at once; the page shows studies with one objective.` };

    const stored = storedOf(study, notes);
    const higher = study.directions[0] === 'maximize';
    const metric: MetricKey = stored.metric ?? (higher ? 'valAcc' : 'valLoss');
    if (!stored.metric) notes.add(`The study ${higher ? 'maximises' : 'minimises'} its value, read as ${METRICS[metric].name}.`);
    if (METRICS[metric].higherBetter !== higher) notes.add(`The study's direction (${study.directions[0]}) disagrees with its metric (${METRICS[metric].name}).`);
    const { experiment, map } = mappingsOf(study, stored, notes);

    const reported = study.trials.flatMap((t) => [...t.intermediate.values(), ...(t.values ?? [])]).filter(Number.isFinite);
    const percent = metric === 'valAcc' && reported.some((v) => v > 1) && reported.every((v) => v >= 0 && v <= 100);
    if (percent) notes.add('Its accuracies look like percentages; they were divided by 100.');

    const waiting = study.trials.filter((t) => t.state === 'waiting').length;
    if (waiting) notes.add(`${waiting} waiting trial${waiting > 1 ? 's were' : ' was'} left out (never started).`);
    let candidates = study.trials.filter((t) => t.state !== 'waiting');
    if (candidates.length > STUDY_LIMITS.maxTrials) {
      notes.add(`The study has ${candidates.length} trials; the first ${STUDY_LIMITS.maxTrials} were opened.`);
      candidates = candidates.slice(0, STUDY_LIMITS.maxTrials);
    }
    const trials = candidates.map((t) => trialOf(t, map, metric, percent, notes)).filter((t): t is StudyTrial => t !== null);
    if (!stored.experiment) {
      experiment.strategy.budget = Math.min(LIMITS.maxBudget, Math.max(1, trials.length));
      const longest = Math.max(0, ...trials.map((t) => t.epochs.length));
      if (longest > 0 && experiment.space.epochs.type === 'fixed') experiment.model.epochs = Math.min(LIMITS.maxEpochs, longest);
      notes.add('The journal does not say which data, network or sampler the study used: the page shows its defaults for them.');
    }
    const times = trials.flatMap((t) => [t.startedAt, t.endedAt]).filter((x): x is number => x !== undefined);
    const record: StudyRecord = {
      version: STUDY_VERSION,
      id: recordId(study.name, opts.now),
      name: study.name.slice(0, 200) || 'Optuna study',
      createdAt: times.length ? Math.min(...times) : opts.now,
      updatedAt: times.length ? Math.max(...times) : opts.now,
      origin: 'optuna-journal',
      experiment,
      dataset: stored.dataset ?? { id: experiment.data.id, name: `Optuna study "${study.name.slice(0, 100)}"` },
      metric,
      trials,
    };
    const checked = parseStudy(record);
    if (checked.kind === 'error') return { kind: 'error', message: `The study could not be opened: ${checked.message}` };
    const best = bestOf(candidates, higher);
    const bestTrialId = best && trials.some((t) => t.id === best.number) ? best.number : null;
    return { kind: 'ok', study: { ...checked.study, origin: 'optuna-journal' }, bestTrialId, studyNames: names, notes: notes.all() };
  } catch (e) {
    return { kind: 'error', message: `The journal could not be opened: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}` };
  }
}
