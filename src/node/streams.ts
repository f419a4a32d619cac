import { Readable, Transform } from 'node:stream';
import type { Codec } from '../core/codec.js';
import type { WatchEvent } from '../core/event.js';
import { StreamDecoder } from '../core/pipeline.js';
import { type DecodeStreamOptions, decodeStream } from '../stream/async-iterable.js';

/**
 * Node stream adapters (Node only: exported from `watchwire/node`, never
 * from the browser-safe entry): decoded events as a Readable or a Transform.
 */

/**
 * Destroys `stream` with `error` once the events it has buffered are read.
 * Node's destroy() drops a readable's buffer, so erroring at once would lose
 * the events decoded before the fault (a `for await` consumer sees none of
 * them). Every consumer (pipe, async iteration, `read()`) takes buffered
 * values through `read()`: the error waits for the read that empties it.
 */
function failAfterBuffered(stream: Readable, error: Error): void {
  if (stream.readableLength === 0) {
    stream.destroy(error);
    return;
  }
  const read = stream.read.bind(stream);
  stream.read = (size?: number) => {
    const value: unknown = read(size);
    if (stream.readableLength === 0 && !stream.destroyed) process.nextTick(() => stream.destroy(error));
    return value;
  };
}

/** An object-mode Readable of events from a Node Readable (or any byte source). */
export function eventReadable(source: AsyncIterable<Uint8Array>, codec: Codec, options: DecodeStreamOptions = {}): Readable {
  const events = decodeStream(source, codec, options);
  // Pulled one event per _read: the generator (and so the source) goes only as
  // fast as the consumer reads, with at most highWaterMark events read ahead.
  return new Readable({
    objectMode: true,
    highWaterMark: 16,
    read() {
      events.next().then(
        (result) => {
          this.push(result.done ? null : result.value);
        },
        (e: unknown) => failAfterBuffered(this, e as Error),
      );
    },
    destroy(error, callback) {
      // Closes the source (its finally blocks run, a reader is released).
      events.return(undefined).then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

/**
 * A Transform from bytes to events for `pipeline(source, transform, sink)`.
 * On bad input the events decoded before the fault are delivered first, then
 * the stream is destroyed with the DecodeError.
 */
export function createDecoderTransform(codec: Codec, options: DecodeStreamOptions = {}): Transform {
  let decoder: StreamDecoder<WatchEvent> | undefined;
  let failed = false;
  const fail = (e: unknown) => {
    // The write callback is never called: the writer stalls until the error
    // is delivered, after the events already pushed have been read.
    failed = true;
    options.onStats?.(decoder!.stats);
    failAfterBuffered(transform, e as Error);
  };
  const transform = new Transform({
    readableObjectMode: true,
    readableHighWaterMark: 16,
    transform(chunk: Uint8Array, _encoding, callback) {
      if (failed) return;
      try {
        decoder!.push(chunk);
      } catch (e) {
        fail(e);
        return;
      }
      callback();
    },
    flush(callback) {
      if (failed) return;
      try {
        decoder!.end();
      } catch (e) {
        fail(e);
        return;
      }
      options.onStats?.(decoder!.stats);
      callback();
    },
  });
  decoder = StreamDecoder.events(codec, (event) => transform.push(event), options);
  return transform;
}
