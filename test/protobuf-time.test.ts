/**
 * meta/v1 Time comes out of protobuf as Go writes it in JSON: RFC 3339 in
 * UTC, whole seconds. The decoder builds the text from a cached day and the
 * time of day, so times are checked across day, year and era boundaries, in
 * an order that changes day at every step and one that stays on one day,
 * against what Date prints.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type WatchEvent, decodeAll, encodeAll } from 'watchwire';
import { protobufCodec } from 'watchwire/protobuf';

const DAY = 86400;

/** Date's ISO form without milliseconds (years 0000..9999). */
function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function roundTrip(times: readonly string[]): string[] {
  const events: WatchEvent[] = times.map((t, i) => ({
    type: 'ADDED',
    object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: `t${i}`, creationTimestamp: t } },
  }));
  return decodeAll(protobufCodec, encodeAll(protobufCodec, events)).map((e) => (e.object.metadata as { creationTimestamp: string }).creationTimestamp);
}

test('Times across day, year and era boundaries decode to their RFC 3339 text', () => {
  const first = Date.UTC(2000, 0, 1) / 1000 - 730485 * DAY; // 0000-01-01T00:00:00Z
  const last = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;
  const seconds = [first, first + 1, -1, 0, 1, DAY - 1, DAY, 951782399, 951782400, 1709251199, 1709251200, last - 1, last];
  // A fixed-seed walk: a new day at every step, then many times in one day.
  let x = 12345;
  for (let i = 0; i < 400; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    seconds.push(Math.floor(first + (x / 2147483648) * (last - first)));
  }
  for (let i = 0; i < 200; i++) seconds.push(1700000000 + i * 431);
  const times = seconds.map(iso);
  assert.equal(times[0], '0000-01-01T00:00:00Z');
  assert.equal(times[12], '9999-12-31T23:59:59Z');
  assert.deepEqual(roundTrip(times), times);
});

test('Times outside years 0000..9999 keep their long or negative years', () => {
  const times = ['-0001-12-31T23:59:59Z', '10000-01-01T00:00:00Z'];
  assert.deepEqual(roundTrip(times), times);
});
