/**
 * Hostile input for protobuf: the shared fuzz harness (test/helpers/fuzz.ts) with a
 * fixed seed. `npm run fuzz -- --format protobuf` runs the same cases for longer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFuzz } from './helpers/fuzz.js';
import fc from 'fast-check';
import { DecodeError } from 'watchwire';
import { decodeProtobufObject, encodeProtobufObject } from 'watchwire/protobuf';
import { builtinObject } from './helpers/protobuf-objects.js';

test('protobuf: 2000 hostile cases: only placed DecodeErrors, chunking-invariant, prototypes intact, bounded', { timeout: 120_000 }, () => {
  const kinds = assertFuzz('protobuf', 8_008, 2000);
  // Every generator ran: a change that starves one of them shows here.
  assert.ok(kinds.size >= 12, `only ${kinds.size} kinds of case ran: ${[...kinds.keys()].join(', ')}`);
});

test('protobuf: decodeProtobufObject (one unframed body, e.g. an error Status) lets only DecodeError escape', () => {
  fc.assert(
    fc.property(builtinObject, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }), (object, at, byte, random) => {
      const bytes = encodeProtobufObject(object);
      const mutated = bytes.slice();
      mutated[at % mutated.length] = byte;
      for (const input of [mutated, bytes.subarray(0, at % (bytes.length + 1)), Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...random])]) {
        try {
          decodeProtobufObject(input, { maxStringBytes: 64, maxCollectionLength: 16, maxDepth: 8 });
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
    }),
    { seed: 8108, numRuns: 1000 },
  );
});
