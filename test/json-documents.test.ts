/**
 * JSON documents back to back (`json-documents`, and the JSON objects mode):
 * what `kubectl get -w -o json` prints. The codec laws, then pretty-printed
 * input, offsets and limits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type WatchEvent, decodeAll, jsonCodec, jsonDocumentsCodec } from 'watchwire';
import { codecLaws, decodeChunks, tokenSoup } from './helpers/codec-laws.js';
import { JSON_TOKENS, chunksOfSize, utf8 } from './helpers/generators.js';

codecLaws(jsonDocumentsCodec, {
  seed: 2,
  numRuns: 60,
  terminatorBytes: 1,
  badFrame: { bytes: utf8('{"type":"ADDED","object":{]}\n'), code: 'invalid-json' },
  garbage: tokenSoup(JSON_TOKENS),
});

const ev = (n: number): WatchEvent => ({ type: 'MODIFIED', object: { kind: 'Pod', metadata: { name: `p${n}`, labels: { a: '}{][' } } } });
const pretty = (v: unknown) => JSON.stringify(v, null, 2);

describe('JSON documents: kubectl -o json output', () => {
  test('pretty-printed documents back to back, with or without space between, in any chunking', () => {
    const input = `${pretty(ev(0))}\n${pretty(ev(1))}${pretty(ev(2))}\n\n  ${JSON.stringify(ev(3))}`;
    for (const size of [1, 2, 64, input.length]) {
      assert.deepStrictEqual(decodeChunks(jsonDocumentsCodec, chunksOfSize(utf8(input), size)).values, [ev(0), ev(1), ev(2), ev(3)]);
    }
  });

  test('the byte offset of a bad document is where the document starts, not the space before it', () => {
    const first = `${pretty(ev(0))}\n\n`;
    const got = decodeChunks(jsonDocumentsCodec, [utf8(`${first}  {"type":"ADDED","object":{]}\n`)]);
    assert.deepStrictEqual(got.values, [ev(0)]);
    assert.deepStrictEqual(got.error, { code: 'invalid-json', frameIndex: 1, byteOffset: first.length + 2, mediaType: 'application/json' });
  });

  test('text between documents is invalid-json after the documents before it; a cut document is truncated', () => {
    const got = decodeChunks(jsonDocumentsCodec, [utf8(`${pretty(ev(0))}\nnull\n${pretty(ev(1))}`)]);
    assert.deepStrictEqual(got.values, [ev(0)]);
    assert.equal(got.error?.code, 'invalid-json');
    assert.equal(got.error.frameIndex, 1);
    const cut = decodeChunks(jsonDocumentsCodec, [utf8(`${pretty(ev(0))}\n${pretty(ev(1)).slice(0, -3)}`)]);
    assert.deepStrictEqual(cut.values, [ev(0)]);
    assert.equal(cut.error?.code, 'truncated');
  });

  test('nesting deeper than maxDepth is refused while framing', () => {
    const deep = `{"type":"ADDED","object":{"a":${'['.repeat(2000)}${']'.repeat(2000)}}}`;
    assert.equal(decodeChunks(jsonDocumentsCodec, [utf8(deep)]).error?.code, 'nesting-too-deep');
  });

  test('a document over maxFrameBytes fails whether it arrives in one chunk or many', () => {
    const doc = pretty(ev(1));
    for (const size of [1, 100, doc.length]) {
      const got = decodeChunks(jsonDocumentsCodec, chunksOfSize(utf8(`${doc}\n${doc}\n`), size), { maxFrameBytes: doc.length - 1 });
      assert.deepStrictEqual(got.error, { code: 'frame-too-large', frameIndex: 0, byteOffset: 0, mediaType: 'application/json' });
      assert.deepStrictEqual(decodeChunks(jsonDocumentsCodec, chunksOfSize(utf8(`${doc}\n${doc}\n`), size), { maxFrameBytes: doc.length }).values, [
        ev(1),
        ev(1),
      ]);
    }
  });

  test('space between documents does not count as a frame against maxFrameBytes', () => {
    const doc = JSON.stringify(ev(1));
    const input = utf8(`${doc}${' \n'.repeat(100)}${doc}`);
    for (const size of [1, input.length]) {
      assert.deepStrictEqual(decodeChunks(jsonDocumentsCodec, chunksOfSize(input, size), { maxFrameBytes: doc.length }).values, [ev(1), ev(1)]);
    }
  });

  test('objects mode of json reads bare pretty-printed objects', () => {
    const objects = [ev(0).object, ev(1).object];
    const got = decodeChunks(jsonCodec, [utf8(objects.map((o) => pretty(o)).join('\n'))], { mode: 'objects' });
    assert.deepStrictEqual(got, { values: objects, skipped: 0 });
    assert.equal(decodeChunks(jsonCodec, [utf8('[1]\n')], { mode: 'objects' }).error?.code, 'not-an-event');
  });

  test('json-documents reads JSON lines too', () => {
    const lines = `${JSON.stringify(ev(0))}\n${JSON.stringify(ev(1))}\n`;
    assert.deepStrictEqual(decodeAll(jsonDocumentsCodec, utf8(lines)), decodeAll(jsonCodec, utf8(lines)));
  });
});
