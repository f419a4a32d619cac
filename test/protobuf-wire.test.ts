/**
 * The wire reader (runtime/reader.ts Reader) on what Go's decoder accepts
 * and rejects: varints longer than needed (Go reads them), negative int32s
 * (ten bytes on the wire), and bytes that end inside a varint, a length or
 * a nested message: a DecodeError, never anything else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeError } from 'watchwire';
import { decodeProtobufObject, encodeProtobufObject } from 'watchwire/protobuf';

/** magic + Unknown {typeMeta {v1, kind}, raw}: the object's own message bytes wrapped as the API server sends them. */
function wrap(kind: string, raw: readonly number[]): Uint8Array {
  const typeMeta = [10, 2, ...Buffer.from('v1'), 18, kind.length, ...Buffer.from(kind)];
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, 10, typeMeta.length, ...typeMeta, 18, raw.length, ...raw]);
}

const name = [...Buffer.from('cm')];
/** ConfigMap {metadata {name: cm}, data {k: v}}. */
const canonical = [10, 4, 10, 2, ...name, 18, 6, 10, 1, 0x6b, 18, 1, 0x76];

test('varints written longer than needed read as their value (as Go reads them)', () => {
  const expected = decodeProtobufObject(wrap('ConfigMap', canonical));
  assert.deepEqual(expected, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' }, data: { k: 'v' } });
  // Tag 10 as two bytes, length 4 as three, the data entry's length 6 as five.
  const padded = [0x8a, 0x00, 0x84, 0x80, 0x00, 10, 2, ...name, 18, 0x86, 0x80, 0x80, 0x80, 0x00, 10, 1, 0x6b, 18, 1, 0x76];
  assert.deepEqual(decodeProtobufObject(wrap('ConfigMap', padded)), expected);
});

test('negative int32 (ten bytes on the wire) and int64 values round-trip', () => {
  const pod = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'p', generation: -3, deletionGracePeriodSeconds: 2 ** 40 },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: -1 }] }], priority: -2147483648 },
  };
  const decoded = decodeProtobufObject(encodeProtobufObject(pod)) as typeof pod;
  assert.equal(decoded.metadata.generation, -3);
  assert.equal(decoded.metadata.deletionGracePeriodSeconds, 2 ** 40);
  assert.equal(decoded.spec.priority, -2147483648);
  assert.equal(decoded.spec.containers[0]!.ports[0]!.containerPort, -1);
});

test('bytes ending inside a varint, a length or a nested message are invalid-protobuf', () => {
  const cases: [string, number[]][] = [
    ['a tag cut after its first byte', [0x8a]],
    ['a length cut', [10, 0x84]],
    ['a varint running past a nested message', [10, 1, 0x8a, 0x00]],
    ['a string overrunning its message', [10, 4, 10, 9, ...name]],
    ['a varint of eleven bytes', [10, 12, 0x88, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  ];
  for (const [what, raw] of cases) {
    assert.throws(() => decodeProtobufObject(wrap('ConfigMap', raw)), (e: unknown) => e instanceof DecodeError && e.code === 'invalid-protobuf', what);
  }
});
