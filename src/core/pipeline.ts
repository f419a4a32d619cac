import type { Codec, DecoderOptions, FrameDecoder, Framer } from './codec.js';
import { DecodeError, describeCause } from './errors.js';
import type { KubeObject, WatchEvent } from './event.js';
import { type FieldSelection, compileFieldFilter } from './field-filter.js';
import { type DecodeLimits, resolveLimits } from './limits.js';

/** What to do with a bad frame: stop (the default) or, where the format allows it, skip it. */
export type ErrorDecision = 'stop' | 'skip';

/**
 * Limits, error handling, and the fields to drop or keep (`dropFields`,
 * `keepFields`: see field-filter.ts), applied to each event's object while it
 * is decoded where the format can, else right after.
 */
export interface StreamDecoderOptions extends Partial<DecodeLimits>, FieldSelection {
  /**
   * Called with each DecodeError. Return 'skip' to drop the bad frame and go
   * on; only errors with `resumable: true` can be skipped, others stop anyway.
   * Without this option every error stops the stream: nothing is skipped silently.
   */
  onError?: (error: DecodeError) => ErrorDecision;
  /** Called once per frame with its size and stream offset, for statistics. */
  onFrame?: (frameBytes: number, byteOffset: number) => void;
}

export interface StreamStats {
  /** Bytes pushed so far. */
  bytes: number;
  /** Frames cut, including skipped ones. */
  frames: number;
  /** Values delivered to the sink. */
  events: number;
  /** Frames dropped because `onError` said 'skip'. */
  skipped: number;
}

/**
 * The push pipeline: bytes in, values out through a callback. A framer cuts
 * frames, a decoder turns each into a value, and every value is handed to the
 * sink before the next frame is looked at, so an error never loses what came
 * before it.
 *
 * After an error that stops the stream, the decoder is dead: every later call
 * throws that same error again.
 */
export class StreamDecoder<T> {
  readonly mediaType: string;
  readonly stats: StreamStats = { bytes: 0, frames: 0, events: 0, skipped: 0 };
  private readonly framer: Framer;
  private readonly decoder: FrameDecoder<T>;
  private readonly sink: (value: T) => void;
  private readonly onError: ((error: DecodeError) => ErrorDecision) | undefined;
  private readonly onFrame: ((frameBytes: number, byteOffset: number) => void) | undefined;
  private failure: DecodeError | undefined;
  private ended = false;

  constructor(
    parts: { mediaType: string; framer: Framer; decoder: FrameDecoder<T> },
    sink: (value: T) => void,
    options: Pick<StreamDecoderOptions, 'onError' | 'onFrame'> = {},
  ) {
    this.mediaType = parts.mediaType;
    this.framer = parts.framer;
    this.decoder = parts.decoder;
    this.sink = sink;
    this.onError = options.onError;
    this.onFrame = options.onFrame;
  }

  /** Decoder for watch events of `codec`. */
  static events(codec: Codec, sink: (event: WatchEvent) => void, options: StreamDecoderOptions = {}): StreamDecoder<WatchEvent> {
    const limits = resolveLimits(options);
    return new StreamDecoder(
      { mediaType: codec.mediaType, framer: codec.createFramer(limits), decoder: codec.createDecoder(limits, decoderOptions(options)) },
      sink,
      options,
    );
  }

  /** Decoder for documents that are bare objects (objects mode). */
  static objects(codec: Codec, sink: (object: KubeObject) => void, options: StreamDecoderOptions = {}): StreamDecoder<KubeObject> {
    if (codec.objects === undefined) {
      throw new TypeError(`${codec.name} has no objects mode`);
    }
    const limits = resolveLimits(options);
    return new StreamDecoder(
      { mediaType: codec.mediaType, framer: codec.objects.createFramer(limits), decoder: codec.objects.createDecoder(limits, decoderOptions(options)) },
      sink,
      options,
    );
  }

  /** Feeds bytes; delivers every value they complete. Throws DecodeError on bad input. */
  push(chunk: Uint8Array): void {
    this.assertUsable();
    // A string chunk (a Node stream with setEncoding) would be framed as
    // nonsense and reported as bad input: say what is wrong instead.
    if (Object.prototype.toString.call(chunk) !== '[object Uint8Array]') {
      throw new TypeError(`StreamDecoder.push expects a Uint8Array chunk, got ${typeof chunk === 'object' ? Object.prototype.toString.call(chunk) : typeof chunk}`);
    }
    this.stats.bytes += chunk.length;
    this.framer.push(chunk);
    this.drain();
  }

