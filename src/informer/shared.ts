/**
 * Shared informers: many subscribers on one resource share one watch and
 * one store. The first `join` starts the informer; a late joiner gets the
 * cached objects first (as onAdd, and its iterator as `add` items); a
 * subscriber that leaves takes away only its own handlers and iterators;
 * the last one out stops the watch (a later join starts a fresh one).
 */
import type { KubeObject } from '../core/event.js';
import type { InformerHandlers, InformerItem } from './changes.js';
import { Informer, type InformerOptions, informerUrl } from './informer.js';
import type { IndexFunction } from './store.js';

/** One subscriber's view of a shared informer. */
export interface InformerSubscription<T> {
  readonly informer: Informer<T>;
  /** Resolves when the shared store has synced (at once for a late joiner). */
  readonly synced: Promise<void>;
  readonly hasSynced: boolean;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): T[];
  byIndex(index: string, value: string): T[];
  /** This subscriber's change iterator (ended when it leaves). */
  changes(options?: { replay?: boolean }): AsyncIterableIterator<InformerItem<T>>;
  /** Removes this subscriber's handlers and iterators; the last one out stops the informer. */
  leave(): void;
}

export class SharedInformer<T = KubeObject> {
  private informer: Informer<T> | undefined;
  private members = 0;
  private readonly options: InformerOptions<T>;

  constructor(options: InformerOptions<T>) {
    this.options = { ...options, indexers: { ...options.indexers } };
  }

  /** Adds an index to the running store and to every later one; an index name already there is kept as it is. */
  addIndexer(name: string, fn: IndexFunction<T>): void {
    const indexers = this.options.indexers!;
    if (Object.hasOwn(indexers, name)) return;
    indexers[name] = fn;
    this.informer?.addIndexer(name, fn);
  }

  /** Subscribers now joined. */
  get subscribers(): number {
    return this.members;
  }

  /** The running informer, if anyone is joined. */
  get current(): Informer<T> | undefined {
    return this.informer;
  }

  join(handlers: InformerHandlers<T> = {}): InformerSubscription<T> {
    let informer = this.informer;
    if (informer === undefined) {
      informer = this.informer = new Informer<T>(this.options);
      void informer.start();
    }
    this.members++;
    const own = informer;
    const unsubscribe = own.subscribe(handlers);
    const iterators = new Set<AsyncIterableIterator<InformerItem<T>>>();
    let left = false;
    const leave = (): void => {
      if (left) return;
      left = true;
      unsubscribe();
      for (const iterator of iterators) void iterator.return?.();
      iterators.clear();
      this.members--;
      if (this.members === 0 && this.informer === own) {
        this.informer = undefined;
        own.stop();
      }
    };
    return {
      informer: own,
      synced: own.synced,
      get hasSynced() {
        return own.hasSynced;
      },
      get: (name, namespace) => own.get(name, namespace),
      list: (namespace) => own.list(namespace),
      byIndex: (index, value) => own.byIndex(index, value),
      changes: (options) => {
        const iterator = own.changes(options);
        if (left) void iterator.return?.();
        else iterators.add(iterator);
        return iterator;
      },
      leave,
    };
  }
}

/**
 * One SharedInformer per collection URL (path and selectors): every part of
 * an app that asks for the same resource shares its watch. The options of
 * the first `informer()` call for a URL make it (transform, format,
 * paging); later calls may add indexers of other names.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<unknown>>();

  constructor(private readonly defaults: Partial<InformerOptions<KubeObject>> & Pick<InformerOptions, 'registry'>) {}

  informer<T = KubeObject>(options: Partial<InformerOptions<T>> & { indexers?: Record<string, IndexFunction<T>> }): SharedInformer<T> {
    const merged = { ...this.defaults, ...options } as InformerOptions<T>;
    const key = informerUrl(merged).toString();
    let shared = this.informers.get(key) as SharedInformer<T> | undefined;
    if (shared === undefined) {
      shared = new SharedInformer<T>(merged);
      this.informers.set(key, shared as SharedInformer<unknown>);
    } else {
      for (const [name, fn] of Object.entries(options.indexers ?? {})) shared.addIndexer(name, fn);
    }
    return shared;
  }
}
