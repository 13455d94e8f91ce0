/**
 * Reading a Weights & Biases sweep configuration (YAML) into the page's experiment: the search
 * method, the parameters (every W&B distribution, by the names in names.ts), the metric, Hyperband
 * early termination and the run cap. Nothing is dropped silently: every key that could not be
 * mapped, and every value that was approximated, is reported with the reason. The YAML is read
 * safely: a size limit, a small alias budget (no "billion laughs"), one document, the core schema
 * with no custom tags. Never throws.
 */
import { parseDocument } from 'yaml';
import { METRICS, metricForTask, type MetricKey } from '../analysis/metric';
import { fixedSpace } from '../experiment/defaults';
import { LIMITS, PARAM_META } from '../experiment/params';
import type { Experiment, ParamName, StrategyKind, Task } from '../experiment/types';
import { checkParamSpec, checkParamValue, validateExperiment } from '../experiment/validate';
import { applyParam } from '../experiment/values';
import { gridValues } from '../search/space';
import { FORBIDDEN_KEYS, isPlainObject } from '../study/json';
import { aliasNote, appParamOf, normaliseChoice, normaliseName } from './names';
import type { SearchedSpec } from './optuna-distributions';

/** Hostile-input limits of importSweep. */
export const SWEEP_LIMITS = {
  /** characters of the YAML text. */
  maxChars: 200_000,
  /** aliases (*name) the document may use. */
  maxAliases: 50,
  /** parameters in the sweep. */
  maxParameters: 200,
} as const;

/** W&B search methods and the page's strategy for each. */
export const WANDB_METHODS: Readonly<Record<string, StrategyKind>> = { grid: 'grid', random: 'random', bayes: 'gp' };

/** A key of the sweep that could not be mapped as it is, and why. `path` is dotted: 'parameters.momentum'. */
export interface SweepIssue {
  path: string;
  message: string;
}

/** The sweep's metric as written, and the page's metric it stands for (absent when none does). */
export interface SweepMetric {
  name: string;
  goal: 'minimize' | 'maximize';
  key?: MetricKey;
}

/** The experiment the sweep describes (the base experiment with its settings applied), its metric, and the report; or why it cannot be read. */
export type SweepImport =
  | { kind: 'ok'; experiment: Experiment; metric: SweepMetric | null; report: SweepIssue[] }
  | { kind: 'error'; message: string };

/** Top-level keys W&B knows that the page does not use, and why. */
const IGNORED_TOP: Readonly<Record<string, string>> = {
  program: 'the page trains its own network; the training script is not used',
  command: 'the page runs no command',
  name: 'sweep names are not kept (the study is named after its data and strategy)',
  description: 'descriptions are not kept',
  project: 'W&B projects do not apply in the page',
  entity: 'W&B entities do not apply in the page',
  controller: 'the page is its own controller',
  job: 'W&B launch jobs do not apply in the page',
  image_uri: 'W&B launch images do not apply in the page',
  apiVersion: 'not used by the page',
  kind: 'not used by the page',
  scheduler: 'W&B launch schedulers do not apply in the page',
  metrics: 'only the single metric under "metric" is read',
};

