/**
 * Kubernetes CBOR watch streams (`application/cbor-seq`): the codec laws, the
 * WIRE.md vectors, the decoder's semantics (byte strings, tags, keys, limits,
 * integers), the framer's refusals, the encoder's shortest forms, and
 * negotiation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  CborSeqFramer,
  DecodeError,
  NegotiationError,
  StreamDecoder,
  type WatchEvent,
  cborCodec,
  createCborCodec,
  createRegistry,
  decodeAll,
  decodeCborObject,
  encodeAll,
  encodeCbor,
} from 'watchwire';
import { NULL, SELF, array, bstr, cat, cborSoup, eventBytes, head, hex, map, nint, tag, toHex, tstr, uint } from './helpers/cbor-bytes.js';
import { codecLaws, decodeChunks } from './helpers/codec-laws.js';
import { chunksOfSize, jsonValue, kubeObject } from './helpers/generators.js';

codecLaws(cborCodec, {
  seed: 5,
  numRuns: 60,
  badFrame: { bytes: eventBytes('EXPLODED', cat(SELF, map())), code: 'unknown-event-type' },
  garbage: cborSoup,
});

/** The plain (text string) style must obey the same laws. */
codecLaws(createCborCodec({ strings: 'plain' }), {
  seed: 6,
  numRuns: 25,
  badFrame: { bytes: cat(SELF, map([bstr('type'), bstr('ADDED')], [bstr('object'), tag(1, uint(0))])), code: 'unsupported' },
  garbage: cborSoup,
});

const decodeOne = (bytes: Uint8Array, options: Parameters<typeof decodeCborObject>[1] = {}): unknown => decodeCborObject(bytes, options);
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('WIRE.md test vectors', () => {
  test('an object with tag 55799 and byte-string keys and values', () => {
    const bytes = hex('d9d9f7a34a61706956657273696f6e4176446b696e64416b486d65746164617461a1446e616d6543666f6f');
    assert.deepStrictEqual(decodeOne(bytes), { apiVersion: 'v', kind: 'k', metadata: { name: 'foo' } });
  });

  test('tag 22 on a byte string is base64, padded', () => {
    // A bare byte string is not an object: decode it as a map value to see it.
    assert.deepStrictEqual(decodeOne(cat(map([bstr('data'), hex('d64401020304')]))), { data: 'AQIDBA==' });
    // In an event stream, a top-level item that is not a map is a (resumable) not-an-event.
    const got = decodeChunks(cborCodec, [hex('d64401020304')], { onError: () => 'skip' });
    assert.deepStrictEqual(got, { values: [], skipped: 1 });
  });

  test('a whole event: the object carries its own 55799', () => {
    const bytes = hex(
      'd9d9f7a24474797065454144444544466f626a656374d9d9f7a34a61706956657273696f6e4176446b696e64416b486d65746164617461a1446e616d6543666f6f',
    );
    assert.deepStrictEqual(decodeAll(cborCodec, bytes), [
      { type: 'ADDED', object: { apiVersion: 'v', kind: 'k', metadata: { name: 'foo' } } },
    ]);
    // The encoder writes exactly these bytes for that event.
    assert.equal(toHex(encodeAll(cborCodec, [{ type: 'ADDED', object: { apiVersion: 'v', kind: 'k', metadata: { name: 'foo' } } }])), toHex(bytes));
  });
});

