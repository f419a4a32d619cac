/**
 * Every Kubernetes round-trip fixture (../shared/k8s/testdata/HEAD/*.json) as
 * a CBOR watch event, written Kubernetes-style, decodes to exactly what its
 * JSON gives; and `watchwire transcode` turns CBOR into JSON lines and back.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { type WatchEvent, cborCodec, decodeAll, encodeAll, encodeCbor, jsonCodec } from 'watchwire';
import { SELF, bstr, cat, head } from './helpers/cbor-bytes.js';
import { chunksOfSize } from './helpers/generators.js';
import { decodeChunks } from './helpers/codec-laws.js';

const HEAD = new URL('../../shared/k8s/testdata/HEAD/', import.meta.url);
const absent = !existsSync(HEAD);
const skip = absent ? `no fixtures at ${fileURLToPath(HEAD)}` : false;
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function fixtures(): { name: string; event: WatchEvent; json: string }[] {
  const types = ['ADDED', 'MODIFIED', 'DELETED'] as const;
  return readdirSync(HEAD)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file, i) => {
      const object = JSON.parse(readFileSync(new URL(file, HEAD), 'utf8')) as WatchEvent['object'];
      const event: WatchEvent = { type: types[i % 3]!, object };
      return { name: file, event, json: JSON.stringify(event) };
    });
}

/** Kubernetes-style CBOR with map keys in a seeded random order (the API server's order is not fixed). */
function shuffledCbor(value: unknown, next: () => number): Uint8Array {
  if (value === null || typeof value !== 'object') return encodeCbor(value);
  if (Array.isArray(value)) return cat(head(4, value.length), ...value.map((v) => shuffledCbor(v, next)));
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const entries = keys.flatMap((k) => [bstr(k), shuffledCbor((value as Record<string, unknown>)[k], next)]);
  return cat(SELF, head(5, keys.length), ...entries);
}

describe('Kubernetes fixtures as CBOR watch events', () => {
  test('every fixture, encoded Kubernetes-style, decodes deep-equal to its JSON decode', { skip }, () => {
    const all = fixtures();
    assert.ok(all.length >= 190, `${all.length} fixtures`);
    const cbor = encodeAll(cborCodec, all.map((f) => f.event));
    const json = decodeAll(jsonCodec, new TextEncoder().encode(all.map((f) => f.json + '\n').join('')));
    const got = decodeChunks(cborCodec, chunksOfSize(cbor, 7919));
    assert.equal(got.error, undefined);
    assert.equal(got.values.length, all.length);
    for (let i = 0; i < all.length; i++) assert.deepStrictEqual(got.values[i], json[i], all[i]!.name);
  });

  test('the same with map keys in random order and 55799 on every object', { skip }, () => {
    let s = 7;
    const next = () => (s = (s * 1664525 + 1013904223) >>> 0);
    for (const { name, event } of fixtures()) {
      const bytes = cat(SELF, head(5, 2), bstr('object'), shuffledCbor(event.object, next), bstr('type'), bstr(event.type));
      assert.deepStrictEqual(decodeAll(cborCodec, bytes), [JSON.parse(JSON.stringify(event))], name);
    }
  });
});

describe('watchwire transcode', () => {
  const run = (args: string[], input: Uint8Array) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr.toString());
    return new Uint8Array(r.stdout);
  };

  test('CBOR -> JSON -> CBOR: the JSON is the watch in JSON lines and the CBOR comes back byte for byte', { skip }, () => {
    const events = fixtures()
      .slice(0, 40)
      .map((f) => f.event);
    const cbor = encodeAll(cborCodec, events);
    const json = run(['transcode', '--from', 'cbor', '--to', 'json'], cbor);
    assert.deepStrictEqual(decodeAll(jsonCodec, json), JSON.parse(JSON.stringify(events)));
    const back = run(['transcode', '--from', 'json', '--to', 'application/cbor-seq'], json);
    assert.deepStrictEqual(back, cbor);
  });

  test('a damaged CBOR stream: the events before the fault, then exit 1 with the frame and byte offset', () => {
    const events: WatchEvent[] = [0, 1, 2, 3].map((i) => ({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: `p${i}` } } }));
    const three = encodeAll(cborCodec, events.slice(0, 3));
    const four = encodeAll(cborCodec, events);
    const r = spawnSync(process.execPath, [CLI, 'transcode', '--from', 'cbor', '--to', 'json'], { input: four.subarray(0, three.length + 5) });
    assert.equal(r.status, 1);
    assert.equal(r.stdout.toString().trim().split('\n').length, 3);
    assert.match(r.stderr.toString(), new RegExp(`^watchwire: truncated at frame 3 \\(byte ${three.length}\\)`));
  });
});
