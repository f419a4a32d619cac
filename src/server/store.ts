/**
 * The replay server's state, versioned like etcd's MVCC store: every change
 * gets the next resourceVersion (one per change, like an etcd revision), and
 * each object keeps its older versions until compaction. So "the list as it
 * was at version N" (a paged LIST's snapshot, `resourceVersionMatch=Exact`)
 * and "the changes after version N" (a watch) mean what they mean on an API
 * server, and both answer 410 once N is compacted away.
 */
import type { KubeObject, WatchEvent } from '../core/event.js';
import { type ResourceInfo, resourceKey, resourceOf } from './resources.js';

export interface StoredEvent {
  resourceVersion: number;
  /** The resource key (`group/resource`). */
  resource: string;
  /** The object's key inside its resource: `namespace/name` (`/name` when cluster-scoped). */
  id: string;
  event: WatchEvent;
  /** The object as it was before this change (undefined for a create): what selectors on a watch compare against. */
  previous?: KubeObject;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One version of one object; `object` undefined means deleted at `resourceVersion`. */
interface Version {
  resourceVersion: number;
  object: KubeObject | undefined;
}

/** The objects of one resource: every id's versions, oldest first, and the ids in list order. */
class ResourceObjects {
  readonly versions = new Map<string, Version[]>();
  private sorted: string[] | undefined;

  /** Ids in the order an API server lists them (etcd key order: namespace, then name). */
  ids(): string[] {
    this.sorted ??= [...this.versions.keys()].sort(compareIds);
    return this.sorted;
  }

  current(id: string): KubeObject | undefined {
    const versions = this.versions.get(id);
    return versions?.[versions.length - 1]?.object;
  }

  add(id: string, version: Version): void {
    const versions = this.versions.get(id);
    if (versions === undefined) {
      this.versions.set(id, [version]);
      this.sorted = undefined;
    } else {
      versions.push(version);
    }
  }

