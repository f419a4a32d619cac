/**
 * How server facts become store changes and handler calls: one watch event
 * (`applyWatchEvent`), or a whole new state from a LIST or a watch-list
 * (`reconcileStore`, the reconcile after a re-list). Each change is made to the
 * store first, then reported, one at a time, so a handler always sees the
 * store with its own change in it and none after it.
 */
import type { InformerStore, StoredEntry } from './store.js';

export type InformerChange<T> =
  | { type: 'add'; object: T }
  | { type: 'update'; old: T; object: T }
  /**
   * `finalStateUnknown`: the object vanished while the informer was not
   * watching (found missing by a re-list); `object` is the last state the
   * informer knew, not the state it was deleted in.
   */
  | { type: 'delete'; object: T; finalStateUnknown: boolean };

/** An object as it enters the store: its key and what is kept. */
export interface Incoming<T> {
  key: string;
  entry: StoredEntry<T>;
}

export type ChangeSink<T> = (change: InformerChange<T>) => void;

/**
 * ADDED, MODIFIED or DELETED from a watch. Robust to what a correct watch
 * never sends: ADDED for a known key is an update (or a re-creation when the
 * uid differs), MODIFIED for an unknown key an add, DELETED for an unknown key
 * nothing; an event at the version already stored is a duplicate, dropped.
 */
export function applyWatchEvent<T>(store: InformerStore<T>, type: 'ADDED' | 'MODIFIED' | 'DELETED', incoming: Incoming<T>, emit: ChangeSink<T>): void {
  const { key, entry } = incoming;
  const existing = store.entry(key);
  if (type === 'DELETED') {
    if (existing === undefined) return;
    store.delete(key);
    emit({ type: 'delete', object: entry.object, finalStateUnknown: false });
    return;
  }
  upsert(store, existing, incoming, emit);
}

/**
 * Makes the store equal to `items` (the whole state at one resourceVersion):
 * new keys are added, changed ones updated, re-created ones (another uid)
 * deleted and added, unchanged ones (same resourceVersion) left alone without
 * a call, and keys not listed deleted with `finalStateUnknown: true`.
 */
export function reconcileStore<T>(store: InformerStore<T>, items: Iterable<Incoming<T>>, emit: ChangeSink<T>): void {
  const listed = new Set<string>();
  for (const incoming of items) {
    listed.add(incoming.key);
    upsert(store, store.entry(incoming.key), incoming, emit);
  }
  const vanished: string[] = [];
  for (const key of store.keys()) if (!listed.has(key)) vanished.push(key);
  for (const key of vanished) {
    const gone = store.delete(key)!;
    emit({ type: 'delete', object: gone.object, finalStateUnknown: true });
  }
}

function upsert<T>(store: InformerStore<T>, existing: StoredEntry<T> | undefined, incoming: Incoming<T>, emit: ChangeSink<T>): void {
  const { key, entry } = incoming;
  if (existing === undefined) {
    store.set(key, entry);
    emit({ type: 'add', object: entry.object });
    return;
  }
  if (existing.uid !== '' && entry.uid !== '' && existing.uid !== entry.uid) {
    // Deleted and created again under the same name while we looked away: two objects, not one changed.
    store.delete(key);
    emit({ type: 'delete', object: existing.object, finalStateUnknown: true });
    store.set(key, entry);
    emit({ type: 'add', object: entry.object });
    return;
  }
  if (existing.resourceVersion !== '' && existing.resourceVersion === entry.resourceVersion) return;
  store.set(key, entry);
  emit({ type: 'update', old: existing.object, object: entry.object });
}