describe('decoder semantics', () => {
  test('byte strings and text strings both become JS strings, including non-ASCII UTF-8', () => {
    const long = 'x'.repeat(300) + 'é';
    const bytes = map([bstr('a'), bstr('日本')], [tstr('b'), tstr('😀')], [bstr('c'), bstr(long)], [bstr('é'), tstr('')]);
    assert.deepStrictEqual(decodeOne(bytes), { a: '日本', b: '😀', c: long, é: '' });
  });

  test('tag 55799 is stripped anywhere: around keys, values, nested maps, and in chains', () => {
    const self = (item: Uint8Array) => cat(SELF, item);
    const bytes = self(self(map([self(bstr('a')), self(self(array(self(uint(1)), self(NULL))))], [bstr('b'), self(map([bstr('c'), self(bstr('d'))]))])));
    assert.deepStrictEqual(decodeOne(bytes), { a: [1, null], b: { c: 'd' } });
    // A long chain of tags is not nesting: no stack use, no depth limit.
    const chain = cat(...Array.from({ length: 100_000 }, () => SELF), map([bstr('k'), uint(7)]));
    assert.deepStrictEqual(decodeOne(chain), { k: 7 });
  });

  test('tags 21, 22, 23 become base64url (no padding), base64 (padded), hex', () => {
    const data = Uint8Array.from([0xfb, 0xff, 0x01, 0x02]);
    const bytes = map([bstr('u'), tag(21, bstr(data))], [bstr('s'), tag(22, bstr(data))], [bstr('h'), tag(23, bstr(data))], [bstr('e'), tag(22, bstr(''))]);
    assert.deepStrictEqual(decodeOne(bytes), { u: '-_8BAg', s: '+/8BAg==', h: 'fbff0102', e: '' });
    // A byte string under the hint need not be UTF-8; a text string under it stays text.
    assert.deepStrictEqual(decodeOne(map([bstr('t'), tag(22, tstr('as is'))])), { t: 'as is' });
    assert.equal(codeOf(() => decodeOne(map([bstr('x'), tag(22, uint(1))]))), 'unsupported');
  });

  test('__proto__ and other prototype names stay plain own data keys; the prototype never changes', () => {
    const bytes = map([bstr('__proto__'), map([bstr('polluted'), uint(1)])], [bstr('constructor'), bstr('c')], [bstr('toString'), uint(2)]);
    const got = decodeOne(bytes) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.deepStrictEqual(Object.keys(got), ['__proto__', 'constructor', 'toString']);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(got, '__proto__')?.value, { polluted: 1 });
    assert.equal((got as { polluted?: unknown }).polluted, undefined);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    // The same as JSON.parse gives for the JSON form.
    assert.deepStrictEqual(got, JSON.parse('{"__proto__":{"polluted":1},"constructor":"c","toString":2}'));
  });

  test('duplicate keys are a DecodeError, however the key cache saw them', () => {
    const k = (s: string) => bstr(s);
    const cases: [string, Uint8Array][] = [
      ['plain', map([k('a'), uint(1)], [k('a'), uint(2)])],
      ['byte and text string of the same key', map([k('a'), uint(1)], [tstr('a'), uint(2)])],
      ['after a nested map used the same key', map([k('name'), uint(1)], [k('x'), map([k('name'), uint(2)])], [k('name'), uint(3)])],
      ['a prototype name', map([k('constructor'), uint(1)], [k('constructor'), uint(2)])],
      ['__proto__', map([k('__proto__'), uint(1)], [k('__proto__'), uint(2)])],
      ['a long key (not cached)', map([k('x'.repeat(40)), uint(1)], [k('x'.repeat(40)), uint(2)])],
      ['an empty key', map([k(''), uint(1)], [tstr(''), uint(2)])],
      ['a key wrapped in 55799', map([k('a'), uint(1)], [cat(SELF, k('a')), uint(2)])],
    ];
    for (const [name, bytes] of cases) assert.equal(codeOf(() => decodeOne(bytes)), 'duplicate-key', name);
    // The same key in sibling and nested maps is fine, again and again (cache stamps do not leak).
    const ok = map([k('name'), map([k('name'), uint(1)])], [k('b'), map([k('name'), uint(2)])], [k('c'), array(map([k('name'), uint(3)]), map([k('name'), uint(4)]))]);
    for (let i = 0; i < 3; i++) assert.deepStrictEqual(decodeOne(ok), { name: { name: 1 }, b: { name: 2 }, c: [{ name: 3 }, { name: 4 }] });
    // In a stream, a duplicate is a resumable frame error.
    const stream = cat(eventBytes('ADDED', map([k('a'), uint(1)], [k('a'), uint(2)])), eventBytes('ADDED', map()));
    const got = decodeChunks(cborCodec, [stream], { onError: () => 'skip' });
    assert.deepStrictEqual(got, { values: [{ type: 'ADDED', object: {} }], skipped: 1 });
  });

  test('random key order decodes the same', () => {
    fc.assert(
      fc.property(kubeObject, fc.integer(), (object, seed) => {
        const entries = Object.entries(object);
        let s = seed >>> 0;
        for (let i = entries.length - 1; i > 0; i--) {
          s = (s * 1664525 + 1013904223) >>> 0;
          const j = s % (i + 1);
          [entries[i], entries[j]] = [entries[j]!, entries[i]!];
        }
        const shuffled = cat(head(5, entries.length), ...entries.flatMap(([key, v]) => [bstr(key), encodeCbor(v)]));
        // deepStrictEqual does not look at key order.
        assert.deepStrictEqual(decodeOne(shuffled), object);
      }),
      { seed: 51, numRuns: 100 },
    );
  });

  test('nesting: maxDepth levels decode, one more is nesting-too-deep, never a RangeError', () => {
    const nested = (levels: number) => cat(new Uint8Array(levels - 1).fill(0x81), map());
    assert.ok(decodeOne(map([bstr('a'), nested(999)])));
    assert.equal(codeOf(() => decodeOne(map([bstr('a'), nested(1000)]))), 'nesting-too-deep');
    assert.equal(codeOf(() => decodeOne(map([bstr('a'), nested(10)]), { maxDepth: 10 })), 'nesting-too-deep');
    // A limit far above what the JS stack holds still ends as a DecodeError.
    const deep = map([bstr('a'), nested(300_000)]);
    assert.equal(codeOf(() => decodeOne(deep, { maxDepth: 1_000_000 })), 'nesting-too-deep');
    // In a stream, the framer refuses it before the decoder sees it (not resumable: the
    // framer stops walking), counting levels as the decoder does, empty ones included.
    const got = decodeChunks(cborCodec, [eventBytes('ADDED', map([bstr('a'), nested(5000)]))], { onError: () => 'skip' });
    assert.equal(got.error?.code, 'nesting-too-deep');
    const event = (levels: number) => eventBytes('ADDED', map([bstr('a'), nested(levels)]));
    assert.equal(decodeChunks(cborCodec, [event(998)]).values.length, 1);
    assert.equal(decodeChunks(cborCodec, [event(999)]).error?.code, 'nesting-too-deep');
    assert.equal(decodeChunks(cborCodec, [event(9)], { maxDepth: 11 }).values.length, 1);
    assert.equal(decodeChunks(cborCodec, [event(10)], { maxDepth: 11 }).error?.code, 'nesting-too-deep');
  });

  test('collection and string lengths beyond the limits fail before anything is allocated', () => {
    // Declared counts far beyond the bytes present: refused from the head alone.
    for (const bytes of [map([bstr('a'), hex('9b 00 00 00 00 ff ff ff ff')]), map([bstr('a'), hex('ba 7f ff ff ff')]), map([bstr('a'), hex('5a ff ff ff f0')])]) {
      const started = performance.now();
      assert.match(codeOf(() => decodeOne(bytes)), /^(limit-exceeded|truncated)$/);
      assert.ok(performance.now() - started < 50);
    }
    const items = (n: number) => map([bstr('a'), cat(head(4, n), ...Array.from({ length: n }, () => uint(0)))]);
    assert.equal(codeOf(() => decodeOne(items(11), { maxCollectionLength: 10 })), 'limit-exceeded');
    assert.ok(decodeOne(items(10), { maxCollectionLength: 10 }));
    assert.equal(codeOf(() => decodeOne(map([bstr('a'), bstr('x'.repeat(9))]), { maxStringBytes: 8 })), 'limit-exceeded');
    assert.equal(codeOf(() => decodeOne(map([bstr('x'.repeat(9)), uint(1)]), { maxStringBytes: 8 })), 'limit-exceeded');
    assert.equal(codeOf(() => decodeOne(map([bstr('a'), tag(22, bstr('x'.repeat(9)))]), { maxStringBytes: 8 })), 'limit-exceeded');
  });

  test('two decoders with different limits in one process do not interfere', () => {
    const strict = createCborCodec().objects!.createDecoder({ maxFrameBytes: 1 << 20, maxDepth: 3, maxAliases: 0, maxCollectionLength: 2, maxStringBytes: 4 });
    const loose = createCborCodec().objects!.createDecoder({ maxFrameBytes: 1 << 20, maxDepth: 100, maxAliases: 0, maxCollectionLength: 100, maxStringBytes: 100 });
    const big = map([bstr('list'), array(uint(1), uint(2), uint(3))], [bstr('s'), bstr('hello')], [bstr('d'), map([bstr('e'), map([bstr('f'), map()])])]);
    for (let i = 0; i < 3; i++) {
      assert.deepStrictEqual(loose.decode(big), { list: [1, 2, 3], s: 'hello', d: { e: { f: {} } } });
      assert.throws(() => strict.decode(big), (e) => e instanceof DecodeError && e.code === 'limit-exceeded');
      assert.equal(codeOf(() => strict.decode(map([bstr('d'), map([bstr('e'), map([bstr('f'), map()])])]))), 'nesting-too-deep');
    }
  });

  test('other tags, bignums, undefined and simple values are DecodeErrors unless an option allows them', () => {
    const v = (item: Uint8Array) => map([bstr('v'), item]);
    assert.equal(codeOf(() => decodeOne(v(tag(1, uint(0))))), 'unsupported');
    assert.equal(codeOf(() => decodeOne(v(tag(2, bstr(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0])))))), 'unsupported');
    assert.equal(codeOf(() => decodeOne(v(hex('f7')))), 'unsupported');
    assert.equal(codeOf(() => decodeOne(v(hex('f0')))), 'unsupported');
    assert.equal(codeOf(() => decodeOne(v(hex('f8 ff')))), 'unsupported');
    assert.deepStrictEqual(decodeOne(v(tag(1, uint(5))), { unknownTags: 'strip' }), { v: 5 });
    // Bignums (tags 2/3) only with bignums: 'allow', then as Int64Mode says; never stripped into a string.
    const big = v(tag(2, bstr(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0]))));
    const minus = v(tag(3, bstr(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0]))));
    assert.equal(codeOf(() => decodeOne(big, { unknownTags: 'strip' })), 'unsupported');
    assert.deepStrictEqual(decodeOne(big, { bignums: 'allow' }), { v: 2 ** 64 });
    assert.deepStrictEqual(decodeOne(big, { bignums: 'allow', int64: 'bigint' }), { v: 2n ** 64n });
    assert.deepStrictEqual(decodeOne(minus, { bignums: 'allow', int64: 'bigint' }), { v: -1n - 2n ** 64n });
    assert.deepStrictEqual(decodeOne(v(tag(2, bstr(Uint8Array.from([1, 0])))), { bignums: 'allow', int64: 'bigint' }), { v: 256 });
    assert.deepStrictEqual(decodeOne(v(hex('f7')), { otherSimpleValues: 'null' }), { v: null });
    assert.deepStrictEqual(decodeOne(v(cat(hex('f4'), [])), {}), { v: false });
    assert.deepStrictEqual(decodeOne(map([bstr('t'), hex('f5')], [bstr('n'), NULL])), { t: true, n: null });
  });

  test('a byte string that is not UTF-8 is invalid-utf8, or U+FFFD with invalidUtf8: replace', () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0x61, 0x62, 0xc0, 0xaf], Array.from({ length: 40 }, () => 0x61).concat([0x80])]) {
      const bytes = map([bstr('v'), bstr(Uint8Array.from(bad))]);
      assert.equal(codeOf(() => decodeOne(bytes)), 'invalid-utf8', String(bad));
      assert.match((decodeOne(bytes, { invalidUtf8: 'replace' }) as { v: string }).v, /\ufffd/);
    }
    assert.equal(codeOf(() => decodeOne(map([bstr(Uint8Array.from([0xff])), uint(1)]))), 'invalid-utf8');
  });

  test('integers beyond 2^53: number mode rounds as JSON.parse does, bigint mode is lossless', () => {
    const values = [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n, 12345678901234567891n];
    for (const n of values) {
      const pos = map([bstr('v'), uint(n)]);
      const neg = map([bstr('v'), nint(n)]);
      assert.equal((decodeOne(pos) as { v: number }).v, JSON.parse(`${n}`), `+${n}`);
      assert.equal((decodeOne(neg) as { v: number }).v, JSON.parse(`${-1n - n}`), `-1-${n}`);
      const big = (decodeOne(pos, { int64: 'bigint' }) as { v: unknown }).v;
      assert.equal(big, n > 2n ** 53n - 1n ? n : Number(n));
      const bigNeg = (decodeOne(neg, { int64: 'bigint' }) as { v: unknown }).v;
      assert.equal(bigNeg, -1n - n < -(2n ** 53n - 1n) ? -1n - n : Number(-1n - n));
    }
    // Small values in a long head are still plain numbers in either mode.
    assert.deepStrictEqual(decodeOne(map([bstr('v'), hex('1b 00 00 00 00 00 00 00 05')]), { int64: 'bigint' }), { v: 5 });
  });

  test('floats of every width, and the end of the data checked', () => {
    const v = (item: string) => (decodeOne(map([bstr('v'), hex(item)])) as { v: number }).v;
    assert.equal(v('f9 3e00'), 1.5);
    assert.equal(v('f9 0001'), 2 ** -24);
    assert.equal(v('f9 fc00'), -Infinity);
    assert.equal(v('fa 47c35000'), 100000);
    assert.equal(v('fb 3ff199999999999a'), 1.1);
    assert.equal(codeOf(() => decodeOne(cat(map(), [0]))), 'invalid-cbor');
    assert.equal(codeOf(() => decodeOne(map([bstr('v'), hex('fb 3ff1')]))), 'truncated');
  });

  test('an error Status before a stream: decodeCborObject', () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'forbidden', reason: 'Forbidden', code: 403 };
    assert.deepStrictEqual(decodeCborObject(encodeCbor(status)), status);
    assert.equal(codeOf(() => decodeCborObject(encodeCbor([1]))), 'not-an-event');
    assert.equal(codeOf(() => decodeCborObject(encodeCbor(status), { maxFrameBytes: 10 })), 'frame-too-large');
  });
});

