/**
 * Behaviour the decode hot path relies on (perf work on issue 7): what
 * toWatchEvent returns without copying, the JSON depth guarantee on every
 * path, and frames that lie inside one chunk coming back as views.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type DecodeError,
  JsonDocumentsFramer,
  StreamDecoder,
  decodeAll,
  isDecodeError,
  jsonCodec,
  jsonDocumentsCodec,
  resolveLimits,
  toWatchEvent,
} from 'watchwire';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** The code decoding `bytes` fails with, or 'ok'. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    assert.ok(isDecodeError(e), String(e));
    return (e as DecodeError).code;
  }
}

/** `bytes` copied into a bigger buffer at `shift`, so the frame's words are not 4-byte aligned. */
function shifted(bytes: Uint8Array, shift: number): Uint8Array {
  const buffer = new Uint8Array(bytes.length + 8);
  buffer.set(bytes, shift);
  return buffer.subarray(shift, shift + bytes.length);
}

describe('toWatchEvent', () => {
  test('a plain {type, object} document is the event itself (no copy)', () => {
    const doc = JSON.parse('{"type":"ADDED","object":{"kind":"Pod"}}') as unknown;
    assert.equal(toWatchEvent(doc), doc);
  });

  test('anything else is copied to exactly {type, object}', () => {
    const cases: Record<string, unknown>[] = [
      { object: { a: 1 }, type: 'ADDED' }, // other key order
      { type: 'ADDED', object: {}, extra: 1 },
      JSON.parse('{"type":"ADDED","object":{},"__proto__":{"polluted":true}}') as Record<string, unknown>,
      Object.assign(Object.create({ inherited: 1 }) as object, { type: 'ADDED', object: {} }),
      Object.assign(Object.create(null) as object, { type: 'ADDED', object: {} }),
    ];
    for (const doc of cases) {
      const event = toWatchEvent(doc);
      assert.notEqual(event, doc);
      assert.deepStrictEqual(Object.keys(event), ['type', 'object']);
      assert.equal(Object.getPrototypeOf(event), Object.prototype);
      assert.equal(event.object, doc.object);
    }
  });
});

describe('JSON maxDepth on every path', () => {
  // An event nested `levels` deep in total (the event is level 1, its object level 2), padded with
  // strings full of brackets and z (the SWAR count's overcount case) so the cheap bounds do not decide.
  const event = (levels: number, pad: string) =>
    `{"type":"ADDED","object":{"p":"${pad}","a":${'['.repeat(levels - 2)}1${']'.repeat(levels - 2)},"q":"${pad}"}}\n`;

  test('exactly maxDepth decodes, one more is nesting-too-deep, whatever the alignment and padding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 80 }),
        fc.integer({ min: 0, max: 3 }),
        fc.stringMatching(/^[z{[\]}Z a]{0,300}$/),
        fc.boolean(),
        (maxDepth, shift, pad, documents) => {
          const codec = documents ? jsonDocumentsCodec : jsonCodec;
          const ok = shifted(utf8(event(maxDepth, pad)), shift);
          const deep = shifted(utf8(event(maxDepth + 1, pad)), shift);
          assert.equal(outcome(() => decodeAll(codec, ok, { maxDepth })), 'ok');
          assert.equal(outcome(() => decodeAll(codec, deep, { maxDepth })), 'nesting-too-deep');
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  test('a long line of brackets inside strings is not deep; real nesting past many brackets is', () => {
    const brackets = '{['.repeat(3000);
    assert.equal(decodeAll(jsonCodec, utf8(event(5, brackets)), { maxDepth: 5 }).length, 1);
    assert.equal(outcome(() => decodeAll(jsonCodec, utf8(event(6, brackets)), { maxDepth: 5 })), 'nesting-too-deep');
  });

  test("a frame the documents framer checked against a higher maxDepth is still checked by a stricter decoder", () => {
    const framer = new JsonDocumentsFramer(1 << 20, 100);
    framer.push(utf8(event(20, 'x'.repeat(100))));
    framer.end();
    const frame = framer.next();
    assert.ok(frame !== undefined);
    const strict = jsonDocumentsCodec.createDecoder(resolveLimits({ maxDepth: 5 }));
    assert.equal(outcome(() => strict.decode(frame)), 'nesting-too-deep');
    const lenient = jsonDocumentsCodec.createDecoder(resolveLimits({ maxDepth: 100 }));
    assert.equal(outcome(() => lenient.decode(frame)), 'ok');
  });
});

describe('JSON documents: one verdict whatever the chunking', () => {
  test('a document breaking maxFrameBytes and maxDepth gives the limit broken at the earlier byte', () => {
    const codeFor = (chunks: Uint8Array[], maxFrameBytes: number, maxDepth: number): string => {
      const decoder = StreamDecoder.events(jsonDocumentsCodec, () => {}, { maxFrameBytes, maxDepth });
      return outcome(() => {
        for (const chunk of chunks) decoder.push(chunk);
        decoder.end();
      });
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.stringMatching(/^[a-z]{0,20}$/),
        fc.integer({ min: 4, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (levels, filler, maxFrameBytes, maxDepth, cuts) => {
          const bytes = utf8(`{"type":"ADDED","object":{"f":"${filler}","a":${'['.repeat(levels)}1${']'.repeat(levels)}}}`);
          const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((start, k) => bytes.subarray(start, [...at, bytes.length][k]));
          assert.equal(codeFor(chunks, maxFrameBytes, maxDepth), codeFor([bytes], maxFrameBytes, maxDepth), `cut at ${at.join(',')}`);
        },
      ),
      { seed: 24, numRuns: 500 },
    );
  });
});
