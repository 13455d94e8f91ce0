import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import { validateExperiment } from '../../../src/lib/experiment/validate';
import type { Experiment, ParamSpec } from '../../../src/lib/experiment/types';
import { importSweep, metricKeyOf, SWEEP_LIMITS, type SweepImport } from '../../../src/lib/interop/wandb-read';
import { exportSweep, yamlNumber } from '../../../src/lib/interop/wandb-write';

const base = (): Experiment => defaultExperiment();

/** The import, asserting it worked. */
function ok(text: string, from: Experiment = base()): Extract<SweepImport, { kind: 'ok' }> {
  const r = importSweep(text, from);
  if (r.kind === 'error') throw new Error(r.message);
  expect(validateExperiment(r.experiment)).toEqual([]);
  return r;
}

const paths = (r: Extract<SweepImport, { kind: 'ok' }>) => r.report.map((i) => i.path);

/** A sweep with one parameter `name` defined by the YAML lines `def` (indented by 4). */
const sweepWith = (name: string, def: string) => `method: random\nrun_cap: 10\nparameters:\n  ${name}:\n${def.split('\n').map((l) => `    ${l}`).join('\n')}\n`;

describe('W&B parameter distributions: import, export, import again', () => {
  // [W&B parameter, its definition, the page spec it becomes, whether the import reports an approximation]
  const cases: [string, string, ParamSpec, boolean][] = [
    ['learning_rate', 'distribution: uniform\nmin: 0.001\nmax: 0.5', { type: 'float', low: 0.001, high: 0.5, log: false }, false],
    ['dropout', 'min: 0.0\nmax: 0.5', { type: 'float', low: 0, high: 0.5, log: false }, false],
    ['units', 'distribution: int_uniform\nmin: 4\nmax: 64', { type: 'int', low: 4, high: 64, log: false }, false],
    ['layers', 'min: 1\nmax: 3', { type: 'int', low: 1, high: 3, log: false }, false],
    ['learning_rate', 'distribution: log_uniform_values\nmin: 0.0001\nmax: 0.1', { type: 'float', low: 0.0001, high: 0.1, log: true }, false],
    ['lr', 'distribution: log_uniform\nmin: -9.210340371976182\nmax: -2.302585092994046', { type: 'float', low: Math.exp(-9.210340371976182), high: Math.exp(-2.302585092994046), log: true }, true],
    ['l2', 'distribution: inv_log_uniform_values\nmin: 0.00001\nmax: 0.01', { type: 'float', low: 0.00001, high: 0.01, log: true }, true],
    ['l2', 'distribution: inv_log_uniform\nmin: 4.605170185988091\nmax: 11.512925464970229', { type: 'float', low: Math.exp(-11.512925464970229), high: Math.exp(-4.605170185988091), log: true }, true],
    ['units', 'distribution: q_log_uniform_values\nmin: 8\nmax: 128\nq: 1', { type: 'int', low: 8, high: 128, log: true }, false],
    ['batch_size', 'distribution: q_log_uniform\nmin: 2.0794415416798357\nmax: 5.545177444479562\nq: 1', { type: 'int', low: 8, high: 256, log: true }, true],
    ['epochs', 'distribution: q_uniform\nmin: 10\nmax: 50\nq: 1', { type: 'int', low: 10, high: 50, log: false }, false],
    ['dropout', 'distribution: q_uniform\nmin: 0\nmax: 0.5\nq: 0.1', { type: 'float', low: 0, high: 0.5, log: false }, true],
    ['l1', 'distribution: q_log_uniform_values\nmin: 0.00001\nmax: 0.001\nq: 0.00001', { type: 'float', low: 0.00001, high: 0.001, log: true }, true],
    ['dropout', 'distribution: normal\nmu: 0.3\nsigma: 0.05', { type: 'float', low: 0.2, high: 0.4, log: false }, true],
    ['dropout', 'distribution: q_normal\nmu: 0.3\nsigma: 0.05\nq: 0.05', { type: 'float', low: 0.2, high: 0.4, log: false }, true],
    ['learning_rate', 'distribution: log_normal\nmu: -4.605170185988091\nsigma: 1', { type: 'float', low: Math.exp(-4.605170185988091 - 2), high: Math.exp(-4.605170185988091 + 2), log: true }, true],
    ['units', 'distribution: q_log_normal\nmu: 3\nsigma: 0.5\nq: 1', { type: 'int', low: Math.ceil(Math.exp(2)), high: Math.floor(Math.exp(4)), log: true }, true],
    ['optimizer', 'values: [adam, SGD, RMSprop]', { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] }, false],
    ['activation', 'distribution: categorical\nvalues: [relu, tanh]', { type: 'categorical', choices: ['relu', 'tanh'] }, false],
    ['batch_size', 'distribution: categorical_w_probabilities\nvalues: [16, 32, 64]\nprobabilities: [0.5, 0.25, 0.25]', { type: 'categorical', choices: [16, 32, 64] }, true],
    ['weight_decay', 'values: [0.0, 0.0001, 0.001]', { type: 'categorical', choices: [0, 0.0001, 0.001] }, true],
  ];

  it.each(cases)('%s: %s', (name, def, spec, approximated) => {
    const first = ok(sweepWith(name, def));
    const app = ({ learning_rate: 'learningRate', lr: 'learningRate', batch_size: 'batchSize', weight_decay: 'l2', layers: 'depth' } as Record<string, keyof Experiment['space']>)[name] ?? (name as keyof Experiment['space']);
    const got = first.experiment.space[app];
    if (got.type === 'float' && spec.type === 'float') {
      expect(got.low).toBeCloseTo(spec.low, 12);
      expect(got.high).toBeCloseTo(spec.high, 12);
      expect(got.log).toBe(spec.log);
    } else {
      expect(got).toEqual(spec);
    }
    const paramIssues = first.report.filter((i) => i.path.startsWith(`parameters.${name}`));
    expect(paramIssues.length > 0, JSON.stringify(paramIssues)).toBe(approximated);
    // export, then import again: the same space, and no new report about the parameters
    const again = ok(exportSweep(first.experiment).text, base());
    expect(again.experiment.space).toEqual(first.experiment.space);
    expect(again.experiment.model).toEqual(first.experiment.model);
    expect(again.report.filter((i) => i.path.startsWith('parameters'))).toEqual([]);
  });

  it('writes the canonical form of each kind of axis, and reads it back as it was', () => {
    const e = base();
    e.space.learningRate = { type: 'float', low: 1e-7, high: 0.5, log: true };
    e.space.dropout = { type: 'float', low: 0, high: 0.5, log: false };
    e.space.units = { type: 'int', low: 4, high: 300, log: true };
    e.space.depth = { type: 'int', low: 0, high: 4, log: false };
    e.space.batchSize = { type: 'categorical', choices: [8, 16] };
    e.space.activation = { type: 'categorical', choices: ['relu', 'linear'] };
    e.strategy = { ...e.strategy, kind: 'random', pruner: { ...e.strategy.pruner, kind: 'asha', minEpochs: 2, eta: 3 } };
    const { text } = exportSweep(e, { metric: 'valAcc' });
    expect(text).toContain('  learning_rate:\n    distribution: log_uniform_values\n    min: 1.0e-7\n    max: 0.5\n');
    expect(text).toContain('  dropout:\n    distribution: uniform\n    min: 0.0\n    max: 0.5\n');
    expect(text).toContain('  units:\n    distribution: q_log_uniform_values\n    min: 4\n    max: 300\n    q: 1\n');
    expect(text).toContain('  layers:\n    distribution: int_uniform\n    min: 0\n    max: 4\n');
    expect(text).toContain('  batch_size:\n    values: [8, 16]\n');
    expect(text).toContain('  activation:\n    values: ["relu", "linear"]\n');
    expect(text).toContain('  l1:\n    value: 0.0\n');
    expect(text).toContain('  epochs:\n    value: 80\n');
    expect(text).toContain('  l2:\n    distribution: log_uniform_values\n    min: 0.000001\n    max: 0.01\n');
    expect(text).toContain('  optimizer:\n    value: "adam"\n');
    expect(text).toContain('metric:\n  name: val_acc\n  goal: maximize\n');
    expect(text).toContain('early_terminate:\n  type: hyperband\n  min_iter: 2\n  eta: 3\n');
    expect(text).toContain('run_cap: 12\n');
    const back = ok(text);
    expect(back.experiment).toEqual(e);
  });
});