describe('framer', () => {
  const framerOf = () => new CborSeqFramer(1 << 20, 1000);
  const refusal = (bytes: Uint8Array): DecodeError => {
    const framer = framerOf();
    framer.push(bytes);
    framer.end();
    try {
      while (framer.next() !== undefined);
    } catch (e) {
      assert.ok(e instanceof DecodeError);
      return e;
    }
    assert.fail('no error');
  };

  test('indefinite lengths, reserved additional info and stray breaks are invalid-cbor, not resumable', () => {
    for (const h of ['5f', '7f', '9f', 'bf', 'ff', '1c', '3d', '5e', '7e', '9c', 'bd', 'de', 'fc', 'fd', 'fe']) {
      const error = refusal(cat(SELF, map([bstr('a'), hex(h)])));
      assert.equal(error.code, 'invalid-cbor', h);
      assert.equal(error.resumable, false);
    }
  });

  test('declared lengths over maxFrameBytes fail from the head, before the bytes arrive', () => {
    const framer = new CborSeqFramer(1000, 1000);
    framer.push(cat(SELF, map([bstr('a'), head(2, 5000)])));
    assert.throws(() => framer.next(), (e) => e instanceof DecodeError && e.code === 'frame-too-large');
    const counts = new CborSeqFramer(1000, 1000);
    counts.push(hex('9a 00 01 00 00'));
    assert.throws(() => counts.next(), (e) => e instanceof DecodeError && e.code === 'frame-too-large');
  });

  test('walking is linear: a 4 MiB stream in 16-byte chunks frames quickly', () => {
    const object = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, [i, `value-${i}`, { n: null }]]));
    const bytes = encodeAll(cborCodec, [{ type: 'ADDED', object }, { type: 'DELETED', object: {} }]);
    const framer = new CborSeqFramer(1 << 24, 1000);
    const started = performance.now();
    let frames = 0;
    for (const chunk of chunksOfSize(bytes, 16)) {
      framer.push(chunk);
      while (framer.next() !== undefined) frames++;
    }
    framer.end();
    assert.equal(frames, 2);
    // Re-walking from the frame start on each push would take minutes here.
    assert.ok(performance.now() - started < 3000, `${(performance.now() - started).toFixed(0)} ms`);
  });

  test('a well-formed but unusable item is resumable; the stream goes on', () => {
    const good: WatchEvent = { type: 'ADDED', object: { kind: 'Pod' } };
    const stream = cat(
      encodeAll(cborCodec, [good]),
      eventBytes('ADDED', map([bstr('when'), tag(1, uint(0))])),
      eventBytes('NOPE', map()),
      encodeAll(cborCodec, [good]),
    );
    const codes: string[] = [];
    const got = decodeChunks(cborCodec, chunksOfSize(stream, 3), { onError: (e) => (codes.push(e.code), 'skip') });
    assert.deepStrictEqual(got, { values: [good, good], skipped: 2 });
    assert.deepStrictEqual(codes, ['unsupported', 'unknown-event-type']);
  });
});

