/**
 * The informer: a cache that stays equal to the server's state for one
 * resource (and selector), with add/update/delete handlers, built on the
 * watch client (which owns resume, backoff, stalls and 410s).
 *
 * The initial state, as client-go's reflector gets it:
 * - watch-list (`sendInitialEvents=true`): the current objects come as
 *   ADDED on the watch itself and are collected aside until the bookmark
 *   annotated `k8s.io/initial-events-end`; then the store is reconciled
 *   with them at once;
 * - else a paged LIST (`limit` + `continue`), reconciled the same way, and
 *   the watch starts from its resourceVersion.
 * `watchList: 'auto'` (the default) tries watch-list and falls back to the
 * LIST for good when the server refuses it (400/422, as a server without the
 * feature does). A 410 later, or a watch-list connection lost before its end
 * bookmark, gets the whole state again the same way and reconciles: so no
 * handler call is missed or made twice across reconnects.
 */
import type { KubeObject, WatchEvent } from '../core/event.js';
import type { DecodeLimits } from '../core/limits.js';
import type { BackoffOptions } from '../client/backoff.js';
import { WatchHttpError } from '../client/errors.js';
import { type FetchLike, type RequestOptions, resolveFetch } from '../client/http.js';
import { Watch, type WatchOptions, type WatchSignal } from '../client/watch.js';
import { formatFieldSelector, formatLabelSelector, type FieldSelectorInput, type LabelSelectorInput } from '../kubernetes/selectors.js';
import { type ResourceRef, watchUrl } from '../kubernetes/url.js';
import type { CodecRegistry } from '../negotiate.js';
import type { FieldSelection } from '../core/field-filter.js';
import { ChangeQueue, type InformerHandlers, type InformerItem, Subscribers } from './changes.js';
import { type InformerChange, type Incoming, applyWatchEvent, reconcileStore } from './delta.js';
import { listPages } from './list-pages.js';
import { type IndexFunction, InformerStore, NAMESPACE_INDEX, keyOf, objectKey } from './store.js';

export interface InformerOptions<T = KubeObject> extends RequestOptions, FieldSelection {
  /** A collection URL (`.../api/v1/namespaces/default/pods?labelSelector=...`); or `server` + `resource`. */
  url?: string | URL;
  server?: string | URL;
  resource?: ResourceRef;
  /** With `server` + `resource`: only this namespace. */
  namespace?: string;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  /** The codecs to negotiate and decode with: `createRegistry()` for every built-in one, or only those a bundle should carry. */
  registry: CodecRegistry;
  /** Watch formats, best first. Default: every servable codec, protobuf > cbor > json. */
  formats?: readonly string[];
  /** LIST formats, best first (may name YAML, which no server streams). Default: `formats`. */
  listFormats?: readonly string[];
  /** The initial state by watch-list (true), by LIST (false), or watch-list with a LIST fallback ('auto', the default). */
  watchList?: boolean | 'auto';
  /** LIST page size (`limit`). Default 500; 0 = unpaged. */
  pageSize?: number;
  /**
   * Runs on every object before it enters the store (and reaches a handler):
   * drop what you never read (`metadata.managedFields` is most of a Pod),
   * or map to your own type. One that throws stops the informer with that
   * error (`done` rejects): a cache missing an object is worse than none.
   */
  transform?: (object: KubeObject) => T;
  /** Indexes besides `namespace`: name → the values an object is found under by `byIndex`. */
  indexers?: Record<string, IndexFunction<T>>;
  signal?: AbortSignal;
  /** Watch tuning, passed to the watch client. */
  stallTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  healthyAfterMs?: number;
  maxRetryAfterMs?: number;
  maxRetries?: number;
  timeoutSeconds?: number;
  limits?: Partial<DecodeLimits>;
  /** Connection and sync signals (watch signals, plus the informer's own). */
  onSignal?: (signal: InformerSignal) => void;
  /** A handler threw: default console.error. The informer goes on. */
  onHandlerError?: (error: unknown) => void;
}

