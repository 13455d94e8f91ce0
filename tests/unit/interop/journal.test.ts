import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { endValue } from '../../../src/lib/train/aggregate';
import { exportJournal, journalFileName } from '../../../src/lib/interop/journal-export';
import { importJournal } from '../../../src/lib/interop/journal-import';
import { readJournal } from '../../../src/lib/interop/journal-read';
import { parsePyJson } from '../../../src/lib/interop/python-text';
import type { EpochMetrics } from '../../../src/lib/train/types';
import { mixedStudy } from './fixtures';

const NOW = Date.UTC(2024, 5, 1);
const dist = {
  lrLog: '{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0001, "high": 0.1, "log": true}}',
  lrLinear: '{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0001, "high": 0.1, "log": false}}',
  opt: '{"name": "CategoricalDistribution", "attributes": {"choices": ["SGD", "Adam"]}}',
  units: '{"name": "IntDistribution", "attributes": {"log": true, "step": 1, "low": 8, "high": 64}}',
  momentum: '{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.5, "high": 0.99, "log": false}}',
};
const t = (s: string) => `2024-03-01T10:${s}.000000`;
const w = 'worker-1';

/** One line per operation, as Optuna 3.1 writes them while a study of someone else's script runs. */
const HAND_MADE = [
  { op_code: 0, worker_id: w, study_name: 'old', directions: [1] },
  { op_code: 0, worker_id: w, study_name: 'foreign', directions: [2] },
  { op_code: 0, worker_id: w, study_name: 'foreign', directions: [2] }, // a second worker's create: ignored
  { op_code: 1, worker_id: w, study_id: 0 },
  { op_code: 2, worker_id: w, study_id: 1, user_attr: { owner: 'ana' } },
  { op_code: 3, worker_id: w, study_id: 1, system_attr: { x: 1 } },
  // trial 0: complete, reported 3 steps (the last NaN)
  { op_code: 4, worker_id: w, study_id: 1, datetime_start: t('00:00') },
  { op_code: 5, worker_id: w, trial_id: 0, param_name: 'lr', param_value_internal: 0.01, distribution: dist.lrLog },
  { op_code: 5, worker_id: w, trial_id: 0, param_name: 'optimizer', param_value_internal: 1, distribution: dist.opt },
  { op_code: 5, worker_id: w, trial_id: 0, param_name: 'n_units', param_value_internal: 32.0, distribution: dist.units },
  { op_code: 5, worker_id: w, trial_id: 0, param_name: 'momentum', param_value_internal: 0.9, distribution: dist.momentum },
  { op_code: 7, worker_id: w, trial_id: 0, step: 0, intermediate_value: 0.6 },
  { op_code: 7, worker_id: w, trial_id: 0, step: 1, intermediate_value: 0.8 },
  'NAN_LINE',
  { op_code: 8, worker_id: w, trial_id: 0, user_attr: { note: 'hi' } },
  { op_code: 6, worker_id: w, trial_id: 0, state: 1, values: [0.85], datetime_complete: t('01:00') },
  { op_code: 7, worker_id: w, trial_id: 0, step: 3, intermediate_value: 0.1 }, // after it finished: ignored
  // trial 1: pruned
  { op_code: 4, worker_id: w, study_id: 1, datetime_start: t('02:00') },
  { op_code: 5, worker_id: w, trial_id: 1, param_name: 'lr', param_value_internal: 0.05, distribution: dist.lrLog },
  { op_code: 5, worker_id: w, trial_id: 1, param_name: 'optimizer', param_value_internal: 0, distribution: dist.opt },
  { op_code: 7, worker_id: w, trial_id: 1, step: 0, intermediate_value: 0.5 },
  { op_code: 6, worker_id: w, trial_id: 1, state: 2, values: [0.5], datetime_complete: t('03:00') },
  // trial 2: failed; its lr came with an incompatible distribution (another worker's): skipped
  { op_code: 4, worker_id: w, study_id: 1, datetime_start: t('04:00') },
  { op_code: 5, worker_id: w, trial_id: 2, param_name: 'lr', param_value_internal: 0.02, distribution: dist.lrLinear },
  { op_code: 6, worker_id: w, trial_id: 2, state: 3, values: null, datetime_complete: t('05:00') },
  // trial 3: enqueued, still waiting
  { op_code: 4, worker_id: w, study_id: 1, datetime_start: null, state: 4, value: null, values: null, distributions: {}, params: {}, user_attrs: {}, system_attrs: { fixed_params: { lr: 0.02 } }, intermediate_values: {} },
  // trial 4: added from a template (study.add_trial), the best
  { op_code: 4, worker_id: w, study_id: 1, datetime_start: t('06:00'), state: 1, value: 0.9, values: null, datetime_complete: t('07:00'), distributions: { lr: dist.lrLog, optimizer: dist.opt }, params: { lr: 0.003, optimizer: 1 }, user_attrs: {}, system_attrs: {}, intermediate_values: { '0': 0.7, '1': 0.9 } },
  // trial 5: running
  { op_code: 4, worker_id: w, study_id: 1, datetime_start: t('08:00') },
  { op_code: 6, worker_id: w, trial_id: 5, state: 0, values: null, datetime_start: t('08:01') },
  { op_code: 8, worker_id: w, trial_id: 99, user_attr: { lost: true } },
  { op_code: 10, worker_id: w, study_id: 1, trial_ids: [] },
  { op_code: 42, worker_id: w },
].map((x) => (x === 'NAN_LINE' ? '{"op_code": 7, "worker_id": "worker-1", "trial_id": 0, "step": 2, "intermediate_value": NaN}' : JSON.stringify(x))).join('\n')
  + '\n{"op_code": 7, "worker_id": "worker-1", "trial_id": 5, "st';

