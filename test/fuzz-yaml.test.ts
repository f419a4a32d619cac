/**
 * Hostile input for yaml: the shared fuzz harness (test/helpers/fuzz.ts) with a
 * fixed seed. `npm run fuzz -- --format yaml` runs the same cases for longer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { yamlCodec } from 'watchwire';
import { decodeChunks } from './helpers/codec-laws.js';
import { assertFuzz } from './helpers/fuzz.js';
import { chunksOfSize, utf8 } from './helpers/generators.js';

test('yaml: 2000 hostile cases: only placed DecodeErrors, chunking-invariant, prototypes intact, bounded', { timeout: 120_000 }, () => {
  const kinds = assertFuzz('yaml', 8_004, 2000);
  // Every generator ran: a change that starves one of them shows here.
  assert.ok(kinds.size >= 12, `only ${kinds.size} kinds of case ran: ${[...kinds.keys()].join(', ')}`);
});

describe('YAML stream edges (regressions)', () => {
  const event = (type: string) => ({ type, object: {} });
  const decode = (input: string, chunkSize?: number) => {
    const bytes = utf8(input);
    return decodeChunks(yamlCodec, chunkSize === undefined ? [bytes] : chunksOfSize(bytes, chunkSize));
  };

  test('a UTF-8 BOM at the stream start is dropped, however the chunks cut it', () => {
    for (const input of [
      '\ufefftype: ADDED\nobject: {}\n',
      '\ufeff---\ntype: ADDED\nobject: {}\n',
      '\ufeff# a comment\n---\ntype: ADDED\nobject: {}\n',
      '\ufeff\n---\ntype: ADDED\nobject: {}\n',
    ]) {
      for (const size of [undefined, 1, 2]) assert.deepStrictEqual(decode(input, size), { values: [event('ADDED')], skipped: 0 }, JSON.stringify(input));
    }
    // The first document starts after the BOM.
    const got = decodeChunks(yamlCodec, [utf8('\ufeff---\ntype: FOO\nobject: {}\n')]);
    assert.equal(got.error?.byteOffset, 3);
    // Only at the start: bytes that begin like a BOM and are not one stay content.
    assert.equal(decode('\u00efx: 1\n').error?.code, 'not-an-event');
  });

  test('%YAML and %TAG directives stay with the document their --- opens', () => {
    const two = [event('ADDED'), event('DELETED')];
    for (const size of [undefined, 1, 4]) {
      assert.deepStrictEqual(decode('%YAML 1.2\n---\ntype: ADDED\nobject: {}\n', size), { values: [event('ADDED')], skipped: 0 });
      assert.deepStrictEqual(decode('%YAML 1.2\n# c\n\n%TAG !e! tag:example.com,2000:\n---\ntype: ADDED\nobject: {}\n---\ntype: DELETED\nobject: {}\n', size).values, two);
      // After `...`, the next document may have directives again.
      assert.deepStrictEqual(decode('type: ADDED\nobject: {}\n...\n%YAML 1.2\n---\ntype: DELETED\nobject: {}\n', size).values, two);
      assert.deepStrictEqual(decode('\ufeff%YAML 1.2\n---\ntype: ADDED\nobject: {}\n', size).values, [event('ADDED')]);
    }
    // Without a directive a leading --- still opens the first document only.
    assert.deepStrictEqual(decode('---\ntype: ADDED\nobject: {}\n---\ntype: DELETED\nobject: {}\n').values, two);
  });

  test('duplicate mapping keys are duplicate-key, as in CBOR', () => {
    for (const input of ['type: ADDED\nobject: {a: 1, a: 2}\n', 'type: ADDED\ntype: DELETED\nobject: {}\n', 'type: ADDED\nobject:\n  __proto__: 1\n  __proto__: 2\n']) {
      const got = decode(input);
      assert.equal(got.error?.code, 'duplicate-key', input);
      assert.equal(got.error.frameIndex, 0);
    }
  });
});