describe('encoder', () => {
  const width = (x: number) => encodeCbor(x, { strings: 'plain' })[0];

  test('shortest exact float width: f16, f32, f64', () => {
    const cases: [number, string][] = [
      [1.5, 'f93e00'], [-0, 'f98000'], [65504, '19ffe0'], [0.5, 'f93800'], [2 ** -24, 'f90001'], [2 ** -14, 'f90400'],
      [100000.5, 'fa47c35040'], [3.4028234663852886e38, 'fa7f7fffff'], [1.1, 'fb3ff199999999999a'], [1e300, 'fb7e37e43c8800759c'],
      [Infinity, 'f97c00'], [-Infinity, 'f9fc00'], [NaN, 'f97e00'], [2 ** 64, 'fa5f800000'], [2 ** 53 + 2, '1b0020000000000002'],
      [-(2 ** 64), '3bffffffffffffffff'],
    ];
    for (const [x, want] of cases) assert.equal(toHex(encodeCbor(x)), want, String(x));
  });

  test('every double round-trips in the shortest width that holds it', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const bytes = encodeCbor(x, { strings: 'plain' });
        const back = (decodeOne(cat(map([tstr('v'), bytes]))) as { v: number }).v;
        assert.ok(Object.is(back, x), `${x} came back as ${back}`);
        const first = width(x)!;
        if (first === 0xfb) assert.notEqual(Math.fround(x), x, `${x} fits f32`);
        if (first === 0xfa) assert.ok(encodeCbor(x)[0] !== 0xf9);
      }),
      { seed: 52, numRuns: 2000 },
    );
  });

  test('Kubernetes style: 55799 on event and object, strings and keys as byte strings; plain: text strings, no tags', () => {
    const event: WatchEvent = { type: 'ADDED', object: { kind: 'Pod', spec: { a: ['x'] } } };
    const k8s = createCborCodec().createEncoder().encode(event);
    assert.equal(toHex(k8s), toHex(eventBytes('ADDED', cat(SELF, map([bstr('kind'), bstr('Pod')], [bstr('spec'), map([bstr('a'), array(bstr('x'))])])))));
    const plain = createCborCodec({ strings: 'plain' }).createEncoder().encode(event);
    assert.equal(toHex(plain), toHex(map([tstr('type'), tstr('ADDED')], [tstr('object'), map([tstr('kind'), tstr('Pod')], [tstr('spec'), map([tstr('a'), array(tstr('x'))])])])));
    // Uint8Array is Go []byte: tag 22, which decodes to base64 as JSON has it.
    assert.deepStrictEqual(decodeOne(encodeCbor({ b: Uint8Array.from([1, 2, 3, 4]) })), { b: 'AQIDBA==' });
    // As JSON.stringify: undefined members are left out, undefined in arrays is null.
    assert.deepStrictEqual(decodeOne(encodeCbor({ a: undefined, b: [undefined] })), { b: [null] });
    assert.deepStrictEqual(decodeOne(encodeCbor({ t: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) })), { t: '2024-01-02T03:04:05.000Z' });
    // Integers beyond 2^53 as bigint keep every digit.
    assert.deepStrictEqual(decodeOne(encodeCbor({ n: 2n ** 64n - 1n, m: -(2n ** 63n) }), { int64: 'bigint' }), { n: 2n ** 64n - 1n, m: -(2n ** 63n) });
    assert.throws(() => encodeCbor({ n: 2n ** 64n }), RangeError);
  });

  test('JSON-like values round-trip in both styles', () => {
    fc.assert(
      fc.property(jsonValue(4), fc.boolean(), (value, plain) => {
        const bytes = encodeCbor({ v: value }, plain ? { strings: 'plain' } : {});
        assert.deepStrictEqual(decodeOne(bytes), { v: value });
      }),
      { seed: 53, numRuns: 300 },
    );
  });
});