describe('readJournal: a hand-made journal replays as Optuna replays it', () => {
  const r = readJournal(HAND_MADE);
  if (r.kind !== 'ok') throw new Error(r.message);
  const study = r.studies[0];

  it('keeps the live studies, trials in number order with storage-wide ids', () => {
    expect(r.studies.map((s) => s.name)).toEqual(['foreign']);
    expect(study.studyId).toBe(1);
    expect(study.directions).toEqual(['maximize']);
    expect(study.userAttrs).toEqual({ owner: 'ana' });
    expect(study.systemAttrs).toEqual({ x: 1 });
    expect(study.trials.map((x) => [x.trialId, x.number, x.state])).toEqual([
      [0, 0, 'complete'], [1, 1, 'pruned'], [2, 2, 'fail'], [3, 3, 'waiting'], [4, 4, 'complete'], [5, 5, 'running'],
    ]);
  });

  it('applies params, intermediate values, attributes and states; ignores updates to finished trials', () => {
    const t0 = study.trials[0];
    expect(t0.params).toEqual({ lr: 0.01, optimizer: 'Adam', n_units: 32, momentum: 0.9 });
    expect([...t0.intermediate]).toEqual([[0, 0.6], [1, 0.8], [2, NaN]]);
    expect(t0.userAttrs).toEqual({ note: 'hi' });
    expect(t0.values).toEqual([0.85]);
    expect(t0.complete! - t0.start!).toBe(60_000);
    expect(study.trials[2].params).toEqual({});
    expect(study.trials[4].params).toEqual({ lr: 0.003, optimizer: 'Adam' });
    expect(study.trials[4].values).toEqual([0.9]);
    expect(study.trials[3].start).toBeNull();
    expect(study.trials[5].start).toBe(new Date(2024, 2, 1, 10, 8, 0).getTime());
  });

  it('notes what it skipped', () => {
    expect(r.notes.join(' ')).toMatch(/last line is cut off/);
    expect(r.notes.join(' ')).toMatch(/op_code 42/);
    expect(r.notes.join(' ')).toMatch(/incompatible distribution/);
  });
});