export type InformerSignal =
  | WatchSignal
  /** A complete state (LIST or watch-list) was reconciled into the store. */
  | { type: 'state'; source: 'list' | 'watch-list'; objects: number; resourceVersion: string | undefined; changes: number }
  | { type: 'synced'; objects: number }
  /** The server refused watch-list: LIST from now on. */
  | { type: 'watch-list-unsupported'; error: unknown }
  /** A LIST's continue token expired (410): the list starts over. */
  | { type: 'list-restart'; expiries: number };

export interface InformerStats {
  /** How the initial state is taken now. */
  mode: 'watch-list' | 'list';
  /** Complete states reconciled (the first sync and every re-list or watch-list after it). */
  states: number;
  adds: number;
  updates: number;
  deletes: number;
  /** Deletes found by a re-list (final state unknown). */
  vanished: number;
  listRestarts: number;
}

export class Informer<T = KubeObject> implements AsyncIterable<InformerItem<T>> {
  readonly stats: InformerStats;
  /** Resolves when the first complete state is in the store; rejects if the informer fails or stops first. */
  readonly synced: Promise<void>;
  /** Settles when the informer has stopped: resolves on stop, rejects with the fatal error. */
  readonly done: Promise<void>;
  private readonly options: InformerOptions<T>;
  private readonly store: InformerStore<T>;
  private readonly subscribers: Subscribers<T>;
  private readonly queues = new Set<ChangeQueue<T>>();
  private readonly url: URL;
  private readonly fetchFn: FetchLike;
  private readonly stopper = new AbortController();
  private syncedFlag = false;
  private settleSynced!: { resolve: () => void; reject: (error: unknown) => void };
  private settleDone!: { resolve: () => void; reject: (error: unknown) => void };
  private started = false;
  private current: Watch | undefined;
  /** The watch-list objects of the connection now sending them. */
  private pending: { connection: number; items: Map<string, Incoming<T>> } | undefined;
  /** A transform threw: the cache cannot hold what the server holds, so the informer stops with it. */
  private fatal: { error: unknown } | undefined;
  /** Set by the watch's `initial-events-end` signal: the next bookmark ends the initial state. */
  private initialStateEnded = false;

  constructor(options: InformerOptions<T>) {
    if (options.registry === undefined) throw new TypeError('createInformer needs options.registry, e.g. createRegistry() for every built-in codec (a bundle carries only the codecs its registry names)');
    this.options = options;
    this.url = informerUrl(options);
    this.fetchFn = resolveFetch(options.fetch);
    this.store = new InformerStore<T>(options.indexers ?? {});
    this.subscribers = new Subscribers<T>(options.onHandlerError ?? ((error) => console.error('watchwire informer: a handler threw', error)));
    this.stats = { mode: options.watchList === false ? 'list' : 'watch-list', states: 0, adds: 0, updates: 0, deletes: 0, vanished: 0, listRestarts: 0 };
    this.synced = new Promise<void>((resolve, reject) => (this.settleSynced = { resolve, reject }));
    this.done = new Promise<void>((resolve, reject) => (this.settleDone = { resolve, reject }));
    // Nobody has to await these: an unobserved failure must not crash the process (it is also in `done`).
    this.synced.catch(() => {});
    this.done.catch(() => {});
    const user = options.signal;
    if (user !== undefined) {
      if (user.aborted) this.stopper.abort(user.reason);
      else user.addEventListener('abort', () => this.stopper.abort(user.reason), { once: true });
    }
  }