describe('negotiation', () => {
  test('application/cbor-seq reads as cbor; Accept asks for application/cbor', () => {
    const registry = createRegistry();
    assert.equal(registry.forContentType('application/cbor-seq').name, 'cbor');
    assert.equal(registry.forContentType('Application/CBOR-Seq; charset=binary').name, 'cbor');
    assert.equal(registry.get('cbor'), cborCodec);
    assert.equal(registry.accept(['cbor', 'json']), 'application/cbor, application/json;q=0.9');
  });

  test('a watch labelled plain application/cbor is refused with a clear NegotiationError', () => {
    assert.throws(
      () => createRegistry().forContentType('application/cbor'),
      (e) => e instanceof NegotiationError && /application\/cbor-seq/.test(e.message) && /client-go/.test(e.message),
    );
  });

  test('StreamDecoder over cbor: the error names the frame and its byte offset', () => {
    const one = encodeAll(cborCodec, [{ type: 'ADDED', object: { a: 1 } }]);
    const decoder = StreamDecoder.events(cborCodec, () => {});
    decoder.push(cat(one, one.subarray(0, 5)));
    assert.throws(
      () => decoder.end(),
      (e) => e instanceof DecodeError && e.code === 'truncated' && e.frameIndex === 1 && e.byteOffset === one.length && e.mediaType === 'application/cbor-seq',
    );
  });
});
