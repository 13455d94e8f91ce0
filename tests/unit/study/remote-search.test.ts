/**
 * A search in a worker (remote-search.ts ↔ search-host.ts) over a real message channel: the
 * same trials, log, pruner reasons and pictures as the same search on this thread, a resume
 * across the thread, the log in call order while answers are in flight, and a crash that fails
 * calls with a sentence instead of hanging them.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PrunerConfig, StrategyKind } from '../../../src/lib/experiment/types';
import { localSearch, type LiveSearch } from '../../../src/lib/study/live-search';
import { newStudy } from '../../../src/lib/study/record';
import { remoteSearch, type SearchEndpoint } from '../../../src/lib/study/remote-search';
import { openLiveSearch, resumeSearch } from '../../../src/lib/study/resume';
import { searchHost, type SearchHostApi } from '../../../src/lib/study/search-host';
import type { StudyRecord } from '../../../src/lib/study/types';
import { experimentWith } from './fixtures';
import { copyWorld, newWorld, objectiveAt, runSim, runSimLive, worldTrials, type SimOptions } from './simulate';

const ports: MessagePort[] = [];
afterEach(() => ports.splice(0).forEach((p) => p.close()));

/** One end of a channel whose other end serves `host`; `crash(message)` fires the worker's error event. */
function channel(host: SearchHostApi = searchHost()): SearchEndpoint & { crash(message: string): void; terminated: boolean } {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  Comlink.expose(host, port2 as unknown as Comlink.Endpoint);
  const onError: ((e: Event) => void)[] = [];
  const end = port1 as unknown as Comlink.Endpoint;
  const ep = {
    terminated: false,
    postMessage: (m: unknown, t?: Transferable[]) => end.postMessage(m, t),
    addEventListener: (type: string, h: EventListenerOrEventListenerObject) => (type === 'error' ? onError.push(h as (e: Event) => void) : end.addEventListener(type, h as EventListener)),
    removeEventListener: (type: string, h: EventListenerOrEventListenerObject) => end.removeEventListener(type, h as EventListener),
    terminate: () => {
      ep.terminated = true;
      port1.close();
    },
    crash: (message: string) => onError.forEach((h) => h(Object.assign(new Event('error', { cancelable: true }), { message }))),
  };
  return ep;
}

const study = (kind: StrategyKind, pruner: PrunerConfig['kind'] = 'none', budget = 12): StudyRecord =>
  newStudy({ id: 'remote', now: 0, experiment: experimentWith(kind, pruner, { budget, epochs: 6 }), metric: 'valLoss' });
const sim = (s: StudyRecord): SimOptions => ({ lanes: 2, epochs: s.experiment.model.epochs, repeats: 1 });

const CASES: [StrategyKind, PrunerConfig['kind']][] = [['gp', 'median'], ['tpe', 'asha'], ['evolution', 'hyperband'], ['random', 'none'], ['grid', 'asha'], ['quasirandom', 'none']];

