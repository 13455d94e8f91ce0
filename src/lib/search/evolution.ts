import type { TrialParams } from '../experiment/types';
import { distinctCapacity, drawDistinct, takenKeys, type DedupeOptions } from './distinct';
import { outcomeValue } from './history';
import { makeRng, normal, randInt, type Rng } from './rng';
import { paramsFromUnit, paramsKey, snapUnit, unitFromParams } from './space';
import type { Dimension, EvolutionMember, EvolutionSnapshot, Strategy, StrategyContext, TrialState } from './types';

/** Tuning knobs of the genetic search; every field has a default. */
export interface EvolutionOptions extends DedupeOptions {
  /** members per generation, >= 2; default defaultPopulationSize(budget). */
  populationSize?: number;
  /** best trials carried into each new generation unchanged (not re-trained); default 2 (1 when P < 4). */
  elites?: number;
  /** tournament size of parent selection; default 3. */
  tournament?: number;
  /** probability that a child is a crossover of two parents (else a copy of one); default 0.9. */
  crossoverRate?: number;
  /** probability that each numeric gene is mutated; default max(1/d, 0.5). */
  mutationRate?: number;
  /** standard deviation of a numeric mutation, unit-cube units; default 0.2. */
  mutationSigma?: number;
  /** probability that a categorical gene is resampled uniformly; default 0.3. */
  resampleRate?: number;
  /** BLX-α blend range of numeric crossover; default 0.3. */
  blendAlpha?: number;
}

/** Breeding attempts per child before it is drawn at random instead (its configuration was
 *  tried, is running or is queued). */
const BREED_ATTEMPTS = 20;

/** Population size: round(budget / 4) clamped to [4, 16] (8 for a budget of 30). */
export function defaultPopulationSize(budget: number): number {
  return Math.max(4, Math.min(16, Math.round(budget / 4)));
}

/** A genetic search that can also say which generation each trial belongs to. */
export interface EvolutionStrategy extends Strategy {
  /** generation (from 0) in which trial `id` was proposed; undefined for unknown ids. */
  generationOf(id: number): number | undefined;
  describe(): EvolutionSnapshot;
}

interface Member {
  /** position in ask order (null while queued; elites keep their original's). */
  ordinal: number | null;
  /** trial id, known once the trial is told (elites: from the start). */
  id: number | null;
  generation: number;
  params: TrialParams;
  origin: EvolutionMember['origin'];
  parents: number[];
}

interface Result {
  fitness: number | null;
  state: TrialState;
}

/** reflects v into [0, 1] (a mutation past an edge bounces back instead of sticking to it). */
function reflect(v: number): number {
  let x = v;
  for (let i = 0; i < 4 && (x < 0 || x > 1); i++) x = x < 0 ? -x : 2 - x;
  return Math.min(1, Math.max(0, x));
}

/**
 * Genetic search. Generation 0 is P random trials. Each later generation keeps the best
 * `elites` trials so far (not re-trained) and breeds P - elites children: two parents chosen
 * by k-tournament from the previous generation, blend (BLX-α) crossover on numeric genes and
 * uniform crossover on categorical ones, then Gaussian mutation (categoricals: resampling). In
 * a conditional space a gene one parent lacks comes from the other (drawn at random when both
 * lack it), and a child has only the genes its own values make active.
 * A generation is bred once every child of the previous one was asked and at least half of
 * that generation has a fitness; until then `ask` returns null (wait) — unless nothing is
 * running, in which case it breeds from what it has. Failed trials have the worst fitness;
 * pruned ones their last objective. No configuration is proposed twice: a child that repeats a
 * finished, running or queued one is bred again, then drawn at random; when a small discrete
 * space has nothing new left, ask returns null.
 */
