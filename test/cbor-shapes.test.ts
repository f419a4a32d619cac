/**
 * The CBOR reader builds a map whose key set it has seen before by that set's
 * shape (an object literal made with new Function, or a JSON.parse template
 * where code cannot be made from strings), and other maps by stores. Whatever
 * the path, the object is the one the pairs describe: same own properties,
 * same values, Object.prototype, `__proto__` as plain data, duplicates refused.
 * Each property decodes every map several times in new orders, so the first
 * decode (stores), the one that makes the shape, and those that use it (in
 * the predicted order, in another order, or another set under the same key)
 * are all compared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeCborObject } from 'watchwire';
import { bstr, cat, codeOf, head, tstr, uint } from './helpers/cbor-bytes.js';
import { seeded, shuffled } from './helpers/generators.js';

const DIST = new URL('../dist/index.js', import.meta.url).href;

/** Keys that a literal or a store could take for something else, beside ordinary ones. */
const AWKWARD_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '0',
  '10',
  '-1',
  '4294967295',
  'a"b',
  'a\\b',
  "it's",
  '`${x}`',
  '*/',
  '}',
  'line\nbreak',
  'sep\u2028arator',
  '"]:0,x:(globalThis.pwnedByKey=1),["',
  '"}; globalThis.pwnedByKey = 1; ({"',
  'ключ',
  'k:{"name":"app"}',
  'x'.repeat(40),
  'y'.repeat(70),
  // The reader's key ids hash a key's first and last 4 bytes and its length: these three share one
  // id, so sets that differ only by them share a set hash too.
  'coll-AAAA-end',
  'coll-BBBB-end',
  'coll-CCCC-end',
];
const KEYS = [...AWKWARD_KEYS, ...Array.from({ length: 30 }, (_, i) => `shape-key-${i}`)];

type Value = number | string | Pairs;
type Pairs = [string, Value][];

/** The object a map of `pairs` is: built by defineProperty, so `__proto__` is data as in JSON.parse. */
function expected(pairs: Pairs): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [k, v] of pairs) Object.defineProperty(object, k, { value: typeof v === 'object' ? expected(v) : v, writable: true, enumerable: true, configurable: true });
  return object;
}

function encode(value: Value, rng: () => number, textKeys: boolean): Uint8Array {
  if (typeof value === 'number') return uint(value);
  if (typeof value === 'string') return bstr(value);
  const pairs = shuffled(value, rng);
  return cat(head(5, pairs.length), ...pairs.flatMap(([k, v]) => [textKeys && rng() < 0.5 ? tstr(k) : bstr(k), encode(v, rng, textKeys)]));
}

const pairsArb: fc.Arbitrary<Pairs> = fc.letrec<{ pairs: Pairs; value: Value }>((tie) => ({
  pairs: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { selector: ([k]) => k, maxLength: 20 }),
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.nat(1000), fc.string({ maxLength: 8 }), tie('pairs')),
})).pairs;

/** Decodes `pairs` under `context` in `rounds` new orders; returns the inner objects. */
function decodeRounds(context: string, pairs: Pairs, rounds: number, seed: number): Record<string, unknown>[] {
  const rng = seeded(seed);
  const out: Record<string, unknown>[] = [];
  for (let r = 0; r < rounds; r++) {
    const bytes = cat(head(5, 1), bstr(context), encode(pairs, rng, r % 2 === 1));
    out.push((decodeCborObject(bytes) as Record<string, Record<string, unknown>>)[context]!);
  }
  return out;
}

function assertSameObject(got: Record<string, unknown>, want: Record<string, unknown>): void {
  assert.deepStrictEqual(got, want);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  for (const [k, v] of Object.entries(want)) {
    const own = Object.getOwnPropertyDescriptor(got, k);
    assert.ok(own !== undefined && own.enumerable && own.writable && own.configurable, `own data property ${JSON.stringify(k)}`);
    if (typeof v === 'object' && v !== null) assertSameObject(own.value as Record<string, unknown>, v as Record<string, unknown>);
  }
}

