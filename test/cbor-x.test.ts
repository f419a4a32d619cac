/**
 * cbor-x 1.6.8, with and without its native extension (cbor-extract): the
 * four facts that made watchwire hand-write its Kubernetes CBOR reader and
 * writer (each shown on cbor-x itself, then handled by watchwire), and cbor-x
 * as an independent oracle for plain CBOR in both directions.
 *
 * cbor-x reads CBOR_NATIVE_ACCELERATION_DISABLED=true once, when it loads.
 * This file runs as is (native, where cbor-extract loads) and re-runs itself
 * in a subprocess with the variable set; each run asserts which mode it is in.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import * as cborx from 'cbor-x';
import fc from 'fast-check';
import { DecodeError, createCborCodec, decodeCborObject, encodeCbor } from 'watchwire';
import { bstr, hex, map, toHex, tstr, uint } from './helpers/cbor-bytes.js';
import { jsonValue } from './helpers/generators.js';

const nativeDisabled = process.env.CBOR_NATIVE_ACCELERATION_DISABLED?.toLowerCase() === 'true';
const nativeAvailable = (() => {
  try {
    createRequire(import.meta.url)('cbor-extract');
    return true;
  } catch {
    return false;
  }
})();
const mode = nativeDisabled ? 'without native' : 'native';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return 'no error';
};

function bigintsAsNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(bigintsAsNumbers);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bigintsAsNumbers(v)]));
  return value;
}

/** cbor-x configured for JSON-like data: plain objects, no records, no typed-array tags. */
const plainDecoder = new cborx.Decoder({ useRecords: false, mapsAsObjects: true });
const plainEncoder = new cborx.Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

