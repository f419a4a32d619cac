import type { KubeObject, WatchEvent } from './event.js';
import type { FieldFilter } from './field-filter.js';
import type { DecodeLimits } from './limits.js';

/**
 * What a decoder does beyond limits. `fieldFilter` (see field-filter.ts):
 * applied to the objects of ADDED/MODIFIED/DELETED events (and bare objects),
 * while decoding where the format can skip bytes, else as a post-pass.
 */
export interface DecoderOptions {
  fieldFilter?: FieldFilter;
}

/**
 * Cuts a byte stream into frames, one per event. A push machine: `push` only
 * stores the chunk; `next` returns the next whole frame, or `undefined` when it
 * needs more bytes (a partial frame is never an error until `end`).
 *
 * Errors are thrown from `next` as DecodeError. A frame over `maxFrameBytes`
 * fails as soon as the framer can tell (from a header, or once the bytes held
 * pass the limit), before the rest of it is buffered.
 */
export interface Framer {
  push(chunk: Uint8Array): void;
  next(): Uint8Array | undefined;
  /** Stream offset of the frame last returned by `next` (or of the one that failed). */
  readonly frameOffset: number;
  /**
   * True when the frame last returned was cut by the end of input rather than
   * by its terminator (a JSON line without `\n`): if it fails to decode, the
   * stream was truncated.
   */
  readonly unterminated?: boolean;
  /** No more input: `next` then returns what is left, or throws `truncated`. */
  end(): void;
  /**
   * After a resumable error from `next`, drop the bad frame (including bytes of
   * it that have not arrived yet) so `next` goes on with the frame after it.
   */
  skip(): void;
  /**
   * Optional: let go of input buffers much larger than the bytes still held
   * (copying those out). Called by decodeStream while it waits for input.
   */
  compact?(): void;
}

/** Turns one frame into one value (an event, or an object in objects mode). */
export interface FrameDecoder<T> {
  decode(frame: Uint8Array): T;
  /** Optional: let go of any input bytes kept between frames (a reused reader's). Called by StreamDecoder.compact. */
  compact?(): void;
}

/** Writes events (or objects) in one wire format. May keep state between calls (e.g. YAML's `---`). */
export interface Encoder<T> {
  encode(value: T): Uint8Array;
}

/** Framer + decoder + encoder for reading documents that are bare objects. */
export interface ObjectsMode {
  /**
   * The Content-Type of one object of this format sent alone, as a whole
   * response body rather than a stream: a LIST answer, the Status of a
   * refused request (`application/cbor`, `application/vnd.kubernetes.protobuf`
   * without `;stream=watch`). The decoder reads such a body as one frame.
   * A CodecRegistry finds codecs by it (`forObjectContentType`) and asks for
   * it (`acceptObjects`); without it, the codec's stream media types stand in.
   */
  readonly mediaType?: string;
  createFramer(limits: DecodeLimits): Framer;
  createDecoder(limits: DecodeLimits, options?: DecoderOptions): FrameDecoder<KubeObject>;
  createEncoder(): Encoder<KubeObject>;
}

/**
 * One wire format: how to find frames, decode them and write them. Codecs are
 * plain values held by a CodecRegistry instance; configuration (schemas,
 * int64 handling) is given when the codec value is made, limits per stream.
 */
export interface Codec {
  /** Short name for the CLI and lookups: `json`, `yaml`, `protobuf`, `cbor`. */
  readonly name: string;
  /** The response Content-Type this codec reads, as written in one (e.g. `application/json`). */
  readonly mediaType: string;
  /** Other Content-Types (type/subtype, parameters ignored) this codec also reads. */
  readonly alsoReads?: readonly string[];
  /** What to put in `Accept` to ask a server for this format. */
  readonly accept: string;
  /** False for formats a server cannot stream (YAML): asking for them alone gets 406. */
  readonly servable: boolean;
  createFramer(limits: DecodeLimits): Framer;
  createDecoder(limits: DecodeLimits, options?: DecoderOptions): FrameDecoder<WatchEvent>;
  createEncoder(): Encoder<WatchEvent>;
  readonly objects?: ObjectsMode;
}
