/**
 * Where the protobuf schemas come from: the generated built-in codecs are
 * reproducible from ../shared/k8s/schema.json byte for byte; the hand-written
 * envelope agrees with proto/watch.proto loaded by protobufjs; and a caller's
 * own .proto (a kind served by an aggregated API server) decodes and encodes
 * through a ProtobufSchemaRegistry.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { DecodeError, type KubeObject, decodeAll, encodeAll } from 'watchwire';
import { ProtobufSchemaRegistry, type SchemaGroup, createProtobufCodec, decodeProtobufObject, encodeProtobufObject, protobufCodec } from 'watchwire/protobuf';
import * as core from 'watchwire/protobuf/core-v1';
import { schemas as appsV1 } from 'watchwire/protobuf/apps-v1';
import { schemas as coreV1 } from 'watchwire/protobuf/core-v1';
import { encoders as coreV1Encoders } from 'watchwire/protobuf/encode/core-v1';
import { ALL_GROUPS } from '../src/formats/protobuf/generated/all.js';
import { bundleForBrowser } from '../scripts/bundle-lib.ts';
import { generate } from '../scripts/generate-protobuf-schemas.js';
import { SCHEMA } from './helpers/protobuf-objects.js';

const root = new URL('../', import.meta.url);
const schemaAbsent = existsSync(fileURLToPath(SCHEMA)) ? false : '../shared/k8s/schema.json is not present';

describe('protobuf: generated schemas', () => {
  test('re-running the generator reproduces src/formats/protobuf/generated/ byte for byte (and nothing else is there)', { skip: schemaAbsent }, () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(SCHEMA), 'utf8'));
    const dir = fileURLToPath(new URL('src/formats/protobuf/generated/', root));
    const fresh = generate(schema);
    const present = [...readdirSync(dir).filter((f) => f !== 'encode'), ...readdirSync(dir + 'encode').map((f) => `encode/${f}`)];
    assert.deepStrictEqual(present.sort(), [...fresh.keys()].sort(), 'generated modules differ: run `npm run generate`');
    for (const [file, text] of fresh) assert.ok(readFileSync(dir + file, 'utf8') === text, `${file} differs from the generator's output: run \`npm run generate\``);
  });

  test('every message is in exactly one group; a group carries what it requires', () => {
    const names = new Map<string, string>();
    const visit = (group: SchemaGroup, seen: Set<string>): void => {
      if (seen.has(group.name)) return;
      seen.add(group.name);
      for (const r of group.requires) visit(r, seen);
    };
    const all = new Set<string>();
    for (const group of ALL_GROUPS) visit(group, all);
    assert.equal(all.size, ALL_GROUPS.length, 'ALL_GROUPS lists every required group');
    for (const group of ALL_GROUPS) {
      for (const name of group.messages.keys()) {
        assert.equal(names.get(name), undefined, `${name} in ${names.get(name)} and ${group.name}`);
        names.set(name, group.name);
      }
    }
    assert.ok(names.size > 1200, `${names.size} messages`);
    const coreOnly = new ProtobufSchemaRegistry([coreV1]);
    assert.deepStrictEqual(coreOnly.groups, ['core-v1', 'meta']);
  });
});

describe('protobuf: schemas by group (watchwire/protobuf/core-v1, watchwire/protobuf/<group>)', () => {
  test('a browser bundle of the core/v1 entry carries core/v1 and meta only', async () => {
    const bundle = await bundleForBrowser({ entry: { contents: `export { protobufCodec } from 'watchwire/protobuf/core-v1'; export { decodeStream } from 'watchwire';` } });
    const groups = bundle.inputs.map((i) => /formats\/protobuf\/generated\/([^/]+)\.js$/.exec(i.path)?.[1]).filter((g) => g !== undefined);
    assert.deepStrictEqual(groups.sort(), ['core-v1', 'meta']);
    assert.deepStrictEqual(bundle.inputs.filter((i) => /generated\/encode\//.test(i.path)).map((i) => i.path), [], 'decode-only: no generated encoders');
  });

  const pod: KubeObject = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const deployment: KubeObject = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'd' }, spec: { replicas: 2 } };

  test('the core/v1 codec decodes core/v1 and meta/v1 kinds as the full one does, and refuses other groups', () => {
    const frames = encodeAll(protobufCodec, [{ type: 'ADDED', object: pod }, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410 } }]);
    assert.deepStrictEqual(decodeAll(core.protobufCodec, frames), decodeAll(protobufCodec, frames));
    // Decode-only: encoding names what to import; with the group's encoders added it writes the same bytes.
    assert.throws(() => encodeAll(core.protobufCodec, decodeAll(protobufCodec, frames)), (e: Error) => e instanceof core.MissingEncoderError && /watchwire\/protobuf\/encode\/core-v1/.test(e.message));
    const encoding = core.createProtobufCodec({ schemas: new core.ProtobufSchemaRegistry().addEncoders(coreV1Encoders) });
    assert.deepStrictEqual(encodeAll(encoding, decodeAll(protobufCodec, frames)), frames);
    const apps = encodeProtobufObject(deployment);
    assert.throws(() => core.decodeProtobufObject(apps), { code: 'unknown-kind' });
    assert.deepStrictEqual(decodeProtobufObject(apps).spec, decodeProtobufObject(apps).spec);
  });

  test('more groups are added to a registry: addGroup, or the constructor', () => {
    const apps = encodeProtobufObject(deployment);
    const withApps = new core.ProtobufSchemaRegistry().addGroup(appsV1);
    assert.deepStrictEqual(withApps.groups, ['apps-v1', 'core-v1', 'meta']);
    assert.deepStrictEqual(core.decodeProtobufObject(apps, { schemas: withApps }), decodeProtobufObject(apps));
    const codec = core.createProtobufCodec({ schemas: new core.ProtobufSchemaRegistry([coreV1, appsV1]) });
    const frames = encodeAll(protobufCodec, [{ type: 'ADDED', object: deployment }, { type: 'ADDED', object: pod }]);
    assert.deepStrictEqual(decodeAll(codec, frames), decodeAll(protobufCodec, frames));
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
