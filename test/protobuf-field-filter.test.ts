/**
 * Decode-time field selection in the protobuf codec: with a FieldFilter the
 * event and object decoders skip the bytes of dropped fields, and what they
 * return equals applyFieldFilter over the full decode, for every upstream
 * fixture and for generated objects, for drop and keep selections alike.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type FieldFilter, type FieldSelection, type KubeObject, type WatchEvent, applyFieldFilter, compileFieldFilter, DEFAULT_LIMITS } from 'watchwire';
import { decodeProtobufObject, encodeProtobufObject, protobufCodec } from 'watchwire/protobuf';
import { builtinObject, fixturesAbsent, loadFixtures, pod, watchFrame } from './helpers/protobuf-objects.js';

const IDENTITY = ['apiVersion', 'kind', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.resourceVersion'];

function decodeEvent(frame: Uint8Array, filter: FieldFilter | undefined): WatchEvent {
  return protobufCodec.createDecoder(DEFAULT_LIMITS, filter === undefined ? {} : { fieldFilter: filter }).decode(frame.subarray(4));
}

function decodeObject(bytes: Uint8Array, filter: FieldFilter | undefined): KubeObject {
  return protobufCodec.objects!.createDecoder(DEFAULT_LIMITS, filter === undefined ? {} : { fieldFilter: filter }).decode(bytes);
}

/** Dotted paths of every key under `value` (arrays transparent), dots in keys escaped, up to `depth` keys. */
function pathsOf(value: unknown, depth: number, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => pathsOf(item, depth, prefix)))];
  if (value === null || typeof value !== 'object' || depth === 0) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === '') continue; // a path cannot name an empty key
    const path = prefix + key.replaceAll('.', '\\.');
    out.push(path, ...pathsOf(child, depth - 1, path + '.'));
  }
  return out;
}

/** A selection of the object's own paths (drops never touch what a watch needs). */
function selectionOf(object: KubeObject): fc.Arbitrary<FieldSelection> {
  const paths = pathsOf(object, 4);
  const droppable = paths.filter((p) => !IDENTITY.some((id) => id === p || id.startsWith(p + '.')));
  const some = (from: string[]) => (from.length === 0 ? fc.constant([]) : fc.subarray(from, { maxLength: Math.min(4, from.length) }));
  return fc.oneof(
    some(droppable).map((dropFields) => ({ dropFields })),
    some(paths).map((keepFields) => ({ keepFields })),
    fc.record({ keepFields: some(paths), dropFields: some(droppable) }),
  );
}

const FIXED: FieldSelection[] = [
  { dropFields: ['metadata.managedFields'] },
  { dropFields: ['spec', 'status'] },
  { dropFields: ['metadata.managedFields.fieldsV1', 'metadata.labels', 'spec.containers.image', 'spec.template'] },
  { keepFields: ['status.phase'] },
  { keepFields: ['metadata.labels', 'spec.containers.name', 'spec.containers.ports', 'data'] },
  { keepFields: ['spec'], dropFields: ['spec.containers.env', 'spec.volumes'] },
];