test('a key set decoded again and again, in new orders: every decode is the object its pairs describe (property)', () => {
  fc.assert(
    fc.property(pairsArb, fc.constantFrom('shape-a', 'shape-b', 'spec'), fc.nat(), (pairs, context, seed) => {
      const want = expected(pairs);
      const got = decodeRounds(context, pairs, 5, seed);
      for (const object of got) assertSameObject(object, want);
    }),
    { seed: 1414, numRuns: 600 },
  );
  assert.equal((globalThis as { pwnedByKey?: unknown }).pwnedByKey, undefined);
});

test('maps of several sets in turn under one key, each in its own order: every one as its pairs say (property)', () => {
  // Sets from a pool of 7 keys, 3 at a time: the predicted set is often wrong after a key or two.
  const pool = ['name', 'value', 'valueFrom', 'mountPath', '__proto__', 'coll-AAAA-end', 'coll-BBBB-end'];
  const setArb = fc.shuffledSubarray(pool, { minLength: 3, maxLength: 3 });
  fc.assert(
    fc.property(fc.array(setArb, { minLength: 2, maxLength: 12 }), fc.nat(), (sets, seed) => {
      const rng = seeded(seed);
      const items = sets.map((keys, i): Pairs => keys.map((k, j) => [k, i * 10 + j]));
      const bytes = cat(head(5, 1), bstr('turns'), head(4, items.length), ...items.map((pairs) => encode(pairs, rng, false)));
      const got = (decodeCborObject(bytes) as { turns: Record<string, unknown>[] }).turns;
      assert.equal(got.length, items.length);
      got.forEach((object, i) => assertSameObject(object, expected(items[i]!)));
    }),
    { seed: 1415, numRuns: 800 },
  );
});

test('a duplicate key is refused on every path: first sighting, making the shape, using it in or out of order (property)', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 20 }), fc.nat(), fc.nat(), (keys, at, seed) => {
      const pairs: Pairs = keys.map((k, i) => [k, i]);
      const context = 'dup-shape';
      // The set without the duplicate first, so a shape exists for it (or for its prefix).
      for (const object of decodeRounds(context, pairs, 3, seed)) assertSameObject(object, expected(pairs));
      const rng = seeded(seed + 1);
      for (let r = 0; r < 6; r++) {
        const order = shuffled(pairs, rng);
        const twice = order[at % order.length]![0];
        // Added (one pair more than the shape), or in place of another key (as many as the shape has).
        if (r % 2 === 0 || order.length < 2) order.splice(Math.floor(rng() * (order.length + 1)), 0, [twice, 99]);
        else order[(at + 1 + Math.floor(rng() * (order.length - 1))) % order.length] = [twice, 99];
        // Values that are maps holding the same key: the key cache's stamps then cannot settle it.
        const value = (v: Value) => (r % 3 === 2 ? cat(head(5, 1), bstr(twice), uint(v as number)) : uint(v as number));
        const bytes = cat(head(5, 1), bstr(context), head(5, order.length), ...order.flatMap(([k, v]) => [bstr(k), value(v)]));
        assert.equal(codeOf(() => decodeCborObject(bytes)), order.filter(([k]) => k === twice).length > 1 ? 'duplicate-key' : undefined);
      }
    }),
    { seed: 1416, numRuns: 400 },
  );
});