describe('W&B sweep settings', () => {
  it.each([
    ['grid', 'grid'], ['random', 'random'], ['bayes', 'gp'],
  ])('method %s -> %s', (method, kind) => {
    expect(ok(`method: ${method}\nrun_cap: 5\nparameters:\n  lr:\n    values: [0.01, 0.1]\n`).experiment.strategy.kind).toBe(kind);
  });

  it('reads constants into the network, run_cap into the budget, hyperband into successive halving', () => {
    const r = ok(`method: bayes
run_cap: 40
metric: {name: val_accuracy, goal: maximize}
early_terminate: {type: hyperband, min_iter: 3, eta: 2}
parameters:
  epochs: {value: 30}
  layers: {value: 2}
  units: {value: 48}
  activation: {value: tanh}
  optimizer: {value: SGD}
  learning_rate: {value: 0.05}
`);
    const e = r.experiment;
    expect(e.model.epochs).toBe(30);
    expect(e.model.layers).toEqual([{ units: 48, activation: 'tanh' }, { units: 48, activation: 'tanh' }]);
    expect(e.model.optimizer).toBe('sgd');
    expect(e.model.learningRate).toBe(0.05);
    expect(e.space.learningRate).toEqual({ type: 'fixed' });
    expect(e.strategy.budget).toBe(40);
    expect(e.strategy.pruner).toMatchObject({ kind: 'asha', minEpochs: 3, eta: 2 });
    expect(r.metric).toEqual({ name: 'val_accuracy', goal: 'maximize', key: 'valAcc' });
    expect(paths(r)).toEqual(['method', 'early_terminate.type']);
  });

  it('hyperband from max_iter and s', () => {
    const r = ok('method: random\nrun_cap: 5\nearly_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\nparameters:\n  lr: {values: [0.01, 0.1]}\n');
    expect(r.experiment.strategy.pruner).toMatchObject({ kind: 'asha', minEpochs: 3, eta: 3 });
    expect(paths(r)).toContain('early_terminate.s');
  });

  it('a grid without run_cap runs the whole grid', () => {
    const r = ok('method: grid\nparameters:\n  optimizer: {values: [sgd, adam]}\n  batch_size: {values: [8, 16, 32]}\n');
    expect(r.experiment.strategy.budget).toBe(6);
    expect(paths(r)).toEqual(['run_cap']);
  });

  it.each([
    ['val_acc', 'valAcc'], ['validation/accuracy', 'valAcc'], ['val_loss', 'valLoss'], ['loss', 'valLoss'], ['f1', undefined],
  ])('metric %s -> %s', (name, key) => {
    expect(metricKeyOf(name)).toBe(key);
  });

  it('exports the methods W&B lacks as their nearest, with a note', () => {
    for (const [kind, method] of [['tpe', 'bayes'], ['quasirandom', 'random'], ['evolution', 'random'], ['manual', 'random'], ['gp', 'bayes']] as const) {
      const e = base();
      e.strategy.kind = kind;
      const out = exportSweep(e);
      expect(out.text).toContain(`\nmethod: ${method}\n`);
      expect(out.notes.some((n) => n.includes('W&B has no') || n.includes('no W&B method'))).toBe(kind !== 'gp');
    }
    const e = base();
    e.strategy.pruner = { ...e.strategy.pruner, kind: 'median' };
    expect(exportSweep(e).notes.join(' ')).toMatch(/no median stopping rule/);
    expect(exportSweep(e).text).not.toContain('early_terminate');
  });

  it('writes a grid search as lists of grid values', () => {
    const e = base();
    e.strategy.kind = 'grid';
    const r = ok(exportSweep(e).text);
    expect(r.experiment.strategy.kind).toBe('grid');
    expect(r.experiment.space.learningRate).toMatchObject({ type: 'categorical' });
    expect((r.experiment.space.learningRate as { choices: number[] }).choices).toHaveLength(3);
  });
});

