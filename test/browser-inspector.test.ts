/**
 * The inspector's codec instrumentation (src/inspector/instrument.ts, run in
 * the browser by the page): it must not change what is decoded, and its
 * per-event wire sizes and counters must add up, however the bytes are chunked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamDecoder, type WatchEvent, createRegistry, decodeAll, encodeAll } from 'watchwire';
import { generatePods } from 'watchwire/server';
import { CodecMeter, instrumentCodec } from '../dist/inspector/instrument.js';

const events: WatchEvent[] = [
  ...generatePods(6, ['default', 'demo']).map((object, i) => ({ type: 'ADDED' as const, object: { ...object, metadata: { ...object.metadata, resourceVersion: String(200 + i) } } })),
  { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '300' } } },
];

for (const codec of createRegistry().list()) {
  for (const chunkSize of [1, 7, 4096]) {
    test(`${codec.name}, ${chunkSize}-byte chunks: same events, every frame measured`, () => {
      const bytes = encodeAll(codec, events);
      const meter = new CodecMeter();
      const decoded: WatchEvent[] = [];
      const decoder = StreamDecoder.events(instrumentCodec(codec, meter), (e) => decoded.push(e));
      for (let at = 0; at < bytes.length; at += chunkSize) decoder.push(bytes.subarray(at, at + chunkSize));
      decoder.end();
      assert.deepEqual(decoded, decodeAll(codec, bytes));
      assert.equal(meter.bytes, bytes.length);
      assert.equal(meter.frames, events.length);
      assert.ok(meter.decodeMs >= 0);
      let frameBytes = 0;
      for (const event of decoded) {
        const cost = meter.costOf(event);
        assert.ok(cost !== undefined && cost.frameBytes > 0 && cost.decodeMs >= 0, JSON.stringify(cost));
        frameBytes += cost.frameBytes;
      }
      // Frames exclude only separators and length prefixes (at most a few bytes each).
      assert.ok(frameBytes <= bytes.length && frameBytes >= bytes.length - 8 * events.length, `${frameBytes} of ${bytes.length}`);
    });
  }
}