describe('importJournal: a study of another Optuna script', () => {
  const r = importJournal(HAND_MADE, { now: NOW });
  if (r.kind !== 'ok') throw new Error(r.message);

  it('maps parameters by name and distribution, and reports the rest', () => {
    const e = r.study.experiment;
    expect(e.space.learningRate).toEqual({ type: 'float', low: 0.0001, high: 0.1, log: true });
    expect(e.space.optimizer).toEqual({ type: 'categorical', choices: ['sgd', 'adam'] });
    expect(e.space.units).toEqual({ type: 'int', low: 8, high: 64, log: true });
    expect(e.data.id).toBe('csv');
    expect(r.notes.join('\n')).toMatch(/"momentum" has no counterpart/);
    expect(r.notes.join('\n')).toMatch(/waiting trial was left out/);
    expect(r.notes.join('\n')).toMatch(/read as val accuracy/);
  });

  it('keeps the trials with their numbers, states and curves from the intermediate values', () => {
    expect(r.study.origin).toBe('optuna-journal');
    expect(r.study.metric).toBe('valAcc');
    expect(r.study.trials.map((x) => [x.id, x.state])).toEqual([[0, 'complete'], [1, 'pruned'], [2, 'failed'], [4, 'complete'], [5, 'running']]);
    expect(r.study.trials[0].params).toEqual({ learningRate: 0.01, optimizer: 'adam', units: 32 });
    expect(r.study.trials[0].epochs.map((m) => m.valAcc)).toEqual([0.6, 0.8, NaN]);
    expect(r.study.trials[0].epochs.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(r.study.trials[1].pruneReason).toMatch(/pruned by Optuna/);
    expect(r.bestTrialId).toBe(4);
    expect(r.studyNames).toEqual(['foreign']);
  });

  it('opens a study by name, and says which names there are', () => {
    expect(importJournal(HAND_MADE, { now: NOW, studyName: 'foreign' }).kind).toBe('ok');
    const missing = importJournal(HAND_MADE, { now: NOW, studyName: 'nope' });
    expect(missing).toEqual({ kind: 'error', message: expect.stringMatching(/no study named "nope".*"foreign"/) });
  });

  it('refuses a multi-objective study', () => {
    const text = '{"op_code": 0, "worker_id": "w", "study_name": "mo", "directions": [1, 2]}\n';
    expect(importJournal(text, { now: NOW })).toEqual({ kind: 'error', message: expect.stringMatching(/2 objectives/) });
  });
});

/** Epochs compared with non-finite values as NaN (the journal writes them as null). */
const finiteOrNaN = (es: EpochMetrics[]) => es.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, Number.isFinite(v) ? v : NaN])));

