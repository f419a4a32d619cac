/**
 * YAML (`application/yaml`): the codec laws, then kubectl's stream shape,
 * the schema (CORE: no custom types, timestamps stay strings), alias bombs,
 * event validation, objects mode and the encoder's output.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type WatchEvent, decodeAll, encodeAll, yamlCodec } from 'watchwire';
import { codecLaws, decodeChunks, tokenSoup } from './helpers/codec-laws.js';
import { chunksOfSize, text, utf8 } from './helpers/generators.js';

const YAML_TOKENS = [
  '---', '...', '\n', ' ', '  ', '- ', ': ', 'type', 'object', 'ADDED', 'FOO', '{', '}', '[', ']', ',', '"', "'", '#', '&a ', '*a', '&b ', '*b',
  '!!js/function ', '!!binary ', '!foo ', '? ', '|', '>', '%YAML 1.2', '\t', '\r\n', 'null', '~', '2024-01-02T03:04:05Z', '<<: ', '\ufeff', '\\',
];

codecLaws(yamlCodec, {
  seed: 3,
  numRuns: 40,
  lookahead: 1,
  prefixAtEnd: 'lenient',
  badFrame: { bytes: utf8('---\ntype: ADDED\nobject: {a: [\n'), code: 'invalid-yaml' },
  garbage: tokenSoup(YAML_TOKENS),
});

const decode = (input: string, options = {}) => decodeChunks(yamlCodec, [utf8(input)], options);
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name } });

describe('YAML: the stream', () => {
  const kubectl = `object:
  apiVersion: v1
  kind: Pod
  metadata:
    name: a
type: ADDED
---
object:
  apiVersion: v1
  kind: Pod
  metadata:
    name: b
type: DELETED
`;
  const expected: WatchEvent[] = [
    { type: 'ADDED', object: pod('a') },
    { type: 'DELETED', object: pod('b') },
  ];

  test('kubectl style (no leading ---), in any chunking', () => {
    for (const size of [1, 3, 5, 1000]) assert.deepStrictEqual(decodeChunks(yamlCodec, chunksOfSize(utf8(kubectl), size)).values, expected);
  });

  test('a leading ---, ... end markers, comments, blank lines, \\r\\n and a last document without a newline', () => {
    const input = `# saved watch\n\n---\n${kubectl.replace('---\n', '...\n# between\n---\n')}...\n`;
    assert.deepStrictEqual(decode(input), { values: expected, skipped: 0 });
    assert.deepStrictEqual(decode(kubectl.replaceAll('\n', '\r\n')).values, expected);
    assert.deepStrictEqual(decode(kubectl.trimEnd()).values, expected);
    assert.deepStrictEqual(decode(`${kubectl}---`).values, expected);
    assert.deepStrictEqual(decode(`${kubectl}---\n# only a comment\n`).values, expected);
    assert.deepStrictEqual(decode(`--- {type: ADDED, object: {a: 1}}\n--- {type: DELETED, object: {a: 2}}\n`).values, [
      { type: 'ADDED', object: { a: 1 } },
      { type: 'DELETED', object: { a: 2 } },
    ]);
  });

  test('--- inside a line or indented is not a marker', () => {
    const input = 'type: ADDED\nobject:\n  a: x---y\n  b: |\n    ---\n    z\n  c: "--- q"\n';
    assert.deepStrictEqual(decode(input).values, [{ type: 'ADDED', object: { a: 'x---y', b: '---\nz\n', c: '--- q' } }]);
  });

  test('error offsets point at the --- that starts the bad document', () => {
    const bad = '---\ntype: ADDED\nobject: [unclosed\n';
    const got = decode(kubectl + bad + '---\ntype: ADDED\nobject: {}\n');
    assert.deepStrictEqual(got.values, expected);
    assert.deepStrictEqual(got.error, { code: 'invalid-yaml', frameIndex: 2, byteOffset: utf8(kubectl).length, mediaType: 'application/yaml' });
    assert.doesNotMatch(got.error ? 'x' : '', /\n/);
  });
});

describe('YAML: schema and safety', () => {
  test('CORE schema: timestamps and number-like strings stay as written, no YAML 1.1 booleans', () => {
    const got = decode('type: ADDED\nobject:\n  t: 2024-01-02T03:04:05Z\n  d: 2024-01-02\n  y: yes\n  n: "123"\n  i: 123\n  f: 1.5\n  z: ~\n  b: true\n');
    assert.deepStrictEqual(got.values, [
      { type: 'ADDED', object: { t: '2024-01-02T03:04:05Z', d: '2024-01-02', y: 'yes', n: '123', i: 123, f: 1.5, z: null, b: true } },
    ]);
  });

  test('custom tags are refused: !!js/function, !!binary, local tags are invalid-yaml', () => {
    for (const value of ['!!js/function "function(){}"', '!!js/regexp /x/', '!!binary aGVsbG8=', '!foo bar', '!!set {a}']) {
      assert.equal(decode(`type: ADDED\nobject:\n  f: ${value}\n`).error?.code, 'invalid-yaml', value);
    }
  });

  test('merge keys are not applied (CORE has no !!merge): << stays a plain key', () => {
    const got = decode('type: ADDED\nobject:\n  base: &b {x: 1}\n  o:\n    <<: *b\n');
    assert.deepStrictEqual(got.values[0]?.object, { base: { x: 1 }, o: { '<<': { x: 1 } } });
  });

  test('__proto__ keys stay plain data', () => {
    const [event] = decode('type: ADDED\nobject:\n  __proto__: {polluted: 1}\n  constructor: {prototype: {polluted: 1}}\n').values;
    assert.equal(Object.getPrototypeOf(event!.object), Object.prototype);
    assert.deepStrictEqual(Object.keys(event!.object), ['__proto__', 'constructor']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('alias bombs are refused fast with limit-exceeded (many aliases, or few that expand exponentially)', () => {
    let wide = 'type: ADDED\nobject:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const prev = String.fromCharCode(97 + i);
      wide += `  ${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    }
    let doubling = 'type: ADDED\nobject:\n  l0: &l0 [x, x]\n';
    for (let i = 1; i < 45; i++) doubling += `  l${i}: &l${i} [*l${i - 1}, *l${i - 1}]\n`;
    let many = 'type: ADDED\nobject:\n  a: &a x\n  list:\n';
    for (let i = 0; i < 150; i++) many += '  - *a\n';
    for (const [name, input] of Object.entries({ wide, doubling, many })) {
      const started = performance.now();
      const got = decode(input);
      assert.equal(got.error?.code, 'limit-exceeded', name);
      assert.ok(performance.now() - started < 200, name);
    }
    // A few honest aliases are fine.
    assert.deepStrictEqual(decode('type: ADDED\nobject:\n  a: &x {k: v}\n  b: *x\n').values[0]?.object, { a: { k: 'v' }, b: { k: 'v' } });
    // The alias limit is configurable.
    assert.equal(decode(many, { maxAliases: 200 }).error, undefined);
  });

  test('deep nesting is nesting-too-deep', () => {
    assert.equal(decode(`type: ADDED\nobject:\n  a: ${'['.repeat(200)}${']'.repeat(200)}\n`, { maxDepth: 100 }).error?.code, 'nesting-too-deep');
  });
});

describe('YAML: events and objects', () => {
  test('a document that is not {type, object} is not-an-event; an unknown type is unknown-event-type', () => {
    assert.equal(decode('- a\n- b\n').error?.code, 'not-an-event');
    assert.equal(decode('just text\n').error?.code, 'not-an-event');
    assert.equal(decode('type: ADDED\n').error?.code, 'not-an-event');
    assert.equal(decode('type: ADDED\nobject: [1]\n').error?.code, 'not-an-event');
    assert.equal(decode('type: 3\nobject: {}\n').error?.code, 'not-an-event');
    assert.equal(decode('type: UPSERTED\nobject: {}\n').error?.code, 'unknown-event-type');
    // A bare object (kubectl without --output-watch-events) is not an event either.
    assert.equal(decode('apiVersion: v1\nkind: Pod\n').error?.code, 'not-an-event');
  });

  test('objects mode yields the bare objects, never invented events', () => {
    const input = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n';
    assert.deepStrictEqual(decodeChunks(yamlCodec, [utf8(input)], { mode: 'objects' }), { values: [pod('a'), pod('b')], skipped: 0 });
    assert.equal(decodeChunks(yamlCodec, [utf8('- 1\n')], { mode: 'objects' }).error?.code, 'not-an-event');
  });
});

describe('YAML: the encoder writes what kubectl writes', () => {
  test('sorted keys, sequences not indented, double quotes, --- between documents and none before the first', () => {
    const events: WatchEvent[] = [
      { type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', labels: { z: '1', a: 'yes' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      { type: 'DELETED', object: { kind: 'Pod', metadata: { name: 'a' } } },
    ];
    const out = text(encodeAll(yamlCodec, events));
    assert.equal(
      out,
      `object:
  apiVersion: v1
  kind: Pod
  metadata:
    labels:
      a: "yes"
      z: "1"
    name: a
  spec:
    containers:
    - image: nginx
      name: c
type: ADDED
---
object:
  kind: Pod
  metadata:
    name: a
type: DELETED
`,
    );
    assert.deepStrictEqual(decodeAll(yamlCodec, utf8(out)), events);
  });

  test('objects mode writes bare objects the same way', () => {
    const encoder = yamlCodec.objects!.createEncoder();
    const out = text(encoder.encode(pod('a'))) + text(encoder.encode(pod('b')));
    assert.equal(out, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n');
  });

  test('each encoder has its own state: a new one starts without ---', () => {
    assert.ok(!text(encodeAll(yamlCodec, [{ type: 'ADDED', object: {} }])).startsWith('---'));
    assert.ok(!text(encodeAll(yamlCodec, [{ type: 'ADDED', object: {} }])).startsWith('---'));
  });
});
