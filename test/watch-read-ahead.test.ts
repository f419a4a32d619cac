/**
 * Many watches that each take a few events and stop, against the replay
 * server (which writes its frames in batches of 64 KiB, as a proxy or a busy
 * socket may hand them over too): each watch may decode and read only a
 * little ahead of its consumer. Decoding a whole transport chunk before
 * yielding its first event kept up to ~6 decoded Pods per watch ahead of the
 * consumer, and decoded them for nothing when it stopped: part of the bench's
 * 500-watch client peak RSS after b88c614 (see src/stream/async-iterable.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ByteSource, type Codec, CodecRegistry, type FetchLike, type WatchEvent, createRegistry, decodeStream, encodeAll, jsonCodec, watch } from 'watchwire';
import { nodeFetch } from 'watchwire/node';
import { startReplayServer } from 'watchwire/server';
import { podsUrl } from './helpers/replay-client.ts';

const WATCHES = 100;
const TAKE = 30;
/** Each firehose Pod is about this big in JSON: a 64 KiB server batch holds ~7 of them. */
const OBJECT_BYTES = 9 * 1024;
/**
 * Frame bytes a watch may have decoded beyond the events its consumer took:
 * the decoder gets 16 KiB at a time, so at most what one step completes (one
 * or two Pods here) is decoded ahead; a whole 64 KiB chunk would be ~6 Pods.
 */
const DECODED_AHEAD_BYTES = 24 * 1024;
/** Bytes a watch may read beyond the frames it decoded: one transport chunk (64 KiB from a socket) and change. */
const READ_AHEAD_BYTES = 96 * 1024;

/** JSON, recording the size of every frame its decoders are given (a watch's frames, in order). */
function recordingJson(): { registry: CodecRegistry; frames: number[] } {
  const frames: number[] = [];
  const codec: Codec = {
    ...jsonCodec,
    createDecoder(limits, options) {
      const inner = jsonCodec.createDecoder(limits, options);
      return {
        decode(frame) {
          frames.push(frame.length + 1); // and its newline
          return inner.decode(frame);
        },
      };
    },
  };
  return { registry: new CodecRegistry([codec]), frames };
}

/**
 * A fetch whose bodies note their largest chunk: the test means something
 * only while the transport hands over chunks of several events.
 */
function noting(fetchFn: FetchLike, largest: { bytes: number }): FetchLike {
  return async (input, init) => {
    const response = await fetchFn(input, init);
    const body = response.body;
    if (body === null) return response;
    const getReader = (): ReadableStreamDefaultReader<Uint8Array> => {
      const reader = body.getReader();
      const read = reader.read.bind(reader);
      reader.read = async () => {
        const result = await read();
        if (!result.done) largest.bytes = Math.max(largest.bytes, result.value.length);
        return result;
      };
      return reader;
    };
    return { ok: response.ok, status: response.status, statusText: response.statusText, headers: response.headers, body: { getReader, cancel: (reason?: unknown) => body.cancel(reason) } } as unknown as Response;
  };
}

const sum = (sizes: readonly number[]): number => sizes.reduce((a, b) => a + b, 0);
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const transports: Record<string, FetchLike> = { fetch: (input, init) => fetch(input, init), nodeFetch };

for (const [name, fetchFn] of Object.entries(transports)) {
  test(`${WATCHES} concurrent watches over ${name} that each take ${TAKE} events decode and read only a little ahead`, { timeout: 30_000 }, async (t) => {
    const server = await startReplayServer({ firehose: { events: TAKE * 10, objectBytes: OBJECT_BYTES } });
    const controllers: AbortController[] = [];
    // On a timeout the watches below may never return: end them and the server so the file can exit.
    t.signal.addEventListener('abort', () => {
      for (const c of controllers) c.abort();
      void server.close();
    });
    try {
      const largest = { bytes: 0 };
      const one = async (): Promise<{ taken: number; frames: number[]; read: number }> => {
        const controller = new AbortController();
        controllers.push(controller);
        const { registry, frames } = recordingJson();
        const w = watch({ url: podsUrl(server), registry, resourceVersion: String(server.resourceVersion), allowWatchBookmarks: false, signal: controller.signal, fetch: noting(fetchFn, largest) });
        let taken = 0;
        for await (const event of w as AsyncIterable<WatchEvent>) {
          assert.equal(event.type, 'MODIFIED');
          if (++taken === TAKE) break;
        }
        controller.abort();
        return { taken, frames: [...frames], read: w.stats.bytes };
      };
      const results = await Promise.all(Array.from({ length: WATCHES }, one));
      assert.ok(largest.bytes >= 3 * OBJECT_BYTES, `the largest chunk read was ${kib(largest.bytes)}: too small to hold several events, nothing to decode ahead`);
      let worstAhead = 0;
      let worstRead = 0;
      for (const { taken, frames, read } of results) {
        assert.equal(taken, TAKE);
        const ahead = sum(frames.slice(TAKE));
        const readAhead = read - sum(frames);
        worstAhead = Math.max(worstAhead, ahead);
        worstRead = Math.max(worstRead, readAhead);
        assert.ok(ahead <= DECODED_AHEAD_BYTES, `a watch decoded ${frames.length - TAKE} events (${kib(ahead)}) beyond the ${TAKE} it took`);
        assert.ok(readAhead <= READ_AHEAD_BYTES, `a watch read ${kib(readAhead)} beyond what it decoded`);
      }
      t.diagnostic(`largest chunk ${kib(largest.bytes)}; worst watch: ${kib(worstAhead)} decoded beyond the events taken, ${kib(worstRead)} read beyond that`);
    } finally {
      await server.close();
    }
  });
}

