/**
 * Test material for the protobuf codec: the conformance fixtures of
 * ../shared/k8s (when present), an independent watch-frame builder, and
 * fast-check arbitraries of built-in objects in the canonical JSON form (the
 * form Go's JSON serializer writes: non-omitempty fields present, zero
 * omitempty fields absent), which protobuf carries losslessly.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { KubeObject, WatchEvent } from 'watchwire';
import { decodeProtobufObject, encodeProtobufObject } from 'watchwire/protobuf';
import { EVENT_TYPES, anyString, dictionaryOf, dnsLabel } from './generators.js';

export const HEAD = new URL('../../../shared/k8s/testdata/HEAD/', import.meta.url);
export const SCHEMA = new URL('../../../shared/k8s/schema.json', import.meta.url);
export const fixturesAbsent: string | false = existsSync(fileURLToPath(HEAD)) ? false : '../shared/k8s/testdata/HEAD is not present';

export interface Fixture {
  name: string;
  json: KubeObject;
  pb: Uint8Array;
}

/** Every fixture with a .pb, sorted by name; [] when ../shared is absent. */
export function loadFixtures(): Fixture[] {
  if (fixturesAbsent) return [];
  const dir = fileURLToPath(HEAD);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -3);
      return {
        name,
        json: JSON.parse(readFileSync(dir + name + '.json', 'utf8')) as KubeObject,
        pb: new Uint8Array(readFileSync(dir + f)),
      };
    });
}

// ---- an independent frame builder (no code shared with the codec) ------------------

/** A protobuf varint's bytes (the frame builders of the tests). */
export function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lengthDelimited(tag: number, bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...varint(bytes.length), ...bytes]);
}

/** A watch frame around `object` (magic + Unknown bytes, as in a .pb fixture). */
export function watchFrame(type: string, object: Uint8Array): Uint8Array {
  const event = Uint8Array.from([
    ...lengthDelimited(0x0a, new TextEncoder().encode(type)),
    ...lengthDelimited(0x12, lengthDelimited(0x0a, object)),
  ]);
  const out = new Uint8Array(4 + event.length);
  new DataView(out.buffer).setUint32(0, event.length);
  out.set(event, 4);
  return out;
}

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

// ---- canonical objects --------------------------------------------------------------

const nonEmpty = anyString.filter((s) => s !== '');
const time = fc.integer({ min: -62135596800, max: 253402300799 }).map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
const smallMap = dictionaryOf(fc.oneof(dnsLabel, anyString), anyString, 3).filter((m) => Object.keys(m).length > 0);
const base64 = fc.uint8Array({ maxLength: 12 }).map((b) => btoa(String.fromCharCode(...b)));

/** ObjectMeta in canonical form: every field omitempty (creationTimestamp omitzero). */
export const objectMeta = fc.record(
  {
    name: dnsLabel,
    generateName: nonEmpty,
    namespace: dnsLabel,
    uid: fc.uuid(),
    resourceVersion: fc.nat().map(String),
    generation: fc.maxSafeInteger().filter((n) => n !== 0),
    creationTimestamp: time,
    labels: smallMap,
    annotations: smallMap,
    finalizers: fc.array(anyString, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

export const configMap: fc.Arbitrary<KubeObject> = fc
  .record(
    {
      metadata: objectMeta,
      immutable: fc.boolean(),
      data: smallMap,
      binaryData: dictionaryOf(anyString, base64, 3).filter((m) => Object.keys(m).length > 0),
    },
    { requiredKeys: ['metadata'], noNullPrototype: true },
  )
  .map((o) => ({ kind: 'ConfigMap', apiVersion: 'v1', ...o }));

/** Pods and Statuses as a user might write them; canonical after one protobuf round trip. */
const podInput = fc.record(
  {
    metadata: objectMeta,
    spec: fc.record(
      {
        containers: fc.array(
          fc.record(
            {
              name: dnsLabel,
              image: anyString,
              args: fc.array(anyString, { maxLength: 3 }),
              ports: fc.array(fc.record({ containerPort: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), protocol: fc.constantFrom('TCP', 'UDP') }), { maxLength: 2 }),
              resources: fc.record({ limits: dictionaryOf(fc.constantFrom('cpu', 'memory'), fc.constantFrom('100m', '1Gi', '2', '500Mi'), 2) }, { requiredKeys: [] }),
              env: fc.array(fc.record({ name: anyString, value: anyString }), { maxLength: 2 }),
            },
            { requiredKeys: ['name'] },
          ),
          { maxLength: 3 },
        ),
        nodeName: anyString,
        priority: fc.integer({ min: -100, max: 1000 }),
        activeDeadlineSeconds: fc.maxSafeInteger(),
        terminationGracePeriodSeconds: fc.nat(),
      },
      { requiredKeys: [] },
    ),
    status: fc.record(
      {
        phase: fc.constantFrom('Pending', 'Running', 'Succeeded'),
        podIP: anyString,
        startTime: time,
        conditions: fc.array(fc.record({ type: anyString, status: fc.constantFrom('True', 'False'), lastTransitionTime: time }), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['metadata'] },
);

const statusInput = fc.record({
  metadata: fc.constant({}),
  status: fc.constantFrom('Failure', 'Success'),
  message: anyString,
  reason: fc.constantFrom('Expired', 'Gone', 'NotFound'),
  code: fc.constantFrom(410, 404, 500),
});

/** The JSON form Go would write for `input`: through protobuf once. */
export const canonical = (input: KubeObject): KubeObject => decodeProtobufObject(encodeProtobufObject(input));

export const pod: fc.Arbitrary<KubeObject> = podInput.map((o) => canonical({ kind: 'Pod', apiVersion: 'v1', ...o } as KubeObject));
export const status: fc.Arbitrary<KubeObject> = statusInput.map((o) => canonical({ kind: 'Status', apiVersion: 'v1', ...o }));

export const builtinObject: fc.Arbitrary<KubeObject> = fc.oneof(configMap, pod, status);

export const protobufEvent: fc.Arbitrary<WatchEvent> = fc.record(
  { type: fc.constantFrom(...EVENT_TYPES), object: builtinObject },
  { noNullPrototype: true },
);
