/**
 * Writing the page's search as a Weights & Biases sweep configuration (YAML): the method, every
 * hyperparameter (searched ones as W&B distributions, fixed ones as constants, under the names of
 * names.ts), the metric, successive halving as Hyperband early termination, and the budget as
 * run_cap. What W&B cannot express is listed in the notes and as comments at the top.
 * Numbers are written so that PyYAML (which W&B uses, YAML 1.1) reads floats as floats.
 */
import { metricForTask, type MetricKey } from '../analysis/metric';
import { getDataset } from '../data/registry';
import { PARAMS } from '../experiment/params';
import type { Experiment, ParamSpec, StrategyKind } from '../experiment/types';
import { fixedValue } from '../experiment/validate';
import { statesValue } from '../experiment/values';
import { gridValues } from '../search/space';
import { EXTERNAL_NAMES } from './names';

/** Options of exportSweep. */
export interface SweepExportOptions {
  /** the metric the page optimises on its data; default from the dataset registry's task. */
  metric?: MetricKey;
  /** the training program W&B runs; default 'train.py'. */
  program?: string;
}

/** The sweep's YAML text, and what it could not say. */
export interface SweepExport {
  text: string;
  notes: string[];
}

/** W&B metric names the export writes. */
export const WANDB_METRIC_NAMES: Readonly<Record<MetricKey, string>> = { valAcc: 'val_acc', valLoss: 'val_loss' };

/** The W&B method of each page strategy, and a note when it is only the nearest. */
const METHOD_OF: Readonly<Record<StrategyKind, [string, string]>> = {
  grid: ['grid', ''],
  random: ['random', ''],
  gp: ['bayes', ''],
  tpe: ['bayes', "W&B has no TPE: its Bayesian search (a Gaussian process) is the nearest."],
  quasirandom: ['random', 'W&B has no quasi-random search: random search instead.'],
  evolution: ['random', 'W&B has no genetic search: random search instead.'],
  manual: ['random', 'A manual search has no W&B method: random search instead.'],
};

/**
 * A number as YAML that PyYAML reads back as the same type: whole numbers of int parameters as
 * ints, everything else with a decimal point and, in scientific notation, a signed exponent
 * ('1.0e-07' style: PyYAML reads '1e-7' as a string).
 */
export function yamlNumber(x: number, float = !Number.isInteger(x)): string {
  if (!float) return String(x);
  const t = String(x);
  const [m, e] = t.split('e');
  const mant = m.includes('.') ? m : `${m}.0`;
  if (e === undefined) return mant;
  return `${mant}e${e.startsWith('-') || e.startsWith('+') ? e : `+${e}`}`;
}

const yamlValue = (v: number | string, float?: boolean): string => (typeof v === 'number' ? yamlNumber(v, float) : JSON.stringify(v));

/** The YAML lines of one parameter (indented under `parameters:`). `float`: the parameter holds real numbers (its fixed value is written as a float). */
function parameterLines(name: string, spec: ParamSpec, fixed: number | string, float: boolean, grid: number | null): string[] {
  const head = `  ${name}:`;
  switch (spec.type) {
    case 'fixed': return [head, `    value: ${yamlValue(fixed, float)}`];
    case 'categorical': return [head, `    values: [${spec.choices.map((c) => yamlValue(c)).join(', ')}]`];
    case 'float':
    case 'int': {
      if (grid !== null) {
        const values = gridValues(spec, grid).map((v) => Math.min(spec.high, Math.max(spec.low, Number(v))));
        return [head, `    values: [${values.map((v) => yamlValue(v, spec.type === 'float')).join(', ')}]`];
      }
      const real = spec.type === 'float';
      const dist = real ? (spec.log ? 'log_uniform_values' : 'uniform') : spec.log ? 'q_log_uniform_values' : 'int_uniform';
      const lines = [head, `    distribution: ${dist}`, `    min: ${yamlNumber(spec.low, real)}`, `    max: ${yamlNumber(spec.high, real)}`];
      if (dist === 'q_log_uniform_values') lines.push('    q: 1');
      return lines;
    }
  }
}

/**
 * The sweep configuration of `experiment`. Every hyperparameter is written (searched ones as
 * distributions: float -> uniform / log_uniform_values, int -> int_uniform / q_log_uniform_values
 * with q 1, choices -> values; fixed ones as value), so the training program receives a whole
 * configuration. A grid search writes each numeric axis as its grid values.
 */
export function exportSweep(experiment: Experiment, opts: SweepExportOptions = {}): SweepExport {
  const e = experiment;
  const s = e.strategy;
  const notes: string[] = [];
  const [method, methodNote] = METHOD_OF[s.kind];
  if (methodNote) notes.push(methodNote);
  const metric = opts.metric ?? metricForTask(getDataset(e.data.id)?.task).key;
  const metricName = WANDB_METRIC_NAMES[metric];
  const grid = s.kind === 'grid' ? s.gridPoints : null;
  if (grid !== null && PARAMS.some((p) => e.space[p.name].type === 'float' || e.space[p.name].type === 'int')) {
    notes.push(`W&B's grid search takes lists of values: each numeric axis is written as its ${grid} grid values.`);
  }
  const lines: string[] = [
    `program: ${JSON.stringify(opts.program ?? 'train.py')}`,
    `method: ${method}`,
    'metric:',
    `  name: ${metricName}`,
    `  goal: ${metric === 'valAcc' ? 'maximize' : 'minimize'}`,
    'parameters:',
  ];
  for (const p of PARAMS) {
    // a fixed parameter the experiment leaves at its default (a setting added later) is not written
    if (e.space[p.name].type === 'fixed' && !statesValue(e, p.name)) continue;
    lines.push(...parameterLines(EXTERNAL_NAMES[p.name], e.space[p.name], fixedValue(e, p.name), p.kind === 'float', grid));
  }
  const pr = s.pruner;
  if (pr.kind === 'asha' || pr.kind === 'hyperband') {
    lines.push('early_terminate:', '  type: hyperband', `  min_iter: ${pr.minEpochs}`, `  eta: ${pr.eta}`);
    if (pr.kind === 'hyperband') notes.push("W&B's hyperband stops runs at one set of rungs (successive halving): the page's Hyperband brackets become its first bracket.");
  } else if (pr.kind === 'median') {
    notes.push('W&B has no median stopping rule: the sweep has no early termination.');
  }
  lines.push(`run_cap: ${s.budget}`);
  if (s.earlyStopping.enabled) notes.push(`Early stopping (patience ${s.earlyStopping.patience} epochs) is the training program's job: W&B does not do it.`);
  if (s.validation.scheme === 'kfold') notes.push(`${s.validation.k}-fold cross-validation is the training program's job: W&B does not do it.`);
  if (s.repeats > 1) notes.push(`Repeating each configuration ${s.repeats} times with other seeds is the training program's job.`);
  notes.push(`The data (${e.data.id}), the network's layers, its weight initialisation (${e.model.init}) and the split are the training program's: W&B passes only the parameters above.`);
  const header = [
    `# Hyperparameter Playground sweep: ${e.data.id}, ${s.kind} search, ${s.budget} runs.`,
    `# The program must read these parameters and log "${metricName}" after every epoch (wandb.log).`,
    ...notes.map((n) => `# ${n}`),
  ];
  return { text: `${[...header, ...lines].join('\n')}\n`, notes };
}