describe('a search in a worker', () => {
  it.each(CASES)('%s with the %s pruner asks, prunes and logs exactly what the same search on this thread does', async (kind, pruner) => {
    const s = study(kind, pruner);
    const here = resumeSearch(s);
    runSim(here, newWorld(), sim(s));
    const there = await openLiveSearch(s, { spawn: () => channel() });
    await runSimLive(there, newWorld(), sim(s));
    await there.settled();
    expect(there.log).toEqual(here.log);
    expect(there.remaining).toBe(0);
    for (const e of here.log) if (e.k === 'tell' && e.outcome.state === 'pruned') expect(there.reasonFor(e.id)).toBe(here.pruner!.reasonFor(e.id));
    expect(await there.describe()).toEqual(await localSearch(here).describe());
    there.close();
  });

  it('a pruned study really prunes in these cases (the test above compares something)', async () => {
    const s = study('tpe', 'asha');
    const there = await openLiveSearch(s, { spawn: () => channel() });
    await runSimLive(there, newWorld(), sim(s));
    await there.settled();
    expect(there.log.some((e) => e.k === 'tell' && e.outcome.state === 'pruned')).toBe(true);
    expect(there.log.filter((e) => e.k === 'tell' && e.outcome.state === 'pruned').every((e) => e.k === 'tell' && /./.test(there.reasonFor(e.id) ?? ''))).toBe(true);
  });

  it('resumes a study stopped mid-sweep in a fresh worker: the log ends as an uninterrupted run\'s', async () => {
    const s = study('gp', 'median', 10);
    const full = resumeSearch(s);
    runSim(full, newWorld(), sim(s));
    const first = await openLiveSearch(s, { spawn: () => channel() });
    const world = newWorld();
    expect(await runSimLive(first, world, sim(s), 4)).toBe('stopped');
    await first.settled();
    first.close();
    const saved: StudyRecord = { ...s, trials: worldTrials(world), log: [...first.log] };
    const second = await openLiveSearch(saved, { spawn: () => channel() });
    expect(second.divergedAt).toBeNull();
    // the interrupted trials come back first, with their ids and params
    const w2 = copyWorld(world);
    const back = [...w2.running].sort((a, b) => a.id - b.id);
    expect(back.length).toBeGreaterThan(0);
    for (const r of back) {
      expect(await second.next()).toEqual({ id: r.id, params: r.params, rerun: true });
      for (let ep = 1; ep <= r.done; ep++) expect(await second.tellEpoch(r.id, ep, objectiveAt(r.id, r.params, ep))).toBe('continue');
    }
    await runSimLive(second, w2, sim(s));
    await second.settled();
    expect(second.log).toEqual(full.log);
  });

  it('keeps the log in call order while answers are in flight, and saves it whole once settled', async () => {
    const s = study('tpe');
    const here = resumeSearch(s);
    const there = await openLiveSearch(s, { spawn: () => channel() });
    const a = here.next()!;
    expect(await there.next()).toEqual(a);
    // the outcome of trial 0 and the next ask leave together; the log holds them in that order
    here.tell(a.id, a.params, { state: 'complete', objective: 0.5, curve: [0.7, 0.5] });
    const b = here.next();
    there.tell(a.id, a.params, { state: 'complete', objective: 0.5, curve: [0.7, 0.5] });
    const asked = there.next();
    expect(there.log.length).toBe(1);
    await there.settled();
    expect(there.log).toEqual(here.log);
    expect(await asked).toEqual(b);
  });

  it('hears every new event once, in log order', async () => {
    const s = study('random', 'median');
    const heard: unknown[] = [];
    const there = await openLiveSearch(s, { spawn: () => channel(), onEvent: (e) => heard.push(e) });
    await runSimLive(there, newWorld(), sim(s));
    await there.settled();
    expect(heard).toEqual(there.log);
  });

  it('a crashed worker fails the call in flight and every later one with a sentence; nothing hangs', async () => {
    const host = searchHost();
    const stuck: SearchHostApi = { ...host, next: () => new Promise(() => undefined) as never };
    const ep = channel(stuck);
    const there = await openLiveSearch(study('gp'), { spawn: () => ep });
    const inFlight = there.next();
    ep.crash('out of memory');
    await expect(inFlight).rejects.toThrow('The search worker crashed: out of memory.');
    await expect(there.tellEpoch(0, 1, 0.5)).rejects.toThrow('The search worker crashed: out of memory.');
    await expect(there.describe()).rejects.toThrow(/crashed/);
    await there.settled();
    there.close();
    expect(ep.terminated).toBe(true);
  });

  it('a worker that goes silent (closed from inside) fails the call after the no-answer limit, then every later one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const host = searchHost();
      const ep = channel({ ...host, next: () => new Promise(() => undefined) as never });
      const there = await openLiveSearch(study('tpe'), { spawn: () => ep });
      const inFlight = there.next();
      const said = expect(inFlight).rejects.toThrow('The search worker stopped answering (no answer in 15 s).');
      await vi.advanceTimersByTimeAsync(15_000);
      await said;
      await expect(there.tellEpoch(0, 1, 0.5)).rejects.toThrow(/stopped answering/);
      there.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a worker whose script does not load fails the opening with what to do', async () => {
    const ep = channel({ ...searchHost(), open: () => new Promise(() => undefined) as never });
    const opening = openLiveSearch(study('gp'), { spawn: () => ep });
    ep.crash('');
    await expect(opening).rejects.toThrow('The search worker could not start (its script did not load). Reload the page to try again; nothing was lost.');
    expect(ep.terminated).toBe(true);
  });

  it('a strategy that throws fails the sweep\'s next call with its message; the log keeps what was answered', async () => {
    const host = searchHost();
    let calls = 0;
    const breaking: SearchHostApi = { ...host, next: () => (++calls > 2 ? (() => { throw new Error('the GP fit failed'); })() : host.next()) };
    const there = await openLiveSearch(study('gp'), { spawn: () => channel(breaking) });
    await there.next();
    await there.next();
    await expect(there.next()).rejects.toThrow('the GP fit failed');
    await there.settled();
    expect(there.log.filter((e) => e.k === 'ask')).toHaveLength(2);
    there.close();
  });

  it('manual search and a missing worker stay on this thread', async () => {
    const s = study('random');
    const spawned: SearchEndpoint[] = [];
    const local = await openLiveSearch(s);
    const manual = await openLiveSearch({ ...s, experiment: { ...s.experiment, strategy: { ...s.experiment.strategy, kind: 'manual' } } }, { manualQueue: [], spawn: () => spawned[spawned.push(channel()) - 1] });
    expect(spawned).toHaveLength(0);
    expect((await local.next())?.id).toBe(0);
    expect(await manual.next()).toBeNull();
  });
});
