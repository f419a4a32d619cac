/**
 * Behaviour the decode hot path relies on (perf work on issue 7): what
 * toWatchEvent returns without copying, the JSON depth guarantee on every
 * path, and frames that lie inside one chunk coming back as views.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toWatchEvent } from 'watchwire';

describe('toWatchEvent', () => {
  test('a plain {type, object} document is the event itself (no copy)', () => {
    const doc = JSON.parse('{"type":"ADDED","object":{"kind":"Pod"}}') as unknown;
    assert.equal(toWatchEvent(doc), doc);
  });

  test('anything else is copied to exactly {type, object}', () => {
    const cases: Record<string, unknown>[] = [
      { object: { a: 1 }, type: 'ADDED' }, // other key order
      { type: 'ADDED', object: {}, extra: 1 },
      JSON.parse('{"type":"ADDED","object":{},"__proto__":{"polluted":true}}') as Record<string, unknown>,
      Object.assign(Object.create({ inherited: 1 }) as object, { type: 'ADDED', object: {} }),
      Object.assign(Object.create(null) as object, { type: 'ADDED', object: {} }),
    ];
    for (const doc of cases) {
      const event = toWatchEvent(doc);
      assert.notEqual(event, doc);
      assert.deepStrictEqual(Object.keys(event), ['type', 'object']);
      assert.equal(Object.getPrototypeOf(event), Object.prototype);
      assert.equal(event.object, doc.object);
    }
  });
});
