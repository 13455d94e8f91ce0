import type { DataSpec, Task } from '../experiment/types';
import { generate2d } from './generators';
import type { Gen2dKind } from './generators';
import { makeDataset } from './hash';
import { loadMlpg } from './mlpg';
import type { Dataset, FetchFn } from './types';

/**
 * A registered dataset. 2-D entries are generated in the browser (their id is the generator);
 * real entries are `<id>.json` + `<id>.bin` under the app's `datasets/` folder, and their licence
 * and citation come from that header once loaded.
 * Adding a dataset = one file (a generator in generators.ts, or the .json/.bin pair) + one line here.
 */
export type DatasetEntry =
  | { id: Gen2dKind; kind: '2d'; task: 'classification'; label: string; blurb: string }
  | { id: string; kind: 'real'; task: Task; label: string; blurb: string; image?: ImageEntry }
  | { id: 'csv'; kind: 'upload'; task: Task; label: string; blurb: string };

/** What the registry knows of an image dataset before it is loaded: its size, how its pixels are
 *  standardised, whether mirror images keep their class, and a notice that must ship beside it. */
export interface ImageEntry {
  width: number;
  height: number;
  channels: number;
  scaling: 'image' | 'pixel';
  flips: boolean;
  notice?: string;
}

/** Every dataset the UI offers, in display order. `blurb`: one sentence for a student. */
export const DATASETS: readonly DatasetEntry[] = [
  { id: 'circle', kind: '2d', task: 'classification', label: 'Circle', blurb: 'A disc of one class inside a ring of the other: no straight line separates them.' },
  { id: 'xor', kind: '2d', task: 'classification', label: 'XOR', blurb: 'Opposite quadrants share a class, so a linear model does no better than chance.' },
  { id: 'gauss', kind: '2d', task: 'classification', label: 'Gaussian', blurb: 'Two Gaussian blobs: almost linearly separable until noise makes them overlap.' },
  { id: 'spiral', kind: '2d', task: 'classification', label: 'Spiral', blurb: 'Two interleaved spirals, the hardest 2-D set: it needs width or depth.' },
  { id: 'moons', kind: '2d', task: 'classification', label: 'Moons', blurb: "Two interlocking half-moons, as in scikit-learn's make_moons." },
  { id: 'penguins', kind: 'real', task: 'classification', label: 'Palmer penguins', blurb: '342 penguins of 3 species, told apart by bill, flipper and body-mass measurements.' },
  { id: 'iris', kind: 'real', task: 'classification', label: 'Iris', blurb: "Fisher's 150 irises of 3 species, from 4 petal and sepal measurements." },
  { id: 'breast_cancer', kind: 'real', task: 'classification', label: 'Breast cancer (Wisconsin)', blurb: '569 biopsies, malignant or benign, from 30 measurements of cell nuclei.' },
  { id: 'digits8x8', kind: 'real', task: 'classification', label: 'Digits 8×8', blurb: '1,797 handwritten digits as tiny 8×8 images: 64 pixel features, 10 classes.', image: { width: 8, height: 8, channels: 1, scaling: 'pixel', flips: false } },
  { id: 'mnist_2500', kind: 'real', task: 'classification', label: 'MNIST 2,500', blurb: '2,500 handwritten digits as 28×28 images, 250 per class; the last 500 are the fixed test split. A first CNN.', image: { width: 28, height: 28, channels: 1, scaling: 'image', flips: false } },
  { id: 'fashion_mnist_2500', kind: 'real', task: 'classification', label: 'Fashion-MNIST 2,500', blurb: '2,500 28×28 photos of clothes in 10 kinds (shirt, sneaker, bag…); harder than digits, and a mirror image is still the same garment.', image: { width: 28, height: 28, channels: 1, scaling: 'image', flips: true, notice: 'fashion_mnist_2500.LICENSE.txt' } },
  { id: 'auto_mpg', kind: 'real', task: 'regression', label: 'Auto MPG', blurb: "Predict a 1970s-80s car's fuel economy (miles per gallon) from 9 attributes." },
  { id: 'csv', kind: 'upload', task: 'classification', label: 'Your CSV file…', blurb: 'Your own table: a header row, numeric feature columns and a target column (text labels or few whole numbers = classes, other numbers = regression). It stays in this browser.' },
];

/** The registry entry for `id`, or undefined if there is none. */
export function getDataset(id: string): DatasetEntry | undefined {
  return DATASETS.find((e) => e.id === id);
}

/** Generate a 2-D dataset for `spec` (uses spec.samples, spec.noise, spec.seed). Synchronous. */
export function generateDataset(entry: Extract<DatasetEntry, { kind: '2d' }>, spec: DataSpec): Dataset {
  const { x, y } = generate2d(entry.id, spec.samples, spec.noise, spec.seed);
  return makeDataset({
    id: entry.id,
    name: entry.label,
    task: 'classification',
    features: ['x1', 'x2'],
    classes: ['0', '1'],
    n: y.length,
    d: 2,
    x,
    y,
    is2d: true,
    meta: {
      license: 'generated',
      licenseNote: 'Synthetic points generated in your browser by this app; part of the app, no third-party data.',
      citation: 'Shapes after TensorFlow Playground (Smilkov, Carter et al., 2016) and scikit-learn make_moons.',
      sourceText: `generated: ${entry.id}, ${spec.samples} points, noise ${spec.noise}, seed ${spec.seed}`,
    },
  });
}

/**
 * The dataset named by `spec.id`: generated for 2-D entries, fetched from `baseUrl` (the folder
 * holding the shipped .json/.bin files) for real ones. Rejects on an unknown id or a bad file.
 */
export async function loadDataset(spec: DataSpec, baseUrl: string, fetchFn?: FetchFn): Promise<Dataset> {
  const entry = getDataset(spec.id);
  if (!entry) throw new Error(`Unknown dataset '${spec.id}'`);
  if (entry.kind === '2d') return generateDataset(entry, spec);
  if (entry.kind === 'upload') throw new Error('Load a CSV file first (the "Load CSV file" button under the dataset list).');
  const ds = await loadMlpg(baseUrl, entry.id, fetchFn);
  if (ds.task !== entry.task) throw new Error(`Dataset '${ds.id}' is ${ds.task} but the registry says ${entry.task}`);
  if (entry.image && ds.image) {
    ds.image = { ...ds.image, scaling: entry.image.scaling, flips: entry.image.flips };
    // a notice that must ship with the data is shipped beside it, and linked as its licence
    if (entry.image.notice) ds.meta = { ...ds.meta, licenseUrl: `${baseUrl.replace(/\/+$/, '')}/${entry.image.notice}` };
  }
  return ds;
}
