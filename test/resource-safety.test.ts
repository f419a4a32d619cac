/**
 * Resource safety against hostile bytes, across all four formats (issue 8):
 * 1. every limit is an option with a finite default and is enforced before
 *    the memory it guards is allocated (headers alone refuse huge lengths;
 *    alias bombs and deep nesting fail fast);
 * 2. one error behaviour everywhere, as one table-driven test: a placed
 *    DecodeError, events before the fault delivered, skip resynchronises where
 *    the format can, stop is the default;
 * 3. a decoder that threw: the stream decoder is dead and says so on every
 *    later call, a frame decoder stays usable;
 * 4. an aborted stream releases its reader, cancels upstream and leaves no timers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  type Codec,
  DEFAULT_LIMITS,
  DecodeError,
  type DecodeErrorCode,
  type DecodeLimits,
  type KubeObject,
  StreamDecoder,
  type WatchEvent,
  cborCodec,
  createDecoderStream,
  decodeAll,
  decodeCborObject,
  decodeStream,
  encodeAll,
  encodeCbor,
  jsonCodec,
  resolveLimits,
  watch,
  yamlCodec,
} from 'watchwire';
import { ProtobufSchemaRegistry, createProtobufCodec, decodeProtobufObject, protobufCodec } from 'watchwire/protobuf';
import { decodeChunks, encodePieces } from './helpers/codec-laws.js';
import { chunksOfSize, concat, utf8 } from './helpers/generators.js';
import { watchFrame } from './helpers/protobuf-objects.js';

const MiB = 1024 * 1024;

/** Runs `f` and returns [its result or thrown value, elapsed ms, ArrayBuffer bytes grown]. */
function measure(f: () => unknown): { thrown: unknown; ms: number; buffers: number } {
  const buffers = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  return { thrown, ms: performance.now() - started, buffers: process.memoryUsage().arrayBuffers - buffers };
}

