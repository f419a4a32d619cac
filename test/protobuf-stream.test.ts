/**
 * The protobuf watch stream: length-prefixed framing (limit from the header,
 * skip without buffering), the laws every codec obeys (identity, chunking,
 * prefixes, arbitrary bytes) with protobuf-capable objects, and hostile input
 * (nesting, lengths, __proto__, int64 beyond 2^53).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, type KubeObject, StreamDecoder, type WatchEvent, decodeAll, encodeAll, resolveLimits } from 'watchwire';
import {
  LengthPrefixedFramer,
  ProtobufSchemaRegistry,
  createProtobufCodec,
  decodeProtobufObject,
  encodeProtobufObject,
  protobufCodec,
} from 'watchwire/protobuf';
import { decodeChunks } from './helpers/codec-laws.js';
import { chunksOfSize, concat, cutPoints, splitAt, utf8 } from './helpers/generators.js';
import { builtinObject, protobufEvent, varint, watchFrame } from './helpers/protobuf-objects.js';

const codec = protobufCodec;
const events = fc.array(protobufEvent, { maxLength: 5 });
const pieces = (list: readonly WatchEvent[]) => {
  const encoder = codec.createEncoder();
  return list.map((e) => encoder.encode(e));
};

describe('protobuf: laws', () => {
  test('encode then decode is the identity (events)', () => {
    fc.assert(
      fc.property(events, (list) => {
        assert.deepStrictEqual(decodeAll(codec, encodeAll(codec, list)), list);
      }),
      { seed: 401, numRuns: 150 },
    );
  });

  test('encode then decode is the identity (objects mode)', () => {
    fc.assert(
      fc.property(fc.array(builtinObject, { maxLength: 4 }), (list) => {
        const encoder = codec.objects!.createEncoder();
        const got = decodeChunks<KubeObject>(codec, [concat(list.map((o) => encoder.encode(o)))], { mode: 'objects' });
        assert.deepStrictEqual(got, { values: list, skipped: 0 });
      }),
      { seed: 402, numRuns: 80 },
    );
  });

  test('encoding is stable: decode(encode(x)) encodes to the same bytes as x', () => {
    fc.assert(
      fc.property(builtinObject, (object) => {
        const bytes = encodeProtobufObject(object);
        assert.deepStrictEqual([...encodeProtobufObject(decodeProtobufObject(bytes))], [...bytes]);
      }),
      { seed: 403, numRuns: 100 },
    );
  });

  test('any split into chunks gives the same events', () => {
    const streams = events.chain((list) => {
      const bytes = encodeAll(codec, list);
      return fc.tuple(fc.constant(list), fc.constant(bytes), cutPoints(bytes.length));
    });
    fc.assert(
      fc.property(streams, ([list, bytes, cuts]) => {
        const whole = decodeChunks(codec, [bytes]);
        assert.deepStrictEqual(whole, { values: list, skipped: 0 });
        assert.deepStrictEqual(decodeChunks(codec, splitAt(bytes, cuts)), whole);
        if (bytes.length <= 4096) assert.deepStrictEqual(decodeChunks(codec, chunksOfSize(bytes, 1)), whole);
      }),
      { seed: 404, numRuns: 100 },
    );
  });

  test('every strict prefix of a frame gives no event for it, and end() says truncated', () => {
    const cases = fc.array(protobufEvent, { minLength: 1, maxLength: 3 }).chain((list) => {
      const ps = pieces(list);
      const k = list.length - 1;
      return fc.tuple(fc.constant(list), fc.constant(ps), fc.integer({ min: 1, max: ps[k]!.length - 1 }), fc.boolean());
    });
    fc.assert(
      fc.property(cases, ([list, ps, cut, byteByByte]) => {
        const k = list.length - 1;
        const bytes = concat([...ps.slice(0, k), ps[k]!.subarray(0, cut)]);
        const values: WatchEvent[] = [];
        const decoder = StreamDecoder.events(codec, (e) => values.push(e));
        for (const chunk of byteByByte ? chunksOfSize(bytes, 1) : [bytes]) decoder.push(chunk);
        assert.deepStrictEqual(values, list.slice(0, k));
        assert.throws(
          () => decoder.end(),
          (e) => e instanceof DecodeError && e.code === 'truncated' && e.frameIndex === k && e.byteOffset === bytes.length - cut,
        );
      }),
      { seed: 405, numRuns: 150 },
    );
  });

  test('arbitrary and mutated bytes give only DecodeErrors, the same whatever the chunking', () => {
    const valid = events.map((list) => encodeAll(codec, list));
    const mutated = valid.chain((bytes) =>
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
        const out = Uint8Array.from(bytes);
        for (const [at, byte] of edits) if (out.length > 0) out[at % out.length] = byte;
        return out;
      }),
    );
    const inputs = fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated);
    fc.assert(
      fc.property(inputs, fc.boolean(), (bytes, skip) => {
        const options = skip ? { onError: () => 'skip' as const } : {};
        const whole = decodeChunks(codec, [bytes], options);
        assert.deepStrictEqual(decodeChunks(codec, chunksOfSize(bytes, 13), options), whole);
      }),
      { seed: 406, numRuns: 400 },
    );
  });

  test('arbitrary bytes after the magic give only DecodeErrors (decodeProtobufObject)', () => {
    const magic = [0x6b, 0x38, 0x73, 0x00];
    const pod = encodeProtobufObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } });
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 256 }).map((b) => Uint8Array.from([...magic, ...b])),
      // typeMeta of a Pod, then garbage as its raw message
      fc.uint8Array({ maxLength: 256 }).map((b) => Uint8Array.from([...pod.subarray(0, 4 + 13), 0x12, b.length, ...b].slice(0, 4 + 13 + 2 + Math.min(b.length, 127)))),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const out = Uint8Array.from(pod);
        out[4 + (at % (out.length - 4))] = byte;
        return out;
      }),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        try {
          decodeProtobufObject(bytes);
        } catch (e) {
          assert.ok(e instanceof DecodeError, `not a DecodeError: ${String(e)}`);
        }
      }),
      { seed: 407, numRuns: 1000 },
    );
  });
});

describe('protobuf: framing', () => {
  const limits = (maxFrameBytes: number) => resolveLimits({ maxFrameBytes });
  const good = (name: string) => encodeAll(codec, [{ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name } } }]);

  test('an over-limit frame is refused from its 4-byte header alone', () => {
    const framer = new LengthPrefixedFramer(1000);
    framer.push(Uint8Array.of(0x40, 0, 0, 0)); // declares 1 GiB, no body yet
    assert.throws(
      () => framer.next(),
      (e) => e instanceof DecodeError && e.code === 'frame-too-large' && e.resumable && /1073741824/.test(e.detail),
    );
    assert.equal(framer.frameOffset, 0);
  });

  test('skip() drops the declared body as it arrives, holding none of it, and goes on', () => {
    const framer = new LengthPrefixedFramer(100);
    const next = good('after');
    framer.push(Uint8Array.of(0, 0, 0x10, 0)); // 4096-byte body
    assert.throws(() => framer.next(), (e) => e instanceof DecodeError && e.code === 'frame-too-large');
    framer.skip();
    for (let i = 0; i < 4096; i += 512) {
      framer.push(new Uint8Array(512).fill(0xaa));
      assert.equal(framer.next(), undefined);
      assert.equal((framer as unknown as { queue: { length: number } }).queue.length, 0, 'no skipped byte is held');
    }
    framer.push(next);
    const frame = framer.next();
    assert.ok(frame !== undefined);
    assert.equal(framer.frameOffset, 4 + 4096);
    assert.equal(codec.createDecoder(limits(100)).decode(frame).object.metadata?.name, 'after');
  });

  test("through the pipeline: onError 'skip' passes an over-limit frame, whatever the chunking", () => {
    const big = encodeAll(codec, [{ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'big' }, data: { x: 'y'.repeat(5000) } } }]);
    const bytes = concat([good('a'), big, good('b')]);
    for (const size of [1, 7, 1000, bytes.length]) {
      const got = decodeChunks(codec, chunksOfSize(bytes, size), { maxFrameBytes: 1000, onError: () => 'skip' });
      assert.deepStrictEqual(got.values.map((e) => e.object.metadata?.name), ['a', 'b']);
      assert.equal(got.skipped, 1);
      const stopped = decodeChunks(codec, chunksOfSize(bytes, size), { maxFrameBytes: 1000 });
      assert.deepStrictEqual(stopped.error, { code: 'frame-too-large', frameIndex: 1, byteOffset: good('a').length, mediaType: codec.mediaType });
    }
  });

  test('a frame that decodes badly is skippable; bad magic and unknown kinds have their codes', () => {
    const badMagic = watchFrame('ADDED', utf8('{"kind":"Pod"}'));
    const widget = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'w' } });
    const renamed = Uint8Array.from(widget);
    renamed.set(utf8('ConfigMaq'), renamed.indexOf(0x43)); // kind ConfigMap -> ConfigMaq
    const unknown = watchFrame('ADDED', renamed);
    const bytes = concat([good('a'), badMagic, unknown, good('b')]);
    const seen: DecodeError[] = [];
    const got = decodeChunks(codec, [bytes], { onError: (e) => (seen.push(e), 'skip') });
    assert.deepStrictEqual(got.values.map((e) => e.object.metadata?.name), ['a', 'b']);
    assert.deepStrictEqual(seen.map((e) => [e.code, e.frameIndex]), [['bad-magic', 1], ['unknown-kind', 2]]);
    assert.deepStrictEqual([...seen[1]!.raw!], [...renamed], 'unknown-kind carries the object bytes');
  });

  test('an event type outside the five is refused', () => {
    assert.throws(
      () => decodeAll(codec, watchFrame('FOO', encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: {} }))),
      (e) => e instanceof DecodeError && e.code === 'unknown-event-type',
    );
  });
});

describe('protobuf: hostile input', () => {
  /** A JSONSchemaProps nested `levels` deep through `not` (field 28), built outside in. */
  const nestedNot = (levels: number): Uint8Array => {
    const sizes = [0];
    for (let i = 1; i <= levels; i++) sizes.push(2 + varint(sizes[i - 1]!).length + sizes[i - 1]!);
    const out: number[] = [];
    for (let i = levels; i >= 1; i--) out.push(0xe2, 0x01, ...varint(sizes[i - 1]!));
    return Uint8Array.from(out);
  };
  const SCHEMA = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
  const schemas = new ProtobufSchemaRegistry().addBuiltin('example.com/v1', 'Schema', SCHEMA);
  /** k8s\0 + Unknown{typeMeta example.com/v1 Schema, raw}. */
  const schemaObject = (raw: Uint8Array) => {
    const av = utf8('example.com/v1'), kind = utf8('Schema');
    const inner = [0x0a, av.length, ...av, 0x12, kind.length, ...kind];
    return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, inner.length, ...inner, 0x12, ...varint(raw.length), ...raw, 0x1a, 0, 0x22, 0]);
  };

  test('nesting beyond maxDepth is nesting-too-deep, not a stack overflow', () => {
    const ok = decodeProtobufObject(schemaObject(nestedNot(5)), { schemas });
    assert.deepStrictEqual(ok, { not: { not: { not: { not: { not: {} } } } } });
    assert.throws(
      () => decodeProtobufObject(schemaObject(nestedNot(5)), { schemas, maxDepth: 3 }),
      (e) => e instanceof DecodeError && e.code === 'nesting-too-deep',
    );
    // 5000 levels against the default maxDepth (1000).
    assert.throws(() => decodeProtobufObject(schemaObject(nestedNot(5000)), { schemas }), (e) => e instanceof DecodeError && e.code === 'nesting-too-deep');
  });

  test('declared lengths beyond the bytes left are invalid-protobuf, before any allocation', () => {
    const cm = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x' } });
    const raw = cm.indexOf(0x12, 6); // Unknown.raw tag
    const huge = Uint8Array.from([...cm.subarray(0, raw), 0x12, 0xff, 0xff, 0xff, 0xff, 0x07, 0x0a, 0x00]);
    assert.throws(() => decodeProtobufObject(huge), (e) => e instanceof DecodeError && e.code === 'invalid-protobuf');
    // A string field declaring 2 GiB inside a small message.
    const inner = Uint8Array.from([0x0a, 0x06, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x07]); // metadata { name: <2 GiB> }
    const obj = Uint8Array.from([...cm.subarray(0, raw), 0x12, inner.length, ...inner]);
    assert.throws(() => decodeProtobufObject(obj), (e) => e instanceof DecodeError && e.code === 'invalid-protobuf');
  });

  test('maxStringBytes bounds every string, bytes and raw JSON field', () => {
    const cm = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'n' }, data: { k: 'x'.repeat(100) } });
    assert.equal(decodeProtobufObject(cm, { maxStringBytes: 100 }).data!['k' as never], 'x'.repeat(100));
    assert.throws(() => decodeProtobufObject(cm, { maxStringBytes: 99 }), (e) => e instanceof DecodeError && e.code === 'limit-exceeded');
    const got = decodeChunks(codec, [encodeAll(codec, [{ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: {}, binaryData: { b: 'A'.repeat(200) } } }])], { maxStringBytes: 100 });
    assert.equal(got.error?.code, 'limit-exceeded');
  });

  test('map keys such as __proto__ stay plain data', () => {
    const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { labels: JSON.parse('{"__proto__":"x","constructor":"y"}') }, data: JSON.parse('{"__proto__":"z"}') };
    const got = decodeProtobufObject(encodeProtobufObject(cm));
    const labels = got.metadata!.labels!;
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
    assert.deepStrictEqual(Object.keys(labels), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value, 'x');
    assert.deepStrictEqual(got, cm);
    assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype untouched');
  });

  test("int64 beyond 2^53: rounded as JSON.parse rounds by default, exact with int64: 'bigint'", () => {
    const big = 2n ** 60n + 1n;
    const bytes = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'n', generation: big as unknown as number } });
    assert.equal(decodeProtobufObject(bytes).metadata!.generation, JSON.parse(String(big)));
    assert.equal(decodeProtobufObject(bytes, { int64: 'bigint' }).metadata!.generation, big);
    const negative = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { generation: -5 } });
    assert.equal(decodeProtobufObject(negative).metadata!.generation, -5);
    assert.equal(decodeProtobufObject(negative, { int64: 'bigint' }).metadata!.generation, -5);
    const bigintCodec = createProtobufCodec({ int64: 'bigint' });
    assert.equal(decodeAll(bigintCodec, encodeAll(codec, [{ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { generation: big as unknown as number } } }]))[0]!.object.metadata!.generation, big);
  });
});
