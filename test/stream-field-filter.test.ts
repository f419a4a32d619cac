/**
 * dropFields / keepFields through StreamDecoder for every format this suite
 * owns: the filtered decode equals applyFieldFilter of the unfiltered one
 * (CBOR skips the dropped bytes, JSON and YAML filter after parsing; the
 * result must not tell them apart), in key orders a server may write, and
 * through decodeStream and the CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Codec,
  type FieldSelection,
  type WatchEvent,
  applyFieldFilter,
  cborCodec,
  compileFieldFilter,
  decodeAll,
  decodeStream,
  encodeAll,
  encodeCbor,
  filtersEventType,
  jsonCodec,
  jsonDocumentsCodec,
  StreamDecoder,
  yamlCodec,
} from 'watchwire';

const KEYS = ['a', 'b', 'c', 'spec', 'items', 'x.y', '__proto__', 'constructor'];

/** A value whose keys come from a small alphabet, so that random paths hit it. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown; o: Record<string, unknown> }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null), tie('o'), fc.array(tie('v'), { maxLength: 3 })),
  o: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('v')), { selector: ([k]) => k, maxLength: 5 }).map(plain),
})).v;

function plain(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const object = fc
  .tuple(
    fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), value), { selector: ([k]) => k, maxLength: 5 }),
    fc.record({ name: fc.string({ maxLength: 5 }), uid: fc.string({ maxLength: 5 }), a: value, b: value }),
  )
  .map(([entries, metadata]) => plain([['apiVersion', 'v1'], ['kind', 'Thing'], ['metadata', metadata], ...entries]));

const event: fc.Arbitrary<WatchEvent> = fc.record({ type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'), object }) as fc.Arbitrary<WatchEvent>;

const path = fc.array(fc.constantFrom(...KEYS, 'metadata', 'name'), { minLength: 1, maxLength: 3 }).map((keys) => keys.map((k) => k.replace(/\./g, '\\.')).join('.'));

const selection: fc.Arbitrary<FieldSelection> = fc
  .record({ dropFields: fc.array(path, { maxLength: 3 }), keepFields: fc.array(path, { maxLength: 2 }) })
  .filter((s) => {
    try {
      return compileFieldFilter(s) !== undefined;
    } catch {
      return false; // a path a watch needs: refused at compile time (tested in field-filter.test.ts)
    }
  });

/** The expected result: the unfiltered decode with the post-pass applied to the objects a filter touches. */
function expected(events: readonly WatchEvent[], s: FieldSelection): unknown[] {
  const filter = compileFieldFilter(s)!;
  return events.map((e) => (filtersEventType(e.type) ? { type: e.type, object: applyFieldFilter(e.object, filter) } : e));
}

