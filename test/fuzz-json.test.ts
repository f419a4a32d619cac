/**
 * Hostile input for json: the shared fuzz harness (test/helpers/fuzz.ts) with a
 * fixed seed. `npm run fuzz -- --format json` runs the same cases for longer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFuzz } from './helpers/fuzz.js';

test('json: 2000 hostile cases: only placed DecodeErrors, chunking-invariant, prototypes intact, bounded', { timeout: 120_000 }, () => {
  const kinds = assertFuzz('json', 8_004, 2000);
  // Every generator ran: a change that starves one of them shows here.
  assert.ok(kinds.size >= 12, `only ${kinds.size} kinds of case ran: ${[...kinds.keys()].join(', ')}`);
});

test('json-documents (kubectl -o json): 1000 hostile cases', { timeout: 120_000 }, () => {
  const kinds = assertFuzz('json-documents', 8_0014, 1000);
  assert.ok(kinds.size >= 12);
});
