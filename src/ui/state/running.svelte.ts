import type { Experiment } from '../../lib/experiment/types';
import { objectiveFn, type StudyMetric } from '../../lib/analysis/metric';
import type { WorkerFactory } from '../../lib/train/pool';
import { metricKeyOf } from '../../lib/search/create';
import { makeStudyId, newStudy } from '../../lib/study/record';
import { resumeBlocker, openLiveSearch, askedCount } from '../../lib/study/resume';
import type { LiveSearch } from '../../lib/study/live-search';
import type { SearchEndpoint } from '../../lib/study/remote-search';
import type { StudyRecord } from '../../lib/study/types';
import type { DataState } from './data.svelte';
import type { Filters } from './filters.svelte';
import type { Library } from './library.svelte';
import type { ManualSearch } from './manual.svelte';
import type { Saving } from './saving';
import type { SweepHost } from './sweep.svelte';

/** Side of the decision-surface grid of 2-D data. */
export const GRID = 48;
/** Web Locks name held by the tab that runs a study's sweep. */
export const lockName = (id: string) => `hpp-run-${id}`;

/** What running a sweep needs of the page. */
export interface RunHost {
  experiment: Experiment;
  /** the study the sweep belongs to: replaced by a new one, or continued. */
  record: StudyRecord | null;
  readOnly: boolean;
  /** set when another tab holds the study's run lock. */
  followedTab: boolean;
  readonly canRun: boolean;
  readonly resumeWhy: string;
  readonly metric: StudyMetric;
  readonly data: DataState;
  readonly live: SweepHost;
  readonly filters: Pick<Filters, 'selected'>;
  readonly library: Library;
  readonly manual: Pick<ManualSearch, 'queue' | 'sync' | 'clear'>;
  readonly saving: Pick<Saving, 'search' | 'persist' | 'persistNow'>;
  /** after a sweep: a linked study run again here is compared with it. */
  readonly opening: { compareWithLinked(): void };
  sweepKit(experiment: Experiment): { data: NonNullable<ReturnType<DataState['foldData']>>; factory: WorkerFactory; spawnSearch?: () => SearchEndpoint } | null;
  refreshRate(): Promise<void>;
}

/**
 * Running sweeps: starts a new study (or continues a manual one), resumes an interrupted one, and
 * runs its search while holding the study's lock (so another tab follows instead of running it too).
 */
export class Runner {
  constructor(private readonly host: RunHost) {}

  /** Starts a new study with the current experiment (manual search continues the current one). */
  async run(): Promise<void> {
    const h = this.host;
    if (!h.canRun || !h.data.prepared) return;
    const experiment = $state.snapshot(h.experiment) as Experiment;
    const manual = experiment.strategy.kind === 'manual';
    if (manual && h.manual.queue.length === 0) {
      h.live.sweepError = 'Queue a trial first: type its values under "Queue a trial", or click a point on a hyperparameter chart.';
      return;
    }
    const continuing = manual && h.record && !h.readOnly && resumeBlocker(h.record, experiment) === '';
    if (manual && continuing && h.record && askedCount(h.record.log ?? []) >= experiment.strategy.budget) {
      h.live.sweepError = `The trial budget (${experiment.strategy.budget}) is used up: raise it to queue more trials.`;
      return;
    }
    if (!continuing) {
      const ds = h.data.dataset;
      h.record = newStudy({
        id: makeStudyId(Date.now(), Math.random),
        now: Date.now(),
        experiment,
        metric: h.metric.key,
        dataset: { id: experiment.data.id, name: ds?.name, task: ds?.task, rows: ds?.n, features: ds?.d, classes: ds?.classes?.length, dataHash: ds?.hash },
      });
      h.live.show([]);
      h.filters.selected = null;
    }
    h.readOnly = false;
    await this.sweepRecord(experiment);
  }

  /** Continues the current study: re-runs its interrupted trials, then the budget left, exactly as
   *  an uninterrupted run would have. */
  async resume(): Promise<void> {
    const h = this.host;
    if (!h.record || h.resumeWhy || !h.canRun) return;
    // interrupted trials are trained again: their views go until they start
    h.live.show(h.live.trials.filter((t) => t.state !== 'running' && t.state !== 'cancelled'), new Map(h.live.testScores));
    await this.sweepRecord($state.snapshot(h.experiment) as Experiment);
  }

  /** Stops the sweep now; finished trials stay (and, in manual search, the queue is emptied). */
  cancel(): void {
    this.host.live.cancel();
    this.host.manual.clear();
  }

  /** Runs the current record's search (new, continued or resumed) while holding its lock. */
  private async sweepRecord(experiment: Experiment): Promise<void> {
    const h = this.host;
    const record = h.record;
    const prepared = h.data.prepared;
    if (!record || !prepared) return;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const go = async () => {
      const kit = h.sweepKit(experiment);
      if (!kit) return;
      const accuracy = h.metric.key === 'valAcc';
      let session: LiveSearch;
      try {
        session = await openLiveSearch(record, { experiment, manualQueue: h.manual.queue, onEvent: () => h.saving.persist(), spawn: kit.spawnSearch });
      } catch (e) {
        h.live.sweepError = e instanceof Error ? e.message : `The sweep could not start: ${String(e)}`;
        return;
      }
      h.saving.search = { studyId: record.id, live: session };
      h.record = { ...record, experiment };
      h.library.lastId = record.id;
      h.library.running = true;
      // in the store before its first trial: another tab (or a reload) finds the study at once,
      // whatever the spacing of the saves while it runs
      h.saving.persistNow();
      await h.library.flush();
      await h.live.run({
        experiment,
        data: kit.data,
        session,
        objective: objectiveFn(metricKeyOf(accuracy)),
        factory: kit.factory,
        boundaryGrid: h.data.dataset?.is2d ? GRID : 0,
        boundaryExtent: h.data.boundaryExtent,
        metric: h.metric.key,
        verdictOpts: () => h.data.verdictOpts,
        nTest: prepared.test?.y.length ?? 0,
        notice: session.divergedAt === null ? undefined : `This version of the app would have proposed trial #${session.divergedAt + 1} differently: the study continues from its saved trials, but later trials may differ from an uninterrupted run.`,
        // trials ended: saved at once (the library spaces its writes), not with the epochs' 3 s
        changed: () => {
          h.manual.sync();
          h.saving.persist(0);
        },
      });
      h.library.running = false;
      // the calibration may have measured this device during the sweep: the estimate uses it now
      void h.refreshRate();
      h.saving.persistNow();
      await h.library.flush();
      h.opening.compareWithLinked();
    };
    if (!locks) return go();
    await locks.request(lockName(record.id), { ifAvailable: true }, async (lock) => {
      if (!lock) {
        h.followedTab = true;
        h.live.sweepError = 'Another tab is running this study: this tab follows it live.';
        return;
      }
      await go();
    });
  }
}
