/**
 * The informer floor (browser-safe): a list+watch cache with handlers, a
 * change iterator and indexes, and the shared informers built on it.
 */
export { Informer, createInformer } from './informer.js';
export type { InformerOptions, InformerSignal, InformerStats } from './informer.js';
export type { InformerHandlers, InformerItem } from './changes.js';
export { applyWatchEvent, reconcileStore } from './delta.js';
export type { ChangeSink, Incoming, InformerChange } from './delta.js';
export { InformerStore, NAMESPACE_INDEX, keyOf, objectKey } from './store.js';
export type { IndexFunction, StoredEntry } from './store.js';
export { listAccept, listPages } from './list-pages.js';
export type { PagedListOptions } from './list-pages.js';
export { SharedInformer, SharedInformerFactory } from './shared.js';
export type { InformerSubscription } from './shared.js';