function assertDecodeError(thrown: unknown, code: DecodeErrorCode): asserts thrown is DecodeError {
  assert.ok(thrown instanceof DecodeError, `expected a DecodeError ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, thrown.message);
}

// ---- 1. limits --------------------------------------------------------------------------

describe('limits: options with finite defaults, enforced before allocation', () => {
  test('every limit has a finite default and is an option; non-finite or negative values are refused', () => {
    const names = Object.keys(DEFAULT_LIMITS).sort();
    assert.deepStrictEqual(names, ['maxAliases', 'maxCollectionLength', 'maxDepth', 'maxFrameBytes', 'maxStringBytes']);
    for (const name of names as (keyof DecodeLimits)[]) {
      assert.ok(Number.isSafeInteger(DEFAULT_LIMITS[name]) && DEFAULT_LIMITS[name] > 0, name);
      assert.equal(resolveLimits({ [name]: 7 })[name], 7);
      for (const bad of [Infinity, Number.NaN, -1, 1.5]) assert.throws(() => resolveLimits({ [name]: bad }), RangeError, `${name}: ${bad}`);
    }
    assert.equal(DEFAULT_LIMITS.maxFrameBytes, 16 * MiB);
    assert.ok(Object.isFrozen(DEFAULT_LIMITS));
  });

  test('the limits tables of README.md and SECURITY.md match the code', () => {
    for (const file of ['README.md', 'SECURITY.md']) {
      const textOf = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
      const rows = new Map([...textOf.matchAll(/^\| `(max\w+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
      assert.deepStrictEqual([...rows.keys()].sort(), Object.keys(DEFAULT_LIMITS).sort(), `${file}: the limits named`);
      for (const [name, written] of rows) {
        const value = /MiB$/.test(written) ? Number(written.replace(/\s*MiB$/, '')) * MiB : Number(written.replace(/\s/g, ''));
        assert.equal(value, DEFAULT_LIMITS[name as keyof DecodeLimits], `${file}: ${name} is written as ${written}`);
      }
    }
  });

  test('protobuf: a 4-byte length prefix of 2^32-1 is refused from the header alone', () => {
    const decoder = StreamDecoder.events(protobufCodec, () => {});
    const { thrown, ms, buffers } = measure(() => decoder.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff])));
    assertDecodeError(thrown, 'frame-too-large');
    assert.match(thrown.detail, /4294967295/);
    assert.equal(thrown.byteOffset, 0);
    assert.ok(thrown.resumable, 'the length is known, so the frame can be skipped');
    assert.ok(ms < 100, `${ms} ms`);
    assert.ok(buffers < MiB, `${buffers} bytes allocated`);
    // The default limit itself: 16 MiB + 1 declared.
    const over = StreamDecoder.events(protobufCodec, () => {});
    assertDecodeError(measure(() => over.push(Uint8Array.from([0x01, 0x00, 0x00, 0x01]))).thrown, 'frame-too-large');
  });

  test('protobuf: skipping a refused 2^32-1 frame holds none of its body', () => {
    const values: WatchEvent[] = [];
    const decoder = StreamDecoder.events(protobufCodec, (e) => values.push(e), { onError: () => 'skip', maxFrameBytes: 1024 });
    const before = process.memoryUsage().arrayBuffers;
    decoder.push(Uint8Array.from([0x00, 0x10, 0x00, 0x00])); // 1 MiB declared, over 1 KiB
    for (let i = 0; i < 16; i++) decoder.push(new Uint8Array(64 * 1024)); // the body, streamed past
    assert.ok(process.memoryUsage().arrayBuffers - before < 4 * MiB);
    assert.equal(decoder.stats.skipped, 1);
  });

  test('protobuf: declared lengths inside a frame and recursion depth fail fast', () => {
    // WatchEvent.type declaring 2^32-1 bytes in a 7-byte frame.
    const hugeString = Uint8Array.from([0, 0, 0, 6, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const r1 = measure(() => decodeAll(protobufCodec, hugeString));
    assertDecodeError(r1.thrown, 'invalid-protobuf');
    assert.ok(r1.ms < 100 && r1.buffers < MiB);
    // JSONSchemaProps nested 5000 deep through `not` (field 28): nesting-too-deep, not a stack overflow.
    const varint = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...varint(Math.floor(n / 128))]);
    let nested: number[] = [];
    for (let i = 0; i < 5000; i++) nested = [0xe2, 0x01, ...varint(nested.length), ...nested];
    const typeMeta = [0x0a, 14, ...utf8('example.com/v1'), 0x12, 6, ...utf8('Schema')];
    const object = Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, typeMeta.length, ...typeMeta, 0x12, ...varint(nested.length), ...nested]);
    const schemas = new ProtobufSchemaRegistry().addBuiltin('example.com/v1', 'Schema', 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
    const r2 = measure(() => decodeAll(createProtobufCodec({ schemas }), watchFrame('ADDED', object)));
    assertDecodeError(r2.thrown, 'nesting-too-deep');
    assert.ok(r2.ms < 500, `${r2.ms} ms`);
    assertDecodeError(measure(() => decodeProtobufObject(object, { schemas, maxDepth: 10 })).thrown, 'nesting-too-deep');
  });

  const collectionLimit = (object: KubeObject) => {
    const bytes = encodeAll(protobufCodec, [{ type: 'ADDED', object }]);
    assert.equal(decodeAll(protobufCodec, bytes, { maxCollectionLength: 10 }).length, 1);
    assertDecodeError(measure(() => decodeAll(protobufCodec, bytes, { maxCollectionLength: 9 })).thrown, 'limit-exceeded');
  };

  test('protobuf: maxCollectionLength bounds repeated fields', () => {
    collectionLimit({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', finalizers: Array<string>(10).fill('f') } });
  });

  // Reported by fuzz, fixed by perf-binary in fb47411.
  test('protobuf: maxCollectionLength bounds map fields too', () => {
    collectionLimit({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'])) });
  });

  test('CBOR: a head declaring a 2^63-byte string (or array, map) is refused from the head alone', () => {
    const heads: [string, number[]][] = [
      ['byte string 2^63', [0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0]],
      ['text string 2^64-1', [0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
      ['array 2^63', [0x9b, 0x80, 0, 0, 0, 0, 0, 0, 0]],
      ['map 2^32-1', [0xba, 0xff, 0xff, 0xff, 0xff]],
    ];
    for (const [what, head] of heads) {
      // Top level, and inside an event map, pushed on their own: no payload has arrived.
      for (const bytes of [head, [0xa2, 0x64, ...utf8('type'), 0x65, ...utf8('ADDED'), 0x66, ...utf8('object'), 0xa1, 0x61, 0x61, ...head]]) {
        const decoder = StreamDecoder.events(cborCodec, () => {});
        const { thrown, ms, buffers } = measure(() => decoder.push(Uint8Array.from(bytes)));
        assertDecodeError(thrown, 'frame-too-large');
        assert.ok(ms < 100 && buffers < MiB, `${what}: ${ms} ms, ${buffers} bytes`);
      }
      // One item on its own (decodeCborObject) is refused by the reader's limits, as fast.
      const single = measure(() => decodeCborObject(Uint8Array.from([0xa1, 0x61, 0x61, ...head])));
      assert.ok(single.thrown instanceof DecodeError, `${what}: ${String(single.thrown)}`);
      assert.ok(single.ms < 100 && single.buffers < MiB);
    }
  });

  test('CBOR: collection and string limits are checked against the declared count before building', () => {
    const bytes = encodeCbor({ type: 'ADDED', object: { a: 'x'.repeat(100), b: Array.from({ length: 100 }, () => 1) } });
    assertDecodeError(measure(() => decodeAll(cborCodec, bytes, { maxStringBytes: 99 })).thrown, 'limit-exceeded');
    assertDecodeError(measure(() => decodeAll(cborCodec, bytes, { maxCollectionLength: 99 })).thrown, 'limit-exceeded');
    // 2000 nested one-item arrays: refused by the framer's depth count, before any decoding.
    const deep = new Uint8Array(2001).fill(0x81);
    deep[2000] = 0;
    assertDecodeError(measure(() => decodeAll(cborCodec, deep)).thrown, 'nesting-too-deep');
  });

  test('YAML: a billion-laughs alias bomb is refused quickly, not expanded', () => {
    const lines = ['type: ADDED', 'object:', '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) lines.push(`  a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const bomb = utf8(lines.join('\n') + '\n'); // 81 aliases (under maxAliases), 9^10 values if expanded
    const { thrown, ms } = measure(() => decodeAll(yamlCodec, bomb));
    assertDecodeError(thrown, 'limit-exceeded');
    assert.match(thrown.detail, /expand/);
    assert.ok(ms < 500, `${ms} ms`);
    // Many aliases: maxAliases.
    const many = utf8(`type: ADDED\nobject:\n  a: &a x\n  b: [${Array(200).fill('*a').join(', ')}]\n`);
    assertDecodeError(measure(() => decodeAll(yamlCodec, many)).thrown, 'limit-exceeded');
    assertDecodeError(measure(() => decodeAll(yamlCodec, many, { maxAliases: 10 })).thrown, 'limit-exceeded');
  });

  test('JSON and YAML: nesting beyond maxDepth fails fast; an endless line fails once it passes maxFrameBytes', () => {
    for (const [codec, deep] of [
      [jsonCodec, `{"type":"ADDED","object":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}\n`],
      [yamlCodec, `type: ADDED\nobject:\n  a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
    ] as const) {
      const { thrown, ms } = measure(() => decodeAll(codec, utf8(deep)));
      assertDecodeError(thrown, 'nesting-too-deep');
      assert.ok(ms < 1000, `${codec.name}: ${ms} ms`);
    }
    // An endless line: refused when the bytes held pass the limit, before the newline (which never comes).
    const decoder = StreamDecoder.events(jsonCodec, () => {}, { maxFrameBytes: 1024 });
    const chunk = new Uint8Array(256).fill(0x20);
    let thrown: unknown;
    let pushed = 0;
    try {
      for (; pushed < 100; pushed++) decoder.push(chunk);
    } catch (e) {
      thrown = e;
    }
    assertDecodeError(thrown, 'frame-too-large');
    assert.ok(pushed <= 5, `failed after ${pushed} chunks`);
  });
});

// ---- 2. one error behaviour in every format ----------------------------------------------

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
const before: WatchEvent[] = [{ type: 'ADDED', object: configMap('one') }];
const after: WatchEvent[] = [{ type: 'DELETED', object: configMap('two') }];

interface ErrorRow {
  codec: Codec;
  /** A frame the framer cuts but the decoder refuses: skip goes on after it. */
  unusable: { bytes: Uint8Array; code: DecodeErrorCode };
  /** A fault after which the format cannot find the next frame: skip stops too. */
  lost?: { bytes: Uint8Array; code: DecodeErrorCode; limits?: Partial<DecodeLimits> };
  /** A frame over maxFrameBytes, with the limit to use: resumable where the format can skip it. */
  tooLarge: { bytes: Uint8Array; maxFrameBytes: number; resumable: boolean };
}

const pbNotEvent = (() => {
  // A well-framed WatchEvent whose object has the wrong magic.
  const frame = watchFrame('ADDED', Uint8Array.from([0x6b, 0x38, 0x73, 0x01]));
  return frame;
})();

const ERROR_TABLE: ErrorRow[] = [
  {
    codec: jsonCodec,
    unusable: { bytes: utf8('{"type":"ADDED","object":{"a":1,}}\n'), code: 'invalid-json' },
    tooLarge: { bytes: utf8(`{"type":"ADDED","object":{"a":"${'x'.repeat(300)}"}}\n`), maxFrameBytes: 200, resumable: true },
  },
  {
    codec: yamlCodec,
    unusable: { bytes: utf8('---\ntype: ADDED\nobject: {a: 1, a: 2}\n'), code: 'duplicate-key' },
    lost: { bytes: utf8(`---\ntype: ADDED\nobject:\n  a: "${'x'.repeat(300)}"\n`), code: 'frame-too-large', limits: { maxFrameBytes: 200 } },
    tooLarge: { bytes: utf8(`---\ntype: ADDED\nobject:\n  a: "${'x'.repeat(300)}"\n`), maxFrameBytes: 200, resumable: false },
  },
  {
    codec: protobufCodec,
    unusable: { bytes: pbNotEvent, code: 'bad-magic' },
    tooLarge: { bytes: concat([Uint8Array.from([0, 0, 1, 44]), new Uint8Array(300)]), maxFrameBytes: 200, resumable: true },
  },
  {
    codec: cborCodec,
    unusable: { bytes: Uint8Array.from([0xa2, 0x64, ...utf8('type'), 0x63, ...utf8('FOO'), 0x66, ...utf8('object'), 0xa0]), code: 'unknown-event-type' },
    lost: { bytes: Uint8Array.from([0xa2, 0x64, ...utf8('type'), 0x65, ...utf8('ADDED'), 0x66, ...utf8('object'), 0xbf, 0xff]), code: 'invalid-cbor' },
    tooLarge: { bytes: encodeCbor({ type: 'ADDED', object: { a: 'x'.repeat(300) } }), maxFrameBytes: 200, resumable: false },
  },
];

describe('one error behaviour in every format (table-driven)', () => {
  for (const row of ERROR_TABLE) {
    const { codec } = row;
    const head = encodePieces(codec, before);
    const tail = encodePieces(codec, after, true);
    const offset = concat(head).length;
    const stream = (bad: Uint8Array) => concat([...head, bad, ...tail]);

    describe(codec.name, () => {
      test('default: stop with a placed DecodeError, events before it delivered, the decoder dead and saying so', () => {
        const bytes = stream(row.unusable.bytes);
        for (const chunks of [[bytes], chunksOfSize(bytes, 1), chunksOfSize(bytes, 7)]) {
          const values: WatchEvent[] = [];
          const decoder = StreamDecoder.events(codec, (e) => values.push(e));
          let first: unknown;
          try {
            for (const chunk of chunks) decoder.push(chunk);
            decoder.end();
          } catch (e) {
            first = e;
          }
          assertDecodeError(first, row.unusable.code);
          assert.deepStrictEqual(values, before);
          assert.equal(first.mediaType, codec.mediaType);
          assert.equal(first.frameIndex, 1);
          assert.equal(first.byteOffset, offset);
          assert.ok(first.message.startsWith(`${row.unusable.code} at frame 1 (byte ${offset}): `), first.message);
          assert.equal(decoder.stats.skipped, 0, 'never skipped silently');
          // Dead: every later call throws the same error.
          assert.throws(() => decoder.push(concat(tail)), (e) => e === first);
          assert.throws(() => decoder.end(), (e) => e === first);
        }
      });

      test("onError: 'skip' resynchronises after a frame the framer could cut", () => {
        const seen: DecodeError[] = [];
        const got = decodeChunks(codec, chunksOfSize(stream(row.unusable.bytes), 3), {
          onError: (e) => {
            seen.push(e);
            return 'skip';
          },
        });
        assert.deepStrictEqual(got, { values: [...before, ...after], skipped: 1 });
        assert.equal(seen.length, 1);
        assert.equal(seen[0]!.code, row.unusable.code);
        assert.equal(seen[0]!.frameIndex, 1);
        assert.equal(seen[0]!.byteOffset, offset);
        assert.ok(seen[0]!.resumable);
      });

      test(`a frame over maxFrameBytes: ${row.tooLarge.resumable ? 'skippable' : 'stops even with skip'}`, () => {
        const seen: DecodeError[] = [];
        const got = decodeChunks(codec, [stream(row.tooLarge.bytes)], {
          maxFrameBytes: row.tooLarge.maxFrameBytes,
          onError: (e) => {
            seen.push(e);
            return 'skip';
          },
        });
        assert.equal(seen[0]?.code, 'frame-too-large');
        assert.equal(seen[0]?.frameIndex, 1);
        assert.equal(seen[0]?.byteOffset, offset);
        if (row.tooLarge.resumable) {
          assert.deepStrictEqual(got, { values: [...before, ...after], skipped: 1 });
        } else {
          assert.deepStrictEqual(got.values, before);
          assert.equal(got.error?.code, 'frame-too-large');
          assert.equal(got.skipped, 0);
        }
      });

      test('a fault the format cannot resynchronise after stops even with skip', { skip: row.lost ? false : `${codec.name}: every fault leaves the next frame findable` }, () => {
        const lost = row.lost!;
        const seen: DecodeError[] = [];
        const got = decodeChunks(codec, [stream(lost.bytes)], {
          ...lost.limits,
          onError: (e) => {
            seen.push(e);
            return 'skip';
          },
        });
        assert.deepStrictEqual(got.values, before);
        assert.deepStrictEqual(got.error, { code: lost.code, frameIndex: 1, byteOffset: offset, mediaType: codec.mediaType });
        assert.equal(seen.length, 1, 'onError still sees it');
        assert.equal(seen[0]!.resumable, false);
      });

      test('truncated input: the events before it, then truncated (never a silent end)', () => {
        const cut = concat([...head, concat(tail).subarray(0, Math.max(2, concat(tail).length - 3))]);
        const got = decodeChunks(codec, [cut]);
        if (codec === yamlCodec) {
          // A YAML prefix can be a document of its own: only "DecodeError or events".
          assert.ok(got.values.length >= 1);
        } else {
          assert.deepStrictEqual(got.values, before);
          assert.equal(got.error?.code, 'truncated');
          assert.equal(got.error.frameIndex, 1);
        }
      });

      test('decodeStream: events before the fault are yielded, then the DecodeError is thrown', async () => {
        const source = (async function* () {
          yield* chunksOfSize(stream(row.unusable.bytes), 5);
        })();
        const got: WatchEvent[] = [];
        await assert.rejects(
          async () => {
            for await (const e of decodeStream(source, codec)) got.push(e);
          },
          (e) => e instanceof DecodeError && e.code === row.unusable.code && e.frameIndex === 1,
        );
        assert.deepStrictEqual(got, before);
      });
    });
  }
});

// ---- 3. decoders after a throw -------------------------------------------------------------

describe('a decoder that threw', () => {
  for (const codec of [jsonCodec, yamlCodec, protobufCodec, cborCodec]) {
    test(`${codec.name}: the frame decoder stays usable; the stream decoder is documented dead and rethrows`, () => {
      const limits = resolveLimits({});
      const frameDecoder = codec.createDecoder(limits);
      const row = ERROR_TABLE.find((r) => r.codec === codec)!;
      // The frame of a good event, as the framer would cut it.
      const goodFrames: Uint8Array[] = [];
      const framer = codec.createFramer(limits);
      framer.push(concat(encodePieces(codec, before)));
      framer.end();
      for (let f = framer.next(); f !== undefined; f = framer.next()) goodFrames.push(f);
      const badFramer = codec.createFramer(limits);
      badFramer.push(row.unusable.bytes);
      badFramer.end();
      const badFrame = badFramer.next()!;
      for (let i = 0; i < 3; i++) {
        assert.throws(() => frameDecoder.decode(badFrame), DecodeError);
        assert.deepStrictEqual(frameDecoder.decode(goodFrames[0]!), before[0]);
      }
      // The stream decoder: after a stop, a new input is refused with the same error, never half-decoded.
      const decoder = StreamDecoder.events(codec, () => {});
      assert.throws(() => decoder.push(concat([row.unusable.bytes, ...encodePieces(codec, after, true)])), DecodeError);
      let again: unknown;
      try {
        decoder.push(concat(encodePieces(codec, before)));
      } catch (e) {
        again = e;
      }
      assertDecodeError(again, row.unusable.code);
    });
  }

  test('after end(), push() says the input already ended', () => {
    const decoder = StreamDecoder.events(jsonCodec, () => {});
    decoder.end();
    assert.throws(() => decoder.push(utf8('{}\n')), /already ended/);
  });
});

// ---- 4. aborted streams release readers, cancel upstream, leave no timers ------------------------

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

/** A ReadableStream that gives `chunks` then never ends; records cancel. */
function endlessStream(chunks: Uint8Array[]): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  let cancelled = false;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]!);
        // Else: never resolves more data (a stalled connection).
        return i <= chunks.length ? undefined : new Promise(() => {});
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, cancelled: () => cancelled };
}

const jsonBytes = (events: WatchEvent[]) => concat(encodePieces(jsonCodec, events));

describe('aborted streams', () => {
  test('decodeStream over a ReadableStream: a consumer that stops early cancels upstream and releases the lock', async () => {
    const timers = activeTimers();
    const { stream, cancelled } = endlessStream([jsonBytes([...before, ...after])]);
    for await (const event of decodeStream(stream, jsonCodec)) {
      assert.deepStrictEqual(event, before[0]);
      break;
    }
    assert.ok(cancelled(), 'upstream cancelled');
    assert.equal(stream.locked, false, 'reader released');
    assert.equal(activeTimers(), timers);
  });

  test('decodeStream over a ReadableStream: a DecodeError cancels upstream and releases the lock', async () => {
    const { stream, cancelled } = endlessStream([concat([jsonBytes(before), utf8('{oops}\n')])]);
    const got: WatchEvent[] = [];
    await assert.rejects(async () => {
      for await (const event of decodeStream(stream, jsonCodec)) got.push(event);
    }, DecodeError);
    assert.deepStrictEqual(got, before);
    assert.ok(cancelled());
    assert.equal(stream.locked, false);
  });

  test('decodeStream over an AsyncIterable: stopping early calls the source iterator return()', async () => {
    let returned = false;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        return {
          next: async () => ({ done: false, value: jsonBytes(before) }),
          return: async () => {
            returned = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    let n = 0;
    for await (const _ of decodeStream(source, jsonCodec)) if (++n === 3) break;
    assert.ok(returned);
  });

  // Reported by fuzz, fixed by perf-json in f980f96.
  test('createDecoderStream: cancelling the readable cancels a stalled upstream pipe', async () => {
    const { stream, cancelled } = endlessStream([jsonBytes(before)]);
    const { writable, readable } = createDecoderStream(jsonCodec);
    const piped = stream.pipeTo(writable).then(
      () => 'closed',
      () => 'aborted',
    );
    const reader = readable.getReader();
    assert.deepStrictEqual((await reader.read()).value, before[0]);
    await reader.cancel('done');
    // Bounded wait: a pipe that never learns of the cancel must fail this test, not hang the run.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([piped, new Promise((resolve) => (timer = setTimeout(resolve, 1000, 'still piping')))]);
    clearTimeout(timer);
    assert.equal(outcome, 'aborted');
    assert.ok(cancelled(), 'upstream cancelled by the pipe');
    assert.equal(stream.locked, false);
  });

  test('the watch client: aborting its signal cancels the response body and leaves no timers', async () => {
    const timers = activeTimers();
    const bodies: { stream: ReadableStream<Uint8Array>; cancelled: () => boolean }[] = [];
    const fetchFake = async (_url: string, init: RequestInit): Promise<Response> => {
      const body = endlessStream([jsonBytes(before)]);
      bodies.push(body);
      init.signal?.addEventListener('abort', () => {
        // As fetch does: an aborted request errors its body stream.
        void body.stream.cancel().catch(() => {});
      });
      return new Response(body.stream, { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const controller = new AbortController();
    const w = watch({ url: 'http://127.0.0.1:1/api/v1/configmaps?watch=1', fetch: fetchFake, signal: controller.signal, stallTimeoutMs: 60_000 });
    const got: WatchEvent[] = [];
    for await (const event of w) {
      got.push(event);
      controller.abort();
    }
    assert.deepStrictEqual(got, before);
    assert.equal(bodies.length, 1);
    assert.ok(bodies[0]!.cancelled(), 'response body cancelled');
    // Let the abort's microtasks settle, then no timer (stall watchdog, backoff) may be left behind.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(activeTimers(), timers, `timers left: ${process.getActiveResourcesInfo().join(', ')}`);
  });

  test('the watch client: a consumer that breaks out of the loop also releases everything', async () => {
    const timers = activeTimers();
    const bodies: { cancelled: () => boolean }[] = [];
    const fetchFake = async (): Promise<Response> => {
      const body = endlessStream([jsonBytes([...before, ...after])]);
      bodies.push(body);
      return new Response(body.stream, { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const w = watch({ url: 'http://127.0.0.1:1/api/v1/configmaps?watch=1', fetch: fetchFake, stallTimeoutMs: 60_000 });
    for await (const _ of w) break;
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(bodies[0]!.cancelled(), 'response body cancelled');
    assert.equal(activeTimers(), timers, `timers left: ${process.getActiveResourcesInfo().join(', ')}`);
  });
});