  /** Drops versions no read at `compactedBefore` or later can see. */
  prune(id: string, compactedBefore: number): void {
    const versions = this.versions.get(id);
    if (versions === undefined) return;
    let keepFrom = 0;
    // The newest version at or before the compaction point stays: it is the state a read at that point sees.
    while (keepFrom + 1 < versions.length && versions[keepFrom + 1]!.resourceVersion <= compactedBefore) keepFrom++;
    if (keepFrom > 0) versions.splice(0, keepFrom);
    if (versions.length === 1 && versions[0]!.object === undefined && versions[0]!.resourceVersion <= compactedBefore) {
      this.versions.delete(id);
      this.sorted = undefined;
    }
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The object of `versions` visible at `resourceVersion`. */
function versionAt(versions: readonly Version[], resourceVersion: number): KubeObject | undefined {
  for (let i = versions.length - 1; i >= 0; i--) {
    if (versions[i]!.resourceVersion <= resourceVersion) return versions[i]!.object;
  }
  return undefined;
}

export class ObjectStore {
  /** The newest resourceVersion. */
  resourceVersion: number;
  /** Reads and watches from a version below this get 410 Expired. */
  compactedBefore: number;
  readonly resources = new Map<string, ResourceInfo>();
  private readonly objects = new Map<string, ResourceObjects>();
  /** Changes with resourceVersion > compactedBefore, contiguous: the change at version v is history[v - compactedBefore - 1]. */
  private readonly history: StoredEvent[] = [];
  private readonly historyLimit: number;
  private readonly listeners = new Set<() => void>();

  constructor(options: { initialResourceVersion?: number; historyLimit?: number } = {}) {
    this.resourceVersion = options.initialResourceVersion ?? 100;
    this.compactedBefore = this.resourceVersion;
    this.historyLimit = options.historyLimit ?? 100_000;
  }

  /** Makes a resource servable before it has objects. */
  declare(info: ResourceInfo): void {
    const key = resourceKey(info.group, info.resource);
    if (!this.resources.has(key)) this.resources.set(key, info);
    if (!this.objects.has(key)) this.objects.set(key, new ResourceObjects());
  }

  /** Applies a change; the object gets the next resourceVersion. Returns the stored event. */
  apply(type: ChangeType, object: KubeObject): StoredEvent {
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') throw new TypeError(`cannot apply a ${String(type)} event`);
    const info = resourceOf(object);
    const name = object.metadata?.name;
    if (typeof name !== 'string' || name === '') throw new TypeError('object without metadata.name');
    if (info.namespaced && typeof object.metadata?.namespace !== 'string') info.namespaced = false;
    this.declare(info);
    const key = resourceKey(info.group, info.resource);
    const resourceVersion = ++this.resourceVersion;
    const stored = copyOf(object);
    stored.metadata ??= {};
    stored.metadata.resourceVersion = String(resourceVersion);
    const objects = this.objects.get(key)!;
    const id = `${stored.metadata.namespace ?? ''}/${name}`;
    const previous = objects.current(id);
    objects.add(id, { resourceVersion, object: type === 'DELETED' ? undefined : stored });
    const event: StoredEvent = { resourceVersion, resource: key, id, event: { type, object: stored }, ...(previous === undefined ? {} : { previous }) };
    this.history.push(event);
    // Compacts in steps of 1/16 of the limit, not one change at a time (each step moves the whole array).
    if (this.history.length > this.historyLimit + Math.max(1, this.historyLimit >> 4)) {
      this.compact(this.history[this.history.length - this.historyLimit - 1]!.resourceVersion);
    }
    for (const listener of this.listeners) listener();
    return event;
  }

  /** Forgets history up to `resourceVersion` (default: all of it): older watches, lists and continue tokens get 410. */
  compact(resourceVersion = this.resourceVersion): void {
    const before = this.compactedBefore;
    this.compactedBefore = Math.max(before, Math.min(resourceVersion, this.resourceVersion));
    const drop = this.compactedBefore - before;
    if (drop <= 0) return;
    for (const change of this.history.splice(0, drop)) this.objects.get(change.resource)?.prune(change.id, this.compactedBefore);
  }

  /** The current objects of a resource, in list order (namespace, then name). */
  list(key: string): KubeObject[] {
    return this.listAt(key, this.resourceVersion);
  }

  /**
   * The objects of a resource as they were at `resourceVersion` (which must
   * be ≥ compactedBefore and ≤ resourceVersion), in list order.
   */
  listAt(key: string, resourceVersion: number): KubeObject[] {
    return this.entriesAt(key, resourceVersion).map((entry) => entry.object);
  }

  /**
   * As listAt, with each object's id: the ids starting with `prefix` (a
   * namespace's `ns/`, an etcd key range), from the first id ≥ `startAt`
   * when given (a continue token's start key).
   */
  entriesAt(key: string, resourceVersion: number, startAt?: string, prefix = ''): { id: string; object: KubeObject }[] {
    const objects = this.objects.get(key);
    if (objects === undefined) return [];
    const ids = objects.ids();
    const out: { id: string; object: KubeObject }[] = [];
    const from = startAt !== undefined && startAt > prefix ? startAt : prefix;
    for (let i = from === '' ? 0 : firstAtOrAfter(ids, from); i < ids.length; i++) {
      const id = ids[i]!;
      if (!id.startsWith(prefix)) break;
      const object = versionAt(objects.versions.get(id)!, resourceVersion);
      if (object !== undefined) out.push({ id, object });
    }
    return out;
  }

  /** Resolves true once resourceVersion reaches `resourceVersion`, false after `timeoutMs` without it (the watch cache's wait for freshness). */
  waitFor(resourceVersion: number, timeoutMs: number): Promise<boolean> {
    if (this.resourceVersion >= resourceVersion) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (fresh: boolean): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve(fresh);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const unsubscribe = this.subscribe(() => {
        if (this.resourceVersion >= resourceVersion) done(true);
      });
    });
  }

  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key)?.current(`${namespace ?? ''}/${name}`);
  }

  /** One object at `resourceVersion` (≥ compactedBefore). */
  getAt(key: string, namespace: string | undefined, name: string, resourceVersion: number): KubeObject | undefined {
    const versions = this.objects.get(key)?.versions.get(`${namespace ?? ''}/${name}`);
    return versions === undefined ? undefined : versionAt(versions, resourceVersion);
  }

  /** The change at exactly `resourceVersion`, if still in history. */
  eventAt(resourceVersion: number): StoredEvent | undefined {
    return this.history[resourceVersion - this.compactedBefore - 1];
  }

  /** Up to `max` stored events with resourceVersion > `after`, oldest first. */
  eventsAfter(after: number, max: number): StoredEvent[] {
    const from = Math.max(0, after - this.compactedBefore);
    return this.history.slice(from, from + max);
  }

  /** Every change still in history (tests compare what a client saw with this). */
  changes(): readonly StoredEvent[] {
    return this.history;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * A deep copy the store owns. Through JSON, not structuredClone: JSON.parse
 * builds objects whose shapes repeat from object to object, and the
 * encoders' property reads stay fast on them (protobuf encodes of
 * structuredClone'd Pods took 1.8× as long); structuredClone is the
 * fallback for values JSON cannot carry (BigInt int64s).
 */
function copyOf(object: KubeObject): KubeObject {
  try {
    return JSON.parse(JSON.stringify(object)) as KubeObject;
  } catch {
    return structuredClone(object);
  }
}

/** Index of the first id ≥ `id` in sorted `ids`. */
function firstAtOrAfter(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