/** Kubernetes-style CBOR with every map's keys in a random order and tag 55799 on some items. */
function shuffledCbor(events: readonly WatchEvent[], seed: number): Uint8Array {
  let s = seed >>> 0 || 1;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const shuffle = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(shuffle);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    return plain(keys.map((k) => [k, shuffle((v as Record<string, unknown>)[k])]));
  };
  const parts = events.map((e) => encodeCbor(shuffle(e)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const codecs: [string, Codec][] = [
  ['json', jsonCodec],
  ['json-documents', jsonDocumentsCodec],
  ['yaml', yamlCodec],
  ['cbor', cborCodec],
];

describe('dropFields / keepFields while decoding', () => {
  for (const [name, codec] of codecs) {
    it(`${name}: equals applyFieldFilter of the unfiltered decode (property)`, () => {
      fc.assert(
        fc.property(fc.array(event, { minLength: 1, maxLength: 4 }), selection, (events, s) => {
          const bytes = encodeAll(codec, events);
          const plainDecode = decodeAll(codec, bytes);
          assert.deepStrictEqual(decodeAll(codec, bytes, s), expected(plainDecode, s));
        }),
        { seed: 1414, numRuns: name === 'yaml' ? 150 : 400 },
      );
    });
  }

  it('cbor: the same for keys in any order and tags in front (another encoder), and in objects mode', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 4 }), selection, fc.integer(), (events, s, seed) => {
        const bytes = shuffledCbor(events, seed);
        assert.deepStrictEqual(decodeAll(cborCodec, bytes, s), expected(decodeAll(cborCodec, bytes), s));
        for (const item of events.map((e) => encodeCbor(e.object))) {
          const got: unknown[] = [];
          const d = StreamDecoder.objects(cborCodec, (o) => got.push(o), s);
          d.push(item);
          d.end();
          const all: unknown[] = [];
          const u = StreamDecoder.objects(cborCodec, (o) => all.push(o));
          u.push(item);
          u.end();
          assert.deepStrictEqual(got, [applyFieldFilter(all[0], compileFieldFilter(s)!)]);
        }
      }),
      { seed: 1415, numRuns: 400 },
    );
  });

  it('cbor: a dropped field is not decoded (bytes that would fail to decode are passed over)', () => {
    // managedFields holds a string that is not UTF-8: decoding it fails; dropping it does not.
    const event = encodeCbor({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: 'XX' } } });
    const at = indexOf(event, new TextEncoder().encode('XX'));
    event.set([0xc3, 0x28], at);
    assert.throws(() => decodeAll(cborCodec, event), /UTF-8/);
    const [e] = decodeAll(cborCodec, event, { dropFields: ['metadata.managedFields'] });
    assert.deepStrictEqual(e, { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } });
  });

  it('BOOKMARK and ERROR objects are never filtered, in any format', () => {
    const events = [
      { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '9', annotations: { 'k8s.io/initial-events-end': 'true' } } } },
      { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, code: 410, status: 'Failure' } },
    ] as WatchEvent[];
    for (const [, codec] of codecs) assert.deepStrictEqual(decodeAll(codec, encodeAll(codec, events), { keepFields: ['spec'], dropFields: ['metadata.annotations'] }), events);
  });

  it('decodeStream takes the same options', async () => {
    const events = [{ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: [{}] }, spec: { a: 1 } } }] as WatchEvent[];
    async function* source() {
      yield encodeAll(cborCodec, events);
    }
    const got: WatchEvent[] = [];
    for await (const e of decodeStream(source(), cborCodec, { dropFields: ['metadata.managedFields'], keepFields: ['metadata'] })) got.push(e);
    assert.deepStrictEqual(got, [{ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } }]);
  });

  it('the CLI: decode --drop-fields / --keep-fields, and a usage error for a path a watch needs', () => {
    const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
    const events = [{ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: [{}], labels: { a: 'b' } }, spec: { x: 1 }, status: { phase: 'Running' } } }] as WatchEvent[];
    for (const [name, codec] of codecs) {
      const run = spawnSync(process.execPath, [cli, 'decode', '--content-type', name, '--drop-fields', 'metadata.managedFields,spec', '--drop-fields', 'metadata.labels'], { input: encodeAll(codec, events) });
      assert.equal(run.status, 0, run.stderr.toString());
      assert.deepStrictEqual(JSON.parse(run.stdout.toString()), { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running' } } });
      const keep = spawnSync(process.execPath, [cli, 'decode', '--content-type', name, '--keep-fields', 'status'], { input: encodeAll(codec, events) });
      assert.deepStrictEqual(JSON.parse(keep.stdout.toString()), { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running' } } });
    }
    const refused = spawnSync(process.execPath, [cli, 'decode', '--content-type', 'json', '--drop-fields', 'metadata.resourceVersion'], { input: '' });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr.toString(), /metadata\.resourceVersion cannot be dropped/);
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('json: dropped pairs cut from the text before parsing', () => {
  const drop = { dropFields: ['metadata.managedFields', 'spec.containers.env'] };
  const cases: [string, unknown][] = [
    ['first, middle and only pairs', { apiVersion: 'v1', kind: 'Pod', metadata: { managedFields: [{ a: 1 }], name: 'p' }, spec: { containers: [{ env: [1], name: 'a' }, { name: 'b', env: { x: '"env":' } }, { env: null }] } }],
    ['the key inside strings, escaped or not', { apiVersion: 'v1', kind: 'Pod', metadata: { name: '"managedFields":', annotations: { '"managedFields":': '\\"managedFields":[', x: '\\' }, managedFields: '}]' } }],
    ['the key at other paths', { apiVersion: 'v1', kind: 'Pod', managedFields: 1, metadata: { name: 'p', labels: { managedFields: 'keep' } }, spec: { env: 1, containers: { env: 2 }, x: [{ managedFields: 3 }] } }],
  ];
  for (const [name, object] of cases) {
    it(name, () => {
      for (const type of ['ADDED', 'BOOKMARK'] as const) {
        const events = [{ type, object }] as WatchEvent[];
        const bytes = encodeAll(jsonCodec, events);
        assert.deepStrictEqual(decodeAll(jsonCodec, bytes, drop), expected(decodeAll(jsonCodec, bytes), drop));
      }
    });
  }
});

describe('objects mode with a field selection', () => {
  for (const [name, codec] of codecs) {
    it(`${name}: equals applyFieldFilter of the unfiltered decode (property)`, () => {
      fc.assert(
        fc.property(fc.array(object, { minLength: 1, maxLength: 3 }), selection, (objects, s) => {
          const encoder = codec.objects!.createEncoder();
          const bytes = concatAll(objects.map((o) => encoder.encode(o)));
          const decode = (options: FieldSelection) => {
            const out: unknown[] = [];
            const d = StreamDecoder.objects(codec, (o) => out.push(o), options);
            d.push(bytes);
            d.end();
            return out;
          };
          const filter = compileFieldFilter(s)!;
          assert.deepStrictEqual(decode(s), decode({}).map((o) => applyFieldFilter(o, filter)));
        }),
        { seed: 1416, numRuns: name === 'yaml' ? 100 : 300 },
      );
    });
  }
});

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
