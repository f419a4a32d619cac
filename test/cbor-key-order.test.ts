/**
 * Maps whose key order varies are built in one order (the reader's defence
 * against a hidden class per object); maps in one consistent order keep it.
 * Either way the values, duplicate-key refusal and `__proto__` handling are
 * those of any other decode.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeCborObject } from 'watchwire';
import { bstr, cat, codeOf, head, uint } from './helpers/cbor-bytes.js';
import { seeded, shuffled } from './helpers/generators.js';

/** A map of `pairs` in the given order, under the key `context` of an outer map. */
function nested(context: string, pairs: readonly (readonly [string, number])[]): Uint8Array {
  return cat(head(5, 1), bstr(context), head(5, pairs.length), ...pairs.flatMap(([k, v]) => [bstr(k), uint(v)]));
}

for (const size of [3, 12, 40]) {
  test(`${size} keys in a new random order per map come out in one order, with their values`, () => {
    const keys = Array.from({ length: size }, (_, i) => `order-${size}-key-${i}`);
    const rng = seeded(size);
    const orders = new Set<string>();
    for (let round = 0; round < 50; round++) {
      const pairs = shuffled(keys.map((k, i) => [k, i] as const), rng);
      const got = decodeCborObject(nested(`order-context-${size}`, pairs), { maxCollectionLength: 1000 }) as Record<string, Record<string, number>>;
      const inner = got[`order-context-${size}`]!;
      assert.deepStrictEqual(inner, Object.fromEntries(keys.map((k, i) => [k, i])));
      // The second map makes the set's shape (the first is built by stores): from then on its order.
      if (round >= 2) orders.add(Object.keys(inner).join(','));
    }
    assert.equal(orders.size, 1);
  });
}

test('maps in one consistent order keep the wire order', () => {
  const pairs = [['keep-z', 1], ['keep-a', 2], ['keep-m', 3]] as const;
  for (let round = 0; round < 20; round++) {
    const got = decodeCborObject(nested('keep-context', pairs)) as Record<string, Record<string, number>>;
    assert.deepStrictEqual(Object.keys(got['keep-context']!), ['keep-z', 'keep-a', 'keep-m']);
  }
});

test('in a context whose order varies: duplicates are refused and __proto__ stays plain data (property)', () => {
  // Make the context vary first.
  const base = ['dup-a', 'dup-b', 'dup-c'];
  decodeCborObject(nested('dup-context', base.map((k, i) => [k, i] as const)));
  decodeCborObject(nested('dup-context', [...base].reverse().map((k, i) => [k, i] as const)));
  fc.assert(
    fc.property(fc.uniqueArray(fc.constantFrom(...Array.from({ length: 30 }, (_, i) => `dup-${i}`), '__proto__', 'constructor'), { minLength: 1, maxLength: 25 }), fc.nat(), fc.boolean(), (keys, at, duplicate) => {
      const pairs: [string, number][] = keys.map((k, i) => [k, i]);
      if (duplicate) pairs.splice(at % (pairs.length + 1), 0, [keys[at % keys.length]!, 99]);
      const bytes = nested('dup-context', pairs);
      if (duplicate) {
        assert.equal(codeOf(() => decodeCborObject(bytes)), 'duplicate-key');
        return;
      }
      const inner = (decodeCborObject(bytes) as Record<string, Record<string, number>>)['dup-context']!;
      assert.equal(Object.getPrototypeOf(inner), Object.prototype);
      assert.deepStrictEqual(Object.keys(inner).sort(), [...keys].sort());
      for (const [k, v] of pairs) assert.equal(Object.getOwnPropertyDescriptor(inner, k)?.value, v);
    }),
    { seed: 2024, numRuns: 500 },
  );
});
