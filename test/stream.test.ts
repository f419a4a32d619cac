/**
 * Adapters: AsyncIterable, Web streams, Node streams. Each delivers every
 * event decoded before a fault and then the error; a consumer that stops
 * pulling stops the reads (bounded read-ahead from an infinite source); an
 * early break cancels and releases a ReadableStream.
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import {
  DecodeError,
  type WatchEvent,
  createDecoderStream,
  decodeObjectStream,
  decodeStream,
  encodeAll,
  jsonCodec,
  yamlCodec,
} from 'watchwire';
import { createDecoderTransform, eventReadable } from 'watchwire/node';
import { chunksOfSize, utf8 } from './helpers/generators.js';

const ev = (n: number): WatchEvent => ({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: `p${n}`, resourceVersion: String(n) } } });
const events = (count: number) => Array.from({ length: count }, (_, i) => ev(i));
const BAD = utf8('{"type":"ADDED","object":{]}\n');

async function* iterate(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

/** An endless JSON watch: counts the chunks it was asked for. */
function endless(eventsPerChunk = 2) {
  const state = { pulled: 0, cancelled: false, finished: false };
  const chunkFor = (n: number) => encodeAll(jsonCodec, Array.from({ length: eventsPerChunk }, (_, i) => ev(n * eventsPerChunk + i)));
  const iterable = (async function* () {
    try {
      for (;;) yield chunkFor(state.pulled++);
    } finally {
      state.finished = true;
    }
  })();
  const web = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        controller.enqueue(chunkFor(state.pulled++));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { state, iterable, web };
}

async function collect<T>(source: AsyncIterable<T>): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const v of source) values.push(v);
  } catch (error) {
    return { values, error };
  }
  return { values, error: undefined };
}

function assertDecodeError(error: unknown, frameIndex: number): void {
  assert.ok(error instanceof DecodeError, `expected a DecodeError, got ${String(error)}`);
  assert.equal(error.frameIndex, frameIndex);
}

describe('decodeStream (AsyncIterable)', () => {
  test('from an async iterable and from a Web ReadableStream, in any chunking', async () => {
    const bytes = encodeAll(jsonCodec, events(5));
    for (const size of [1, 7, bytes.length]) {
      assert.deepStrictEqual(await collect(decodeStream(iterate(chunksOfSize(bytes, size)), jsonCodec)), { values: events(5), error: undefined });
      assert.deepStrictEqual(await collect(decodeStream(webStream(chunksOfSize(bytes, size)), jsonCodec)), { values: events(5), error: undefined });
    }
  });

  test('stepBytes: any step size gives the same events, and events of a step come before the next step is decoded', async () => {
    const bytes = encodeAll(jsonCodec, events(40));
    for (const stepBytes of [1, 50, 1000, bytes.length, 10 * bytes.length]) {
      assert.deepStrictEqual(await collect(decodeStream(iterate([bytes]), jsonCodec, { stepBytes })), { values: events(40), error: undefined }, `stepBytes ${stepBytes}`);
    }
    // One chunk; after the first event is taken, only its step has been decoded.
    for (const [stepBytes, decodedAfterOne] of [[100, 2], [bytes.length, 40]] as const) {
      let frames = 0;
      const stream = decodeStream(iterate([bytes]), jsonCodec, { stepBytes, onFrame: () => frames++ });
      await stream.next();
      assert.ok(stepBytes === bytes.length ? frames === decodedAfterOne : frames <= decodedAfterOne, `stepBytes ${stepBytes}: ${frames} frames decoded after one event`);
      await stream.return(undefined);
    }
  });

  test('events before a fault are yielded, then the DecodeError; stats are reported either way', async () => {
    const bytes = utf8(new TextDecoder().decode(encodeAll(jsonCodec, events(3))) + '{"type":"ADDED","object":{]}\n');
    let stats: unknown;
    const got = await collect(decodeStream(iterate([bytes]), jsonCodec, { onStats: (s) => (stats = { ...s }) }));
    assert.deepStrictEqual(got.values, events(3));
    assertDecodeError(got.error, 3);
    assert.deepStrictEqual(stats, { bytes: bytes.length, frames: 4, events: 3, skipped: 0 });
    const truncated = await collect(decodeStream(iterate([bytes.subarray(0, 50)]), jsonCodec));
    assert.equal((truncated.error as DecodeError).code, 'truncated');
  });

  test('decodeObjectStream yields bare objects', async () => {
    const yaml = utf8('kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: b}\n');
    const got = await collect(decodeObjectStream(webStream(chunksOfSize(yaml, 4)), yamlCodec));
    assert.deepStrictEqual(got.values, [
      { kind: 'Pod', metadata: { name: 'a' } },
      { kind: 'Pod', metadata: { name: 'b' } },
    ]);
  });

  test('a consumer that stops pulling stops the reads (async iterable source)', async () => {
    const { state, iterable } = endless();
    let taken = 0;
    for await (const event of decodeStream(iterable, jsonCodec)) {
      assert.equal(event.object.metadata?.name, `p${taken}`);
      if (++taken === 10) {
        await new Promise((r) => setTimeout(r, 20));
        break;
      }
    }
    assert.ok(state.pulled <= 6, `pulled ${state.pulled} chunks for 10 events`);
    assert.equal(state.finished, true, 'the source generator was closed');
  });

  test('an early break cancels and releases a ReadableStream', async () => {
    const { state, web } = endless();
    let taken = 0;
    for await (const _ of decodeStream(web, jsonCodec)) if (++taken === 5) break;
    assert.equal(state.cancelled, true);
    assert.equal(web.locked, false);
    assert.ok(state.pulled <= 4, `pulled ${state.pulled}`);
  });
});