export function createEvolution(ctx: StrategyContext, options: EvolutionOptions = {}): EvolutionStrategy {
  const dims: Dimension[] = ctx.dims;
  const P = Math.max(2, options.populationSize ?? defaultPopulationSize(ctx.budget));
  const E = Math.max(0, Math.min(P - 1, options.elites ?? (P < 4 ? 1 : 2)));
  const k = Math.max(1, options.tournament ?? 3);
  const crossoverRate = options.crossoverRate ?? 0.9;
  const numericDims = dims.filter((d) => d.spec.type !== 'categorical').length;
  // Mutations are wide and frequent: with narrow ones (σ 0.1, 30% of genes, 15% of choices)
  // most children landed next to a parent, and the population converged before it found the
  // best region (search bench: reached in 85% of seeds instead of 98%; bench/README.md).
  const mutationRate = options.mutationRate ?? Math.max(numericDims > 0 ? 1 / numericDims : 1, 0.5);
  const sigma = options.mutationSigma ?? 0.2;
  const resampleRate = options.resampleRate ?? 0.3;
  const alpha = options.blendAlpha ?? 0.3;
  const rng: Rng = makeRng(ctx.seed, 'evolution');

  const generations: Member[][] = [];
  const results = new Map<number, Result>();
  const paramsById = new Map<number, TrialParams>();
  /** proposed members in ask order, and told ones by trial id. */
  const asked: Member[] = [];
  const byId = new Map<number, Member>();
  const queue: Member[] = [];
  // The pool numbers trials in ask order from some first id; learnt from each tell, so that
  // running trials can be named before they end.
  let idOffset = 0;

  const fitnessOf = (id: number | null): number | null => (id === null ? null : results.get(id)?.fitness ?? null);
  const key = (p: TrialParams) => paramsKey(dims, p);

  /** configurations not to propose: finished (unless repeats), running, asked and queued. */
  function taken(pending: TrialParams[]): Set<string> {
    const out = takenKeys(dims, [...paramsById.values()].map(key), pending, options.repeats);
    if (!options.repeats) for (const m of asked) out.add(key(m.params));
    for (const m of queue) out.add(key(m.params));
    return out;
  }

  /** a random member whose configuration is not in `avoid`, or null when none is left. */
  function randomMember(generation: number, avoid: ReadonlySet<string>): Member | null {
    const params = drawDistinct(dims, rng, avoid);
    return params && { ordinal: null, id: null, generation, params, origin: 'random', parents: [] };
  }

  /** every finished trial with a fitness, best first (ties: lower id). */
  function ranked(): { id: number; fitness: number }[] {
    const out: { id: number; fitness: number }[] = [];
    for (const [id, r] of results) if (r.fitness !== null) out.push({ id, fitness: r.fitness });
    return out.sort((a, b) => a.fitness - b.fitness || a.id - b.id);
  }

  function tournamentPick(pool: { id: number; fitness: number }[]): { id: number; fitness: number } {
    let best = pool[randInt(rng, pool.length)];
    for (let i = 1; i < k; i++) {
      const c = pool[randInt(rng, pool.length)];
      if (c.fitness < best.fitness || (c.fitness === best.fitness && c.id < best.id)) best = c;
    }
    return best;
  }

  /** a gene of both parents: a parent that lacks it (inactive there) takes the other's; when
   *  both lack it, both take one drawn at random. */
  function genes(x: number, y: number): [number, number] {
    if (!Number.isNaN(x) && !Number.isNaN(y)) return [x, y];
    if (Number.isNaN(x) && Number.isNaN(y)) {
      const r = rng();
      return [r, r];
    }
    return Number.isNaN(x) ? [y, y] : [x, x];
  }

  function breedChild(a: number, b: number): number[] {
    const pa = unitFromParams(dims, paramsById.get(a)!);
    const pb = unitFromParams(dims, paramsById.get(b)!);
    const cross = a !== b && rng() < crossoverRate;
    const ua: number[] = [];
    const ub: number[] = [];
    pa.forEach((x, j) => ([ua[j], ub[j]] = genes(x, pb[j])));
    return dims.map((d, j) => {
      if (d.spec.type === 'categorical') {
        const v = cross && rng() < 0.5 ? ub[j] : ua[j];
        return rng() < resampleRate ? rng() : v;
      }
      let v = ua[j];
      if (cross) {
        const lo = Math.min(ua[j], ub[j]);
        const span = Math.abs(ua[j] - ub[j]);
        v = lo - alpha * span + rng() * span * (1 + 2 * alpha);
      }
      if (rng() < mutationRate) v += sigma * normal(rng);
      return reflect(v);
    });
  }

  /** breeds the next generation into `queue`; returns false when it should rather wait (or
   *  nothing new is left to propose). */
  function breed(pending: TrialParams[]): boolean {
    const prev = generations[generations.length - 1];
    const evaluatedPrev = prev.filter((m) => fitnessOf(m.id) !== null).map((m) => ({ id: m.id!, fitness: fitnessOf(m.id)! }));
    if (evaluatedPrev.length < Math.ceil(prev.length / 2) && pending.length > 0) return false;
    const all = ranked();
    // the parent pool: the previous generation's evaluated members (its elites included);
    // if it has none yet, every evaluated trial
    const pool = evaluatedPrev.length > 0 ? evaluatedPrev : all;
    const generation = generations.length;
    const members: Member[] = all.slice(0, E).map((e) => ({
      ordinal: byId.get(e.id)?.ordinal ?? null,
      id: e.id,
      generation,
      params: paramsById.get(e.id)!,
      origin: 'elite' as const,
      parents: [e.id],
    }));
    const avoid = taken(pending);
    const children: Member[] = [];
    while (members.length + children.length < P) {
      let child: Member | null = null;
      for (let attempt = 0; attempt < BREED_ATTEMPTS && pool.length > 0 && !child; attempt++) {
        const a = tournamentPick(pool).id;
        const b = tournamentPick(pool).id;
        const params = paramsFromUnit(dims, snapUnit(dims, breedChild(a, b)));
        if (!avoid.has(key(params))) child = { ordinal: null, id: null, generation, params, origin: 'child', parents: a === b ? [a] : [a, b] };
      }
      child ??= randomMember(generation, avoid);
      // nothing new left in the space: the generation stays short
      if (!child) break;
      avoid.add(key(child.params));
      children.push(child);
    }
    if (children.length === 0) return false;
    generations.push([...members, ...children]);
    queue.push(...children);
    return true;
  }

  function ask(pending: TrialParams[]): TrialParams | null {
    if (generations.length === 0) {
      const avoid = taken(pending);
      const first: Member[] = [];
      for (let i = 0; i < P; i++) {
        const m = randomMember(0, avoid);
        if (!m) break;
        avoid.add(key(m.params));
        first.push(m);
      }
      if (first.length === 0) return null;
      generations.push(first);
      queue.push(...first);
    }
    if (queue.length === 0 && !breed(pending)) return null;
    const m = queue.shift()!;
    m.ordinal = asked.length;
    asked.push(m);
    return m.params;
  }

  function describe(): EvolutionSnapshot {
    return {
      kind: 'evolution',
      populationSize: P,
      elites: E,
      generations: generations.map((members, index) => ({
        index,
        members: members.map((m) => ({
          id: m.id ?? (m.ordinal === null ? null : m.ordinal + idOffset),
          params: { ...m.params },
          origin: m.origin,
          parents: [...m.parents],
          fitness: fitnessOf(m.id),
          state: m.id !== null ? results.get(m.id)?.state ?? 'running' : m.ordinal === null ? 'queued' : 'running',
        })),
      })),
    };
  }

  return {
    capacity: distinctCapacity(dims, options.repeats),
    ask,
    tell(id, params, outcome) {
      const k = key(params);
      // normally the member at ordinal id - offset; else the earliest running one with these params
      let m: Member | undefined = asked[id - idOffset];
      if (!m || m.id !== null || key(m.params) !== k) m = asked.find((x) => x.id === null && key(x.params) === k);
      if (m) {
        m.id = id;
        idOffset = id - m.ordinal!;
        byId.set(id, m);
      }
      paramsById.set(id, params);
      const v = outcomeValue(outcome);
      results.set(id, { fitness: Number.isFinite(v) ? v : Infinity, state: outcome.state });
    },
    generationOf(id) {
      const told = byId.get(id);
      if (told) return told.generation;
      const running = asked[id - idOffset];
      return running && running.id === null ? running.generation : undefined;
    },
    describe,
  };
}