describe(`cbor-x ${mode}`, () => {
  test('the mode is the one the environment asks for', () => {
    assert.equal(cborx.isNativeAccelerationEnabled, !nativeDisabled && nativeAvailable);
    if (!nativeDisabled) assert.ok(nativeAvailable, 'cbor-extract should load on this platform');
  });

  test("fact: cbor-x's default decode throws on Kubernetes CBOR (byte-string keys); watchwire reads it", () => {
    const k8s = encodeCbor({ kind: 'Pod', metadata: { name: 'p' } });
    assert.throws(() => cborx.decode(k8s));
    assert.deepStrictEqual(decodeCborObject(k8s), { kind: 'Pod', metadata: { name: 'p' } });
  });

  test('fact: cbor-x keeps the last of duplicate keys silently; watchwire refuses them', () => {
    const dup = map([tstr('a'), uint(1)], [tstr('a'), uint(2)]);
    assert.deepStrictEqual(plainDecoder.decode(dup), { a: 2 });
    assert.equal(codeOf(() => decodeCborObject(dup)), 'duplicate-key');
  });

  test('fact: cbor-x renames a __proto__ key to __proto_; watchwire keeps it as plain own data', () => {
    const bytes = map([tstr('__proto__'), map([tstr('x'), uint(1)])]);
    const theirs = plainDecoder.decode(bytes) as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(theirs), ['__proto_']);
    const ours = decodeCborObject(bytes);
    assert.deepStrictEqual(Object.keys(ours), ['__proto__']);
    assert.equal(Object.getPrototypeOf(ours), Object.prototype);
    assert.deepStrictEqual(ours, JSON.parse('{"__proto__":{"x":1}}'));
  });

  test('fact: cbor-x cannot write 16-bit floats; watchwire writes the shortest exact width', () => {
    for (const options of [{}, { useFloat32: cborx.FLOAT32_OPTIONS.ALWAYS }, { useFloat32: cborx.FLOAT32_OPTIONS.DECIMAL_FIT }]) {
      const first = new cborx.Encoder({ useRecords: false, ...options }).encode(1.5)[0];
      assert.notEqual(first, 0xf9, JSON.stringify(options));
    }
    assert.equal(toHex(encodeCbor(1.5)), 'f93e00');
    // cbor-x reads what watchwire writes.
    assert.equal(plainDecoder.decode(encodeCbor(1.5)), 1.5);
  });

  test('fact: cbor-x keeps its size limits in process-global state; watchwire limits are per decoder', () => {
    const five = map([tstr('a'), hex('85 01 02 03 04 05')]);
    try {
      cborx.setSizeLimits({ maxArraySize: 4 });
      // A decoder made elsewhere, with no limits of its own, is changed too.
      assert.throws(() => new cborx.Decoder({ useRecords: false }).decode(five), /Array length exceeds 4/);
      // watchwire does not read them: its limits come with each decoder.
      assert.deepStrictEqual(decodeCborObject(five), { a: [1, 2, 3, 4, 5] });
      assert.equal(codeOf(() => decodeCborObject(five, { maxCollectionLength: 4 })), 'limit-exceeded');
      const loose = createCborCodec().objects!.createDecoder({ maxFrameBytes: 1000, maxDepth: 10, maxAliases: 0, maxCollectionLength: 5, maxStringBytes: 100 });
      const strict = createCborCodec().objects!.createDecoder({ maxFrameBytes: 1000, maxDepth: 10, maxAliases: 0, maxCollectionLength: 4, maxStringBytes: 100 });
      assert.deepStrictEqual(loose.decode(five), { a: [1, 2, 3, 4, 5] });
      assert.throws(() => strict.decode(five), (e) => e instanceof DecodeError && e.code === 'limit-exceeded');
      assert.deepStrictEqual(loose.decode(five), { a: [1, 2, 3, 4, 5] });
    } finally {
      // cbor-x's own defaults (decode.js), so other tests in this process see cbor-x as it was.
      cborx.setSizeLimits({ maxArraySize: 112810000, maxMapSize: 16810000, maxObjectSize: 16710000 });
    }
  });

  test('fact: cbor-x reads every 8-byte integer as a BigInt, and with int64AsNumber reads negatives wrong; watchwire follows Int64Mode', () => {
    const minus = hex('3b 00 00 00 01 00 00 00 00'); // -4294967297
    assert.equal(plainDecoder.decode(minus), -4294967297n);
    assert.equal(new cborx.Decoder({ useRecords: false, int64AsNumber: true }).decode(minus), -1);
    assert.equal(plainDecoder.decode(hex('1b 00 00 00 00 00 00 00 05')), 5n);
    const v = (bytes: Uint8Array, options = {}) => (decodeCborObject(map([tstr('v'), bytes]), options) as { v: unknown }).v;
    assert.equal(v(minus), -4294967297);
    assert.equal(v(hex('1b 00 00 00 00 00 00 00 05'), { int64: 'bigint' }), 5);
    assert.equal(v(hex('1b ff ff ff ff ff ff ff ff')), JSON.parse('18446744073709551615'));
  });

  test('oracle: cbor-x decodes watchwire plain CBOR to the same values watchwire does', () => {
    fc.assert(
      fc.property(jsonValue(4), (value) => {
        const bytes = encodeCbor({ v: value }, { strings: 'plain' });
        // A __proto__ key is the one place cbor-x differs (see above).
        fc.pre(!JSON.stringify(value ?? null).includes('"__proto__"'));
        // cbor-x gives a BigInt for every 8-byte integer (see above): compare as numbers.
        assert.deepStrictEqual(bigintsAsNumbers(plainDecoder.decode(bytes)), { v: value });
        assert.deepStrictEqual(decodeCborObject(bytes), { v: value });
      }),
      { seed: 71, numRuns: 300 },
    );
  });

  test('oracle: watchwire decodes CBOR written by cbor-x as cbor-x does', () => {
    fc.assert(
      fc.property(jsonValue(4), (value) => {
        fc.pre(!JSON.stringify(value ?? null).includes('"__proto__"'));
        const bytes = plainEncoder.encode({ v: value });
        assert.deepStrictEqual(decodeCborObject(bytes), plainDecoder.decode(bytes));
      }),
      { seed: 72, numRuns: 300 },
    );
  });

  test('byte strings: Kubernetes style read by watchwire equals plain style read by cbor-x', () => {
    const object = { kind: 'ConfigMap', data: { 'ünïcødé': '日本語テキスト'.repeat(20), short: 'é' } };
    assert.deepStrictEqual(decodeCborObject(encodeCbor(object)), plainDecoder.decode(encodeCbor(object, { strings: 'plain' })));
    assert.deepStrictEqual(decodeCborObject(map([bstr('a'), bstr('x'.repeat(100))])), { a: 'x'.repeat(100) });
  });

  test('the other mode passes too (subprocess with CBOR_NATIVE_ACCELERATION_DISABLED=true)', { skip: nativeDisabled ? 'this is the subprocess' : false }, () => {
    const file = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
      // NODE_TEST_CONTEXT would make the child report to this runner instead of printing TAP.
      env: { ...process.env, CBOR_NATIVE_ACCELERATION_DISABLED: 'true', NODE_TEST_CONTEXT: undefined },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stdout.slice(-3000) + r.stderr.slice(-2000));
    assert.match(r.stdout, /cbor-x without native/);
    assert.match(r.stdout, /# fail 0/);
  });
});
