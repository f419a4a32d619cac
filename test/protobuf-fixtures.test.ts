/**
 * Protobuf against the Kubernetes conformance fixtures (../shared/k8s): every
 * `.pb` decodes deep-equal to its `.json` twin, alone and as a watch stream,
 * and every `.json` encodes to the `.pb` bytes exactly. Plus the real ERROR
 * frame of WIRE.md and the unframed error Status.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { type WatchEvent, decodeAll, encodeAll, resolveLimits } from 'watchwire';
import { createProtobufCodec, decodeProtobufObject, encodeProtobufObject, protobufCodec } from 'watchwire/protobuf';
import { chunksOfSize } from './helpers/generators.js';
import { fixturesAbsent, hexBytes, loadFixtures, watchFrame } from './helpers/protobuf-objects.js';

const fixtures = loadFixtures();
const TYPES = ['ADDED', 'MODIFIED', 'DELETED'] as const;
function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('protobuf: the HEAD fixtures', { skip: fixturesAbsent }, () => {
  test('there are 193 fixtures with a .pb', () => {
    assert.equal(fixtures.length, 193);
  });

  test('every .pb decodes deep-equal to its .json', () => {
    const unequal = fixtures.filter((f) => !isDeepStrictEqual(decodeProtobufObject(f.pb), f.json)).map((f) => f.name);
    assert.deepStrictEqual(unequal, []);
  });

  test('every .json encodes to the .pb bytes, byte for byte', () => {
    const differ = fixtures.filter((f) => !bytesEqual(encodeProtobufObject(f.json), f.pb)).map((f) => f.name);
    assert.deepStrictEqual(differ, []);
  });

  test('all of them as one watch stream, in uneven chunks, decode to the JSON events', () => {
    const frames = fixtures.map((f, i) => watchFrame(TYPES[i % 3]!, f.pb));
    const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) {
      stream.set(f, at);
      at += f.length;
    }
    const want: WatchEvent[] = fixtures.map((f, i) => ({ type: TYPES[i % 3]!, object: f.json }));
    const events: WatchEvent[] = [];
    const decoder = protobufCodec.createDecoder(resolveLimits({}));
    const framer = protobufCodec.createFramer(resolveLimits({}));
    for (const chunk of chunksOfSize(stream, 7919)) {
      framer.push(chunk);
      for (let frame = framer.next(); frame !== undefined; frame = framer.next()) events.push(decoder.decode(frame));
    }
    framer.end();
    assert.equal(framer.next(), undefined);
    assert.deepStrictEqual(events, want);
    // And the encoder writes the same stream back.
    assert.ok(bytesEqual(encodeAll(protobufCodec, want), stream));
  });

  test('the CLI transcodes the JSON stream to these exact protobuf frames, and back', () => {
    const frames = concatAll(fixtures.map((f, i) => watchFrame(TYPES[i % 3]!, f.pb)));
    const jsonLines = fixtures.map((f, i) => JSON.stringify({ type: TYPES[i % 3], object: f.json }) + '\n').join('');
    const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
    const toPb = spawnSync(process.execPath, [cli, 'transcode', '--from', 'json', '--to', 'protobuf'], { input: jsonLines, maxBuffer: 1 << 26 });
    assert.equal(toPb.status, 0, toPb.stderr.toString());
    assert.ok(bytesEqual(new Uint8Array(toPb.stdout), frames), 'json -> protobuf equals the .pb frames');
    const back = spawnSync(process.execPath, [cli, 'decode', '--content-type', 'application/vnd.kubernetes.protobuf;stream=watch'], { input: frames, maxBuffer: 1 << 26 });
    assert.equal(back.status, 0, back.stderr.toString());
    assert.deepStrictEqual(back.stdout.toString().trim().split('\n').map((l) => JSON.parse(l)), fixtures.map((f, i) => ({ type: TYPES[i % 3], object: f.json })));
  });

  test("int64: 'bigint' gives the same objects when nothing exceeds 2^53", () => {
    const codec = createProtobufCodec({ int64: 'bigint' });
    const pod = fixtures.find((f) => f.name === 'core.v1.Pod')!;
    assert.deepStrictEqual(decodeAll(codec, watchFrame('ADDED', pod.pb)), [{ type: 'ADDED', object: pod.json }]);
  });
});

describe('protobuf: what a server sends', () => {
  const ERROR_FRAME =
    '000000710a054552524f5212680a666b3873000a0c0a0276311206537461747573124e0a060a0012001a0012074661696c7572651a2f746f6f206f6c64207265736f757263652076657273696f6e3a20313831353337373532202831383135333835353829220745787069726564309a031a002200';
  const expected = {
    type: 'ERROR',
    object: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 181537752 (181538558)',
      reason: 'Expired',
      code: 410,
    },
  };

  test('the real ERROR frame of WIRE.md decodes to the JSON shown there', () => {
    const events = decodeAll(protobufCodec, hexBytes(ERROR_FRAME));
    assert.deepStrictEqual(events, [expected]);
    assert.deepStrictEqual(Object.keys(events[0]!.object).slice(0, 2), ['kind', 'apiVersion']);
  });

  test('the ERROR event encodes back to the captured bytes', () => {
    assert.ok(bytesEqual(encodeAll(protobufCodec, [expected as WatchEvent]), hexBytes(ERROR_FRAME)));
  });

  test('an unframed error Status (k8s\\0 + Unknown) decodes with decodeProtobufObject', () => {
    const body = encodeProtobufObject(expected.object);
    assert.deepStrictEqual([...body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
    assert.deepStrictEqual(decodeProtobufObject(body), expected.object);
  });

  test('a Pod bookmark has the zero fields Go writes', () => {
    const bookmark = { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '12746' } };
    const [event] = decodeAll(protobufCodec, encodeAll(protobufCodec, [{ type: 'BOOKMARK', object: bookmark }]));
    assert.deepStrictEqual(event!.object, { ...bookmark, spec: { containers: null }, status: {} });
  });
});