  /**
   * Lets go of input chunks that are mostly decoded (the part of a frame
   * still held is copied out). For a caller about to wait for more input, as
   * decodeStream does: an idle watch then holds its partial frame, not the
   * chunk it came in.
   */
  compact(): void {
    this.framer.compact?.();
    this.decoder.compact?.();
  }

  /** Marks the end of input; delivers the last value or throws `truncated`. */
  end(): void {
    this.assertUsable();
    this.ended = true;
    this.framer.end();
    this.drain();
  }

  private drain(): void {
    for (;;) {
      let frame: Uint8Array | undefined;
      let value: T;
      try {
        frame = this.framer.next();
        if (frame === undefined) return;
        this.stats.frames++;
        this.onFrame?.(frame.length, this.framer.frameOffset);
        value = this.decoder.decode(frame);
      } catch (e) {
        const error = this.place(e, frame);
        // onError sees every error, as documented; only a resumable one can be skipped.
        if (this.onError?.(error) === 'skip' && error.resumable) {
          this.stats.skipped++;
          // A frame that failed to decode is already consumed; one the framer refused is not.
          // Count the refused one too, or every later frame index would be one short.
          if (frame === undefined) {
            this.stats.frames++;
            this.framer.skip();
          }
          continue;
        }
        this.failure = error;
        throw error;
      }
      this.stats.events++;
      this.sink(value);
    }
  }

  /** Gives every escaping error its position; wraps anything foreign as a DecodeError. */
  private place(e: unknown, frame: Uint8Array | undefined): DecodeError {
    // The frame index of a frame that failed in the framer is the one not yet counted.
    const index = frame === undefined ? this.stats.frames : this.stats.frames - 1;
    if (frame !== undefined && this.framer.unterminated === true && isSyntaxError(e)) {
      return new DecodeError('truncated', `input ended inside frame ${index} (${frame.length} bytes): ${describeCause(e)}`, {
        cause: e,
      }).place(this.mediaType, index, this.framer.frameOffset);
    }
    const error =
      e instanceof DecodeError
        ? e
        : new DecodeError(isStackOverflow(e) ? 'nesting-too-deep' : 'unsupported', describeCause(e), { cause: e });
    // Once the framer has cut a frame, the next one starts after it whatever the decoder thought.
    if (frame !== undefined) error.resumable = true;
    return error.place(this.mediaType, index, this.framer.frameOffset);
  }

  private assertUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.ended) throw new TypeError('StreamDecoder: input already ended');
  }
}

/** The options a codec's decoder gets from stream options: the compiled field selection, if any. */
function decoderOptions(options: FieldSelection): DecoderOptions {
  const fieldFilter = compileFieldFilter(options);
  return fieldFilter === undefined ? {} : { fieldFilter };
}

/** Decodes a whole buffer at once; a convenience over StreamDecoder. */
export function decodeAll(codec: Codec, bytes: Uint8Array, options: StreamDecoderOptions = {}): WatchEvent[] {
  const out: WatchEvent[] = [];
  const decoder = StreamDecoder.events(codec, (event) => out.push(event), options);
  decoder.push(bytes);
  decoder.end();
  return out;
}

/** Encodes events into one buffer; a convenience over a codec's encoder. */
export function encodeAll(codec: Codec, events: Iterable<WatchEvent>): Uint8Array {
  const encoder = codec.createEncoder();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const event of events) {
    const bytes = encoder.encode(event);
    parts.push(bytes);
    size += bytes.length;
  }
  return concatBytes(parts, size);
}

export function concatBytes(parts: readonly Uint8Array[], size = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** Errors that a frame cut short by the end of input would cause. */
const SYNTAX_CODES: ReadonlySet<string> = new Set(['invalid-json', 'invalid-yaml', 'invalid-cbor', 'invalid-protobuf']);

function isSyntaxError(e: unknown): boolean {
  return !(e instanceof DecodeError) || SYNTAX_CODES.has(e.code);
}