test('more key sets than the reader keeps shapes for: each still decodes to its pairs, before and after the cap', () => {
  // MAX_SHAPES is 1024 in reader.ts, MAX_CONTEXT_SHAPES 64: 6000 sets under 40 keys, each seen
  // three times, pass both (and the sets of a key past its cap are built as dictionaries).
  const rng = seeded(77);
  for (let s = 0; s < 6000; s++) {
    const pairs: Pairs = [[`cap-${s}`, s], ['shared', 's'], [`cap-${s % 7}-b`, 1]];
    if (s % 500 === 0) pairs.push(['__proto__', s]);
    const want = expected(pairs);
    const context = `cap-context-${s % 40}`;
    for (let r = 0; r < 3; r++) {
      const bytes = cat(head(5, 1), bstr(context), encode(pairs, rng, false));
      assertSameObject((decodeCborObject(bytes) as Record<string, Record<string, unknown>>)[context]!, want);
    }
  }
});

/**
 * Run in a child with V8's natives syntax (and, for the template path, no
 * code from strings): prints whether code could be made, whether each decode
 * of a 40-key map was a fast-mode object, and whether all were right.
 */
const CHILD = `
import vm from 'node:vm';
const { decodeCborObject, encodeCbor } = await import(${JSON.stringify(DIST)});
const fast = vm.runInThisContext('(o) => %HasFastProperties(o)');
let code = true;
try { new Function('return 1')(); } catch { code = false; }
const keys = [...Array.from({ length: 40 }, (_, i) => 'field' + i), ${JSON.stringify(AWKWARD_KEYS.filter((k) => k !== '__proto__'))}].flat();
const want = Object.fromEntries(keys.map((k, i) => [k, i % 2 ? 'v' + i : i]));
const results = [];
for (let r = 0; r < 4; r++) {
  // Reversed every other time: the shape serves the set in either order.
  const entries = r % 2 ? Object.entries(want).reverse() : Object.entries(want);
  results.push(decodeCborObject(encodeCbor({ spec: Object.fromEntries(entries) })).spec);
}
const same = results.every((o) => JSON.stringify(Object.entries(o).sort()) === JSON.stringify(Object.entries(want).sort()) && Object.getPrototypeOf(o) === Object.prototype);
console.log(JSON.stringify({ code, fast: results.map(fast), same, pwned: globalThis.pwnedByKey ?? null }));
`;

for (const [name, flags, code] of [
  ['code made with new Function', [], true],
  ['no code from strings (the template path, as under a CSP)', ['--disallow-code-generation-from-strings'], false],
] as const) {
  test(`${name}: a repeated 40-key set decodes to fast-mode objects, equal to their pairs`, () => {
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', ...flags, '--input-type=module', '-e', CHILD], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout.trim()) as { code: boolean; fast: boolean[]; same: boolean; pwned: unknown };
    assert.equal(got.code, code);
    assert.equal(got.same, true);
    assert.equal(got.pwned, null);
    // The first is built before the set is known to repeat; from the second on, by its shape.
    assert.deepStrictEqual(got.fast.slice(1), [true, true, true]);
  });
}

test('a key set seen once and built by stores starts from a root of its own, not the one {} and JSON.parse grow (V8 %HaveSameMap)', () => {
  const child = `
    import vm from 'node:vm';
    const { decodeCborObject, encodeCbor } = await import(${JSON.stringify(DIST)});
    const sameMap = vm.runInThisContext('(a, b) => %HaveSameMap(a, b)');
    const fast = vm.runInThisContext('(o) => %HasFastProperties(o)');
    // Two keys never seen before: built by stores (fewer than a dictionary's three), not by a shape.
    const data = decodeCborObject(encodeCbor({ data: { 'seen-once-a': 'x', 'seen-once-b': 'y' } })).data;
    const literal = {};
    for (const k of Object.keys(data)) literal[k] = data[k];
    const parsed = JSON.parse(JSON.stringify(data));
    console.log(JSON.stringify({ keys: Object.keys(data), proto: Object.getPrototypeOf(data) === Object.prototype, fast: fast(data), literal: sameMap(data, literal), parsed: sameMap(data, parsed) }));
  `;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', child], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepStrictEqual(JSON.parse(r.stdout.trim()), { keys: ['seen-once-a', 'seen-once-b'], proto: true, fast: true, literal: false, parsed: false });
});
