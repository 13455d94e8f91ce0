/**
 * What differs between experiments, in words: "dropout 0 → 0.3; everything else equal". An
 * experiment is read as a list of facts (dataset, each hyperparameter fixed or searched, the
 * strategy...), and facts with different values are named. How the trials ran (backend, worker
 * count chosen automatically, batched training) does not change what is trained and is not compared.
 */
import { fmtNum, fmtPct, paramLabel } from '../analysis/format';
import { PARAMS } from '../experiment/params';
import type { Experiment, ParamSpec } from '../experiment/types';
import { fixedValue } from '../experiment/validate';

/** One comparable fact of an experiment. */
export interface Fact {
  /** stable key, e.g. 'data.noise' or 'param.dropout'. */
  key: string;
  /** words for a sentence, e.g. 'noise' or 'dropout'. */
  label: string;
  /** its value in words, e.g. '10%', 'searched 0.0003–0.03 (log)'. */
  value: string;
}

/** A fact whose value differs between experiments: one value per experiment, in their order. */
export interface Difference {
  key: string;
  label: string;
  values: string[];
}

/** Differences named in the one-line description before "and N more". */
export const MAX_NAMED_DIFFERENCES = 4;

const num = (x: number) => fmtNum(x, 3);

/** A search-space entry in words. */
export function specText(spec: Exclude<ParamSpec, { type: 'fixed' }>): string {
  if (spec.type === 'categorical') return `one of ${spec.choices.join(', ')}`;
  return `searched ${num(spec.low)}–${num(spec.high)}${spec.log ? ' (log)' : ''}`;
}

/** The facts of an experiment, in a fixed order. */
export function experimentFacts(e: Experiment): Fact[] {
  const { data: d, model: m, strategy: s } = e;
  const layers = m.layers.length === 0 ? 'none'
    : new Set(m.layers.map((l) => l.activation)).size === 1 ? `${m.layers.map((l) => l.units).join('-')} ${m.layers[0].activation}`
    : m.layers.map((l) => `${l.units} ${l.activation}`).join(', ');
  const pr = s.pruner;
  const pruner = pr.kind === 'none' ? 'none'
    : pr.kind === 'median' ? `median (warm-up ${pr.warmupTrials} trials, ${pr.warmupEpochs} epochs)`
    : `${pr.kind === 'asha' ? 'ASHA' : 'Hyperband'} (from epoch ${pr.minEpochs}, η ${pr.eta})`;
  const es = s.earlyStopping;
  const facts: Fact[] = [
    { key: 'data.id', label: 'dataset', value: d.id },
    { key: 'data.noise', label: 'noise', value: fmtPct(d.noise) },
    { key: 'data.samples', label: 'points', value: String(d.samples) },
    { key: 'data.valFraction', label: 'validation split', value: fmtPct(d.valFraction) },
    { key: 'data.testFraction', label: 'test split', value: d.testFraction ? fmtPct(d.testFraction) : 'none' },
    { key: 'data.seed', label: 'data seed', value: String(d.seed) },
    { key: 'model.layers', label: 'hidden layers', value: layers },
    { key: 'model.init', label: 'weight init', value: m.init },
  ];
  for (const p of PARAMS) {
    const spec = e.space[p.name];
    // units, activation and depth, when fixed, are the hidden layers' (a fact of their own)
    const v = fixedValue(e, p.name);
    const fixed = p.name === 'units' || p.name === 'activation' || p.name === 'depth' || p.when?.parent === 'depth' ? 'fixed' : typeof v === 'number' ? num(v) : v;
    facts.push({ key: `param.${p.name}`, label: paramLabel(p.name), value: spec.type === 'fixed' ? fixed : specText(spec) });
  }
  facts.push(
    { key: 'strategy.kind', label: 'strategy', value: s.kind },
    { key: 'strategy.budget', label: 'trial budget', value: String(s.budget) },
    { key: 'strategy.seed', label: 'search seed', value: String(s.seed) },
    { key: 'strategy.gridPoints', label: 'grid points per axis', value: String(s.gridPoints) },
    { key: 'strategy.concurrency', label: 'parallel trials', value: String(s.concurrency) },
    { key: 'strategy.pruner', label: 'pruner', value: pruner },
    { key: 'strategy.earlyStopping', label: 'early stopping', value: es.enabled ? `patience ${es.patience}, min. improvement ${num(es.minDelta)}${es.restoreBest ? ', best weights' : ''}` : 'off' },
    { key: 'strategy.validation', label: 'validation', value: s.validation.scheme === 'kfold' ? `${s.validation.k}-fold` : 'hold-out' },
    { key: 'strategy.repeats', label: 'repeats', value: String(s.repeats) },
  );
  return facts;
}

/** The facts whose values differ among `experiments` (none for fewer than two). */
export function experimentDifferences(experiments: readonly Experiment[]): Difference[] {
  if (experiments.length < 2) return [];
  const all = experiments.map(experimentFacts);
  return all[0].flatMap((f, i) => {
    const values = all.map((facts) => facts[i].value);
    return new Set(values).size > 1 ? [{ key: f.key, label: f.label, values }] : [];
  });
}

/**
 * One line naming what differs: 'dropout 0 → 0.3; everything else equal' for two experiments,
 * 'dropout 0 / 0.3 / 0.5; everything else equal' for more, '…; and 3 more differences' beyond
 * MAX_NAMED_DIFFERENCES, 'identical experiments' when nothing differs ('' for fewer than two).
 */
export function describeDifferences(experiments: readonly Experiment[]): string {
  if (experiments.length < 2) return '';
  const diffs = experimentDifferences(experiments);
  if (diffs.length === 0) return 'identical experiments';
  const sep = experiments.length === 2 ? ' → ' : ' / ';
  const named = diffs.slice(0, MAX_NAMED_DIFFERENCES).map((d) => `${d.label} ${d.values.join(sep)}`);
  const rest = diffs.length - named.length;
  return `${named.join('; ')}; ${rest > 0 ? `and ${rest} more difference${rest === 1 ? '' : 's'}` : 'everything else equal'}`;
}