  /** Starts the list and watch (once); resolves when synced. */
  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.run().then(
        () => this.finish(undefined),
        (error: unknown) => this.finish({ error }),
      );
    }
    return this.synced;
  }

  /** Stops the watch; iterators end, handlers get no more calls. */
  stop(): void {
    this.stopper.abort();
  }

  /** True once the first complete state is in the store and its handler calls are made. */
  get hasSynced(): boolean {
    return this.syncedFlag;
  }

  /** The resourceVersion the cache is at (the watch's resume point). */
  get resourceVersion(): string | undefined {
    return this.current?.resourceVersion;
  }

  get size(): number {
    return this.store.size;
  }

  /** One object by name (and namespace, for a namespaced resource). */
  get(name: string, namespace?: string): T | undefined {
    return this.store.get(keyOf(name, namespace));
  }

  /** One object by its key (`namespace/name`, or `name` when cluster-scoped). */
  getByKey(key: string): T | undefined {
    return this.store.get(key);
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    return namespace === undefined ? this.store.list() : this.store.byIndex(NAMESPACE_INDEX, namespace);
  }

  /** The objects an index has under `value` (`byIndex('namespace', 'default')`, or a user indexer). */
  byIndex(index: string, value: string): T[] {
    return this.store.byIndex(index, value);
  }

  indexNames(): string[] {
    return this.store.indexNames();
  }

  indexValues(index: string): string[] {
    return this.store.indexValues(index);
  }

  /** Adds an index (built over the objects already cached). */
  addIndexer(name: string, fn: IndexFunction<T>): void {
    this.store.addIndexer(name, fn);
  }

  /**
   * Adds handlers. With `replay` (default true) the objects already cached
   * come first as onAdd calls (and onSynced, if synced), so a late
   * subscriber starts from the same state as the others. Returns the unsubscribe.
   */
  subscribe(handlers: InformerHandlers<T>, options: { replay?: boolean } = {}): () => void {
    if (options.replay ?? true) {
      for (const object of this.store.list()) this.subscribers.call(handlers, { type: 'add', object });
      if (this.syncedFlag) handlers.onSynced?.();
    }
    return this.subscribers.add(handlers);
  }

  onAdd(fn: (object: T) => void): () => void {
    return this.subscribe({ onAdd: fn });
  }

  onUpdate(fn: (old: T, object: T) => void): () => void {
    return this.subscribe({ onUpdate: fn });
  }

  onDelete(fn: (object: T, info: { finalStateUnknown: boolean }) => void): () => void {
    return this.subscribe({ onDelete: fn });
  }

  /**
   * The changes as an async iterator: the cached objects first as `add`
   * (with `replay`, default true), `synced` once the initial state is
   * complete, then every change. Ends when the informer stops; `break` out
   * of the loop to unsubscribe.
   */
  changes(options: { replay?: boolean } = {}): AsyncIterableIterator<InformerItem<T>> {
    let remove: () => void = () => {};
    const queue = new ChangeQueue<T>(() => {
      remove();
      this.queues.delete(queue);
    });
    if (this.stopper.signal.aborted && this.started) {
      queue.end();
      return queue;
    }
    this.queues.add(queue);
    remove = this.subscribe(
      {
        onAdd: (object) => queue.push({ type: 'add', object }),
        onUpdate: (old, object) => queue.push({ type: 'update', old, object }),
        onDelete: (object, { finalStateUnknown }) => queue.push({ type: 'delete', object, finalStateUnknown }),
        onSynced: () => queue.push({ type: 'synced' }),
      },
      options,
    );
    return queue;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<InformerItem<T>> {
    return this.changes();
  }

  private signal(signal: InformerSignal): void {
    this.options.onSignal?.(signal);
  }

  private finish(failure: { error: unknown } | undefined): void {
    this.stopper.abort();
    if (!this.syncedFlag) this.settleSynced.reject(failure?.error ?? new Error('the informer stopped before it synced'));
    for (const queue of [...this.queues]) queue.end(failure);
    if (failure === undefined) this.settleDone.resolve();
    else this.settleDone.reject(failure.error);
  }

  private async run(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      let sendingInitialEvents = false;
      const watch = this.createWatch(this.stats.mode, (s) => {
        if (s.type === 'connecting') {
          sendingInitialEvents = s.sendInitialEvents;
          this.initialStateEnded = false;
        }
        // The watch says so just before it yields that bookmark.
        if (s.type === 'initial-events-end') this.initialStateEnded = true;
        this.signal(s);
      });
      this.current = watch;
      try {
        await this.follow(watch);
        if (this.fatal !== undefined) throw this.fatal.error;
        return;
      } catch (error) {
        if (this.fatal !== undefined) throw this.fatal.error;
        if (this.stopper.signal.aborted) return;
        if (this.stats.mode === 'watch-list' && this.options.watchList !== true && sendingInitialEvents && refusesWatchList(error)) {
          this.stats.mode = 'list';
          this.pending = undefined;
          this.signal({ type: 'watch-list-unsupported', error });
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Handles the watch's events until it ends, as `for await` would, but with
   * each event let go before the next wait: a suspended async function keeps
   * alive what its registers held, and `for await` kept the last event (a
   * deleted object, say) until the next one came, on a quiet resource never.
   */
  private async follow(watch: Watch): Promise<void> {
    const events = watch[Symbol.asyncIterator]();
    let next: IteratorResult<WatchEvent> | undefined;
    for (;;) {
      next = await events.next();
      if (next.done === true) return;
      try {
        this.handle(watch, next.value);
      } catch (error) {
        next = undefined;
        // As for await does when its body throws.
        await events.return?.(undefined);
        throw error;
      }
      next = undefined;
    }
  }

  private createWatch(mode: 'watch-list' | 'list', onSignal: (signal: WatchSignal) => void): Watch {
    const o = this.options;
    const options: WatchOptions & { registry: CodecRegistry } = {
      url: this.url,
      fetch: this.fetchFn,
      registry: o.registry,
      signal: this.stopper.signal,
      deliverBookmarks: true,
      allowWatchBookmarks: true,
      onSignal,
      ...pick(o, ['headers', 'requestInit', 'formats', 'stallTimeoutMs', 'backoff', 'healthyAfterMs', 'maxRetryAfterMs', 'maxRetries', 'timeoutSeconds', 'limits', 'dropFields', 'keepFields']),
      ...(mode === 'watch-list'
        ? { initialEvents: true, onExpired: 'initial-events' as const }
        : { relist: ({ signal }: { signal: AbortSignal }) => this.relist(signal) }),
    };
    return new Watch(options);
  }

  /** List mode: the whole state by paged LIST, reconciled into the store; the watch goes on from its version. */
  private async relist(signal: AbortSignal): Promise<string> {
    const o = this.options;
    const watch = this.current!;
    const list = await listPages({
      url: this.url,
      fetch: this.fetchFn,
      registry: o.registry,
      formats: o.listFormats ?? o.formats ?? servableFormats(o.registry),
      pageSize: o.pageSize ?? 500,
      fieldFilter: watch.fieldFilter,
      signal,
      ...pick(o, ['headers', 'requestInit', 'limits', 'stallTimeoutMs']),
      onRestart: (expiries) => {
        this.stats.listRestarts++;
        this.signal({ type: 'list-restart', expiries });
      },
    });
    if (signal.aborted) return list.resourceVersion;
    this.reconcile(list.items.map((item) => this.incoming(item)), 'list', list.resourceVersion);
    return list.resourceVersion;
  }

  /** One event from the watch. */
  private handle(watch: Watch, event: WatchEvent): void {
    if (event.type === 'BOOKMARK') {
      if (this.initialStateEnded) {
        // The bookmark that ended this connection's initial objects (none at all is a state too: an empty one).
        this.initialStateEnded = false;
        const items = this.pending?.connection === watch.stats.connections ? this.pending.items : new Map<string, Incoming<T>>();
        this.pending = undefined;
        this.reconcile(items.values(), 'watch-list', event.object.metadata?.resourceVersion);
      }
      return;
    }
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') return;
    const incoming = this.incoming(event.object);
    if (watch.receivingInitialState) {
      // Part of a watch-list's initial state: kept aside until its end bookmark. A new connection starts a new state.
      if (this.pending?.connection !== watch.stats.connections) this.pending = { connection: watch.stats.connections, items: new Map() };
      if (event.type === 'DELETED') this.pending.items.delete(incoming.key);
      else this.pending.items.set(incoming.key, incoming);
      return;
    }
    applyWatchEvent(this.store, event.type, incoming, this.emit);
  }

  private reconcile(items: Iterable<Incoming<T>>, source: 'list' | 'watch-list', resourceVersion: string | undefined): void {
    let changes = 0;
    reconcileStore(this.store, items, (change) => {
      changes++;
      if (change.type === 'delete') this.stats.vanished++;
      this.emit(change);
    });
    this.stats.states++;
    this.signal({ type: 'state', source, objects: this.store.size, resourceVersion, changes });
    if (!this.syncedFlag) {
      this.syncedFlag = true;
      this.signal({ type: 'synced', objects: this.store.size });
      this.subscribers.synced();
      this.settleSynced.resolve();
    }
  }

  private readonly emit = (change: InformerChange<T>): void => {
    // Stopped (perhaps by a handler, in the middle of a reconcile): no call after stop().
    if (this.stopper.signal.aborted) return;
    if (change.type === 'add') this.stats.adds++;
    else if (change.type === 'update') this.stats.updates++;
    else this.stats.deletes++;
    this.subscribers.dispatch(change);
  };

  /** The raw object's identity (read before the transform, which may drop it) and what the store keeps. */
  private incoming(raw: KubeObject): Incoming<T> {
    const meta = raw.metadata;
    const key = objectKey(raw);
    const uid = typeof meta?.uid === 'string' ? meta.uid : '';
    const resourceVersion = typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : '';
    let object: T;
    try {
      object = this.options.transform === undefined ? (raw as T) : this.options.transform(raw);
    } catch (error) {
      // Fatal even inside a re-list (which the watch would otherwise retry forever with the same object).
      this.fatal ??= { error };
      this.stopper.abort(error);
      throw error;
    }
    return { key, entry: { object, uid, resourceVersion } };
  }
}

/** An informer (not started: call `start()`, which resolves once synced). */
export function createInformer<T = KubeObject>(options: InformerOptions<T>): Informer<T> {
  return new Informer<T>(options);
}

/** 400/422 to a watch-list request: the server does not know `sendInitialEvents` (or forbids `resourceVersionMatch` on a watch). */
function refusesWatchList(error: unknown): boolean {
  return error instanceof WatchHttpError && (error.code === 400 || error.code === 422);
}

export function informerUrl(options: Pick<InformerOptions, 'url' | 'server' | 'resource' | 'namespace' | 'labelSelector' | 'fieldSelector'>): URL {
  let url: URL;
  if (options.url !== undefined) {
    url = new URL(options.url);
    if (options.namespace !== undefined) throw new TypeError('namespace goes with server + resource; put it in the url');
  } else if (options.server !== undefined && options.resource !== undefined) {
    url = watchUrl(options.server, options.namespace === undefined ? options.resource : { ...options.resource, namespace: options.namespace });
    url.searchParams.delete('watch');
  } else {
    throw new TypeError('createInformer needs url, or server and resource');
  }
  if (options.labelSelector !== undefined) url.searchParams.set('labelSelector', formatLabelSelector(options.labelSelector));
  if (options.fieldSelector !== undefined) url.searchParams.set('fieldSelector', formatFieldSelector(options.fieldSelector));
  return url;
}

function servableFormats(registry: CodecRegistry): string[] {
  const names = registry.list().filter((c) => c.servable && c.name !== 'json-documents').map((c) => c.name);
  const ordered = ['protobuf', 'cbor', 'json'].filter((n) => names.includes(n));
  return ordered.length > 0 ? ordered : names;
}

/** The options given (defined), to pass on without writing `undefined` into an exact optional property. */
function pick<O extends object, K extends keyof O>(source: O, keys: readonly K[]): { [P in K]?: Exclude<O[P], undefined> } {
  const out: { [P in K]?: Exclude<O[P], undefined> } = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key] as Exclude<O[K], undefined>;
  return out;
}
