import { DecodeError } from './errors.js';

/** The five event types a Kubernetes watch sends. */
export const WATCH_EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'] as const;
export type WatchEventType = (typeof WATCH_EVENT_TYPES)[number];

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** Any Kubernetes object as its JSON form has it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** The meta/v1 Status an ERROR event (or an error response) carries. */
export interface Status extends KubeObject {
  kind?: 'Status';
  status?: 'Success' | 'Failure' | string;
  message?: string;
  reason?: string;
  code?: number;
  details?: Record<string, unknown>;
}

/**
 * One watch event, the same whatever the wire format: exactly `{type, object}`.
 * Wire details (frame size, media type) are statistics, not part of the event.
 */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

const EVENT_TYPES: ReadonlySet<string> = new Set(WATCH_EVENT_TYPES);

export function isWatchEventType(value: unknown): value is WatchEventType {
  return typeof value === 'string' && EVENT_TYPES.has(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that a decoded document is an event and returns it as exactly
 * `{type, object}`. Used by every decoder, so every format refuses the same
 * things the same way. A plain document that already has exactly those two
 * keys, in that order, is returned itself (not copied).
 */
export function toWatchEvent(doc: unknown): WatchEvent {
  if (!isPlainObject(doc)) {
    throw new DecodeError('not-an-event', `expected an object {type, object}, got ${describeValue(doc)}`);
  }
  const { type, object } = doc;
  if (typeof type !== 'string') {
    throw new DecodeError('not-an-event', `"type" is ${describeValue(type)}, expected a string`);
  }
  if (!EVENT_TYPES.has(type)) {
    throw new DecodeError('unknown-event-type', `unknown event type ${JSON.stringify(type.slice(0, 64))}`);
  }
  if (!isPlainObject(object)) {
    throw new DecodeError('not-an-event', `"object" is ${describeValue(object)}, expected an object`);
  }
  // A document that already is exactly {type, object} (what every server writes) is the
  // event: no copy. A fresh wrapper per event is not free even though it is tiny: once V8
  // has seen events kept (decodeAll, a cache), it pretenures the wrapper's allocation site,
  // and an old-space wrapper then keeps each young parsed object alive through every
  // scavenge, which tripled GC time in the benchmark. Otherwise build a fresh two-key
  // object, so extra wire keys never leak onto the event.
  if (isBareEvent(doc)) return doc as unknown as WatchEvent;
  return { type: type as WatchEventType, object: object as KubeObject };
}

/** Own keys exactly `type`, `object` in that order, on a plain object (for-in also sees inherited keys). */
function isBareEvent(doc: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(doc) !== Object.prototype) return false;
  let n = 0;
  for (const key in doc) {
    if (n === 0 ? key !== 'type' : n !== 1 || key !== 'object') return false;
    n++;
  }
  return n === 2;
}

/** Checks that a document read in objects mode is an object. */
export function toKubeObject(doc: unknown): KubeObject {
  if (!isPlainObject(doc)) {
    throw new DecodeError('not-an-event', `expected an object, got ${describeValue(doc)}`);
  }
  return doc as KubeObject;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
