import type { Task } from '../experiment/types';

/** Where a dataset comes from and under what terms; shown next to the data in the UI. */
export interface DatasetMeta {
  /** SPDX id (e.g. `CC-BY-4.0`), or `generated` for the 2-D sets made by this app. */
  license: string;
  /** human note on the licence (who holds what, ShareAlike, packaging licence…). */
  licenseNote?: string;
  /** link to the licence text, when there is one. */
  licenseUrl?: string;
  citation: string;
  /** one line on where the copy came from, e.g. `apt python3-sklearn 1.2.1, …/iris.csv`. */
  sourceText: string;
  /** upstream home page of the data. */
  url?: string;
  /** what was changed from the upstream data (CC BY asks to say so). */
  preprocessing?: string;
}

/** Pixel layout of image datasets; `x` rows are the flattened row-major pixels. */
export interface ImageInfo {
  width: number;
  height: number;
  channels: number;
  /** largest pixel value (16 for digits8x8, 255 for MNIST). */
  maxValue: number;
  /** 'image': standardised with one mean and sd over all pixels (a shifted image means the same
   *  thing), as for the CNN datasets; absent or 'pixel': per pixel, like any other feature. */
  scaling?: 'image' | 'pixel';
  /** whether a mirror image is still the same class (clothes yes, digits no). */
  flips?: boolean;
}

/** A loaded dataset in memory: raw (unnormalised) features and targets. */
export interface Dataset {
  /** registry id. */
  id: string;
  /** human name. */
  name: string;
  task: Task;
  /** feature names, length d. */
  features: string[];
  /** class names (classification only); `y` holds indices into this list. */
  classes?: string[];
  /** name of the regression target (regression only). */
  target?: string;
  /** samples. */
  n: number;
  /** features per sample. */
  d: number;
  /** features: [n, d] row-major, raw units. */
  x: Float32Array;
  /** targets: [n], class index 0..classes.length-1 (as float) or regression target. */
  y: Float32Array;
  /** true for the generated 2-D sets (d = 2, decision boundary can be drawn). */
  is2d: boolean;
  /** fixed test rows [start, end) from the file's `splits`; never mixed into train/val. */
  testRange?: readonly [number, number];
  /** pixel layout for image datasets. */
  image?: ImageInfo;
  meta: DatasetMeta;
  /**
   * content hash, 16 hex digits (see data/hash.ts): computed once by makeDataset from task, n, d,
   * x, y, classes and testRange. Caches of prepared data are keyed by it, never by id or name alone.
   */
  hash: string;
}

/** Minimal fetch: the loaders only need `ok`, `status`, `json()` and `arrayBuffer()`. */
export type FetchFn = (url: string) => Promise<Response>;
