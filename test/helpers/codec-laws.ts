/**
 * The laws every watchwire codec obeys, as one reusable property suite:
 * `codecLaws(codec, options)` registers node:test tests for a Codec (JSON,
 * YAML here; protobuf and CBOR helpers call it for theirs).
 *
 * - encode then decode is the identity (events, and objects mode when present);
 * - any split of a stream into chunks gives the same outcome (events, and the
 *   error with its code, frame index and byte offset), whole, random or byte by byte;
 * - a strict prefix of a frame is "need more": no event, no exception; at end()
 *   it is a truncation error (formats with self-delimiting frames);
 * - arbitrary bytes give only placed DecodeErrors, in bounded time;
 * - a frame over maxFrameBytes fails at that frame, whatever the chunking;
 * - with a bad frame: events before it are delivered, the error names the
 *   frame and where it starts, the default stops and the decoder stays dead,
 *   `onError: () => 'skip'` goes on with the next frame.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type Codec,
  DecodeError,
  type DecodeErrorCode,
  type KubeObject,
  StreamDecoder,
  type StreamDecoderOptions,
  type WatchEvent,
  decodeAll,
  encodeAll,
} from 'watchwire';
import { chunksOfSize, concat, cutPoints, kubeObject, splitAt, utf8, watchEvent, watchEvents } from './generators.js';

export interface CodecLawsOptions {
  /** fast-check seed; each law derives its own from it. */
  seed: number;
  /** Runs per property (default 100). */
  numRuns?: number;
  /** Events to test with (default: Kubernetes-like events from generators.ts). */
  events?: fc.Arbitrary<WatchEvent>;
  /** Frames complete only when the next one starts (YAML): how many events may lag behind the bytes. */
  lookahead?: number;
  /**
   * What end() after a strict prefix of a frame gives: `'truncated'` (the
   * default: an error with one of `truncationCodes`, unless the prefix holds
   * the whole frame but its last `terminatorBytes`), or `'lenient'` (a prefix
   * can be a valid document of its own, as in YAML: only "DecodeError or events").
   */
  prefixAtEnd?: 'truncated' | 'lenient';
  truncationCodes?: readonly DecodeErrorCode[];
  /** Bytes that end a frame and may be missing at the end of input (`\n` for JSON lines: 1). */
  terminatorBytes?: number;
  /** A frame the decoder refuses (valid framing, bad content), placeable between encoded frames. */
  badFrame?: { bytes: Uint8Array; code: DecodeErrorCode };
  /** Format-specific garbage to add to random bytes and mutated streams. */
  garbage?: fc.Arbitrary<Uint8Array>;
  /** How much a frame as counted by maxFrameBytes may exceed its encoded piece (default 1). */
  frameSlack?: number;
  /** Upper bound for one garbage case, in ms (default 250). */
  maxMillisPerCase?: number;
}

/** What decoding a stream gave: the values delivered and the error it stopped with. */
export interface Outcome<T> {
  values: T[];
  error?: { code: DecodeErrorCode; frameIndex: number; byteOffset: number; mediaType: string };
  skipped: number;
}

/** Pushes `chunks` then ends; catches DecodeError (anything else escapes and fails the test). */
export function decodeChunks<T = WatchEvent>(
  codec: Codec,
  chunks: readonly Uint8Array[],
  options: StreamDecoderOptions & { mode?: 'events' | 'objects' } = {},
): Outcome<T> {
  const values: T[] = [];
  const sink = (v: unknown) => {
    values.push(v as T);
  };
  const decoder: StreamDecoder<unknown> =
    options.mode === 'objects' ? StreamDecoder.objects(codec, sink, options) : StreamDecoder.events(codec, sink, options);
  try {
    for (const chunk of chunks) decoder.push(chunk);
    decoder.end();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return {
      values,
      error: { code: e.code, frameIndex: e.frameIndex, byteOffset: e.byteOffset, mediaType: e.mediaType },
      skipped: decoder.stats.skipped,
    };
  }
  return { values, skipped: decoder.stats.skipped };
}

