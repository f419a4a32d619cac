/**
 * The informer's cache: objects by `namespace/name`, with the uid and
 * resourceVersion each was stored with (read before any transform, so a
 * transform may drop them), and indexes kept up to date on every change.
 * Pure data: no I/O, no handlers.
 */
import type { KubeObject } from '../core/event.js';

/** Index values of one object for one index (none, one, or several). */
export type IndexFunction<T> = (object: T) => string | readonly string[] | undefined;

/** The index every store has: objects by `metadata.namespace` (cluster-scoped ones under ''). */
export const NAMESPACE_INDEX = 'namespace';

/** What the store keeps per key. */
export interface StoredEntry<T> {
  readonly object: T;
  /** `metadata.uid` of the object as it came from the server ('' when absent). */
  readonly uid: string;
  /** `metadata.resourceVersion` of the object as it came from the server. */
  readonly resourceVersion: string;
}

/** client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` for a cluster-scoped object. */
export function objectKey(object: KubeObject): string {
  const meta = object.metadata;
  const name = meta?.name;
  if (typeof name !== 'string' || name === '') throw new TypeError('an informer object needs metadata.name');
  const namespace = meta?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
}

/** The key for a name and an optional namespace (the inverse of objectKey's two forms). */
export function keyOf(name: string, namespace?: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

export class InformerStore<T> {
  private readonly entries = new Map<string, StoredEntry<T>>();
  private readonly indexFunctions = new Map<string, IndexFunction<T>>();
  /** index name → index value → keys. */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  /** index name → key → the values the object was indexed under (to un-index it). */
  private readonly indexed = new Map<string, Map<string, readonly string[]>>();

  constructor(indexers: Readonly<Record<string, IndexFunction<T>>> = {}, namespaceOf: (key: string) => string = namespaceOfKey) {
    this.addIndexer(NAMESPACE_INDEX, (_object, key) => namespaceOf(key));
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.object;
  }

  entry(key: string): StoredEntry<T> | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  list(): T[] {
    return Array.from(this.entries.values(), (e) => e.object);
  }

  /** [key, entry] pairs, in insertion order. */
  all(): IterableIterator<[string, StoredEntry<T>]> {
    return this.entries.entries();
  }

  /** The objects whose index `name` has `value`. Throws for an unknown index (a typo should not look like an empty result). */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (index === undefined) throw new RangeError(`no index ${JSON.stringify(name)} (indexes: ${[...this.indexes.keys()].join(', ')})`);
    const keys = index.get(value);
    if (keys === undefined) return [];
    const out: T[] = [];
    for (const key of keys) out.push(this.entries.get(key)!.object);
    return out;
  }

  /** The values index `name` holds (e.g. every namespace with objects). */
  indexValues(name: string): string[] {
    const index = this.indexes.get(name);
    if (index === undefined) throw new RangeError(`no index ${JSON.stringify(name)}`);
    return [...index.keys()];
  }

  indexNames(): string[] {
    return [...this.indexes.keys()];
  }

  /** Adds an index over the objects already stored and every later one. Re-adding a name is refused. */
  addIndexer(name: string, fn: IndexFunction<T> | ((object: T, key: string) => string | readonly string[] | undefined)): void {
    if (this.indexFunctions.has(name)) throw new RangeError(`index ${JSON.stringify(name)} exists`);
    this.indexFunctions.set(name, fn as (object: T, key?: string) => string | readonly string[] | undefined);
    this.indexes.set(name, new Map());
    this.indexed.set(name, new Map());
    for (const [key, entry] of this.entries) this.index(name, key, entry.object);
  }

  /** Stores (adds or replaces) the object under `key`. */
  set(key: string, entry: StoredEntry<T>): void {
    if (this.entries.has(key)) this.unindex(key);
    this.entries.set(key, entry);
    for (const name of this.indexFunctions.keys()) this.index(name, key, entry.object);
  }

  delete(key: string): StoredEntry<T> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.unindex(key);
    this.entries.delete(key);
    return entry;
  }

  private index(name: string, key: string, object: T): void {
    const fn = this.indexFunctions.get(name) as (object: T, key: string) => string | readonly string[] | undefined;
    const raw = fn(object, key);
    const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
    if (values.length === 0) return;
    const index = this.indexes.get(name)!;
    for (const value of values) {
      let keys = index.get(value);
      if (keys === undefined) index.set(value, (keys = new Set()));
      keys.add(key);
    }
    this.indexed.get(name)!.set(key, values);
  }

  private unindex(key: string): void {
    for (const [name, byKey] of this.indexed) {
      const values = byKey.get(key);
      if (values === undefined) continue;
      byKey.delete(key);
      const index = this.indexes.get(name)!;
      for (const value of values) {
        const keys = index.get(value);
        if (keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}

/** The namespace part of a key ('' for a cluster-scoped object). */
export function namespaceOfKey(key: string): string {
  const slash = key.indexOf('/');
  return slash === -1 ? '' : key.slice(0, slash);
}