describe('protobuf: decode-time field selection', { skip: fixturesAbsent }, () => {
  const fixtures = loadFixtures();

  test('every upstream fixture, fixed selections: equal to the post-pass over the full decode', () => {
    let checked = 0;
    for (const { name, pb } of fixtures) {
      const full = decodeObject(pb, undefined);
      for (const selection of FIXED) {
        const filter = compileFieldFilter(selection)!;
        const want = applyFieldFilter(full, filter);
        assert.deepStrictEqual(decodeObject(pb, filter), want, `${name} ${JSON.stringify(selection)} (objects)`);
        assert.deepStrictEqual(decodeEvent(watchFrame('MODIFIED', pb), filter), { type: 'MODIFIED', object: want }, `${name} ${JSON.stringify(selection)} (event)`);
        checked++;
      }
    }
    assert.equal(checked, fixtures.length * FIXED.length);
    assert.ok(fixtures.length >= 193, `${fixtures.length} fixtures`);
  });

  test('every upstream fixture, selections of its own paths (property)', () => {
    const cases = fc.constantFrom(...fixtures).chain((f) => fc.tuple(fc.constant(f), selectionOf(f.json)));
    fc.assert(
      fc.property(cases, ([{ pb }, selection]) => {
        const filter = compileFieldFilter(selection);
        const full = decodeObject(pb, undefined);
        const want = filter === undefined ? full : applyFieldFilter(full, filter);
        assert.deepStrictEqual(decodeObject(pb, filter), want);
        assert.deepStrictEqual(decodeEvent(watchFrame('ADDED', pb), filter).object, want);
      }),
      { seed: 1414, numRuns: 1500 },
    );
  });

  test('generated objects, selections of their own paths (property)', () => {
    const cases = builtinObject.chain((o) => fc.tuple(fc.constant(o), selectionOf(o), fc.constantFrom('ADDED', 'MODIFIED', 'DELETED')));
    fc.assert(
      fc.property(cases, ([object, selection, type]) => {
        const pb = encodeProtobufObject(object);
        const filter = compileFieldFilter(selection);
        const want = filter === undefined ? object : applyFieldFilter(object, filter);
        assert.deepStrictEqual(decodeEvent(watchFrame(type, pb), filter), { type, object: want });
      }),
      { seed: 1415, numRuns: 400 },
    );
  });

  test('BOOKMARK and ERROR objects are not filtered', () => {
    const filter = compileFieldFilter({ keepFields: ['status.phase'], dropFields: ['metadata.annotations'] })!;
    fc.assert(
      fc.property(builtinObject, fc.constantFrom('BOOKMARK', 'ERROR'), (object, type) => {
        const pb = encodeProtobufObject(object);
        assert.deepStrictEqual(decodeEvent(watchFrame(type, pb), filter), { type, object: decodeProtobufObject(pb) });
      }),
      { seed: 1416, numRuns: 100 },
    );
  });

  test("a dropped field's bytes are skipped, not decoded: a managedFields entry that is not JSON decodes only when dropped", () => {
    const object = fc.sample(pod, { seed: 7, numRuns: 1 })[0]!;
    const marker = 'f:zqzqzq';
    const metadata = { ...(object.metadata as object), managedFields: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { [marker]: {} } }] };
    const pb = encodeProtobufObject({ ...object, metadata });
    // Break the FieldsV1 JSON in place (same length): {"f:zqzqzq":{}} -> {"f:zqzqzq":}}
    const at = Buffer.from(pb).indexOf(`"${marker}":{}`);
    assert.ok(at > 0);
    const bad = Uint8Array.from(pb); // a copy (pb may be a Buffer, whose slice is a view)
    bad[at + marker.length + 3] = '}'.charCodeAt(0);
    assert.throws(() => decodeObject(bad, undefined), { code: 'invalid-protobuf' });
    const dropped = decodeObject(bad, compileFieldFilter({ dropFields: ['metadata.managedFields'] }));
    assert.deepStrictEqual(dropped, applyFieldFilter(decodeObject(pb, undefined), compileFieldFilter({ dropFields: ['metadata.managedFields'] })!));
    assert.equal((dropped.metadata as Record<string, unknown>).managedFields, undefined);
    // Kept by a keep selection that does not name it: skipped too.
    assert.doesNotThrow(() => decodeObject(bad, compileFieldFilter({ keepFields: ['spec'] })));
  });

  test('a decoder without a filter decodes everything (and one with a filter leaves no state behind)', () => {
    const { pb } = fixtures.find((f) => f.name === 'core.v1.Pod')!;
    const filtered = protobufCodec.createDecoder(DEFAULT_LIMITS, { fieldFilter: compileFieldFilter({ keepFields: ['status.phase'] })! });
    const plain = protobufCodec.createDecoder(DEFAULT_LIMITS);
    const frame = watchFrame('ADDED', pb).subarray(4);
    const full = plain.decode(frame);
    filtered.decode(frame);
    assert.deepStrictEqual(plain.decode(frame), full);
    assert.deepStrictEqual(full.object, decodeProtobufObject(pb));
  });
});
