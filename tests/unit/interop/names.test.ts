import { describe, expect, it } from 'vitest';
import { PARAMS } from '../../../src/lib/experiment/params';
import { aliasNote, appParamOf, EXTERNAL_NAMES, normaliseChoice } from '../../../src/lib/interop/names';

describe('appParamOf: outside names of the page parameters', () => {
  it.each([
    ['learning_rate', 'learningRate'], ['lr', 'learningRate'], ['LR', 'learningRate'], ['learningRate', 'learningRate'], ['learning-rate', 'learningRate'],
    ['batch_size', 'batchSize'], ['batchSize', 'batchSize'], ['dropout', 'dropout'], ['dropout_rate', 'dropout'],
    ['epochs', 'epochs'], ['num_epochs', 'epochs'], ['optimizer', 'optimizer'], ['optim', 'optimizer'],
    ['activation', 'activation'], ['units', 'units'], ['hidden_units', 'units'], ['hidden_size', 'units'],
    ['layers', 'depth'], ['depth', 'depth'], ['n_layers', 'depth'], ['l1', 'l1'], ['l2', 'l2'], ['weight_decay', 'l2'],
    ['momentum', 'momentum'], ['seed', undefined], ['', undefined],
  ])('%s -> %s', (name, app) => {
    expect(appParamOf(name)).toBe(app);
  });

  it('reads every external name back as its parameter', () => {
    for (const p of PARAMS) expect(appParamOf(EXTERNAL_NAMES[p.name])).toBe(p.name);
  });

  it('warns about weight decay only', () => {
    expect(aliasNote('weight_decay')).toMatch(/L2 penalty/);
    expect(aliasNote('l2')).toBe('');
  });
});

describe('normaliseChoice', () => {
  it.each([
    ['optimizer', 'Adam', 'adam'], ['optimizer', 'SGD', 'sgd'], ['optimizer', 'RMSprop', 'rmsprop'], ['optimizer', 'sgd_momentum', 'momentum'],
    ['optimizer', 'adamw', undefined], ['optimizer', 3, undefined], ['activation', 'ReLU', 'relu'], ['activation', 'identity', 'linear'],
    ['activation', 'gelu', undefined], ['batchSize', 32, 32], ['batchSize', '64', 64], ['batchSize', 'big', undefined],
    ['learningRate', Infinity, undefined], ['learningRate', 0.01, 0.01], ['units', null, undefined],
  ] as const)('%s %j -> %j', (param, value, out) => {
    expect(normaliseChoice(param, value)).toBe(out);
  });
});
