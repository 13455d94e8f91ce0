/**
 * A few IndexedDB steps in one transaction, on an idb-keyval store: what idb-keyval's own helpers
 * (one operation kind per transaction) cannot do, such as reading a value and writing according
 * to it atomically.
 */
import type { UseStore } from 'idb-keyval';

/** All keys that start with `prefix`. */
export const startingWith = (prefix: string) => IDBKeyRange.bound(prefix, `${prefix}\uffff`);

/** Hands a request's result to `then` once it succeeds. */
export type On = <R>(request: IDBRequest<R>, then: (result: R) => void) => void;

/**
 * Runs `body` in one transaction and resolves once that has committed; rejects with its error (a
 * QuotaExceededError when the disk is full). Reads chain through callbacks, not awaits, because
 * a transaction commits as soon as no request is pending. Anything `body` or a callback throws
 * aborts the transaction, so none of it is written, and is what the promise rejects with.
 */
export function transact(store: UseStore, mode: IDBTransactionMode, body: (s: IDBObjectStore, on: On) => void): Promise<void> {
  return store(mode, (s) => new Promise<void>((resolve, reject) => {
    let failure: unknown;
    const guard = (f: () => void) => {
      try {
        f();
      } catch (e) {
        failure = e;
        s.transaction.abort();
      }
    };
    s.transaction.oncomplete = () => resolve();
    s.transaction.onabort = () => reject(failure ?? s.transaction.error);
    guard(() => body(s, (request, then) => {
      request.onsuccess = () => guard(() => then(request.result));
    }));
  }));
}