describe('exportJournal: the page study as an Optuna journal', () => {
  const study = mixedStudy();
  const text = exportJournal(study);

  it('writes one operation per line, as Optuna writes them', () => {
    const lines = text.trimEnd().split('\n');
    const ops = lines.map((l) => parsePyJson(l)).map((p) => (p.ok ? (p.value as Record<string, unknown>) : null));
    expect(ops.every((o) => o !== null)).toBe(true);
    expect(ops[0]).toEqual({ op_code: 0, worker_id: 'hyperparameter-playground', study_name: 'Mixed study', directions: [2] });
    const trials = ops.filter((o) => o!.op_code === 4);
    expect(trials).toHaveLength(study.trials.length);
    for (const t of trials) {
      expect(t!.datetime_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      expect(t!.values).toBeNull();
      if (t!.state === 1) expect(typeof t!.value).toBe('number');
      expect('datetime_complete' in t!).toBe(t!.state !== 0);
    }
    expect(lines[0]).toBe('{"op_code": 0, "worker_id": "hyperparameter-playground", "study_name": "Mixed study", "directions": [2]}');
    expect(journalFileName(study)).toBe('mixed-study.optuna-journal.log');
  });

  it('opens back in the app as the same study', () => {
    const r = importJournal(text, { now: NOW });
    if (r.kind !== 'ok') throw new Error(r.message);
    expect(r.notes).toEqual([]);
    expect(r.study.experiment).toEqual(study.experiment);
    expect(r.study.metric).toBe(study.metric);
    expect(r.study.dataset).toEqual(study.dataset);
    expect(r.study.trials.map((x) => x.id)).toEqual(study.trials.map((x) => x.id));
    r.study.trials.forEach((got, i) => {
      const want = study.trials[i];
      expect(got.params).toEqual(want.params);
      expect(got.state).toBe(want.state);
      expect(finiteOrNaN(got.epochs)).toEqual(finiteOrNaN(want.epochs));
      expect(got.result?.bestEpoch).toBe(want.result?.bestEpoch);
      expect(got.result?.restoredBest).toBe(want.result?.restoredBest);
      expect(got.result?.test).toEqual(want.result?.test);
      expect(got.pruneReason).toBe(want.pruneReason);
      expect(got.startedAt).toBeCloseTo(want.startedAt!, 3);
    });
    const values = study.trials.map((x) => (x.state === 'complete' ? endValue({ epochs: x.epochs, bestEpoch: x.result?.bestEpoch, restoredBest: x.result?.restoredBest }, (m) => m.valAcc ?? NaN) : -Infinity));
    expect(r.bestTrialId).toBe(values.indexOf(Math.max(...values)));
  });

  it("keeps each epoch's learning rate and the network's parameter count", () => {
    const s = mixedStudy();
    const lr = [0.01, 0.005, 0.0025, 0.00125, 6.25e-4, 3.125e-4];
    s.trials[0] = { ...s.trials[0], epochs: s.trials[0].epochs.map((m, i) => ({ ...m, lr: lr[i] })), result: { ...s.trials[0].result!, paramCount: 1234 } };
    const r = importJournal(exportJournal(s), { now: NOW });
    if (r.kind !== 'ok') throw new Error(r.message);
    expect(r.study.trials[0].epochs.map((m) => m.lr)).toEqual(lr);
    expect(r.study.trials[0].result?.paramCount).toBe(1234);
    // trials without rates stay without them (the views then draw the schedule)
    expect(r.study.trials[1].epochs.every((m) => m.lr === undefined)).toBe(true);
    expect(r.study.trials[1].result?.paramCount).toBeUndefined();
  });
});

describe('hostile or broken journals: never a throw, always a message', () => {
  it.each([
    [42, /not text/],
    ['', /empty/],
    ['\n\n  \n', /empty/],
    ['{"op_code": 0', /line 1 is not valid JSON/],
    ['[1, 2]\n{"op_code": 0}', /line 1 is not an operation/],
    ['{"format": "hyperparameter-playground-study"}\n', /not an operation/],
    ['{"op_code": "zero"}\n', /op_code is not a whole number/],
    ['{"op_code": 0, "study_name": 5, "directions": [1]}\n', /study_name is not text/],
    ['{"op_code": 0, "study_name": "s", "directions": [7]}\n', /direction 7/],
    ['{"op_code": 0, "study_name": "s", "directions": [1]}\n{"op_code": 4, "study_id": 0, "params": {"x": 1}}\n', /parameter "x" has no distribution/],
    ['{"op_code": 0, "study_name": "s", "directions": [1]}\n{"op_code": 4, "study_id": 0, "datetime_start": "noon"}\n', /datetime_start is not an ISO/],
    ['{"op_code": 0, "study_name": "s", "directions": [1]}\n{"op_code": 4, "study_id": 0, "distributions": {"x": "{}"}}\n', /distribution of "x"/],
    ['{"op_code": 0, "study_name": "s", "directions": [1]}\n{"op_code": 6, "trial_id": 0, "state": 9}\n', /trial state 9/],
    ['{"op_code": 2, "study_id": 0, "user_attr": 5}\n', /user_attr is not an object/],
    ['{"op_code": 1, "study_id": 0}\n', /holds no study/],
  ])('%j', (text, message) => {
    expect(importJournal(text, { now: NOW })).toEqual({ kind: 'error', message: expect.stringMatching(message) });
  });

  it('opens a study without trials as an empty study', () => {
    const r = importJournal('{"op_code": 0, "study_name": "s", "directions": [1]}\n', { now: NOW });
    expect(r).toMatchObject({ kind: 'ok', bestTrialId: null, study: { trials: [], metric: 'valLoss', createdAt: NOW } });
  });

  it('refuses a journal over the size limit without reading it', () => {
    expect(readJournal('x'.repeat(64_000_001))).toEqual({ kind: 'error', message: expect.stringMatching(/too large/) });
  });

  it('stays fast on a large journal (5,000 trials, 50,000 operations)', () => {
    const ops = ['{"op_code": 0, "study_name": "big", "directions": [2]}'];
    for (let i = 0; i < 5_000; i++) {
      ops.push(`{"op_code": 4, "study_id": 0, "datetime_start": "${t('00:00')}"}`);
      for (let k = 0; k < 8; k++) ops.push(`{"op_code": 5, "trial_id": ${i}, "param_name": "p${k}", "param_value_internal": 0.5, "distribution": ${JSON.stringify(dist.momentum)}}`);
      ops.push(`{"op_code": 6, "trial_id": ${i}, "state": 1, "values": [${(i % 97) / 100}], "datetime_complete": "${t('00:01')}"}`);
    }
    const start = performance.now();
    const r = readJournal(ops.join('\n'));
    expect(r.kind === 'ok' && r.studies[0].trials.length).toBe(5_000);
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it('does not let attributes reach a prototype', () => {
    const text = [
      '{"op_code": 0, "study_name": "s", "directions": [2]}',
      '{"op_code": 2, "study_id": 0, "user_attr": {"__proto__": {"polluted": true}}}',
      '{"op_code": 4, "study_id": 0, "datetime_start": null, "user_attrs": {"constructor": {"prototype": {"polluted": true}}}}',
      '{"op_code": 8, "trial_id": 0, "user_attr": {"__proto__": {"polluted": true}}}',
    ].join('\n');
    expect(importJournal(text, { now: NOW }).kind).toBe('ok');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const lines = exportJournal(mixedStudy()).trimEnd().split('\n');
  const check = (text: string) => {
    const r = importJournal(text, { now: NOW });
    expect(['ok', 'error']).toContain(r.kind);
    if (r.kind === 'error') expect(r.message.length).toBeGreaterThan(10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  };

  it('fuzz: arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => check(s)), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }), (vs) => check(vs.map((v) => JSON.stringify(v)).join('\n'))), { numRuns: 300 });
  });

  it('fuzz: a real journal with lines dropped, repeated, swapped or cut', () => {
    const edit = fc.tuple(fc.nat(lines.length - 1), fc.nat(lines.length - 1), fc.constantFrom('drop', 'repeat', 'swap', 'cut'), fc.nat(200));
    fc.assert(fc.property(fc.array(edit, { maxLength: 4 }), (edits) => {
      const ls = [...lines];
      for (const [i, j, kind, at] of edits) {
        if (kind === 'drop') ls.splice(i % ls.length, 1);
        else if (kind === 'repeat') ls.splice(i % ls.length, 0, ls[j % ls.length]);
        else if (kind === 'swap') [ls[i % ls.length], ls[j % ls.length]] = [ls[j % ls.length], ls[i % ls.length]];
        else ls[i % ls.length] = ls[i % ls.length].slice(0, at);
        if (ls.length === 0) break;
      }
      check(ls.join('\n'));
    }), { numRuns: 200 });
  });

  it('fuzz: a real journal with one value replaced by a hostile one', () => {
    const hostile = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, -1, 1e308, 2 ** 53, '', 'NaN', [], {}, '__proto__'), fc.string({ maxLength: 50 }));
    fc.assert(fc.property(fc.nat(lines.length - 1), fc.nat(50), hostile, (i, k, value) => {
      const op = JSON.parse(lines[i].replace(/\bNaN\b/g, 'null')) as Record<string, unknown>;
      const keys = Object.keys(op);
      op[keys[k % keys.length]] = value;
      const ls = [...lines];
      ls[i] = JSON.stringify(op);
      check(ls.join('\n'));
    }), { numRuns: 300 });
  });
});
