/**
 * Backpressure end to end: the replay server streams 256 MiB of events to a
 * consumer slower than the wire; neither the client nor the server may buffer
 * the difference. (The 1 GiB figure is the benchmarks'.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watch } from 'watchwire';
import { startReplayServer } from 'watchwire/server';
import { podsUrl } from './helpers/replay-client.ts';

const OBJECT_BYTES = 64 * 1024;
const EVENTS = 4096; // 4096 × 64 KiB = 256 MiB of objects

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test('a slow consumer keeps memory bounded while the server streams 256 MiB', { timeout: 60_000 }, async (t) => {
  const server = await startReplayServer({ firehose: { events: EVENTS, objectBytes: OBJECT_BYTES } });
  try {
    const controller = new AbortController();
    // On a timeout the loop below never returns: end the watch and the server so the file can exit.
    t.signal.addEventListener('abort', () => {
      controller.abort();
      void server.close();
    });
    const w = watch({ url: podsUrl(server), formats: ['json'], resourceVersion: String(server.resourceVersion), signal: controller.signal, deliverBookmarks: false });
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = used();
    let peak = 0;
    let received = 0;
    let bytes = 0;
    const started = performance.now();
    for await (const event of w) {
      received++;
      bytes += String(event.object.metadata?.annotations?.padding ?? '').length;
      // Slower than the wire: a pause every few events.
      if (received % 4 === 0) await new Promise((r) => setTimeout(r, 1));
      if (received % 64 === 0) peak = Math.max(peak, used() - baseline);
      if (received === EVENTS) break;
    }
    const seconds = (performance.now() - started) / 1000;
    assert.equal(received, EVENTS);
    assert.ok(bytes > 250 * 1024 * 1024, `${bytes} bytes of objects`);
    t.diagnostic(`${(bytes / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(2)} s, peak growth ${(peak / 2 ** 20).toFixed(1)} MiB over the baseline`);
    // Far below what buffering the stream would take (256 MiB of text, more as objects).
    assert.ok(peak < 96 * 1024 * 1024, `peak growth ${(peak / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    await server.close();
  }
});