/** One chunk of whole frames (ending on a frame boundary), then nothing more, ever; and a weak reference to the chunk. */
function oneChunkThenSilence(kind: 'iterable' | 'stream'): { source: ByteSource; chunk: WeakRef<Uint8Array>; events: number } {
  const events = Array.from({ length: 64 }, (_, i) => ({ type: 'ADDED' as const, object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `pod-${i}` }, pad: 'x'.repeat(4000) } }));
  let bytes: Uint8Array | undefined = encodeAll(jsonCodec, events);
  const chunk = new WeakRef(bytes);
  // Hands the chunk over and forgets it: afterwards only the decoder's side can keep it alive.
  const handOver = (): Uint8Array => {
    const value = bytes!;
    bytes = undefined;
    return value;
  };
  const source: ByteSource =
    kind === 'stream'
      ? new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(handOver()) }, { highWaterMark: 0 })
      : {
          [Symbol.asyncIterator]: () => ({
            next: (): Promise<IteratorResult<Uint8Array>> => (bytes !== undefined ? Promise.resolve({ done: false, value: handOver() }) : new Promise(() => {})),
          }),
        };
  return { source, chunk, events: events.length };
}

for (const kind of ['iterable', 'stream'] as const) {
  test(`decodeStream waiting for the next chunk (${kind}) holds none it has decoded`, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { source, chunk, events } = oneChunkThenSilence(kind);
    const stream = decodeStream(source, jsonCodec);
    for (let i = 0; i < events; i++) assert.equal((await stream.next()).done, false);
    // Now waiting for bytes that never come, as an idle watch does.
    void stream.next();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    // A suspended generator keeps alive what its registers held: a for-await loop's chunk or a yield* kept this one.
    assert.equal(chunk.deref(), undefined, 'the decoded chunk is still reachable from the idle stream');
  });
}

/** `bytes` as a Buffer at the start of a larger buffer (no binding to that buffer is left in the caller). */
function pooledBuffer(bytes: Uint8Array, poolBytes: number): Buffer {
  const pool = Buffer.alloc(poolBytes);
  pool.set(bytes);
  return pool.subarray(0, bytes.length);
}

/**
 * One chunk of whole frames and the first half of one more, then silence:
 * the idle stream must hold that half frame, not the chunk it came in
 * (StreamDecoder.compact, called by decodeStream before it waits).
 */
for (const [format, asBuffer] of [['json', false], ['protobuf', false], ['cbor', false], ['yaml', false], ['json', true], ['protobuf', true]] as const) {
  // A Node Buffer chunk too (sockets, files): a small view of a large buffer, as Node's pooled reads
  // are, and under one decode step, so the framer holds the Buffer itself, whose slice() is a view.
  test(`decodeStream waiting in the middle of a frame (${format}${asBuffer ? ', Buffer chunks' : ''}) holds the part of the frame, not its chunk`, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const codec = createRegistry().get(format);
    const taken = asBuffer ? 2 : 32;
    const events = Array.from({ length: taken + 1 }, (_, i) => ({ type: 'ADDED' as const, object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: `cm-${i}` }, data: { pad: 'x'.repeat(4000) } } }));
    const whole = encodeAll(codec, events.slice(0, taken)).length;
    const all = encodeAll(codec, events);
    let bytes: Uint8Array | undefined = Uint8Array.prototype.slice.call(all, 0, whole + (all.length - whole) / 2);
    if (asBuffer) bytes = pooledBuffer(bytes, 256 * 1024);
    // The buffer, not the Uint8Array: a view of it (the framer's) keeps the memory alive without the object.
    const chunk = new WeakRef(bytes.buffer);
    const source: ByteSource = {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<Uint8Array>> => {
          if (bytes === undefined) return new Promise(() => {});
          const value = bytes;
          bytes = undefined;
          return Promise.resolve({ done: false, value });
        },
      }),
    };
    const stream = decodeStream(source, codec);
    for (let i = 0; i < taken; i++) assert.equal((await stream.next()).done, false);
    void stream.next();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(chunk.deref(), undefined, `the ${(whole / 1024).toFixed(0)} KiB chunk is still reachable for the half frame after it`);
  });
}
