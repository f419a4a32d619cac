import { Readable, Transform } from 'node:stream';
import type { Codec } from '../core/codec.js';
import type { WatchEvent } from '../core/event.js';
import { StreamDecoder } from '../core/pipeline.js';
import { type DecodeStreamOptions, decodeStream } from './async-iterable.js';

/**
 * Node adapters (Node only: exported from `watchwire/node`, never from the
 * browser-safe entry).
 */

/** An object-mode Readable of events from a Node Readable (or any byte source). */
export function eventReadable(source: AsyncIterable<Uint8Array>, codec: Codec, options: DecodeStreamOptions = {}): Readable {
  // Readable.from pulls the generator only as fast as the consumer reads.
  return Readable.from(decodeStream(source, codec, options), { objectMode: true, highWaterMark: 16 });
}

/**
 * A Transform from bytes to events for `pipeline(source, transform, sink)`.
 * On bad input the events decoded before the fault are pushed first, then the
 * stream is destroyed with the DecodeError.
 */
export function createDecoderTransform(codec: Codec, options: DecodeStreamOptions = {}): Transform {
  let decoder: StreamDecoder<WatchEvent> | undefined;
  const transform = new Transform({
    readableObjectMode: true,
    readableHighWaterMark: 16,
    transform(chunk: Uint8Array, _encoding, callback) {
      try {
        decoder!.push(chunk);
        callback();
      } catch (e) {
        callback(e as Error);
      }
    },
    flush(callback) {
      try {
        decoder!.end();
        callback();
      } catch (e) {
        callback(e as Error);
      }
    },
  });
  decoder = StreamDecoder.events(codec, (event) => transform.push(event), options);
  return transform;
}
