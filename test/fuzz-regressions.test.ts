/**
 * Every case `npm run fuzz` ever failed on, replayed: fuzz/findings/*.json
 * (written by scripts/fuzz.ts) through the strict runner. A finding in a file
 * owned by someone else stays a todo (its `knownIssue` names the entry in
 * KNOWN_ISSUES) until it is fixed; then the field is removed and it must pass.
 *
 * Below them, the hand-minimised repros of findings reported in
 * /work/notes/findings.md.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { StreamDecoder, type WatchEvent, cborCodec, decodeAll, encodeAll, encodeCbor, jsonDocumentsCodec } from 'watchwire';
import { protobufCodec } from 'watchwire/protobuf';
import { FUZZ_LIMITS, FuzzFailure, type FuzzRepro, KNOWN_ISSUES, caseToRepro, reproToCase, runFuzzCaseStrict } from './helpers/fuzz.js';
import { utf8 } from './helpers/generators.js';

const FINDINGS = fileURLToPath(new URL('../fuzz/findings/', import.meta.url));
const files = readdirSync(FINDINGS).filter((f) => f.endsWith('.json')).sort();

describe('fuzz findings replayed', () => {
  test('the strict runner fails a case whose invariant breaks (so a replayed finding can fail)', () => {
    const bytes = utf8('{"type":"ADDED","object":{}}\n');
    const base = { format: 'json' as const, kind: 'self-test', bytes, cuts: [3], skip: false, objects: false, limits: { ...FUZZ_LIMITS } };
    runFuzzCaseStrict({ ...base, expected: [{ type: 'ADDED', object: {} }] });
    assert.throws(() => runFuzzCaseStrict({ ...base, expected: [{ type: 'DELETED', object: {} }] }), FuzzFailure);
    // A repro file round-trips to the same case.
    assert.deepStrictEqual(reproToCase(JSON.parse(JSON.stringify(caseToRepro(base))) as FuzzRepro), base);
  });
  for (const file of files) {
    const repro = JSON.parse(readFileSync(FINDINGS + file, 'utf8')) as FuzzRepro & { knownIssue?: string };
    const known = KNOWN_ISSUES.find((k) => k.id === repro.knownIssue);
    const todo = known === undefined ? false : `owner: ${known.owner}, see findings.md (${known.id})`;
    test(`${file}: ${repro.format}/${repro.kind}`, { todo }, () => {
      runFuzzCaseStrict(reproToCase(repro));
    });
  }
});

describe('findings reported to other owners (todo until fixed, then plain regression tests)', () => {
  // Fixed by perf-binary in 6f7abbe.
  test("protobuf: one decoder's maxStringBytes does not leak into another", () => {
    const events: WatchEvent[] = [{ type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a-long-name' } } }];
    const bytes = encodeAll(protobufCodec, events);
    assert.throws(() => decodeAll(protobufCodec, bytes, { maxStringBytes: 4 }), { code: 'limit-exceeded' });
    assert.deepStrictEqual(decodeAll(protobufCodec, bytes), events);
  });

  // Found by npm run fuzz (seed 440645103); fixed by perf-binary in 25bb45d.
  test("cbor: a string cached by one reader still counts against another reader's maxStringBytes", () => {
    const bytes = encodeCbor({ type: 'ADDED', object: { a: 'hello' } });
    assert.throws(() => decodeAll(cborCodec, bytes, { maxStringBytes: 4 }), { code: 'limit-exceeded' });
    assert.equal(decodeAll(cborCodec, bytes).length, 1); // caches the strings
    assert.throws(() => decodeAll(cborCodec, bytes, { maxStringBytes: 4 }), { code: 'limit-exceeded' });
  });

  // Fixed by perf-json in 3fd5d5b: now a plain regression test.
  test('json-documents: the limit error does not depend on the chunking', () => {
    const bytes = utf8('{"type":"ADDED","object":{"a":[[1]]}}');
    const codeFor = (chunks: Uint8Array[]): string | undefined => {
      const decoder = StreamDecoder.events(jsonDocumentsCodec, () => {}, { maxFrameBytes: 8, maxDepth: 2 });
      try {
        for (const chunk of chunks) decoder.push(chunk);
        decoder.end();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    const whole = codeFor([bytes]);
    for (const cut of [1, 10, 20, 30]) assert.equal(codeFor([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
  });
});
