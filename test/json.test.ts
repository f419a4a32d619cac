/**
 * JSON lines (`application/json`): the codec laws, then the line rules of the
 * wire (\r\n, blank lines, last line without \n), keys that must stay data,
 * and the frame limit on a line that never ends.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DecodeError, LineFramer, StreamDecoder, type WatchEvent, decodeAll, jsonCodec } from 'watchwire';
import { codecLaws, decodeChunks, tokenSoup } from './helpers/codec-laws.js';
import { JSON_TOKENS, chunksOfSize, utf8 } from './helpers/generators.js';

codecLaws(jsonCodec, {
  seed: 1,
  numRuns: 60,
  terminatorBytes: 1,
  badFrame: { bytes: utf8('{"type":"ADDED","object":{]}\n'), code: 'invalid-json' },
  garbage: tokenSoup(JSON_TOKENS),
});

const ev = (n: number): WatchEvent => ({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: `p${n}` } } });
const line = (n: number) => JSON.stringify(ev(n));

describe('JSON lines: the wire', () => {
  test('\\r\\n line ends, blank lines and a last line without \\n are accepted', () => {
    const input = `\n${line(0)}\r\n\r\n  \n${line(1)}\n\t\n${line(2)}`;
    for (const size of [1, 3, input.length]) {
      assert.deepStrictEqual(decodeChunks(jsonCodec, chunksOfSize(utf8(input), size)), { values: [ev(0), ev(1), ev(2)], skipped: 0 });
    }
    assert.deepStrictEqual(decodeAll(jsonCodec, utf8(`${line(0)}\r`)), [ev(0)]);
  });

  test('an empty stream and a stream of blank lines give no events', () => {
    assert.deepStrictEqual(decodeAll(jsonCodec, new Uint8Array()), []);
    assert.deepStrictEqual(decodeAll(jsonCodec, utf8('\n\r\n \n')), []);
  });

  test('an incomplete last line is truncated, at its frame and offset, after the events before it', () => {
    const first = `${line(0)}\n`;
    const got = decodeChunks(jsonCodec, [utf8(first + line(1).slice(0, 20))]);
    assert.deepStrictEqual(got.values, [ev(0)]);
    assert.deepStrictEqual(got.error, { code: 'truncated', frameIndex: 1, byteOffset: first.length, mediaType: 'application/json' });
  });

  test('a complete but bad line is invalid-json, a valid non-event is not-an-event, a bad type is unknown-event-type', () => {
    assert.equal(decodeChunks(jsonCodec, [utf8('{"type":"ADDED","object":{]}\n')]).error?.code, 'invalid-json');
    assert.equal(decodeChunks(jsonCodec, [utf8('[1,2]\n')]).error?.code, 'not-an-event');
    assert.equal(decodeChunks(jsonCodec, [utf8('{"type":"ADDED"}\n')]).error?.code, 'not-an-event');
    assert.equal(decodeChunks(jsonCodec, [utf8('{"type":"ADDED","object":[]}\n')]).error?.code, 'not-an-event');
    assert.equal(decodeChunks(jsonCodec, [utf8('{"type":"added","object":{}}\n')]).error?.code, 'unknown-event-type');
  });

  test('the event is exactly {type, object}: extra wire keys are dropped', () => {
    const [event] = decodeAll(jsonCodec, utf8('{"object":{"a":1},"type":"DELETED","extra":true}\n'));
    assert.deepStrictEqual(Object.keys(event!), ['type', 'object']);
  });

  test('__proto__ and constructor keys stay plain data; Object.prototype is unchanged', () => {
    const input = '{"type":"ADDED","object":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"metadata":{"__proto__":"x"}}}\n';
    const [event] = decodeAll(jsonCodec, utf8(input));
    const object = event!.object;
    assert.equal(Object.getPrototypeOf(object), Object.prototype);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(object, '__proto__')?.value, { polluted: true });
    assert.deepStrictEqual(Object.keys(object), ['__proto__', 'constructor', 'metadata']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
    // and back: the encoder writes the key as data too
    const again = decodeAll(jsonCodec, new TextEncoder().encode(JSON.stringify(event) + '\n'));
    assert.deepStrictEqual(again, [event]);
  });

  test('JSON nested deeper than maxDepth is nesting-too-deep (not a stack overflow later)', () => {
    const deep = (n: number) => `{"type":"ADDED","object":{"a":${'['.repeat(n)}${']'.repeat(n)}}}\n`;
    assert.equal(decodeAll(jsonCodec, utf8(deep(50)), { maxDepth: 60 }).length, 1);
    const got = decodeChunks(jsonCodec, [utf8(line(0) + '\n' + deep(100_000))]);
    assert.deepStrictEqual(got.error, { code: 'nesting-too-deep', frameIndex: 1, byteOffset: line(0).length + 1, mediaType: 'application/json' });
    assert.equal(decodeChunks(jsonCodec, [utf8(deep(70))], { maxDepth: 60 }).error?.code, 'nesting-too-deep');
    // Brackets inside strings do not count.
    const quoted = `{"type":"ADDED","object":{"a":"${'['.repeat(5000)}"}}\n`;
    assert.equal(decodeAll(jsonCodec, utf8(quoted), { maxDepth: 10 }).length, 1);
  });
});

describe('JSON lines: maxFrameBytes', () => {
  const MiB = 1024 * 1024;

  test('a 2 MiB line in 1 KiB chunks with a 1 MiB limit fails before it is buffered whole, and skip() resumes at the next line', () => {
    const framer = new LineFramer(MiB);
    const held = () => (framer as unknown as { queue: { length: number } }).queue.length;
    const chunk = new Uint8Array(1024).fill(0x61); // 'a'
    let pushed = 0;
    let error: unknown;
    while (pushed < 2 * MiB) {
      framer.push(chunk);
      pushed += chunk.length;
      try {
        assert.equal(framer.next(), undefined);
      } catch (e) {
        error = e;
        break;
      }
    }
    assert.ok(error instanceof DecodeError);
    assert.equal(error.code, 'frame-too-large');
    assert.equal(error.resumable, true);
    assert.equal(framer.frameOffset, 0);
    assert.ok(pushed <= MiB + 1024, `failed after ${pushed} bytes`);
    assert.ok(held() <= MiB + 1024, `holds ${held()} bytes`);
    framer.skip();
    // The rest of the long line is dropped as it comes, never held.
    while (pushed < 2 * MiB) {
      framer.push(chunk);
      pushed += chunk.length;
      assert.equal(framer.next(), undefined);
      assert.ok(held() <= 1024, `holds ${held()} bytes while discarding`);
    }
    framer.push(utf8(`\n${line(7)}\n`));
    const frame = framer.next();
    assert.equal(new TextDecoder().decode(frame), line(7));
    assert.equal(framer.frameOffset, 2 * MiB + 1);
  });

  test('through the pipeline: default stops with frame-too-large; skip goes on and frame indexes stay true', () => {
    const long = 'x'.repeat(5000);
    const input = utf8(`${line(0)}\n${long}\n${line(2)}\n{"type":"ADDED","object":{]}\n${line(4)}\n`);
    const stopped = decodeChunks(jsonCodec, chunksOfSize(input, 1024), { maxFrameBytes: 1000 });
    assert.deepStrictEqual(stopped.values, [ev(0)]);
    assert.deepStrictEqual(stopped.error, { code: 'frame-too-large', frameIndex: 1, byteOffset: line(0).length + 1, mediaType: 'application/json' });

    const seen: [string, number, number][] = [];
    const skipped = decodeChunks(jsonCodec, chunksOfSize(input, 1024), {
      maxFrameBytes: 1000,
      onError: (e) => {
        seen.push([e.code, e.frameIndex, e.byteOffset]);
        return 'skip';
      },
    });
    assert.deepStrictEqual(skipped.values, [ev(0), ev(2), ev(4)]);
    assert.equal(skipped.skipped, 2);
    const badAt = line(0).length + 1 + long.length + 1 + line(2).length + 1;
    assert.deepStrictEqual(seen, [
      ['frame-too-large', 1, line(0).length + 1],
      ['invalid-json', 3, badAt],
    ]);
  });

  test('a line of exactly maxFrameBytes passes, one byte more fails, in one chunk or byte by byte', () => {
    const text = line(1);
    for (const size of [1, text.length + 1]) {
      const chunks = chunksOfSize(utf8(`${text}\n`), size);
      assert.deepStrictEqual(decodeChunks(jsonCodec, chunks, { maxFrameBytes: text.length }).values, [ev(1)]);
      assert.equal(decodeChunks(jsonCodec, chunks, { maxFrameBytes: text.length - 1 }).error?.code, 'frame-too-large');
    }
  });

  test('stats count bytes, frames, events and skipped frames', () => {
    const input = utf8(`${line(0)}\nnope\n${line(2)}\n`);
    const decoder = StreamDecoder.events(jsonCodec, () => {}, { onError: () => 'skip' });
    decoder.push(input);
    decoder.end();
    assert.deepStrictEqual(decoder.stats, { bytes: input.length, frames: 3, events: 2, skipped: 1 });
  });
});