describe('what could not be mapped is reported, never dropped silently', () => {
  it('reports every unknown key with a reason', () => {
    const r = ok(`program: train.py
name: my sweep
entity: me
method: bayes
command: [python, train.py]
surprise: 1
metric: {name: f1, goal: maximize, target: 0.99}
run_cap: 1000
early_terminate: {type: hyperband, min_iter: 3, strict: true}
parameters:
  momentum: {values: [0.9, 0.99]}
  lr: {min: 0.001, max: 0.1, default: 0.01}
  learning_rate: {values: [0.1]}
  optimizer: {values: [adam, adamw, lion]}
  units: {distribution: beta, a: 2, b: 5}
  dropout: {distribution: wobbly}
  epochs: {parameters: {inner: {value: 1}}}
  layers: {value: 99}
  batch_size: 32
  weight_decay: {values: [0.001, 0.01]}
`);
    const p = paths(r);
    for (const path of ['program', 'name', 'entity', 'command', 'surprise', 'method', 'metric.name', 'metric.target', 'run_cap', 'early_terminate.strict',
      'parameters.momentum', 'parameters.lr.default', 'parameters.learning_rate', 'parameters.optimizer.values.1', 'parameters.optimizer.values.2',
      'parameters.units', 'parameters.dropout', 'parameters.epochs', 'parameters.layers', 'parameters.batch_size', 'parameters.weight_decay']) {
      expect(p, path).toContain(path);
    }
    for (const i of r.report) expect(i.message.length, i.path).toBeGreaterThan(10);
    expect(r.experiment.space.learningRate).toEqual({ type: 'float', low: 0.001, high: 0.1, log: false });
    expect(r.experiment.space.optimizer).toEqual({ type: 'fixed' });
    expect(r.experiment.model.optimizer).toBe('adam');
    expect(r.experiment.space.l2).toEqual({ type: 'categorical', choices: [0.001, 0.01] });
    expect(r.experiment.strategy.budget).toBe(256);
  });

  it('does not search a parameter whose range is outside the page limits, and says why', () => {
    const r = ok(sweepWith('learning_rate', 'distribution: uniform\nmin: 0.1\nmax: 50'));
    expect(r.experiment.space.learningRate).toEqual({ type: 'fixed' });
    expect(r.experiment.model.learningRate).toBe(base().model.learningRate);
    expect(r.report.find((i) => i.path === 'parameters.learning_rate')?.message).toMatch(/at most 10; ignored/);
  });

  it('says when the metric is not the one the page optimises on its data', () => {
    const r = importSweep('method: random\nmetric: {name: val_loss}\nparameters:\n  lr: {values: [0.1, 0.2]}\n', base(), { task: 'classification' });
    expect(r.kind === 'ok' && r.report.find((i) => i.path === 'metric.name')?.message).toMatch(/optimises val accuracy/);
  });
});

