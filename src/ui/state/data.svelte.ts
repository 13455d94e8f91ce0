import { get as idbGet, set as idbSet } from 'idb-keyval';
import type { DataSpec } from '../../lib/experiment/types';
import { loadDataset } from '../../lib/data/registry';
import { parseCsvDataset, type CsvOptions, type CsvReport } from '../../lib/data/csv';
import { prepare, prepareFolds, type Prepared } from '../../lib/data/split';
import { surfaceExtent } from '../../lib/data/extent';
import type { Dataset } from '../../lib/data/types';
import { LABEL_FLIP_PER_NOISE } from '../../lib/data/generators';
import { knnReference } from '../../lib/analysis/baseline';
import { labelNoiseLoss, verdictOptionsFor, type VerdictOptions } from '../../lib/analysis/verdict';
import type { TrainData } from '../../lib/train/types';

/** IndexedDB key of the last CSV file the user loaded (with the target and task chosen for it). */
const CSV_KEY = 'hpp:csv';

/** The CSV file as kept between visits. */
interface StoredCsv {
  name: string;
  text: string;
  options?: CsvOptions;
}

/**
 * The page's data: the dataset the experiment names (generated, shipped, or the user's CSV
 * file), its prepared split, and what the verdicts compare against. Loading keeps the previous
 * data on any error and says why.
 */
export class DataState {
  dataset = $state.raw<Dataset | null>(null);
  prepared = $state.raw<Prepared | null>(null);
  dataError = $state('');
  dataLoading = $state(false);
  /** what loading the user's CSV file kept, dropped and chose (full sentences). */
  csvReport = $state('');
  /** the columns of the loaded CSV and the target / task used (for the pickers). */
  csv = $state.raw<Pick<CsvReport, 'columns' | 'target' | 'task'> & { options: CsvOptions } | null>(null);
  private uploaded: StoredCsv | null = null;
  private parsed: Dataset | null = null;

  /** k-NN score on this split: the verdicts' yardstick for underfitting (tens of ms, once per split). */
  reference = $derived(this.prepared ? knnReference(this.prepared.data) : null);

  /** @param current the data spec of the experiment now on the page (loads that finish late for an older spec are dropped). */
  constructor(private readonly datasetsUrl: () => string, private readonly current: () => DataSpec, private readonly noise: () => number) {}

  /** What the verdict rules compare against: the class priors, the label noise of generated data, the k-NN reference. */
  verdictOpts: VerdictOptions | null = $derived.by(() => {
    const p = this.prepared;
    const ds = this.dataset;
    if (!p || !ds) return null;
    const noise = ds.is2d && p.data.task === 'classification' ? labelNoiseLoss(this.noise() * LABEL_FLIP_PER_NOISE, p.data.nClasses) : 0;
    return verdictOptionsFor(p.data, noise, this.reference);
  });

  /** Extent of the 2-D decision-surface grid in standardised units (undefined for other data). */
  boundaryExtent = $derived(this.prepared && this.dataset?.is2d ? surfaceExtent([this.prepared.data.xTrain, this.prepared.data.xVal]) : undefined);

  /** Loads (or generates) the dataset and prepares the split. Keeps the previous data on error. */
  async load(spec: DataSpec): Promise<void> {
    this.dataLoading = true;
    try {
      const ds = this.dataset?.id === spec.id && !this.dataset.is2d && spec.id !== 'csv' ? this.dataset
        : spec.id === 'csv' ? await this.storedCsv()
        : await loadDataset(spec, this.datasetsUrl());
      if (JSON.stringify(spec) !== JSON.stringify(this.current())) return; // superseded
      this.dataset = ds;
      this.prepared = prepare(ds, spec);
      this.dataError = '';
    } catch (e) {
      this.dataError = `Could not load the dataset: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.dataLoading = false;
    }
  }

  /** The data of each fold (k-fold) or the one hold-out split, for a sweep of `spec`. */
  foldData(spec: DataSpec, scheme: 'holdout' | 'kfold', k: number): TrainData[] | null {
    if (!this.prepared) return null;
    return scheme === 'kfold' && this.dataset ? prepareFolds(this.dataset, spec, k).map((p) => p.data) : [this.prepared.data];
  }

  /** The CSV file this browser loaded last (kept in IndexedDB), parsed again with its options. */
  private async storedCsv(): Promise<Dataset> {
    if (this.parsed) return this.parsed;
    const saved = this.uploaded ?? (await idbGet<StoredCsv>(CSV_KEY).catch(() => undefined));
    if (!saved) throw new Error('this experiment uses a CSV file that is not stored in this browser: load it with "Load CSV file".');
    return this.parse(saved);
  }

  private parse(file: StoredCsv): Dataset {
    const { dataset, report } = parseCsvDataset(file.text, file.name, file.options ?? {});
    this.uploaded = file;
    this.parsed = dataset;
    this.csv = { columns: report.columns, target: report.target, task: report.task, options: file.options ?? {} };
    this.csvReport = report.notes.join(' ');
    return dataset;
  }

  /**
   * Reads a CSV file (or the current one again with other options: target column, task). On
   * success it becomes the dataset and is kept in IndexedDB for the next visit; a broken file
   * leaves the current data as it was and explains. Returns true when the data changed.
   */
  async loadCsv(file: { name: string; text: string }, options: CsvOptions = {}): Promise<boolean> {
    const before = { uploaded: this.uploaded, parsed: this.parsed, csv: this.csv, report: this.csvReport };
    try {
      this.parse({ ...file, options });
      this.dataError = '';
    } catch (e) {
      Object.assign(this, { uploaded: before.uploaded, parsed: before.parsed, csv: before.csv, csvReport: before.report });
      this.dataError = `Could not read ${file.name}: ${e instanceof Error ? e.message : String(e)} Your current data is unchanged.`;
      return false;
    }
    await idbSet(CSV_KEY, { name: file.name, text: file.text, options } satisfies StoredCsv).catch(() => {
      this.csvReport += ' (It could not be stored in this browser, so a reload will ask for it again.)';
    });
    return true;
  }

  /** The CSV file loaded now (to read it again with another target or task), or null. */
  get file(): { name: string; text: string } | null {
    return this.uploaded && { name: this.uploaded.name, text: this.uploaded.text };
  }

  /** Forget the prepared data so the next load reads the (new) CSV file. */
  invalidate(): void {
    this.dataset = null;
  }
}
