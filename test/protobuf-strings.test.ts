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

test('bytes that are not UTF-8 decode to the same U+FFFDs as TextDecoder (fast-check, fixed seed)', async () => {
  const fc = (await import('fast-check')).default;
  const reference = new TextDecoder('utf-8', { ignoreBOM: true });
  // Invalid sequences are what differs between decoders: bias towards lead, continuation and out-of-range bytes.
  const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x41));
  fc.assert(
    fc.property(fc.array(byte, { minLength: 1, maxLength: 40 }), (raw) => {
      const placeholder = 'Q'.repeat(raw.length);
      const bytes = encodeAll(protobufCodec, [{ type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: placeholder } } }]);
      // The name's bytes are the only run of Q's that long: overwrite them with the raw bytes.
      const at = Buffer.from(bytes).indexOf(placeholder);
      assert.ok(at > 0);
      bytes.set(raw, at);
      const got = decodeAll(protobufCodec, bytes)[0]!.object as { metadata: { name: string } };
      assert.equal(got.metadata.name, reference.decode(new Uint8Array(raw)));
    }),
    { seed: 1404, numRuns: 5000 },
  );
});