/** Spellings of the page's two metrics (compared after normaliseName, '/' removed too). */
const METRIC_NAMES: ReadonlyMap<string, MetricKey> = new Map([
  ...['val_acc', 'val_accuracy', 'validation_accuracy', 'valid_acc', 'valid_accuracy', 'eval_accuracy', 'eval_acc', 'accuracy', 'acc', 'valAcc'].map((n) => [n, 'valAcc'] as const),
  ...['val_loss', 'validation_loss', 'valid_loss', 'eval_loss', 'loss', 'valLoss'].map((n) => [n, 'valLoss'] as const),
].map(([n, k]) => [normaliseName(n).replace(/\//g, ''), k]));

/** The page's metric a W&B metric name stands for, or undefined. */
export function metricKeyOf(name: string): MetricKey | undefined {
  return METRIC_NAMES.get(normaliseName(name).replace(/\//g, ''));
}

/** The parsed document as plain JSON data (forbidden keys dropped), or why the YAML was refused. */
function safeYaml(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.length > SWEEP_LIMITS.maxChars) return { ok: false, message: `The sweep file is too large (${text.length} characters; at most ${SWEEP_LIMITS.maxChars}).` };
  if (text.trim() === '') return { ok: false, message: 'The sweep file is empty.' };
  const doc = parseDocument(text, { schema: 'core', customTags: [], merge: false, uniqueKeys: true, stringKeys: true, prettyErrors: false, version: '1.2' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const why = problem.code === 'TAG_RESOLVE_FAILED' ? 'it uses a custom tag (!tag), which is never run or read'
      : problem.code === 'MULTIPLE_DOCS' ? 'it holds more than one YAML document'
      : problem.code === 'DUPLICATE_KEY' ? 'a key appears twice in one mapping'
      : `it is not valid YAML (${problem.message.split('\n')[0].slice(0, 120)})`;
    return { ok: false, message: `The sweep file was refused: ${why}.` };
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: SWEEP_LIMITS.maxAliases });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, message: /alias/i.test(msg) ? `The sweep file was refused: it expands too many aliases (at most ${SWEEP_LIMITS.maxAliases}), as a "billion laughs" attack does.` : `The sweep file could not be read (${msg.slice(0, 120)}).` };
  }
  const json = JSON.stringify(js);
  if (json === undefined || json.length > 20 * SWEEP_LIMITS.maxChars) return { ok: false, message: 'The sweep file was refused: it expands to too much data.' };
  return { ok: true, value: JSON.parse(json, (k, v: unknown) => (FORBIDDEN_KEYS.has(k) ? undefined : v)) };
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Collects the report. */
class Report {
  readonly issues: SweepIssue[] = [];
  add(path: string, message: string): void {
    if (this.issues.length < 500) this.issues.push({ path, message });
  }
}

/** A spec of app parameter `app` for a W&B range [low, high], linear or log; integers for whole-number parameters. */
function rangeSpec(app: ParamName, low: number, high: number, log: boolean, wantInt: boolean, path: string, report: Report): SearchedSpec | string {
  const m = PARAM_META[app];
  if (m.kind === 'categorical') return `${m.label.toLowerCase()} is a list of options, not a number`;
  if (!(low <= high)) return `its min (${low}) is above its max (${high})`;
  if (m.kind === 'int') {
    // bounds computed as exp(ln 256) are 255.99999999999997: snap what is within rounding of a whole number
    const lo = Math.ceil(low - 1e-9 * Math.abs(low));
    const hi = Math.floor(high + 1e-9 * Math.abs(high));
    if (!wantInt) report.add(path, `a real-valued range for a whole-number parameter: the page samples whole numbers from ${lo} to ${hi}.`);
    return { type: 'int', low: lo, high: hi, log };
  }
  if (wantInt) report.add(path, 'whole numbers in W&B; the page samples real numbers from the same range.');
  return { type: 'float', low, high, log };
}

/** Clamps an approximated range to the parameter's limits (e.g. a normal's tail below 0). */
function clampToLimits(app: ParamName, low: number, high: number, log: boolean): [number, number] {
  const m = PARAM_META[app];
  let lo = low;
  let hi = high;
  if (m.min !== undefined) lo = Math.max(lo, m.minExclusive || log ? Math.max(m.min, 1e-12) : m.min);
  if (m.max !== undefined) hi = Math.min(hi, m.maxExclusive ? m.max * (1 - 1e-9) : m.max);
  return [lo, hi];
}

/** What a W&B parameter becomes: a searched spec, a fixed value, or nothing (with the reason). */
type Mapped = { spec: SearchedSpec } | { value: number | string } | { problem: string };

const KNOWN_PARAM_KEYS = new Set(['value', 'values', 'distribution', 'min', 'max', 'mu', 'sigma', 'q', 'probabilities', 'a', 'b', 'parameters']);

/** One W&B parameter definition as the page's spec of `app`. */
function mapParameter(app: ParamName, def: Record<string, unknown>, path: string, report: Report): Mapped {
  for (const k of Object.keys(def)) if (!KNOWN_PARAM_KEYS.has(k)) report.add(`${path}.${k}`, 'not a key of a W&B parameter; ignored.');
  if ('parameters' in def) return { problem: 'nested parameters have no counterpart in the page' };
  const dist = typeof def.distribution === 'string' ? def.distribution
    : 'value' in def ? 'constant'
    : 'values' in def ? ('probabilities' in def ? 'categorical_w_probabilities' : 'categorical')
    : Number.isInteger(def.min) && Number.isInteger(def.max) ? 'int_uniform' : 'uniform';
  if (def.distribution !== undefined && typeof def.distribution !== 'string') return { problem: 'its distribution is not a name' };
  const q = def.q === undefined ? 1 : def.q;
  const needRange = (): [number, number] | string => (isNum(def.min) && isNum(def.max) ? [def.min, def.max] : 'it needs numbers min and max');
  const needNormal = (): [number, number] | string => {
    const mu = def.mu === undefined ? 0 : def.mu;
    const sigma = def.sigma === undefined ? 1 : def.sigma;
    return isNum(mu) && isNum(sigma) && sigma >= 0 ? [mu, sigma] : 'it needs numbers mu and sigma >= 0';
  };
  const qNote = (isInt: boolean) => {
    if (!isNum(q) || q <= 0) return 'its q is not a positive number';
    if (!(isInt && q === 1)) report.add(`${path}.q`, `the page samples without a step: q = ${q} is dropped${PARAM_META[app].kind === 'int' && q === 1 ? '' : ' (values are not rounded to multiples of q)'}.`);
    return '';
  };
  const spec = (s: SearchedSpec | string): Mapped => (typeof s === 'string' ? { problem: s } : { spec: s });
  switch (dist) {
    case 'constant': {
      const raw = normaliseChoice(app, def.value);
      if (raw === undefined) return { problem: `${JSON.stringify(def.value)?.slice(0, 40)} is not a value of ${PARAM_META[app].label.toLowerCase()}` };
      if (PARAM_META[app].kind === 'int' && raw !== Math.round(Number(raw))) report.add(`${path}.value`, `${raw} is rounded to a whole number.`);
      const v = PARAM_META[app].kind === 'int' ? Math.round(Number(raw)) : raw;
      const bad = checkParamValue(app, v);
      return bad ? { problem: bad.replace(/\.$/, '') } : { value: v };
    }
    case 'categorical':
    case 'categorical_w_probabilities': {
      if (!Array.isArray(def.values) || def.values.length === 0) return { problem: 'its values are not a non-empty list' };
      if (dist === 'categorical_w_probabilities') report.add(`${path}.probabilities`, 'the page draws every value equally often; the probabilities are dropped.');
      const choices: (number | string)[] = [];
      def.values.forEach((raw, i) => {
        const v = normaliseChoice(app, raw);
        const bad = v === undefined ? 'has no counterpart in the page' : checkParamValue(app, v);
        if (bad) report.add(`${path}.values.${i}`, `${JSON.stringify(raw)?.slice(0, 40)}: ${bad.replace(/\.$/, '')}; left out.`);
        else if (!choices.includes(v!)) choices.push(v!);
      });
      if (choices.length === 0) return { problem: 'none of its values exists in the page' };
      if (choices.length === 1) return { value: choices[0] };
      if (choices.length > LIMITS.maxChoices) return { problem: `it has ${choices.length} values (the page allows ${LIMITS.maxChoices})` };
      return { spec: { type: 'categorical', choices } };
    }
    case 'uniform':
    case 'int_uniform':
    case 'q_uniform': {
      const r = needRange();
      if (typeof r === 'string') return { problem: r };
      const intLike = dist === 'int_uniform' || (dist === 'q_uniform' && q === 1 && PARAM_META[app].kind === 'int');
      if (dist === 'q_uniform') {
        const bad = qNote(intLike);
        if (bad) return { problem: bad };
      }
      return spec(rangeSpec(app, r[0], r[1], false, intLike, path, report));
    }
    case 'log_uniform_values':
    case 'inv_log_uniform_values':
    case 'q_log_uniform_values':
    case 'log_uniform':
    case 'inv_log_uniform':
    case 'q_log_uniform': {
      const r = needRange();
      if (typeof r === 'string') return { problem: r };
      const values = dist.endsWith('_values');
      let [low, high] = r;
      if (dist === 'log_uniform' || dist === 'q_log_uniform') [low, high] = [Math.exp(r[0]), Math.exp(r[1])];
      if (dist === 'inv_log_uniform') [low, high] = [Math.exp(-r[1]), Math.exp(-r[0])];
      if (!values) report.add(`${path}.distribution`, `${dist}: min and max are natural-log exponents, so the range is ${low.toPrecision(4)} .. ${high.toPrecision(4)}.`);
      if (dist.startsWith('inv_')) report.add(`${path}.distribution`, 'when 1/x is log-uniform, x is log-uniform over the same range: read as a log range.');
      if (values && !(low > 0)) return { problem: 'a log range needs a min above 0' };
      const intLike = dist.startsWith('q_') && q === 1 && PARAM_META[app].kind === 'int';
      if (dist.startsWith('q_')) {
        const bad = qNote(intLike);
        if (bad) return { problem: bad };
      } else if (PARAM_META[app].kind === 'int') {
        report.add(path, 'a real-valued log range for a whole-number parameter: the page samples whole numbers on a log scale.');
      }
      return spec(rangeSpec(app, low, high, true, PARAM_META[app].kind === 'int', path, report));
    }
    case 'normal':
    case 'q_normal':
    case 'log_normal':
    case 'q_log_normal': {
      const r = needNormal();
      if (typeof r === 'string') return { problem: r };
      const [mu, sigma] = r;
      const log = dist.includes('log');
      if (dist.startsWith('q_')) {
        const bad = qNote(PARAM_META[app].kind === 'int' && q === 1);
        if (bad) return { problem: bad };
      }
      const [lo, hi] = log ? [Math.exp(mu - 2 * sigma), Math.exp(mu + 2 * sigma)] : [mu - 2 * sigma, mu + 2 * sigma];
      const [clo, chi] = clampToLimits(app, lo, hi, log);
      report.add(`${path}.distribution`, `the page has no ${log ? 'log-' : ''}normal distribution: approximated by a ${log ? 'log-' : ''}uniform range over mu ± 2 sigma (95% of it), ${clo.toPrecision(4)} .. ${chi.toPrecision(4)}.`);
      return spec(rangeSpec(app, clo, chi, log, PARAM_META[app].kind === 'int', path, report));
    }
    case 'beta':
    case 'q_beta':
      return { problem: `the page has no ${dist} distribution` };
    default:
      return { problem: `"${String(dist).slice(0, 40)}" is not a W&B distribution` };
  }
}

/** Sets a fixed value on the model, as a trial's params would (see model/spec.ts resolveModel). */
function setFixed(e: Experiment, app: ParamName, value: number | string): void {
  applyParam(e.model, app, value);
}

/** The sweep's parameters applied to `e` (space and fixed model values). */
function readParameters(e: Experiment, params: unknown, report: Report): void {
  if (params === undefined) {
    report.add('parameters', 'the sweep has no parameters: the search space is unchanged.');
    return;
  }
  if (!isPlainObject(params)) {
    report.add('parameters', 'not a mapping of parameter names: the search space is unchanged.');
    return;
  }
  // the sweep says what is searched: every parameter it leaves out keeps its value, unsearched
  e.space = fixedSpace();
  const entries = Object.entries(params);
  if (entries.length > SWEEP_LIMITS.maxParameters) report.add('parameters', `${entries.length} parameters; only the first ${SWEEP_LIMITS.maxParameters} were read.`);
  const seen = new Map<ParamName, string>();
  for (const [name, def] of entries.slice(0, SWEEP_LIMITS.maxParameters)) {
    const path = `parameters.${name}`;
    const app = appParamOf(name);
    if (!app) {
      report.add(path, 'no counterpart in the page (it searches learning rate, batch size, dropout, L1, L2, units, layers, epochs, optimizer and activation); ignored.');
      continue;
    }
    if (seen.has(app)) {
      report.add(path, `a second name for the page's ${PARAM_META[app].label.toLowerCase()} (after "${seen.get(app)}"); ignored.`);
      continue;
    }
    seen.set(app, name);
    const caution = aliasNote(name);
    if (caution) report.add(path, `${caution}.`);
    if (!isPlainObject(def)) {
      report.add(path, 'not a mapping (value, values, distribution, min, max, ...); ignored.');
      continue;
    }
    const mapped = mapParameter(app, def, path, report);
    if ('problem' in mapped) {
      report.add(path, `${mapped.problem}; ignored.`);
      continue;
    }
    if ('value' in mapped) {
      setFixed(e, app, mapped.value);
      e.space[app] = { type: 'fixed' };
      continue;
    }
    const bad = checkParamSpec(app, mapped.spec);
    if (bad) report.add(path, `${bad.replace(/\.$/, '')}; ignored.`);
    else e.space[app] = mapped.spec;
  }
}

function readMetric(m: unknown, report: Report): SweepMetric | null {
  if (m === undefined) return null;
  if (!isPlainObject(m) || typeof m.name !== 'string') {
    report.add('metric', 'not a mapping with a name; ignored.');
    return null;
  }
  const goal = m.goal === 'maximize' ? 'maximize' : 'minimize';
  if (m.goal !== undefined && m.goal !== 'maximize' && m.goal !== 'minimize') report.add('metric.goal', `"${String(m.goal).slice(0, 40)}" is neither minimize nor maximize; read as minimize.`);
  for (const k of Object.keys(m)) {
    if (k === 'target') report.add('metric.target', 'the page runs the whole budget: a target that ends the sweep early is ignored.');
    else if (k === 'impute' || k === 'impute_while_running') report.add(`metric.${k}`, 'the page gives failed trials the worst value itself; ignored.');
    else if (k !== 'name' && k !== 'goal') report.add(`metric.${k}`, 'not a key of a W&B metric; ignored.');
  }
  const key = metricKeyOf(m.name);
  if (!key) {
    report.add('metric.name', `"${m.name.slice(0, 60)}" is not a metric the page computes: it optimises validation accuracy (classification) or validation loss (regression), decided by the data.`);
    return { name: m.name, goal };
  }
  if ((goal === 'maximize') !== METRICS[key].higherBetter) report.add('metric.goal', `${goal} of ${METRICS[key].name}: the page always ${METRICS[key].higherBetter ? 'maximises' : 'minimises'} it.`);
  return { name: m.name, goal, key };
}

function readEarlyTerminate(e: Experiment, et: unknown, report: Report): void {
  if (et === undefined) return;
  if (!isPlainObject(et)) {
    report.add('early_terminate', 'not a mapping; ignored.');
    return;
  }
  if (et.type !== 'hyperband') {
    report.add('early_terminate.type', `"${String(et.type).slice(0, 40)}" early termination has no counterpart (only hyperband); no pruning.`);
    return;
  }
  for (const k of Object.keys(et)) {
    if (k === 'strict') report.add('early_terminate.strict', "the page's successive halving has one rule (keep the top 1/eta at each rung); strict is ignored.");
    else if (!['type', 'min_iter', 'max_iter', 's', 'eta'].includes(k)) report.add(`early_terminate.${k}`, 'not a key of hyperband early termination; ignored.');
  }
  const rawEta = et.eta === undefined ? 3 : et.eta;
  if (!isNum(rawEta) || rawEta <= 1) {
    report.add('early_terminate.eta', 'eta must be a number above 1; no pruning.');
    return;
  }
  const eta = Math.min(LIMITS.maxEta, Math.max(2, Math.round(rawEta)));
  if (eta !== rawEta) report.add('early_terminate.eta', `the page's reduction factor is a whole number from 2 to ${LIMITS.maxEta}: ${rawEta} became ${eta}.`);
  let minEpochs: number;
  if (isNum(et.min_iter) && et.min_iter >= 1) {
    minEpochs = Math.round(et.min_iter);
    if (et.max_iter !== undefined || et.s !== undefined) report.add('early_terminate.max_iter', 'min_iter is given: max_iter and s are not needed and were ignored.');
  } else if (isNum(et.max_iter) && isNum(et.s) && et.s >= 1) {
    minEpochs = Math.max(1, Math.floor(et.max_iter / rawEta ** Math.round(et.s)));
    report.add('early_terminate.s', `max_iter ${et.max_iter} and s ${et.s} put the first rung at epoch ${minEpochs}.`);
  } else {
    report.add('early_terminate', 'hyperband needs min_iter, or max_iter and s; no pruning.');
    return;
  }
  report.add('early_terminate.type', `W&B's hyperband stops runs at one set of rungs (epochs min_iter·eta^k), which is the page's successive halving (ASHA), with its first rung at epoch ${minEpochs}.`);
  e.strategy.pruner = { ...e.strategy.pruner, kind: 'asha', minEpochs, eta };
}

/** Reverts what validateExperiment refuses to `base`, reporting each. */
function settle(e: Experiment, base: Experiment, report: Report): Experiment {
  for (const err of validateExperiment(e)) {
    const [section, key] = err.path.split('.');
    if (section === 'space' && key) {
      e.space[key as ParamName] = { type: 'fixed' };
      report.add(`parameters.${key}`, `${err.message.replace(/\.$/, '')}; not searched.`);
    } else if (section === 'strategy' && key === 'pruner') {
      e.strategy.pruner = base.strategy.pruner;
      report.add('early_terminate', `${err.message.replace(/\.$/, '')}; the page's pruner was kept.`);
    } else if (section === 'model') {
      e.model = structuredClone(base.model);
      report.add('parameters', `${err.message.replace(/\.$/, '')}; the page's network was kept.`);
    } else if (section === 'strategy' && key === 'budget') {
      e.strategy.budget = base.strategy.budget;
      report.add('run_cap', `${err.message.replace(/\.$/, '')}; the page's budget was kept.`);
    } else {
      report.add(err.path, err.message);
    }
  }
  return validateExperiment(e).length ? structuredClone(base) : e;
}

/** Options of importSweep. */
export interface SweepImportOptions {
  /** the task of the page's data, to say when the sweep's metric is not the one the page will optimise. */
  task?: Task;
}

/**
 * The experiment a W&B sweep YAML describes, starting from `base` (the page's current experiment:
 * it keeps the data, the network values the sweep does not set, and everything W&B has no word
 * for). method -> strategy (bayes -> Gaussian process); parameters -> search space or fixed values
 * (a parameter the sweep leaves out is not searched: it keeps the page's value);
 * early_terminate hyperband -> successive halving; run_cap -> budget. `report` lists every key that
 * was not mapped as it is, with the reason. Never throws.
 */
export function importSweep(text: unknown, base: Experiment, opts: SweepImportOptions = {}): SweepImport {
  try {
    if (typeof text !== 'string') return { kind: 'error', message: 'The sweep file is not text.' };
    const parsed = safeYaml(text);
    if (!parsed.ok) return { kind: 'error', message: parsed.message };
    const doc = parsed.value;
    if (!isPlainObject(doc)) return { kind: 'error', message: 'This is not a W&B sweep: the YAML is not a mapping of keys (method, parameters, ...).' };
    if (!('parameters' in doc) && !('method' in doc)) return { kind: 'error', message: 'This is not a W&B sweep: it has neither "method" nor "parameters".' };
    const report = new Report();
    const e = structuredClone(base);
    for (const k of Object.keys(doc)) {
      if (k in IGNORED_TOP) report.add(k, `${IGNORED_TOP[k]}.`);
      else if (!['method', 'parameters', 'metric', 'early_terminate', 'run_cap'].includes(k)) report.add(k, 'not a key of a W&B sweep; ignored.');
    }
    const method = doc.method;
    if (typeof method === 'string' && method in WANDB_METHODS) {
      e.strategy.kind = WANDB_METHODS[method];
      if (method === 'bayes') report.add('method', "W&B's Bayesian search models the metric with a Gaussian process: the page's Gaussian-process search.");
    } else {
      report.add('method', method === undefined ? `no method: the page's ${base.strategy.kind} search was kept.` : `"${String(method).slice(0, 40)}" has no counterpart (grid, random or bayes): the page's ${base.strategy.kind} search was kept.`);
    }
    readParameters(e, doc.parameters, report);
    const metric = readMetric(doc.metric, report);
    const pageMetric = opts.task ? metricForTask(opts.task) : undefined;
    if (metric?.key && pageMetric && metric.key !== pageMetric.key) report.add('metric.name', `the page optimises ${pageMetric.name} on this ${opts.task} data, not ${METRICS[metric.key].name}.`);
    readEarlyTerminate(e, doc.early_terminate, report);
    if (doc.run_cap !== undefined) {
      if (isNum(doc.run_cap) && Number.isInteger(doc.run_cap) && doc.run_cap >= 1) {
        e.strategy.budget = Math.min(LIMITS.maxBudget, doc.run_cap);
        if (doc.run_cap > LIMITS.maxBudget) report.add('run_cap', `the page runs at most ${LIMITS.maxBudget} trials: ${doc.run_cap} became ${LIMITS.maxBudget}.`);
      } else report.add('run_cap', 'not a whole number of runs above 0; the budget was kept.');
    } else if (e.strategy.kind === 'grid') {
      const size = Object.values(e.space).reduce((n, s) => (s.type === 'fixed' ? n : n * gridValues(s, e.strategy.gridPoints).length), 1);
      e.strategy.budget = Math.min(LIMITS.maxBudget, size);
      report.add('run_cap', `no run_cap: a grid search runs the whole grid, ${size} points${size > LIMITS.maxBudget ? ` (the page stops at ${LIMITS.maxBudget})` : ''}.`);
    } else {
      report.add('run_cap', `no run_cap (W&B would run until stopped): the page's budget of ${e.strategy.budget} trials was kept.`);
    }
    return { kind: 'ok', experiment: settle(e, base, report), metric, report: report.issues };
  } catch (e) {
    return { kind: 'error', message: `The sweep file could not be read: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}` };
  }
}
