/**
 * Handlers and change iterators: how the informer tells its subscribers.
 * Every subscriber sees the same calls in the same order; one that throws
 * is reported and does not stop the others.
 */
import type { InformerChange } from './delta.js';

export interface InformerHandlers<T> {
  onAdd?: (object: T) => void;
  onUpdate?: (old: T, object: T) => void;
  onDelete?: (object: T, info: { finalStateUnknown: boolean }) => void;
  /** After the first complete initial state is in the store and its calls made. */
  onSynced?: () => void;
}

/** What a change iterator yields: the changes, and once, the moment the initial state is complete. */
export type InformerItem<T> = InformerChange<T> | { type: 'synced' };

export class Subscribers<T> {
  private readonly handlers = new Set<InformerHandlers<T>>();
  /** The set as an array, rebuilt on change: a subscriber added by a handler joins after the current call. */
  private snapshot: InformerHandlers<T>[] = [];

  constructor(private readonly onHandlerError: (error: unknown) => void) {}

  get size(): number {
    return this.handlers.size;
  }

  add(handlers: InformerHandlers<T>): () => void {
    this.handlers.add(handlers);
    this.snapshot = [...this.handlers];
    return () => {
      if (this.handlers.delete(handlers)) this.snapshot = [...this.handlers];
    };
  }

  dispatch(change: InformerChange<T>): void {
    for (const h of this.snapshot) this.call(h, change);
  }

  synced(): void {
    for (const h of this.snapshot) this.guard(() => h.onSynced?.());
  }

  /** One subscriber's call for one change (also used to replay the current state to a newcomer). */
  call(h: InformerHandlers<T>, change: InformerChange<T>): void {
    switch (change.type) {
      case 'add':
        if (h.onAdd !== undefined) this.guard(() => h.onAdd!(change.object));
        break;
      case 'update':
        if (h.onUpdate !== undefined) this.guard(() => h.onUpdate!(change.old, change.object));
        break;
      case 'delete':
        if (h.onDelete !== undefined) this.guard(() => h.onDelete!(change.object, { finalStateUnknown: change.finalStateUnknown }));
        break;
    }
  }

  private guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.onHandlerError(error);
    }
  }
}

/**
 * An unbounded queue behind one `changes()` iterator. Unbounded on purpose:
 * the informer must not wait for a slow reader (others share the watch), and
 * a reader that stops reading should `return()` the iterator to unsubscribe.
 */
export class ChangeQueue<T> implements AsyncIterableIterator<InformerItem<T>> {
  private items: InformerItem<T>[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<InformerItem<T>>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly unsubscribe: () => void) {}

  push(item: InformerItem<T>): void {
    if (this.ended) return;
    const resolve = this.waiting;
    if (resolve !== undefined) {
      this.waiting = this.failWaiting = undefined;
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  /** No more items: the iterator ends after the queued ones (or throws `error` after them). */
  end(error?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.unsubscribe();
    const resolve = this.waiting;
    const reject = this.failWaiting;
    this.waiting = this.failWaiting = undefined;
    if (error !== undefined && reject !== undefined) reject(error.error);
    else resolve?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<InformerItem<T>>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(failure.error);
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<InformerItem<T>>> {
    this.items = [];
    this.head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
