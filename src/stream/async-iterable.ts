import type { Codec } from '../core/codec.js';
import type { KubeObject, WatchEvent } from '../core/event.js';
import { StreamDecoder, type StreamDecoderOptions } from '../core/pipeline.js';
import { type ByteSource, chunksOf } from './source.js';

export interface DecodeStreamOptions extends StreamDecoderOptions {
  /** Called after the input ends (or fails) with the decoder's counters. */
  onStats?: (stats: StreamDecoder<unknown>['stats']) => void;
}

/**
 * Watch events from a byte source, pulled one source chunk at a time: a
 * consumer that stops pulling stops the reads, so memory stays bounded by one
 * chunk's events plus one partial frame. A DecodeError is thrown only after
 * every event decoded before the fault has been yielded.
 */
export function decodeStream(source: ByteSource, codec: Codec, options: DecodeStreamOptions = {}): AsyncGenerator<WatchEvent, void, undefined> {
  return run(source, (sink) => StreamDecoder.events(codec, sink, options), options);
}

/** Bare objects (objects mode) from a byte source; see decodeStream. */
export function decodeObjectStream(source: ByteSource, codec: Codec, options: DecodeStreamOptions = {}): AsyncGenerator<KubeObject, void, undefined> {
  return run(source, (sink) => StreamDecoder.objects(codec, sink, options), options);
}

async function* run<T>(
  source: ByteSource,
  create: (sink: (value: T) => void) => StreamDecoder<T>,
  options: DecodeStreamOptions,
): AsyncGenerator<T, void, undefined> {
  let ready: T[] = [];
  const decoder = create((value) => ready.push(value));
  let failure: unknown;
  try {
    for await (const chunk of chunksOf(source)) {
      try {
        decoder.push(chunk);
      } catch (e) {
        failure = e;
      }
      // Swap before yielding: the consumer may take its time, and the next
      // chunk must not be read until it asks.
      const batch = ready;
      ready = [];
      for (let i = 0; i < batch.length; i++) yield batch[i]!;
      if (failure !== undefined) throw failure;
    }
    try {
      decoder.end();
    } catch (e) {
      failure = e;
    }
    for (let i = 0; i < ready.length; i++) yield ready[i]!;
    if (failure !== undefined) throw failure;
  } finally {
    options.onStats?.(decoder.stats);
  }
}
