/**
 * A search session in a search worker (search.worker.ts), as a LiveSearch. Calls go out in the
 * sweep's order and the worker answers them in that order, so the log kept here is the worker's:
 * each call holds a place in it when made, filled with the events its answer carries. A crashed
 * worker fails the call in flight and every later one with a sentence, never a hang.
 */
import * as Comlink from 'comlink';
import type { LiveSearch } from './live-search';
import type { Answer, SearchHostApi, SearchSpec } from './search-host';
import type { SearchEvent } from './types';

/** Longest wait for one answer, ms: an ask at the largest budget takes well under a second. */
const NO_ANSWER_MS = 15_000;
/** Longest wait for the opening replay of a saved log (every logged ask is asked again), ms. */
const OPEN_MS = 120_000;

/** What remoteSearch talks through: a Worker, or in tests one end of a MessageChannel. */
export interface SearchEndpoint extends Comlink.Endpoint {
  terminate(): void;
}

/**
 * Opens `spec`'s search in the worker behind `endpoint` (replaying its log there) and resolves
 * once it is ready. `onEvent` hears every new event as it lands in the log.
 */
export async function remoteSearch(endpoint: SearchEndpoint, spec: SearchSpec, onEvent?: (e: SearchEvent) => void): Promise<LiveSearch> {
  const api = Comlink.wrap<SearchHostApi>(endpoint);
  let failure: Error | null = null;
  /** the worker answered its opening: a later error is a crash, an earlier one a failed start. */
  let ready = false;
  let fail: (e: Error) => void = () => undefined;
  const crashed = new Promise<never>((_, reject) => {
    fail = (e) => {
      failure ??= e;
      reject(e);
    };
  });
  crashed.catch(() => undefined);
  endpoint.addEventListener('error', (e) => {
    e.preventDefault();
    const message = (e as { message?: string }).message;
    fail(new Error(ready ? `The search worker crashed${message ? `: ${message}` : ''}.` : `The search worker could not start${message ? `: ${message}` : ' (its script did not load)'}. Reload the page to try again; nothing was lost.`));
  });
  endpoint.addEventListener('messageerror', () => fail(new Error('The search worker sent a message that could not be read.')));
  /** `p`, or the crash, or a sentence after `ms` without an answer (a worker that closed itself says nothing). */
  const guard = <T>(p: Promise<T>, ms = NO_ANSWER_MS): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new Error(`The search worker stopped answering (no answer in ${ms / 1000} s).`);
        fail(e);
        reject(e);
      }, ms);
    });
    return Promise.race([p, crashed, silent]).finally(() => clearTimeout(timer));
  };

  const log: SearchEvent[] = [...spec.log];
  /** the calls not answered yet, in call order; an answered one holds its events until those before it land. */
  const waiting: { events: SearchEvent[] | null }[] = [];
  const reasons = new Map<number, string>();
  let remaining = 0;
  let idle: (() => void)[] = [];
  /** one silence timer for the calls in flight (not one per call: a call goes out per trial-epoch),
   *  re-armed by every answer, off while nothing waits. */
  let silence: ReturnType<typeof setTimeout> | undefined;
  const watch = () => {
    clearTimeout(silence);
    silence = waiting.length ? setTimeout(() => fail(new Error(`The search worker stopped answering (no answer in ${NO_ANSWER_MS / 1000} s).`)), NO_ANSWER_MS) : undefined;
  };
  const land = () => {
    while (waiting.length && waiting[0].events) {
      for (const e of waiting.shift()!.events!) {
        log.push(e);
        onEvent?.(e);
      }
    }
    watch();
    if (waiting.length === 0) idle.splice(0).forEach((f) => f());
  };
  const call = <A extends Answer>(p: () => Promise<A>): Promise<A> => {
    if (failure) return Promise.reject(failure);
    const place: { events: SearchEvent[] | null } = { events: null };
    waiting.push(place);
    if (waiting.length === 1) watch();
    return Promise.race([p(), crashed]).then(
      (a) => {
        place.events = a.events;
        remaining = a.remaining;
        land();
        return a;
      },
      (e: unknown) => {
        place.events = [];
        failure ??= e instanceof Error ? e : new Error(String(e));
        land();
        throw failure;
      },
    );
  };

  const opened = await guard(api.open(spec), OPEN_MS).catch((e: unknown) => {
    endpoint.terminate();
    throw e;
  });
  ready = true;
  remaining = opened.remaining;
  let closed = false;
  return {
    next: () => call(() => api.next()).then((a) => a.trial),
    tellEpoch: (id, epoch, objective) =>
      call(() => api.tellEpoch(id, epoch, objective)).then((a) => {
        if (a.reason) reasons.set(id, a.reason);
        return a.decision;
      }),
    // the outcome's failure, if any, fails the next call that waits for an answer
    tell: (id, params, outcome) => void call(() => api.tell(id, params, outcome)).catch(() => undefined),
    drop: (id) => void call(() => api.drop(id)).catch(() => undefined),
    get remaining() {
      return remaining;
    },
    log,
    divergedAt: opened.divergedAt,
    describe: () => (failure ? Promise.reject(failure) : guard(api.describe())),
    reasonFor: (id) => reasons.get(id) ?? null,
    settled: () => (waiting.length === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r))),
    close() {
      if (closed) return;
      closed = true;
      fail(new Error('The search was closed.'));
      clearTimeout(silence);
      idle.splice(0).forEach((f) => f());
      idle = [];
      api[Comlink.releaseProxy]();
      endpoint.terminate();
    },
  };
}
