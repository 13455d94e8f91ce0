import type { ParamSpec, TrialParams } from '../experiment/types';
import { randInt, type Rng } from './rng';
import { paramsFromUnit, paramsKey } from './space';
import { ConfigTree } from './tree';
import type { Dimension } from './types';

type Searched = Exclude<ParamSpec, { type: 'fixed' }>;

/** Options shared by the strategies that avoid proposing a configuration twice. */
export interface DedupeOptions {
  /** propose configurations that already finished again (e.g. to average over seed noise);
   *  running ones are avoided either way. Default false. */
  repeats?: boolean;
}

/** Redraws before a strategy stops drawing at random and lists what is left (or gives up). */
export const DRAW_ATTEMPTS = 64;
/** Largest discrete space listed in full to find the configurations not yet taken. */
export const MAX_LISTED = 1 << 16;

/** Every value a dimension can take when there are finitely many (each int of an int range,
 *  each choice, a float range of width 0), else null. */
export function discreteValues(spec: Searched): (number | string)[] | null {
  if (spec.type === 'categorical') return [...spec.choices];
  if (spec.type === 'int') {
    const count = spec.high - spec.low + 1;
    return count <= MAX_LISTED ? Array.from({ length: Math.max(0, count) }, (_, i) => spec.low + i) : null;
  }
  return spec.low === spec.high ? [spec.low] : null;
}

/** The configurations of a space whose dimensions are all discrete (see ConfigTree), else null. */
function discreteTree(dims: Dimension[]): ConfigTree | null {
  const axes = dims.map((d) => discreteValues(d.spec));
  return axes.every((a) => a !== null) ? new ConfigTree(dims, axes as (number | string)[][]) : null;
}

/** Number of distinct configurations of a space: the product of the discrete dimensions' sizes
 *  (valid combinations only, in a conditional space), Infinity when a dimension is continuous
 *  (or too large to list). */
export function configurationCount(dims: Dimension[]): number {
  const tree = discreteTree(dims);
  return tree ? Number(tree.size) : Infinity;
}

/** Capacity of a strategy that never proposes a configuration twice: the configuration count
 *  (Infinity for continuous spaces), or Infinity with `repeats`. */
export function distinctCapacity(dims: Dimension[], repeats = false): number {
  return repeats ? Infinity : configurationCount(dims);
}

/**
 * The configurations a strategy must not propose: `finished` (paramsKey of every finished
 * trial; ignored when `repeats`) and the running trials `pending`.
 */
export function takenKeys(dims: Dimension[], finished: Iterable<string>, pending: readonly TrialParams[], repeats = false): Set<string> {
  const taken = new Set<string>(repeats ? [] : finished);
  for (const p of pending) taken.add(paramsKey(dims, p));
  return taken;
}

/** A uniformly random configuration not in `taken` from a space small enough to list, or
 *  null when there is none left (or the space cannot be listed). */
export function untakenAtRandom(dims: Dimension[], rng: Rng, taken: ReadonlySet<string>): TrialParams | null {
  const tree = discreteTree(dims);
  const count = tree ? Number(tree.size) : Infinity;
  if (!tree || count > MAX_LISTED) return null;
  const decode = (index: number): TrialParams => tree.at(BigInt(index));
  const free: number[] = [];
  for (let i = 0; i < count; i++) if (!taken.has(paramsKey(dims, decode(i)))) free.push(i);
  return free.length === 0 ? null : decode(free[randInt(rng, free.length)]);
}

/**
 * The first proposal of `draw` (default: uniformly random) whose configuration is not in
 * `taken`, within `attempts` draws; failing that, a random configuration not taken from a
 * listable discrete space. null when the space is exhausted — every configuration finished or
 * running — or no new one turned up: the strategy has nothing new to propose.
 */
export function drawDistinct(
  dims: Dimension[],
  rng: Rng,
  taken: ReadonlySet<string>,
  draw: () => TrialParams = () => paramsFromUnit(dims, dims.map(() => rng())),
  attempts = DRAW_ATTEMPTS,
): TrialParams | null {
  for (let i = 0; i < attempts; i++) {
    const p = draw();
    if (!taken.has(paramsKey(dims, p))) return p;
  }
  return untakenAtRandom(dims, rng, taken);
}