describe('createDecoderStream (Web)', () => {
  test('pipeThrough decodes a byte stream into events', async () => {
    const bytes = encodeAll(yamlCodec, events(4));
    const got = await collect(webStream(chunksOfSize(bytes, 3)).pipeThrough(createDecoderStream(yamlCodec)));
    assert.deepStrictEqual(got, { values: events(4), error: undefined });
  });

  test('bad input: the events before the fault, then the error; the source is cancelled', async () => {
    let cancelled = false;
    const chunks = [encodeAll(jsonCodec, events(3)), BAD, encodeAll(jsonCodec, events(2))];
    let i = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i < chunks.length) c.enqueue(chunks[i++]!);
      },
      cancel() {
        cancelled = true;
      },
    });
    const got = await collect(source.pipeThrough(createDecoderStream(jsonCodec)));
    assert.deepStrictEqual(got.values, events(3));
    assertDecodeError(got.error, 3);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(cancelled, true);
  });

  test('a consumer that stops reading stops the source (bounded read-ahead)', async () => {
    const { state, web } = endless();
    const reader = web.pipeThrough(createDecoderStream(jsonCodec)).getReader();
    for (let n = 0; n < 10; n++) assert.equal((await reader.read()).value?.object.metadata?.name, `p${n}`);
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(state.pulled <= 10, `pulled ${state.pulled} chunks for 10 events`);
    const before = state.pulled;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(state.pulled, before, 'no reads while the consumer waits');
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(state.cancelled, true);
  });
});

describe('Node streams (watchwire/node)', () => {
  const input = () => Readable.from([Buffer.concat([encodeAll(jsonCodec, events(3)), BAD])]);

  test('createDecoderTransform in a pipeline', async () => {
    const got: WatchEvent[] = [];
    await pipeline(
      Readable.from(chunksOfSize(encodeAll(jsonCodec, events(5)), 5).map((c) => Buffer.from(c))),
      createDecoderTransform(jsonCodec),
      new Writable({
        objectMode: true,
        write(e: WatchEvent, _enc, cb) {
          got.push(e);
          cb();
        },
      }),
    );
    assert.deepStrictEqual(got, events(5));
  });

  test('createDecoderTransform: bad input keeps the events before the fault (for await)', async () => {
    const transform = createDecoderTransform(jsonCodec);
    input().pipe(transform);
    const got = await collect(transform);
    assert.deepStrictEqual(got.values, events(3));
    assertDecodeError(got.error, 3);
  });

  test('createDecoderTransform: bad input keeps the events before the fault (slow writable in a pipeline)', async () => {
    const got: WatchEvent[] = [];
    await assert.rejects(
      pipeline(
        input(),
        createDecoderTransform(jsonCodec),
        new Writable({
          objectMode: true,
          highWaterMark: 1,
          write(e: WatchEvent, _enc, cb) {
            got.push(e);
            setTimeout(cb, 5);
          },
        }),
      ),
      (e) => e instanceof DecodeError && e.frameIndex === 3,
    );
    assert.deepStrictEqual(got, events(3));
  });

  test('eventReadable: events, then the error after the events before it', async () => {
    assert.deepStrictEqual(await collect(eventReadable(Readable.from([Buffer.from(encodeAll(jsonCodec, events(4)))]), jsonCodec)), {
      values: events(4),
      error: undefined,
    });
    const got = await collect(eventReadable(input(), jsonCodec));
    assert.deepStrictEqual(got.values, events(3));
    assertDecodeError(got.error, 3);
  });

  test('eventReadable: a consumer that stops reading stops the source', async () => {
    const { state, iterable } = endless();
    const readable = eventReadable(iterable, jsonCodec);
    let taken = 0;
    for await (const _ of readable) {
      if (++taken === 10) {
        await new Promise((r) => setTimeout(r, 30));
        break;
      }
    }
    assert.ok(state.pulled <= 20, `pulled ${state.pulled} chunks for 10 events`);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(readable.destroyed, true);
    assert.equal(state.finished, true, 'the source generator was closed');
  });

  test('createDecoderTransform: a slow consumer holds back the writer', async () => {
    const transform = createDecoderTransform(jsonCodec);
    let written = 0;
    const chunk = encodeAll(jsonCodec, events(4));
    // Write until the transform says stop; nobody reads.
    while (transform.write(chunk)) {
      written++;
      if (written > 1000) break;
    }
    // Node 22 raised the default byte highWaterMark from 16 KiB to 64 KiB: the
    // bound is the writable buffer plus what the object side holds, not a count.
    const accepted = written * chunk.length;
    const bound = transform.writableHighWaterMark + (transform.readableHighWaterMark + 1) * chunk.length;
    assert.ok(written < 1000 && accepted <= bound, `${accepted} bytes accepted with no reader (bound ${bound})`);
    transform.destroy();
  });
});
