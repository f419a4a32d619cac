/**
 * An idle watch (connected, no new events) must not keep the events it has
 * already delivered: a consumer that processed and dropped them expects them
 * collected. Generators keep alive what their suspended frames' registers
 * held, so the client's nested generators (run -> connection -> connect ->
 * stream) each kept the last event they passed on until the next one came,
 * which on a quiet resource is never.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type FetchLike, type WatchEvent, encodeAll, jsonCodec, watch } from 'watchwire';

const EVENTS = 8;

/** One response: the events in one chunk, then a body that stays open and silent. */
function silentAfter(events: WatchEvent[]): FetchLike {
  return async () => {
    let bytes: Uint8Array | undefined = encodeAll(jsonCodec, events);
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (bytes === undefined) return new Promise(() => {});
          controller.enqueue(bytes);
          bytes = undefined;
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

/**
 * Weak references to the next `count` events' objects. Its own function: a
 * suspended async function keeps its registers too, so the test body itself
 * must never have held an event.
 */
async function takeEvents(stream: AsyncIterator<WatchEvent>, count: number): Promise<WeakRef<object>[]> {
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < count; i++) {
    const next = await stream.next();
    assert.equal(next.done, false);
    refs.push(new WeakRef(next.value.object));
  }
  return refs;
}

test('an idle watch keeps none of the events it delivered', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const events: WatchEvent[] = Array.from({ length: EVENTS }, (_, i) => ({
    type: 'ADDED',
    object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `pod-${i}`, resourceVersion: String(10 + i) }, pad: 'x'.repeat(1000) },
  }));
  const stop = new AbortController();
  const stream = watch({ url: 'http://127.0.0.1:1/api/v1/pods', resourceVersion: '1', fetch: silentAfter(events), stallTimeoutMs: 60_000, signal: stop.signal })[Symbol.asyncIterator]();
  const delivered = await takeEvents(stream, EVENTS);
  // The consumer has dropped every event; the watch now waits for bytes that do not come.
  const pending = stream.next();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const kept = delivered.map((ref, i) => (ref.deref() === undefined ? -1 : i)).filter((i) => i >= 0);
  stop.abort();
  await pending.catch(() => undefined);
  assert.deepEqual(kept, [], `the idle watch still holds delivered events ${kept.join(', ')}`);
});
