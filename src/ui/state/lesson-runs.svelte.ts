import type { Experiment } from '../../lib/experiment/types';
import type { FieldError } from '../../lib/experiment/validate';
import type { StudyMetric } from '../../lib/analysis/metric';
import type { Lesson, LessonTrial, Reading } from '../../lib/lessons/types';
import type { DataState } from './data.svelte';
import type { SweepHost } from './sweep.svelte';

/** The lesson being run or read: which run of how many, and the reading once every run ended. */
export type LessonProgress = { id: string; run: number; of: number; label: string; reading?: Reading; error?: string };

/** What running a lesson needs of the page: its experiment, data and sweep. */
export interface LessonHost {
  experiment: Experiment;
  readOnly: boolean;
  readonly canRun: boolean;
  readonly errors: FieldError[];
  readonly metric: StudyMetric;
  readonly data: DataState;
  readonly live: SweepHost;
  /** starts a sweep of the experiment on the page. */
  run(): Promise<void>;
}

/** Runs a lesson's experiments one after another through the ordinary sweep, then reads them. */
export class LessonRuns {
  /** the lesson being run or read (null: none). */
  lesson = $state.raw<LessonProgress | null>(null);

  constructor(private readonly host: LessonHost) {}

  /**
   * Runs a lesson: each of its experiments in turn through the ordinary sweep (each is a study in
   * "My studies"), then reads the trials just trained: did the lesson's effect appear here?
   */
  async runLesson(lesson: Lesson): Promise<void> {
    if (this.host.live.running) return;
    try {
      await this.lessonRuns(lesson);
    } catch (e) {
      this.lesson = { id: lesson.id, run: 0, of: lesson.runs.length, label: '', error: `The lesson stopped: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private async lessonRuns(lesson: Lesson): Promise<void> {
    const h = this.host;
    const trials: Record<string, LessonTrial[]> = {};
    const experiments: Record<string, Experiment> = {};
    for (const [i, run] of lesson.runs.entries()) {
      this.lesson = { id: lesson.id, run: i, of: lesson.runs.length, label: run.label };
      h.readOnly = false;
      h.experiment = structuredClone(run.experiment);
      await h.data.load($state.snapshot(h.experiment.data));
      if (!h.canRun) {
        this.lesson = { ...this.lesson, error: h.data.dataError || h.errors[0]?.message || 'The lesson could not start.' };
        return;
      }
      await h.run();
      if (h.live.cancelled) {
        this.lesson = { ...this.lesson, error: 'The lesson was cancelled: start it again to get its reading.' };
        return;
      }
      experiments[run.id] = $state.snapshot(h.experiment) as Experiment;
      // a lesson reads every trial's test score (the sweep itself shows only the best one's)
      trials[run.id] = h.live.trials.map((t) => ({ ...t, result: t.result ? { ...t.result, test: h.live.testScores.get(t.id) } : undefined }));
    }
    const reading = lesson.read(trials, { experiments, metric: h.metric.key });
    this.lesson = { id: lesson.id, run: lesson.runs.length, of: lesson.runs.length, label: '', reading };
  }
}
