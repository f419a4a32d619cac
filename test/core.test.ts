/**
 * The streaming core: the event, DecodeError, limits and the StreamDecoder
 * pipeline (placing errors, stop/skip, dead after a failure, statistics),
 * with small hand-made framers and decoders where a codec would hide the case.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Codec,
  DEFAULT_LIMITS,
  DecodeError,
  type Framer,
  NegotiationError,
  StreamDecoder,
  WATCH_EVENT_TYPES,
  concatBytes,
  decodeAll,
  encodeAll,
  isDecodeError,
  isWatchEventType,
  jsonCodec,
  resolveLimits,
  toKubeObject,
  toWatchEvent,
} from 'watchwire';
import { utf8 } from './helpers/generators.js';

describe('events', () => {
  test('toWatchEvent returns exactly {type, object} for the five types', () => {
    assert.deepStrictEqual([...WATCH_EVENT_TYPES], ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
    for (const type of WATCH_EVENT_TYPES) {
      const event = toWatchEvent({ object: { a: 1 }, type, extra: 1 });
      assert.deepStrictEqual(Object.keys(event), ['type', 'object']);
      assert.equal(isWatchEventType(type), true);
    }
    assert.equal(isWatchEventType('added'), false);
  });

  test('toWatchEvent refuses what is not an event, with the right code', () => {
    const code = (doc: unknown) => {
      try {
        toWatchEvent(doc);
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof DecodeError);
        return e.code;
      }
    };
    assert.equal(code(null), 'not-an-event');
    assert.equal(code([]), 'not-an-event');
    assert.equal(code('ADDED'), 'not-an-event');
    assert.equal(code({ object: {} }), 'not-an-event');
    assert.equal(code({ type: 'ADDED', object: null }), 'not-an-event');
    assert.equal(code({ type: 'ADDED', object: 'x' }), 'not-an-event');
    assert.equal(code({ type: 'SYNC', object: {} }), 'unknown-event-type');
    assert.equal(code({ type: '', object: {} }), 'unknown-event-type');
    assert.equal(code({ type: 'ERROR', object: { kind: 'Status', code: 410 } }), 'ok');
    assert.throws(() => toKubeObject([1]), (e) => isDecodeError(e) && e.code === 'not-an-event');
  });
});

describe('errors and limits', () => {
  test('a DecodeError says what and, once placed, where', () => {
    const e = new DecodeError('invalid-json', 'bad token', { resumable: true });
    assert.equal(e.name, 'DecodeError');
    assert.equal(e.placed, false);
    assert.equal(e.message, 'invalid-json: bad token');
    e.place('application/json', 3, 120);
    assert.deepStrictEqual([e.mediaType, e.frameIndex, e.byteOffset, e.placed], ['application/json', 3, 120, true]);
    assert.equal(e.message, 'invalid-json at frame 3 (byte 120): bad token');
    // Placing twice keeps the first position.
    e.place('application/yaml', 9, 9);
    assert.equal(e.message, 'invalid-json at frame 3 (byte 120): bad token');
    assert.ok(e instanceof Error);
  });

  test('NegotiationError carries what was offered and what is supported', () => {
    const e = new NegotiationError('text/html', ['application/json']);
    assert.equal(e.name, 'NegotiationError');
    assert.deepStrictEqual([e.offered, e.supported], ['text/html', ['application/json']]);
    assert.match(e.message, /text\/html.*application\/json/);
  });

  test('limits: finite defaults (16 MiB frames), overrides checked', () => {
    assert.equal(DEFAULT_LIMITS.maxFrameBytes, 16 * 1024 * 1024);
    for (const value of Object.values(DEFAULT_LIMITS)) assert.ok(Number.isSafeInteger(value) && value > 0);
    assert.equal(resolveLimits({ maxFrameBytes: 10 }).maxFrameBytes, 10);
    assert.equal(resolveLimits(undefined).maxDepth, DEFAULT_LIMITS.maxDepth);
    assert.throws(() => resolveLimits({ maxFrameBytes: -1 }), RangeError);
    assert.throws(() => resolveLimits({ maxDepth: 1.5 }), RangeError);
    assert.throws(() => StreamDecoder.events(jsonCodec, () => {}, { maxFrameBytes: Number.NaN }), RangeError);
  });
});

/** A codec from parts, to drive the pipeline into corners. */
function codecOf(framer: () => Framer, decode: (frame: Uint8Array) => unknown): Codec {
  return {
    name: 'test',
    mediaType: 'application/x-test',
    accept: 'application/x-test',
    servable: true,
    createFramer: framer,
    createDecoder: () => ({ decode: (frame) => toWatchEvent(decode(frame)) }),
    createEncoder: () => ({ encode: () => new Uint8Array() }),
  };
}
const lines = () => jsonCodec.createFramer(DEFAULT_LIMITS);

