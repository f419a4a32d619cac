/**
 * fast-check arbitraries for Kubernetes-like objects and watch events, and for
 * the ways a byte stream can be cut into chunks. Shared by every format's tests
 * (codec-laws.ts runs them against any Codec).
 *
 * Values are what every wire format can carry losslessly: plain objects with
 * Object.prototype (JSON.parse's shape), finite numbers without -0, strings of
 * whole code points (no lone surrogates: they are not UTF-8).
 */
import fc from 'fast-check';
import type { KubeObject, WatchEvent, WatchEventType } from 'watchwire';

export const EVENT_TYPES: readonly WatchEventType[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'];

/**
 * Keys and strings that trip parsers: prototype names, YAML indicators and
 * implicit types (booleans, nulls, numbers, timestamps), document markers,
 * JSON punctuation, line breaks.
 */
export const TRICKY_STRINGS: readonly string[] = [
  '', ' ', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'False', 'null', 'Null', '~',
  '123', '-1', '0o17', '017', '0x1F', '1e3', '.5', '1_000', '.inf', '-.Inf', '.nan',
  '2024-01-02T03:04:05Z', '2024-01-02', '12:30:45',
  '---', '...', '--- a', '- a', 'a: b', '? q', '#x', 'x #y', '&a', '*a', '!!js/function', '!tag', '%YAML 1.2',
  '{', '}', '[', ']', '"', "'", '\\', '@', '`', '|', '>', ',',
  '\n', '\r\n', '\t', 'a\nb', ' lead', 'trail ', '\u2028', '\u0085', '\u00a0', '\ufeff', '\u0000', 'é', '日本', '😀',
];

/** Pieces of JSON text, for garbage that gets past the first byte. */
export const JSON_TOKENS = [
  '{', '}', '[', ']', '"', '\\', ':', ',', ' ', '\n', '\r\n', '\r', '\t', '\n\n',
  '"type"', '"object"', '"ADDED"', '"BOOKMARK"', '"FOO"', 'null', '1', '-0.5e3', 'true', '"\\u0000"', '"\\ud800"',
  '{"type":"ADDED","object":{}}', '{"type":"ERROR","object":{"kind":"Status","code":410}}', '"__proto__"', '\ufeff', '\u00ff',
];


/** Any string of whole code points, short. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
);

/** A DNS-1123 label, as Kubernetes names are. */
export const dnsLabel: fc.Arbitrary<string> = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/);

const finiteNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1000, max: 100000 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
);

export const scalar: fc.Arbitrary<string | number | boolean | null> = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 2, arbitrary: finiteNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/**
 * A plain object from entries. Keys are defined, not assigned, so `__proto__`
 * is an own data property (as JSON.parse makes it) and the prototype stays
 * Object.prototype.
 */
export function objectFrom(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function dictionaryOf<T>(key: fc.Arbitrary<string>, value: fc.Arbitrary<T>, maxKeys: number): fc.Arbitrary<Record<string, T>> {
  return fc
    .uniqueArray(fc.tuple(key, value), { maxLength: maxKeys, selector: ([k]) => k })
    .map((entries) => objectFrom(entries) as Record<string, T>);
}

/** A JSON value (objects, arrays, scalars) nested at most `depth` levels. */
export function jsonValue(depth = 3): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', maxDepth: depth }, scalar, tie('object'), tie('array')),
    object: dictionaryOf(anyString, tie('value'), 4),
    array: fc.array(tie('value'), { maxLength: 4 }),
  }));
  return value;
}

export const jsonObject: fc.Arbitrary<Record<string, unknown>> = dictionaryOf(anyString, jsonValue(3), 5);

const labels = dictionaryOf(fc.oneof(dnsLabel, fc.constant('app.kubernetes.io/name')), anyString, 3);

/** An object shaped like a Kubernetes resource: apiVersion, kind, metadata, and free-form spec/status/data. */
export const kubeObject: fc.Arbitrary<KubeObject> = fc
  .record(
    {
      apiVersion: fc.constantFrom('v1', 'apps/v1', 'example.com/v1alpha1'),
      kind: fc.constantFrom('Pod', 'ConfigMap', 'Deployment', 'Status', 'Widget'),
      metadata: fc.record(
        {
          name: dnsLabel,
          namespace: dnsLabel,
          resourceVersion: fc.nat().map(String),
          uid: fc.uuid(),
          creationTimestamp: fc.constantFrom('2024-01-02T03:04:05Z', '2026-11-25T00:00:00Z'),
          labels,
          annotations: labels,
        },
        { requiredKeys: ['name', 'resourceVersion'], noNullPrototype: true },
      ),
      spec: jsonObject,
      status: jsonObject,
      data: dictionaryOf(anyString, anyString, 4),
    },
    { requiredKeys: ['apiVersion', 'kind', 'metadata'], noNullPrototype: true },
  )
  .map((o) => o as KubeObject);

export const watchEvent: fc.Arbitrary<WatchEvent> = fc.record({ type: fc.constantFrom(...EVENT_TYPES), object: kubeObject }, { noNullPrototype: true });

export const watchEvents = (maxLength = 6): fc.Arbitrary<WatchEvent[]> => fc.array(watchEvent, { maxLength });

/** Sorted distinct cut positions inside a buffer of `length` bytes. */
export function cutPoints(length: number): fc.Arbitrary<number[]> {
  if (length < 2) return fc.constant([]);
  return fc
    .uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: Math.min(length - 1, 24) })
    .map((cuts) => cuts.sort((a, b) => a - b));
}

/** Splits `bytes` at the given positions (views, no copies). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** `bytes` in chunks of `size` (1 = byte by byte). */
export function chunksOfSize(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A seeded pseudo-random source in [0, 1) (an LCG: for reproducible shuffles, not for statistics). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** A copy of `items` in a random order (Fisher-Yates with `rng`). */
export function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
