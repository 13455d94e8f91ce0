/**
 * The valibot schema of the current Study record, and `parseStudy`, which turns untrusted
 * JSON-like input (already migrated to the current version) into a valid record or a message.
 * Objects keep only known keys; non-finite numbers arrive as null and become NaN.
 */
import * as v from 'valibot';
import { VERDICT_KINDS } from '../analysis/verdict';
import { BACKEND_PREFS, PARAMS } from '../experiment/params';
import type { BackendName, ParamName } from '../experiment/types';
import { checkParamValue, parseExperiment } from '../experiment/validate';
import { logProblem } from './log';
import { STUDY_LIMITS, STUDY_VERSION, type StudyDecode, type StudyRecord } from './types';

const L = STUDY_LIMITS;
const finite = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** a metric: a number, or null/NaN for a non-finite one (JSON has no NaN). */
const num = v.pipe(v.union([v.number(), v.nan(), v.null()]), v.transform((x): number => x ?? NaN));
const text = (max: number = L.maxText) => v.pipe(v.string(), v.maxLength(max));
const list = <T extends v.GenericSchema>(item: T, max: number) => v.pipe(v.array(item), v.maxLength(max));
const curve = list(num, L.maxEpochs);
const BACKENDS = BACKEND_PREFS.filter((b): b is BackendName => b !== 'auto');
const STATUSES = ['complete', 'diverged', 'pruned', 'cancelled', 'failed'] as const;

const paramValue = v.optional(v.union([finite, text(32)]));
/** Searched hyperparameter values: only known names. */
export const paramsSchema = v.object(Object.fromEntries(PARAMS.map((p) => [p.name, paramValue])) as Record<ParamName, typeof paramValue>);

const epochSchema = v.object({
  epoch: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1e6)),
  trainLoss: num,
  valLoss: num,
  trainAcc: v.optional(num),
  valAcc: v.optional(num),
  elapsedMs: num,
  lr: v.optional(num),
});

const outcomeSchema = v.object({ state: v.picklist(['complete', 'pruned', 'failed', 'diverged']), objective: num, curve });

/** One event of the search log. */
export const eventSchema = v.variant('k', [
  v.object({ k: v.literal('ask'), id: count, params: paramsSchema }),
  v.object({ k: v.literal('wait') }),
  v.object({ k: v.literal('epoch'), id: count, epoch: v.pipe(count, v.minValue(1)), objective: num }),
  v.object({ k: v.literal('tell'), id: count, outcome: outcomeSchema }),
  v.object({ k: v.literal('drop'), id: count }),
]);

const resultSchema = v.object({
  status: v.picklist(STATUSES),
  backend: v.picklist(BACKENDS),
  timeMs: num,
  message: v.optional(text()),
  bestEpoch: v.optional(count),
  stoppedEarly: v.optional(v.boolean()),
  restoredBest: v.optional(v.boolean()),
  paramCount: v.optional(count),
  peakTensors: v.optional(count),
  confusion: v.optional(list(list(count, 64), 64)),
  test: v.optional(v.object({ loss: num, acc: v.optional(num) })),
  spread: v.optional(v.object({ valLoss: curve, valAcc: v.optional(curve) })),
  retries: v.optional(count),
  misclassified: v.optional(list(v.object({ index: count, label: count, predicted: count }), 32)),
  filters: v.optional(v.object({ kernel: v.pipe(count, v.maxValue(7)), channels: v.pipe(count, v.maxValue(4)), count: v.pipe(count, v.maxValue(128)), weights: list(num, 7 * 7 * 4 * 128) })),
  runs: v.optional(list(v.object({ status: v.picklist(STATUSES), bestEpoch: v.optional(count), restoredBest: v.optional(v.boolean()) }), 64)),
});

const trialSchema = v.object({
  id: count,
  params: paramsSchema,
  state: v.picklist(['running', 'complete', 'pruned', 'failed', 'diverged', 'cancelled']),
  epochs: list(epochSchema, L.maxEpochs),
  result: v.optional(resultSchema),
  surface: v.optional(v.object({
    side: v.pipe(count, v.minValue(1), v.maxValue(256)),
    lo: finite,
    hi: finite,
    ints: v.boolean(),
    data: v.pipe(v.string(), v.maxLength(4 * Math.ceil((256 * 256) / 3))),
  })),
  verdict: v.optional(v.object({ kind: v.picklist(VERDICT_KINDS), label: text(200), sentence: text(), hint: text() })),
  pruneReason: v.optional(text()),
  backend: v.optional(text(32)),
  worker: v.optional(count),
  startedAt: v.optional(finite),
  endedAt: v.optional(finite),
});

/** The current record (the experiment is checked separately by parseExperiment). */
export const studySchema = v.object({
  version: v.literal(STUDY_VERSION),
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _')),
  name: text(200),
  createdAt: finite,
  updatedAt: finite,
  origin: v.picklist(['local', 'file', 'link', 'optuna-journal']),
  author: v.optional(text(200)),
  experiment: v.unknown(),
  dataset: v.object({
    id: text(64),
    name: v.optional(text(200)),
    task: v.optional(v.picklist(['classification', 'regression'])),
    rows: v.optional(count),
    features: v.optional(count),
    classes: v.optional(count),
    dataHash: v.optional(text(200)),
  }),
  metric: v.picklist(['valLoss', 'valAcc']),
  trials: list(trialSchema, L.maxTrials),
  log: v.optional(list(eventSchema, L.maxEvents)),
  queued: v.optional(list(paramsSchema, L.maxTrials)),
});

/** The first problem of a valibot result as 'path: message'. */
function firstIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const i = issues[0];
  const path = i.path?.map((p) => String(p.key)).join('.') ?? '';
  return path ? `${path}: ${i.message}` : i.message;
}

/** What is wrong with a trial's params ('' when nothing): every value within its parameter's limits. */
function paramsProblem(params: Record<string, unknown>): string {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const msg = checkParamValue(name as ParamName, value as number | string);
    if (msg) return msg;
  }
  return '';
}

/**
 * Parses untrusted input of the current version into a StudyRecord: shapes and sizes (schema),
 * the experiment (parseExperiment), unique trial ids, parameter values within their limits, and
 * a log in a possible order. Trials come back sorted by id. Never throws.
 */
export function parseStudy(input: unknown): StudyDecode {
  const r = v.safeParse(studySchema, input, { abortEarly: true });
  if (!r.success) return { kind: 'error', message: `it is not a valid study: ${firstIssue(r.issues)}.` };
  const e = parseExperiment(r.output.experiment);
  if (!e.ok) return { kind: 'error', message: `its experiment is not valid: ${e.errors.join('; ')}.` };
  const trials = [...r.output.trials].sort((a, b) => a.id - b.id);
  for (const [i, t] of trials.entries()) {
    if (i > 0 && trials[i - 1].id === t.id) return { kind: 'error', message: `it has two trials with id ${t.id}.` };
    const p = paramsProblem(t.params);
    if (p) return { kind: 'error', message: `trial ${t.id} has an invalid value: ${p}` };
  }
  const log = r.output.log;
  const problem = log ? logProblem(log) : '';
  if (problem) return { kind: 'error', message: `its search log is damaged: ${problem}` };
  for (const ev of log ?? []) {
    const p = ev.k === 'ask' ? paramsProblem(ev.params) : '';
    if (p) return { kind: 'error', message: `its search log has an invalid value: ${p}` };
  }
  const study: StudyRecord = { ...r.output, experiment: e.experiment, trials };
  return { kind: 'ok', study };
}
