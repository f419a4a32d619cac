/**
 * Codec instrumentation for the inspector page (browser-safe): wraps a codec
 * so that every frame's size on the wire and the time spent framing and
 * decoding are measured where they happen, under the real watch client,
 * rather than estimated from the response as a whole.
 */
import type { Codec, FrameDecoder, Framer } from '../core/codec.js';
import type { WatchEvent } from '../core/event.js';
import type { DecodeLimits } from '../core/limits.js';

/** What one decoded event cost. */
export interface EventCost {
  /** The frame's bytes (without the stream's separators or length prefixes). */
  frameBytes: number;
  /** Milliseconds to cut this frame and decode it. */
  decodeMs: number;
}

/** Counters shared by every stream of one instrumented codec. */
export class CodecMeter {
  /** Bytes pushed into framers (everything the server sent). */
  bytes = 0;
  frames = 0;
  /** Milliseconds in push + next + end + decode: all the decoding work of the stream. */
  decodeMs = 0;
  /** Framing time of the frame about to be decoded (next() runs before decode()). */
  pendingFramingMs = 0;
  private readonly costs = new WeakMap<object, EventCost>();

  /** The cost of an event this meter saw decoded, if it did. */
  costOf(event: WatchEvent): EventCost | undefined {
    return this.costs.get(event);
  }

  /** @internal */
  record(event: WatchEvent, cost: EventCost): void {
    if (typeof event === 'object' && event !== null) this.costs.set(event, cost);
  }
}

const clock: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

/** The same codec, with its framers and decoders reporting to `meter`. */
export function instrumentCodec(codec: Codec, meter: CodecMeter): Codec {
  return {
    name: codec.name,
    mediaType: codec.mediaType,
    ...(codec.alsoReads === undefined ? {} : { alsoReads: codec.alsoReads }),
    accept: codec.accept,
    servable: codec.servable,
    createEncoder: () => codec.createEncoder(),
    createFramer: (limits: DecodeLimits) => new MeteredFramer(codec.createFramer(limits), meter),
    createDecoder: (limits: DecodeLimits): FrameDecoder<WatchEvent> => {
      const inner = codec.createDecoder(limits);
      return {
        decode(frame: Uint8Array): WatchEvent {
          const started = clock();
          const event = inner.decode(frame);
          const spent = clock() - started;
          meter.decodeMs += spent;
          meter.record(event, { frameBytes: frame.length, decodeMs: spent + meter.pendingFramingMs });
          meter.pendingFramingMs = 0;
          return event;
        },
      };
    },
  };
}

class MeteredFramer implements Framer {
  constructor(
    private readonly inner: Framer,
    private readonly meter: CodecMeter,
  ) {}

  get frameOffset(): number {
    return this.inner.frameOffset;
  }

  get unterminated(): boolean {
    return this.inner.unterminated === true;
  }

  push(chunk: Uint8Array): void {
    const started = clock();
    this.inner.push(chunk);
    this.meter.decodeMs += clock() - started;
    this.meter.bytes += chunk.length;
  }

  next(): Uint8Array | undefined {
    const started = clock();
    try {
      const frame = this.inner.next();
      if (frame !== undefined) this.meter.frames++;
      return frame;
    } finally {
      const spent = clock() - started;
      this.meter.decodeMs += spent;
      this.meter.pendingFramingMs += spent;
    }
  }

  end(): void {
    const started = clock();
    try {
      this.inner.end();
    } finally {
      this.meter.decodeMs += clock() - started;
    }
  }

  skip(): void {
    this.inner.skip();
  }
}