describe('hostile YAML is refused with a message', () => {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const k of 'bcdefghi') laughs.push(`${k}: &${k} [${Array(9).fill(`*${String.fromCharCode(k.charCodeAt(0) - 1)}`).join(',')}]`);
  it.each([
    ['alias bomb', `${laughs.join('\n')}\nmethod: random\nparameters: {lr: {values: *i}}\n`, /aliases/],
    ['huge document', `method: random\nparameters:\n${'  x: {values: [1, 2, 3]}\n'.repeat(10_000)}`, /too large/],
    ['python tag', 'method: !!python/object/apply:os.system ["rm -rf /"]\nparameters: {}\n', /custom tag/],
    ['custom tag', 'method: random\nparameters: !include other.yaml\n', /custom tag/],
    ['two documents', 'method: random\n---\nmethod: grid\n', /more than one YAML document/],
    ['duplicate key', 'method: random\nmethod: grid\nparameters: {}\n', /twice/],
    ['broken YAML', 'method: [random\n', /not valid YAML/],
    ['a list', '- method\n- random\n', /not a mapping/],
    ['a scalar', 'hello\n', /not a mapping/],
    ['not a sweep', 'name: x\nversion: 3\n', /neither "method" nor "parameters"/],
    ['empty', '  \n', /empty/],
    ['deep nesting', `method: random\nparameters: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /./],
  ])('%s', (_, text, message) => {
    expect(importSweep(text, base())).toEqual({ kind: 'error', message: expect.stringMatching(message) });
  });

  it('refuses text that is not a string', () => {
    expect(importSweep(42, base())).toEqual({ kind: 'error', message: 'The sweep file is not text.' });
  });

  it('does not let keys reach a prototype', () => {
    const r = ok('method: random\n__proto__: {polluted: true}\nparameters:\n  constructor: {prototype: {polluted: true}}\n  lr: {values: [0.01, 0.1]}\n');
    expect(r.experiment.space.learningRate.type).toBe('categorical');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const check = (text: string) => {
    const r = importSweep(text, base());
    expect(['ok', 'error']).toContain(r.kind);
    if (r.kind === 'error') expect(r.message.length).toBeGreaterThan(10);
    else expect(validateExperiment(r.experiment)).toEqual([]);
  };

  it('fuzz: arbitrary text never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 400 });
  });

  it('fuzz: arbitrary sweeps never throw, and what is read is a valid experiment', () => {
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('uniform', 'int_uniform', 'log_uniform_values', 'q_log_uniform', 'normal', 'beta', 'categorical', -1, 0, 1e-9, 1e9));
    const param = fc.dictionary(fc.constantFrom('distribution', 'min', 'max', 'values', 'value', 'q', 'mu', 'sigma', 'probabilities', 'extra'), value, { maxKeys: 5 });
    const sweep = fc.record({
      method: fc.constantFrom('grid', 'random', 'bayes', 'custom', 7),
      parameters: fc.dictionary(fc.constantFrom('lr', 'learning_rate', 'batch_size', 'units', 'layers', 'epochs', 'dropout', 'l1', 'l2', 'optimizer', 'activation', 'momentum'), param, { maxKeys: 6 }),
      run_cap: fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constant('ten')),
      early_terminate: fc.record({ type: fc.constantFrom('hyperband', 'median'), min_iter: fc.integer({ min: -1, max: 100 }), eta: fc.double({ min: 0, max: 10, noNaN: true }) }, { requiredKeys: [] }),
      metric: fc.record({ name: fc.constantFrom('val_acc', 'loss', 'f1'), goal: fc.constantFrom('maximize', 'minimize', 'up') }, { requiredKeys: [] }),
    }, { requiredKeys: ['parameters'] });
    fc.assert(fc.property(sweep, (s) => check(stringify(s))), { numRuns: 400 });
  });

  it('stays under its limits', () => {
    expect(SWEEP_LIMITS.maxAliases).toBeLessThanOrEqual(100);
  });
});

describe('yamlNumber: numbers PyYAML reads back as the same type', () => {
  it.each([
    [0.001, undefined, '0.001'], [1e-7, undefined, '1.0e-7'], [2.5e-8, undefined, '2.5e-8'], [1e21, true, '1.0e+21'], [0, true, '0.0'], [16, undefined, '16'], [0.5, true, '0.5'], [3, true, '3.0'],
  ])('%s (float %s) -> %s', (x, float, text) => {
    expect(yamlNumber(x, float)).toBe(text);
  });
});
