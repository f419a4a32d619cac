/**
 * Protobuf strings go through a cache keyed by their bytes (compared 4 bytes
 * at a time): strings that differ in any one byte stay different at every
 * length the cache holds, and non-ASCII text comes through it intact.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type WatchEvent, decodeAll, encodeAll } from 'watchwire';
import { protobufCodec } from 'watchwire/protobuf';

/** Strings of every length 1..60 and, for each, copies with one character changed at each position. */
function nearMisses(): string[] {
  const out: string[] = [];
  for (let length = 1; length <= 60; length++) {
    const base = 'v'.repeat(length);
    out.push(base);
    for (let at = 0; at < length; at++) out.push(`${base.slice(0, at)}w${base.slice(at + 1)}`);
  }
  return out;
}

test('strings differing in one byte at any position, and non-ASCII strings, decode as written', () => {
  const strings = [...nearMisses(), 'é', 'ключ', '値ですね', '€uro', 'x'.repeat(11) + 'é', '\u{1F600}'.repeat(12)];
  const events: WatchEvent[] = strings.map((s, i) => ({
    type: 'ADDED',
    object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: s, namespace: strings[(i + 1) % strings.length]! }, data: { [s]: s } },
  }));
  const bytes = encodeAll(protobufCodec, events);
  // Twice: the second time every short string comes from the cache.
  for (let round = 0; round < 2; round++) {
    const got = decodeAll(protobufCodec, bytes);
    assert.equal(got.length, events.length);
    for (let i = 0; i < events.length; i++) {
      const o = got[i]!.object as { metadata: { name: string; namespace: string }; data: Record<string, string> };
      assert.equal(o.metadata.name, strings[i]);
      assert.equal(o.metadata.namespace, strings[(i + 1) % strings.length]);
      assert.deepStrictEqual(o.data, { [strings[i]!]: strings[i] });
    }
  }
});
