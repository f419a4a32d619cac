/**
 * Where the protobuf schemas come from: the generated built-in codecs are
 * reproducible from ../shared/k8s/schema.json byte for byte; the hand-written
 * envelope agrees with proto/watch.proto loaded by protobufjs; and a caller's
 * own .proto (a kind served by an aggregated API server) decodes and encodes
 * through a ProtobufSchemaRegistry.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { DecodeError, type KubeObject, decodeAll, encodeAll } from 'watchwire';
import { ProtobufSchemaRegistry, createProtobufCodec, decodeProtobufObject, encodeProtobufObject, protobufCodec } from 'watchwire/protobuf';
import { generate } from '../scripts/generate-protobuf-schemas.js';
import { SCHEMA } from './helpers/protobuf-objects.js';

const root = new URL('../', import.meta.url);
const schemaAbsent = existsSync(fileURLToPath(SCHEMA)) ? false : '../shared/k8s/schema.json is not present';

describe('protobuf: generated schemas', () => {
  test('re-running the generator reproduces src/formats/protobuf/generated/messages.ts byte for byte', { skip: schemaAbsent }, () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(SCHEMA), 'utf8'));
    const committed = readFileSync(fileURLToPath(new URL('src/formats/protobuf/generated/messages.ts', root)), 'utf8');
    const fresh = generate(schema);
    assert.ok(fresh === committed, 'generated output differs from the committed file: run `npm run generate`');
  });
});

describe('protobuf: the envelope agrees with proto/watch.proto', () => {
  const envelope = protobuf.loadSync(fileURLToPath(new URL('proto/watch.proto', root)));
  const WatchEvent = envelope.lookupType('watchwire.envelope.WatchEvent');
  const Unknown = envelope.lookupType('watchwire.envelope.Unknown');
  const object: KubeObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' }, data: { a: 'b' } };

  test('an encoded frame reads back with protobufjs reflection', () => {
    const frame = encodeAll(protobufCodec, [{ type: 'MODIFIED', object }]);
    assert.equal(new DataView(frame.buffer, frame.byteOffset).getUint32(0), frame.length - 4);
    const event = WatchEvent.decode(frame.subarray(4)) as unknown as { type: string; object: { raw: Uint8Array } };
    assert.equal(event.type, 'MODIFIED');
    assert.deepStrictEqual([...event.object.raw.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
    const unknown = Unknown.decode(event.object.raw.subarray(4)) as unknown as Record<string, unknown>;
    assert.deepStrictEqual(unknown.typeMeta, Unknown.lookupType('TypeMeta').fromObject({ apiVersion: 'v1', kind: 'ConfigMap' }));
    assert.equal(unknown.contentEncoding, '');
    assert.equal(unknown.contentType, '');
  });

  test('protobufjs writes the same envelope bytes', () => {
    const body = encodeProtobufObject(object);
    const unknown = Unknown.decode(body.subarray(4));
    const rebuilt = Unknown.encode(unknown).finish();
    assert.deepStrictEqual([...rebuilt], [...body.subarray(4)]);
    const frame = WatchEvent.encode(WatchEvent.fromObject({ type: 'ADDED', object: { raw: body } })).finish();
    assert.deepStrictEqual([...frame], [...encodeAll(protobufCodec, [{ type: 'ADDED', object }]).subarray(4)]);
  });
});

describe('protobuf: a caller-supplied schema (aggregated API server kinds)', () => {
  const text = readFileSync(fileURLToPath(new URL('proto/testdata/widget.proto', root)), 'utf8');
  const widgets = protobuf.parse(text, { keepCase: true }).root;
  const schemas = new ProtobufSchemaRegistry().addRoot(widgets, [
    { apiVersion: 'widgets.example.com/v1', kind: 'Widget', message: 'example.widgets.v1.Widget' },
  ]);
  const codec = createProtobufCodec({ schemas });
  const widget: KubeObject = {
    kind: 'Widget',
    apiVersion: 'widgets.example.com/v1',
    metadata: { name: 'w1', namespace: 'ns', creationTimestamp: '2024-01-02T03:04:05Z', labels: { __proto__: 'x' } as unknown as Record<string, string> },
    spec: {
      replicas: 3,
      color: 'red',
      tags: ['a', 'b'],
      settings: { z: '1', a: '2' },
      size: '1Gi',
      serial: 12,
      blob: 'AQID',
      shape: 1,
      timeout: '1m30s',
      port: 'http',
      history: [{ type: 'Created', ok: false }],
    },
    status: { conditions: [{ type: 'Ready', ok: true }], lastSeen: '2025-06-07T08:09:10Z', renewed: '2025-06-07T08:09:10.123456Z' },
  };
  // `labels: {__proto__: 'x'}` in a literal sets the prototype; make it a real key.
  widget.metadata!.labels = JSON.parse('{"__proto__":"x"}');

  test('a Widget round-trips through a watch stream, built-in fields (metadata, Time, Quantity, Duration, IntOrString) included', () => {
    const events = decodeAll(codec, encodeAll(codec, [{ type: 'ADDED', object: widget }]));
    assert.deepStrictEqual(events, [{ type: 'ADDED', object: widget }]);
    assert.deepStrictEqual(Object.keys(events[0]!.object).slice(0, 2), ['kind', 'apiVersion']);
  });

  test('map entries are written sorted by key, as Go writes them', () => {
    const bytes = encodeProtobufObject(widget, { schemas });
    const text = new TextDecoder('latin1').decode(bytes);
    assert.ok(text.indexOf('\n\u0001a') < text.indexOf('\n\u0001z'));
  });

  test('without the registry the same object is unknown-kind, carrying its bytes', () => {
    const bytes = encodeProtobufObject(widget, { schemas });
    assert.throws(
      () => decodeProtobufObject(bytes),
      (e) => e instanceof DecodeError && e.code === 'unknown-kind' && e.raw !== undefined && e.raw.length === bytes.length,
    );
    assert.deepStrictEqual(decodeProtobufObject(bytes, { schemas }), widget);
  });

  test('maxCollectionLength bounds a custom kind\'s map and repeated fields', () => {
    const bytes = encodeAll(codec, [{ type: 'ADDED', object: widget }]);
    // settings has 2 entries, tags 2 items: a limit of 2 passes, 1 fails on the map (field 4 comes after tags).
    assert.deepStrictEqual(decodeAll(codec, bytes, { maxCollectionLength: 2 })[0]!.object, widget);
    const noTags = { ...widget, spec: { ...(widget.spec as object), tags: [] } };
    assert.throws(
      () => decodeAll(codec, encodeAll(codec, [{ type: 'ADDED', object: noTags }]), { maxCollectionLength: 1 }),
      (e) => e instanceof DecodeError && e.code === 'limit-exceeded' && /map field/.test(e.message),
    );
  });

  test('built-in kinds still resolve through a custom registry', () => {
    const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } };
    assert.deepStrictEqual(decodeAll(codec, encodeAll(protobufCodec, [{ type: 'DELETED', object: cm }]))[0]!.object, cm);
  });
});
