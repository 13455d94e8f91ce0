/**
 * A lesson of "The classroom": an experiment preset (or a few, run one after another), a short
 * mission, what to look at, a question or two, and a reading of the run just trained. The reading
 * checks whether the lesson's effect actually appeared in THESE trials and says so with their
 * numbers, or says plainly that it did not and what usually makes it show. Nothing is canned.
 *
 * Pure data and pure functions: the page runs each LessonRun's experiment through the ordinary
 * sweep, collects the finished trials by run id, and hands them to `read`.
 */
import type { MetricKey } from '../analysis/metric';
import type { VerdictKind } from '../analysis/verdict';
import type { Experiment, TrialParams } from '../experiment/types';
import type { TrialState } from '../search/types';
import type { EpochMetrics, TrialStatus } from '../train/types';

/** How much a student should know before the lesson. */
export type LessonLevel = 'beginner' | 'intermediate' | 'advanced';

/** The levels in the order the lesson list shows them. */
export const LESSON_LEVELS: readonly LessonLevel[] = ['beginner', 'intermediate', 'advanced'];

/** Short UI label of each level. */
export const LESSON_LEVEL_LABELS: Record<LessonLevel, string> = {
  beginner: 'Beginner',
  intermediate: 'Intermediate',
  advanced: 'Advanced',
};

/** One experiment a lesson trains. Most lessons have one; a lesson that compares strategies or
 *  settings of the sweep itself (early stopping, validation scheme) has several, run in order. */
export interface LessonRun {
  /** key of this run's trials in LessonTrials, unique within the lesson ([a-z0-9-]). */
  id: string;
  /** what this run is, for the page: 'Grid search', 'Early stopping on'. */
  label: string;
  /** a full, valid Experiment (passes validateExperiment). */
  experiment: Experiment;
}

/** What a reading needs of a trial's result: a structural subset of TrialResult and of StoredResult. */
export interface LessonResult {
  status?: TrialStatus;
  /** wall time of the whole trial (all folds and repeats), ms. */
  timeMs: number;
  /** held-out test loss (and accuracy 0..1) of the trial's final model. The page must keep it for
   *  lessons (the ordinary sweep shows it for the best trial only). */
  test?: { loss: number; acc?: number };
  /** epoch (1-based) with the lowest validation loss. */
  bestEpoch?: number;
  /** early stopping ended the trial before its last epoch. */
  stoppedEarly?: boolean;
  /** the final model has the weights of `bestEpoch`. */
  restoredBest?: boolean;
  /** with k-fold or repeats: each run's own outcome; `epochs` is that run's curve when kept. */
  runs?: readonly { status: TrialStatus; epochs?: readonly EpochMetrics[]; bestEpoch?: number; restoredBest?: boolean }[];
  /** with several runs: per-epoch standard deviation across runs of the validation loss (and accuracy 0..1). */
  spread?: { valLoss: readonly number[]; valAcc?: readonly number[] };
}

/**
 * One trial as a reading sees it. The page's TrialView and a saved StudyTrial both fit as they are
 * (their other fields are ignored).
 */
export interface LessonTrial {
  id: number;
  /** values of the searched hyperparameters. */
  params: TrialParams;
  state: TrialState | 'cancelled';
  /** per-epoch metrics (the mean over folds/repeats); accuracies 0..1, elapsedMs since the trial started. */
  epochs: readonly EpochMetrics[];
  verdict?: { kind: VerdictKind } | null;
  result?: LessonResult;
}

/** The trials of a lesson, by LessonRun id. */
export type LessonTrials = Readonly<Record<string, readonly LessonTrial[]>>;

/** What a reading knows besides the trials. */
export interface ReadContext {
  /** the experiment each run actually trained, by run id: the preset, or the student's edit of it.
   *  Readings take fixed values (patience, k, a fixed dropout) from here. */
  experiments: Readonly<Record<string, Experiment>>;
  /** the study metric (validation accuracy for classification, loss for regression): how the
   *  sweep picks its best trial. */
  metric: MetricKey;
  /** loss of a model that ignores its inputs (nats): ln 2 for the two balanced classes of every
   *  lesson's data (the default), -Σ p ln p for other priors. Readings compare exploded losses with it. */
  baselineLoss?: number;
}

/** An honest reading of one run of a lesson. */
export interface Reading {
  /** did the lesson's effect show in these trials: fully, partly, or not at all. */
  appeared: boolean | 'partly';
  /** one or two sentences for a student, quoting numbers computed from the trials. */
  sentence: string;
  /** the numbers the sentence quotes (raw, unrounded), so a test or a table can show the same. Units
   *  in the key where it is not a loss: `…Ms` milliseconds, `…Acc` fraction 0..1, `…Epoch` 1-based. */
  numbers: Record<string, number>;
  /** what usually makes the effect show, when it did not (fully) appear. */
  advice?: string;
}

/** A lesson. */
export interface Lesson {
  /** stable id, [a-z0-9-], used in links. */
  id: string;
  title: string;
  level: LessonLevel;
  /** expected wall time of all runs on a laptop CPU, minutes. */
  minutes: number;
  /** what to do, in one or two sentences. */
  mission: string;
  /** which chart or number to watch while it trains. */
  lookAt: string;
  /** one or two questions to think about before reading the answer. */
  questions: readonly string[];
  /** the experiments to run, in order (at least one; the first is the one "open in the playground" loads). */
  runs: readonly LessonRun[];
  /** reads the trials of every run (by run id) and says whether the effect appeared, with numbers. */
  read(trials: LessonTrials, ctx: ReadContext): Reading;
}
