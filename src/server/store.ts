/**
 * The replay server's state: objects by resource, and the history of changes
 * with resourceVersions that grow by one per change (like etcd revisions),
 * so that "events after version N" and "too old" mean what they mean on an
 * API server.
 */
import type { KubeObject, WatchEvent } from '../core/event.js';
import { type ResourceInfo, resourceKey, resourceOf } from './resources.js';

export interface StoredEvent {
  resourceVersion: number;
  resource: string;
  event: WatchEvent;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class ObjectStore {
  /** The newest resourceVersion. */
  resourceVersion: number;
  /** Watches from a version below this get 410 Expired. */
  compactedBefore: number;
  readonly resources = new Map<string, ResourceInfo>();
  private readonly objects = new Map<string, Map<string, KubeObject>>();
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
    if (!this.objects.has(key)) this.objects.set(key, new Map());
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
    const stored: KubeObject = structuredClone(object);
    stored.metadata = { ...stored.metadata, resourceVersion: String(resourceVersion) };
    const objects = this.objects.get(key)!;
    const id = `${stored.metadata.namespace ?? ''}/${name}`;
    if (type === 'DELETED') objects.delete(id);
    else objects.set(id, stored);
    const event: StoredEvent = { resourceVersion, resource: key, event: { type, object: stored } };
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.compact(this.history[this.history.length - this.historyLimit]!.resourceVersion);
    for (const listener of this.listeners) listener();
    return event;
  }

  /** Forgets history before `resourceVersion` (default: all of it): older watches get 410. */
  compact(resourceVersion = this.resourceVersion): void {
    this.compactedBefore = Math.max(this.compactedBefore, Math.min(resourceVersion, this.resourceVersion));
    let drop = 0;
    while (drop < this.history.length && this.history[drop]!.resourceVersion <= this.compactedBefore) drop++;
    this.history.splice(0, drop);
  }

  /** The current objects of a resource, sorted by namespace/name. */
  list(key: string): KubeObject[] {
    const objects = this.objects.get(key);
    if (objects === undefined) return [];
    return [...objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }

  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key)?.get(`${namespace ?? ''}/${name}`);
  }

  /** Up to `max` stored events with resourceVersion > `after`, oldest first. */
  eventsAfter(after: number, max: number): StoredEvent[] {
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid]!.resourceVersion <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo, lo + max);
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