describe('StreamDecoder', () => {
  test('every event of a chunk reaches the sink before the error in the same chunk', () => {
    const values: unknown[] = [];
    const decoder = StreamDecoder.events(jsonCodec, (e) => values.push(e));
    const input = '{"type":"ADDED","object":{"n":0}}\n{"type":"ADDED","object":{"n":1}}\n{oops}\n{"type":"ADDED","object":{"n":3}}\n';
    assert.throws(() => decoder.push(utf8(input)), (e) => isDecodeError(e) && e.frameIndex === 2);
    assert.equal(values.length, 2);
  });

  test('a foreign exception from a decoder becomes a placed DecodeError (unsupported), a stack overflow nesting-too-deep', () => {
    const foreign = codecOf(lines, () => {
      throw new TypeError('boom');
    });
    assert.throws(
      () => decodeAll(foreign, utf8('x\n')),
      (e) => isDecodeError(e) && e.code === 'unsupported' && e.frameIndex === 0 && e.mediaType === 'application/x-test' && e.cause instanceof TypeError,
    );
    const deep = codecOf(lines, () => {
      const recurse = (n: number): number => recurse(n + 1) + 1;
      return recurse(0);
    });
    assert.throws(() => decodeAll(deep, utf8('x\n')), (e) => isDecodeError(e) && e.code === 'nesting-too-deep');
  });

  test("skip applies only to resumable errors: a truncated end stops even with onError 'skip'", () => {
    const seen: string[] = [];
    assert.throws(
      () =>
        decodeAll(jsonCodec, utf8('{"type":"ADDED","object":{}}\n{"type":'), {
          onError: (e) => {
            seen.push(`${e.code}:${e.resumable}`);
            return 'skip';
          },
        }),
      (e) => isDecodeError(e) && e.code === 'truncated',
    );
    assert.deepStrictEqual(seen, ['truncated:false']);
  });

  test("onError returning 'stop' stops like the default", () => {
    assert.throws(() => decodeAll(jsonCodec, utf8('nope\n{"type":"ADDED","object":{}}\n'), { onError: () => 'stop' }), (e) => isDecodeError(e) && e.code === 'invalid-json');
  });

  test('push or end after end() is a TypeError; after a failure, the same error again', () => {
    const decoder = StreamDecoder.events(jsonCodec, () => {});
    decoder.end();
    assert.throws(() => decoder.push(utf8('{}\n')), TypeError);
    assert.throws(() => decoder.end(), TypeError);
    const failed = StreamDecoder.events(jsonCodec, () => {});
    let first: unknown;
    try {
      failed.push(utf8('nope\n'));
    } catch (e) {
      first = e;
    }
    assert.ok(isDecodeError(first));
    for (let i = 0; i < 3; i++) assert.throws(() => failed.push(utf8('{"type":"ADDED","object":{}}\n')), (e) => e === first);
    assert.throws(() => failed.end(), (e) => e === first);
  });

  test('onFrame reports each frame size and offset; stats add up', () => {
    const frames: [number, number][] = [];
    const a = '{"type":"ADDED","object":{}}';
    const decoder = StreamDecoder.events(jsonCodec, () => {}, { onFrame: (size, offset) => frames.push([size, offset]) });
    decoder.push(utf8(`${a}\n\n${a}\r\n`));
    decoder.end();
    assert.deepStrictEqual(frames, [
      [a.length, 0],
      [a.length, a.length + 2],
    ]);
    assert.deepStrictEqual(decoder.stats, { bytes: 2 * a.length + 4, frames: 2, events: 2, skipped: 0 });
  });

  test('a chunk that is not a Uint8Array is a TypeError, not "bad input"', () => {
    const decoder = StreamDecoder.events(jsonCodec, () => {});
    assert.throws(() => decoder.push('{"type":"ADDED","object":{}}\n' as unknown as Uint8Array), TypeError);
    assert.throws(() => decoder.push(new Uint16Array(2) as unknown as Uint8Array), TypeError);
    // Node Buffers are Uint8Arrays.
    decoder.push(Buffer.from('{"type":"ADDED","object":{}}\n'));
    assert.equal(decoder.stats.events, 1);
  });

  test('objects mode needs a codec that has one', () => {
    assert.throws(() => StreamDecoder.objects(codecOf(lines, (f) => f), () => {}), TypeError);
  });

  test('encodeAll/decodeAll and concatBytes', () => {
    const events = [
      { type: 'ADDED' as const, object: { a: 1 } },
      { type: 'ERROR' as const, object: { kind: 'Status', code: 410, reason: 'Expired' } },
    ];
    assert.deepStrictEqual(decodeAll(jsonCodec, encodeAll(jsonCodec, events)), events);
    assert.deepStrictEqual(encodeAll(jsonCodec, []), new Uint8Array());
    assert.deepStrictEqual([...concatBytes([utf8('ab'), utf8(''), utf8('c')])], [...utf8('abc')]);
  });
});