/** Each event encoded on its own, in order, by one encoder (so YAML's separators are where they belong). */
export function encodePieces(codec: Codec, events: readonly WatchEvent[], continued = false): Uint8Array[] {
  const encoder = codec.createEncoder();
  if (continued) encoder.encode({ type: 'ADDED', object: {} });
  return events.map((e) => encoder.encode(e));
}

function seeds(base: number) {
  let n = 0;
  return () => base * 100 + ++n;
}

export function codecLaws(codec: Codec, options: CodecLawsOptions): void {
  const numRuns = options.numRuns ?? 100;
  const events = options.events ?? watchEvent;
  const eventLists = fc.array(events, { maxLength: 6 });
  const lookahead = options.lookahead ?? 0;
  const prefixAtEnd = options.prefixAtEnd ?? 'truncated';
  const truncationCodes = options.truncationCodes ?? ['truncated'];
  const terminatorBytes = options.terminatorBytes ?? 0;
  const slack = options.frameSlack ?? 1;
  const maxMillis = options.maxMillisPerCase ?? 250;
  const seed = seeds(options.seed);
  const run = (property: fc.IRawProperty<unknown[], boolean>, runs = numRuns) =>
    fc.assert(property, { seed: seed(), numRuns: runs });

  describe(`codec laws: ${codec.name} (${codec.mediaType})`, () => {
    test('encode then decode is the identity', () => {
      run(
        fc.property(eventLists, (list) => {
          assert.deepStrictEqual(decodeAll(codec, encodeAll(codec, list)), list);
        }),
      );
    });

    test('objects mode: encode then decode is the identity', { skip: codec.objects ? false : 'no objects mode' }, () => {
      const objects = codec.objects!;
      run(
        fc.property(fc.array(kubeObject, { maxLength: 5 }), (list) => {
          const encoder = objects.createEncoder();
          const bytes = concat(list.map((o) => encoder.encode(o)));
          const got = decodeChunks<KubeObject>(codec, [bytes], { mode: 'objects' });
          assert.equal(got.error, undefined);
          assert.deepStrictEqual(got.values, list);
        }),
      );
    });

    test('any split into chunks gives the same events', () => {
      const streams = eventLists.chain((list) => {
        const bytes = encodeAll(codec, list);
        return fc.tuple(fc.constant(list), fc.constant(bytes), cutPoints(bytes.length));
      });
      run(
        fc.property(streams, ([list, bytes, cuts]) => {
          const whole = decodeChunks(codec, [bytes]);
          assert.deepStrictEqual(whole, { values: list, skipped: 0 });
          assert.deepStrictEqual(decodeChunks(codec, splitAt(bytes, cuts)), whole);
          if (bytes.length <= 4096) assert.deepStrictEqual(decodeChunks(codec, chunksOfSize(bytes, 1)), whole);
        }),
      );
    });

    test('a strict prefix of a frame is "need more": no event, no exception', () => {
      const cases = fc
        .array(events, { minLength: 1, maxLength: 4 })
        .chain((list) => {
          const pieces = encodePieces(codec, list);
          return fc
            .integer({ min: 0, max: list.length - 1 })
            .chain((k) =>
              fc.tuple(
                fc.constant(list),
                fc.constant(pieces),
                fc.constant(k),
                fc.integer({ min: 0, max: pieces[k]!.length - 1 }),
                fc.boolean(),
              ),
            );
        });
      run(
        fc.property(cases, ([list, pieces, k, cut, byteByByte]) => {
          const bytes = concat([...pieces.slice(0, k), pieces[k]!.subarray(0, cut)]);
          const values: WatchEvent[] = [];
          const decoder = StreamDecoder.events(codec, (e) => values.push(e));
          for (const chunk of byteByByte ? chunksOfSize(bytes, 1) : [bytes]) decoder.push(chunk);
          // The frame proper may be complete when only its terminator is missing (`}` then `\n`).
          const whole = cut >= pieces[k]!.length - terminatorBytes;
          const most = whole ? k + 1 : k;
          assert.ok(values.length <= most && values.length >= k - lookahead, `${values.length} events from ${k} whole frames`);
          assert.deepStrictEqual(values, list.slice(0, values.length));
          // End of input inside the frame.
          let error: unknown;
          try {
            decoder.end();
          } catch (e) {
            error = e;
          }
          if (error !== undefined) {
            assert.ok(error instanceof DecodeError, `not a DecodeError: ${String(error)}`);
            assert.ok(error.frameIndex <= most && error.frameIndex >= k - lookahead, `error at frame ${error.frameIndex}`);
          }
          if (prefixAtEnd === 'lenient') return;
          if (cut === 0) {
            assert.equal(error, undefined);
            assert.deepStrictEqual(values, list.slice(0, k));
          } else if (whole && error === undefined) {
            assert.deepStrictEqual(values, list.slice(0, k + 1));
          } else {
            assert.ok(error instanceof DecodeError, `end() inside frame ${k} at ${cut}/${pieces[k]!.length} gave no error`);
            assert.ok(truncationCodes.includes(error.code), `code ${error.code}`);
            assert.deepStrictEqual(values, list.slice(0, k));
          }
        }),
      );
    });

    test('arbitrary bytes give only placed DecodeErrors, in bounded time, whatever the chunking', () => {
      const valid = eventLists.map((list) => encodeAll(codec, list));
      const mutated = valid.chain((bytes) =>
        fc
          .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), {
            minLength: 1,
            maxLength: 4,
          })
          .map((edits) => {
            let out = Array.from(bytes);
            for (const [at, byte, how] of edits) {
              const i = out.length === 0 ? 0 : at % out.length;
              if (how === 'set' && out.length > 0) out[i] = byte;
              else if (how === 'insert') out.splice(i, 0, byte);
              else out.splice(i, 1);
            }
            return Uint8Array.from(out);
          }),
      );
      const inputs = fc.oneof(
        fc.uint8Array({ maxLength: 512 }),
        mutated,
        valid.chain((bytes) => fc.integer({ min: 0, max: bytes.length }).map((n) => bytes.subarray(0, n))),
        ...(options.garbage ? [options.garbage] : []),
      );
      const streams = inputs.chain((bytes) => fc.tuple(fc.constant(bytes), cutPoints(bytes.length), fc.boolean()));
      run(
        fc.property(streams, ([bytes, cuts, skip]) => {
          const started = performance.now();
          const opts: StreamDecoderOptions = skip ? { onError: () => 'skip' } : {};
          const whole = decodeChunks(codec, [bytes], opts);
          const split = decodeChunks(codec, splitAt(bytes, cuts), opts);
          const elapsed = performance.now() - started;
          assert.ok(elapsed < maxMillis, `${bytes.length} bytes took ${elapsed.toFixed(0)} ms`);
          assert.deepStrictEqual(split, whole);
          if (whole.error !== undefined) {
            assert.equal(whole.error.mediaType, codec.mediaType);
            assert.ok(whole.error.frameIndex >= 0 && whole.error.frameIndex >= whole.values.length, 'frame index');
            assert.ok(whole.error.byteOffset >= 0 && whole.error.byteOffset <= bytes.length, 'byte offset');
          }
        }),
        numRuns * 3,
      );
    });

    test('a frame over maxFrameBytes fails at that frame, whatever the chunking', () => {
      const cases = fc
        .array(events, { minLength: 1, maxLength: 5 })
        .chain((list) => {
          const pieces = encodePieces(codec, list);
          const longest = Math.max(...pieces.map((p) => p.length));
          return fc.tuple(fc.constant(list), fc.constant(pieces), fc.integer({ min: 1, max: longest + slack }));
        })
        // A piece between limit and limit + slack may go either way: keep the verdict sharp.
        .filter(([, pieces, limit]) => pieces.every((p) => p.length <= limit || p.length > limit + slack));
      run(
        fc.property(cases, fc.boolean(), ([list, pieces, limit], byteByByte) => {
          const bytes = concat(pieces);
          const opts = { maxFrameBytes: limit };
          const whole = decodeChunks(codec, [bytes], opts);
          assert.deepStrictEqual(decodeChunks(codec, byteByByte ? chunksOfSize(bytes, 1) : chunksOfSize(bytes, 7), opts), whole);
          const bad = pieces.findIndex((p) => p.length > limit);
          if (bad === -1) {
            assert.deepStrictEqual(whole, { values: list, skipped: 0 });
            return;
          }
          assert.equal(whole.error?.code, 'frame-too-large');
          assert.equal(whole.error.frameIndex, bad);
          assert.equal(whole.error.byteOffset, concat(pieces.slice(0, bad)).length);
          assert.deepStrictEqual(whole.values, list.slice(0, bad));
        }),
      );
    });

    const bad = options.badFrame;
    describe('a bad frame between good ones', { skip: bad ? false : 'no badFrame given' }, () => {
      const cases = fc.tuple(watchEvents(4), watchEvents(4));
      const build = (before: WatchEvent[], after: WatchEvent[]) => {
        const head = encodePieces(codec, before);
        const tail = encodePieces(codec, after, true);
        const offset = concat(head).length;
        return { bytes: concat([...head, bad!.bytes, ...tail]), offset };
      };

      test('events before the fault are delivered; the error names the frame and where it starts', () => {
        run(
          fc.property(cases, fc.boolean(), ([before, after], byteByByte) => {
            const { bytes, offset } = build(before, after);
            const got = decodeChunks(codec, byteByByte ? chunksOfSize(bytes, 1) : [bytes]);
            assert.deepStrictEqual(got.values, before);
            assert.deepStrictEqual(got.error, {
              code: bad!.code,
              frameIndex: before.length,
              byteOffset: offset,
              mediaType: codec.mediaType,
            });
          }),
          Math.ceil(numRuns / 2),
        );
      });

      test("onError: () => 'skip' drops the bad frame and goes on", () => {
        run(
          fc.property(cases, ([before, after]) => {
            const { bytes, offset } = build(before, after);
            const seen: DecodeError[] = [];
            const got = decodeChunks(codec, chunksOfSize(bytes, 5), {
              onError: (e) => {
                seen.push(e);
                return 'skip';
              },
            });
            assert.deepStrictEqual(got, { values: [...before, ...after], skipped: 1 });
            assert.equal(seen.length, 1);
            assert.equal(seen[0]!.code, bad!.code);
            assert.equal(seen[0]!.frameIndex, before.length);
            assert.equal(seen[0]!.byteOffset, offset);
          }),
          Math.ceil(numRuns / 2),
        );
      });

      test('the default stops, and the dead decoder rethrows the same error', () => {
        const { bytes } = build([], []);
        const values: WatchEvent[] = [];
        const decoder = StreamDecoder.events(codec, (e) => values.push(e));
        let first: unknown;
        try {
          decoder.push(bytes);
          decoder.end();
        } catch (e) {
          first = e;
        }
        assert.ok(first instanceof DecodeError);
        assert.equal(first.code, bad!.code);
        assert.throws(() => decoder.push(encodeAll(codec, [{ type: 'ADDED', object: {} }])), (e) => e === first);
        assert.throws(() => decoder.end(), (e) => e === first);
        assert.deepStrictEqual(values, []);
        assert.match(first.message, new RegExp(`^${bad!.code} at frame 0 \\(byte 0\\): `));
      });
    });
  });
}

/** Tokens for structured garbage in text formats: random sequences of them. */
export function tokenSoup(tokens: readonly string[], maxLength = 40): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.constantFrom(...tokens), { maxLength }).map((parts) => utf8(parts.join('')));
}
