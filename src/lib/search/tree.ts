/**
 * The configurations of a conditional space with finitely many values per dimension, counted
 * and numbered without listing them: enumeration per parent branch. A dimension's count is the
 * sum over its values of the product of the counts of the children that value activates; the
 * space's is the product over the unconditional dimensions. Configuration k is read as a
 * mixed-radix number over the unconditional dimensions (in order), each digit choosing a value
 * and, inside it, a configuration of the children it activates. Without conditions this is the
 * plain mixed-radix order of a Cartesian grid. Exact at any size (BigInt).
 */
import { holds } from '../experiment/conditions';
import type { TrialParams } from '../experiment/types';
import type { Dimension } from './types';

type Value = number | string;

/** Numbered configurations of `dims`, each dimension taking the values `axes[i]`. */
export class ConfigTree {
  /** number of valid configurations: only active dimensions vary. */
  readonly size: bigint;
  private readonly roots: number[];
  /** per dimension: the children each of its values activates, and that value's count. */
  private readonly branches: { children: number[]; count: bigint }[][];
  private readonly counts: bigint[];
  /** dimensions no other depends on: each value counts once, indexed directly. */
  private readonly leaves: boolean[];

  /** dims: the dimensions (a conditional one whose parent is not among them never exists);
   *  axes: the values of each, in order. */
  constructor(private readonly dims: readonly Dimension[], private readonly axes: readonly (readonly Value[])[]) {
    const index = new Map(dims.map((d, i) => [d.name, i]));
    const children: number[][] = dims.map(() => []);
    this.roots = [];
    dims.forEach((d, i) => {
      if (!d.when) this.roots.push(i);
      else {
        const p = index.get(d.when.parent);
        if (p !== undefined && p !== i) children[p].push(i);
      }
    });
    this.leaves = children.map((c) => c.length === 0);
    this.counts = new Array<bigint>(dims.length);
    this.branches = new Array(dims.length);
    const visiting = new Set<number>();
    const count = (i: number): bigint => {
      if (this.counts[i] !== undefined) return this.counts[i];
      if (this.leaves[i]) {
        this.branches[i] = [];
        return (this.counts[i] = BigInt(axes[i].length));
      }
      // a cycle of conditions has no valid configuration
      if (visiting.has(i)) return 0n;
      visiting.add(i);
      const when = (c: number) => dims[c].when!;
      this.branches[i] = axes[i].map((v) => {
        const active = children[i].filter((c) => holds(when(c), v));
        return { children: active, count: active.reduce((n, c) => n * count(c), 1n) };
      });
      visiting.delete(i);
      this.counts[i] = this.branches[i].reduce((n, b) => n + b.count, 0n);
      return this.counts[i];
    };
    this.size = this.roots.reduce((n, r) => n * count(r), 1n);
  }

  /** configuration k, 0 <= k < size: the active dimensions only. */
  at(k: bigint): TrialParams {
    if (k < 0n || k >= this.size) throw new RangeError(`ConfigTree: index ${k} outside [0, ${this.size})`);
    const p: TrialParams = {};
    this.product(this.roots, k, p);
    return p;
  }

  /** configuration k of the independent sub-spaces `nodes` (mixed radix, first digit first). */
  private product(nodes: readonly number[], k: bigint, out: TrialParams): void {
    let rest = k;
    for (const i of nodes) {
      const r = this.counts[i];
      this.node(i, rest % r, out);
      rest /= r;
    }
  }

  /** configuration k of dimension i and the children its value activates. */
  private node(i: number, k: bigint, out: TrialParams): void {
    if (this.leaves[i]) {
      out[this.dims[i].name] = this.axes[i][Number(k)];
      return;
    }
    const branches = this.branches[i];
    let rest = k;
    for (let v = 0; v < branches.length; v++) {
      const b = branches[v];
      if (rest < b.count) {
        out[this.dims[i].name] = this.axes[i][v];
        this.product(b.children, rest, out);
        return;
      }
      rest -= b.count;
    }
  }
}
