/**
 * The CBOR reader's string caches (keys and values by a hash of their bytes,
 * compared 4 bytes at a time): strings that differ in any one byte, at any
 * length the caches hold, stay different; eviction never hides a duplicate key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCborObject } from 'watchwire';
import { bstr, cat, codeOf, head, map, tstr, uint } from './helpers/cbor-bytes.js';

/** Strings of every length 1..70 and, for each, copies with one character changed at each position. */
function nearMisses(): string[] {
  const out: string[] = [];
  for (let length = 1; length <= 70; length++) {
    const base = 'k'.repeat(length);
    out.push(base);
    for (let at = 0; at < length; at++) out.push(`${base.slice(0, at)}x${base.slice(at + 1)}`);
  }
  return out;
}

test('keys and values differing in one byte at any position stay distinct, whatever the length', () => {
  const strings = nearMisses();
  const entries = strings.map((s, i): [Uint8Array, Uint8Array] => [i % 2 === 0 ? bstr(s) : tstr(s), bstr(s)]);
  const bytes = cat(head(5, entries.length), ...entries.flat());
  const expected = Object.fromEntries(strings.map((s) => [s, s]));
  // Twice: the second time every string comes from the cache.
  for (let round = 0; round < 2; round++) assert.deepStrictEqual(decodeCborObject(bytes, { maxCollectionLength: 1e5 }), expected);
});

test('non-ASCII keys and values come through the caches as UTF-8', () => {
  const bytes = map([bstr('ключ'), bstr('значение')], [bstr('キー'), bstr('値ですね')], [bstr('é'), bstr('€')]);
  for (let round = 0; round < 2; round++) assert.deepStrictEqual(decodeCborObject(bytes), { ключ: 'значение', キー: '値ですね', é: '€' });
});

test('a duplicate key is found after thousands of other keys evicted it from the cache', () => {
  for (const key of ['name', 'x'.repeat(23), 'y'.repeat(40), 'z'.repeat(64), 'w'.repeat(100)]) {
    const fillers = Array.from({ length: 20000 }, (_, i): [Uint8Array, Uint8Array] => [bstr(`${key.slice(0, 3)}-${i}`), uint(i)]);
    // In the same map, and with the fillers in a map nested between the two.
    const flat = map([bstr(key), uint(1)], ...fillers, [bstr(key), uint(2)]);
    const nested = map([bstr(key), uint(1)], [bstr('inner'), map(...fillers)], [bstr(key), uint(2)]);
    assert.equal(codeOf(() => decodeCborObject(flat, { maxCollectionLength: 1e5 })), 'duplicate-key', `${key.length} bytes, flat`);
    assert.equal(codeOf(() => decodeCborObject(nested, { maxCollectionLength: 1e5 })), 'duplicate-key', `${key.length} bytes, nested`);
    // And straight after, still in the cache.
    assert.equal(codeOf(() => decodeCborObject(map([bstr(key), uint(1)], [tstr(key), uint(2)]))), 'duplicate-key', `${key.length} bytes, cached`);
  }
});

test('the same keys in many sibling maps are not duplicates', () => {
  const child = map([bstr('name'), uint(1)], [bstr('k:{"type":"ContainersReady"}'), uint(2)]);
  const parent = cat(head(4, 500), ...Array.from({ length: 500 }, () => child));
  const got = decodeCborObject(map([bstr('items'), parent])) as { items: unknown[] };
  assert.equal(got.items.length, 500);
  for (const item of got.items) assert.deepStrictEqual(item, { name: 1, 'k:{"type":"ContainersReady"}': 2 });
});
