/**
 * Hostile input for cbor: the shared fuzz harness (test/helpers/fuzz.ts) with a
 * fixed seed. `npm run fuzz -- --format cbor` runs the same cases for longer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFuzz } from './helpers/fuzz.js';
import fc from 'fast-check';
import { DecodeError, decodeCborObject, encodeCbor } from 'watchwire';
import { jsonObject } from './helpers/generators.js';

test('cbor: 2000 hostile cases: only placed DecodeErrors, chunking-invariant, prototypes intact, bounded', { timeout: 120_000 }, () => {
  const kinds = assertFuzz('cbor', 8_004, 2000);
  // Every generator ran: a change that starves one of them shows here.
  assert.ok(kinds.size >= 12, `only ${kinds.size} kinds of case ran: ${[...kinds.keys()].join(', ')}`);
});

test('cbor: decodeCborObject (one application/cbor body, e.g. an error Status) lets only DecodeError escape', () => {
  fc.assert(
    fc.property(jsonObject, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }), (object, at, byte, random) => {
      const bytes = encodeCbor(object);
      const mutated = bytes.slice();
      mutated[at % mutated.length] = byte;
      for (const input of [mutated, bytes.subarray(0, at % (bytes.length + 1)), random]) {
        try {
          decodeCborObject(input, { maxStringBytes: 64, maxCollectionLength: 16, maxDepth: 8 });
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
    }),
    { seed: 8104, numRuns: 1000 },
  );
});
