/**
 * Strings as UTF-8: whatever path the reader takes for a string (short ASCII
 * built in JS, Node's utf8Slice, TextDecoder), the text and the verdict must
 * be TextDecoder's: fatal by default, U+FFFD per invalid sequence with
 * `invalidUtf8: 'replace'`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, decodeCborObject } from 'watchwire';
import { bstr, cat, codeOf, head, map } from './helpers/cbor-bytes.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** Bytes that are mostly text, with the pieces that break it or look like it: lone continuations, cut sequences, surrogates, overlongs, a real U+FFFD, a BOM. */
const piece = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => [...new TextEncoder().encode(s)]),
  fc.constantFrom([0xef, 0xbf, 0xbd], [0xef, 0xbb, 0xbf], [0x80], [0xbf], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf5, 0x80, 0x80, 0x80], [0xff]),
  fc.uint8Array({ maxLength: 6 }).map((b) => [...b]),
);
const text = fc.array(piece, { maxLength: 20 }).map((pieces) => Uint8Array.from(pieces.flat()));

test('a string decodes to what TextDecoder gives, and fails where it fails, at every length (fatal and replace)', () => {
  fc.assert(
    fc.property(text, fc.boolean(), (bytes, asText) => {
      const item = map([bstr('v'), asText ? cat(head(3, bytes.length), bytes) : bstr(bytes)]);
      let expected: string | undefined;
      try {
        expected = strict.decode(bytes);
      } catch {
        expected = undefined;
      }
      if (expected === undefined) assert.equal(codeOf(() => decodeCborObject(item)), 'invalid-utf8');
      else assert.equal((decodeCborObject(item) as { v: string }).v, expected);
      assert.equal((decodeCborObject(item, { invalidUtf8: 'replace' }) as { v: string }).v, lenient.decode(bytes));
    }),
    { seed: 81, numRuns: 4000 },
  );
});

test('a real U+FFFD, a BOM and text around an invalid byte, in strings long enough for every path', () => {
  const long = (s: string) => new TextEncoder().encode(s.repeat(8));
  for (const ok of ['\ufffd', '\ufeff', 'a\ufffdb', 'é\ufffd€😀']) {
    assert.equal((decodeCborObject(map([bstr('v'), bstr(long(ok))])) as { v: string }).v, ok.repeat(8));
  }
  const bad = Uint8Array.from([...long('abc'), 0xff, ...long('\ufffd')]);
  const error = (() => {
    try {
      decodeCborObject(map([bstr('v'), bstr(bad)]));
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(error instanceof DecodeError && error.code === 'invalid-utf8');
});

test('a string decoded with invalidUtf8: replace is not served from the shared caches to a reader without it (key and value)', () => {
  // Values and keys of every cached length class: short (1..23 bytes), and keys of 24..64.
  for (const bad of [[0xbf], [0x61, 0xff, 0x62], Array.from({ length: 30 }, (_, i) => (i === 7 ? 0xc3 : 0x61))]) {
    const bytes = Uint8Array.from(bad);
    const asValue = map([bstr('v'), bstr(bytes)]);
    const asKey = map([bstr(bytes), bstr('v')]);
    for (const item of [asValue, asKey]) {
      assert.match(JSON.stringify(decodeCborObject(item, { invalidUtf8: 'replace' })), /\ufffd/);
      assert.equal(codeOf(() => decodeCborObject(item)), 'invalid-utf8', String(bad));
    }
  }
});

test('without Node\'s Buffer (a page, a worker) strings decode the same, by fromCharCode and TextDecoder', () => {
  // Each string of 1..40 bytes, ASCII and not, then a U+FFFD and an invalid byte: the JSON of what decodes, and the codes.
  const script = `
    delete globalThis.Buffer;
    const { decodeCborObject } = await import('watchwire');
    const enc = new TextEncoder();
    const out = [];
    for (let n = 1; n <= 40; n++) for (const s of ['a'.repeat(n), 'é'.repeat(n).slice(0, n), 'x\\ufffd'.repeat(n).slice(0, n)]) {
      const b = enc.encode(s);
      out.push(decodeCborObject(Uint8Array.from([0xa1, 0x41, 0x76, 0x58, b.length, ...b])).v === s);
    }
    try { decodeCborObject(Uint8Array.from([0xa1, 0x41, 0x76, 0x58, 30, ...enc.encode('a'.repeat(29)), 0xff])); out.push('no error'); } catch (e) { out.push(e.code); }
    console.log(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout) as unknown[];
  assert.equal(results.length, 121);
  assert.deepEqual(results.slice(0, 120), Array.from({ length: 120 }, () => true));
  assert.equal(results[120], 'invalid-utf8');
});
