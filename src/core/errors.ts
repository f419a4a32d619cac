/**
 * The two error types watchwire throws for bad input. Everything the decoder
 * rejects is a DecodeError with a code from a closed union, so callers can
 * switch on it; the media type, frame index and byte offset say where.
 */

export type DecodeErrorCode =
  | 'frame-too-large'
  | 'truncated'
  | 'invalid-json'
  | 'invalid-yaml'
  | 'invalid-protobuf'
  | 'invalid-cbor'
  | 'bad-magic'
  | 'not-an-event'
  | 'unknown-event-type'
  | 'unknown-kind'
  | 'nesting-too-deep'
  | 'duplicate-key'
  | 'invalid-utf8'
  | 'limit-exceeded'
  | 'unsupported';

/** Not yet placed in a stream: the pipeline fills these in. */
const UNPLACED = -1;

export interface DecodeErrorOptions {
  mediaType?: string;
  frameIndex?: number;
  byteOffset?: number;
  /**
   * True when the stream can go on after this frame: the framer knows where the
   * next frame starts (a length-prefixed frame, a JSON line). The pipeline only
   * lets a caller skip resumable errors.
   */
  resumable?: boolean;
  /** The bytes of the frame that failed, where they are at hand (e.g. unknown-kind). */
  raw?: Uint8Array;
  cause?: unknown;
}

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code: DecodeErrorCode;
  /** What went wrong, without the position (the message adds it). */
  readonly detail: string;
  mediaType: string;
  frameIndex: number;
  byteOffset: number;
  resumable: boolean;
  readonly raw: Uint8Array | undefined;

  constructor(code: DecodeErrorCode, detail: string, options: DecodeErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
    this.mediaType = options.mediaType ?? '';
    this.frameIndex = options.frameIndex ?? UNPLACED;
    this.byteOffset = options.byteOffset ?? UNPLACED;
    this.resumable = options.resumable ?? false;
    this.raw = options.raw;
    this.message = this.describe();
  }

  /** True once the pipeline has said which frame this is. */
  get placed(): boolean {
    return this.frameIndex !== UNPLACED;
  }

  /**
   * Records where the error happened. Decoders see one frame and do not know
   * its position; the pipeline does, and places the error before it escapes.
   */
  place(mediaType: string, frameIndex: number, byteOffset: number): this {
    if (this.mediaType === '') this.mediaType = mediaType;
    if (!this.placed) {
      this.frameIndex = frameIndex;
      this.byteOffset = byteOffset;
    }
    this.message = this.describe();
    return this;
  }

  private describe(): string {
    const where = this.placed ? ` at frame ${this.frameIndex} (byte ${this.byteOffset})` : '';
    return `${this.code}${where}: ${this.detail}`;
  }
}

/** The server answered with a Content-Type no registered codec can read. */
export class NegotiationError extends Error {
  override readonly name = 'NegotiationError';
  /** The Content-Type (or short name) that was refused. */
  readonly offered: string;
  /** The media types that would have been accepted. */
  readonly supported: readonly string[];

  constructor(offered: string, supported: readonly string[], detail?: string) {
    super(
      detail ??
        `no codec for ${JSON.stringify(offered)}; supported: ${supported.join(', ') || '(none)'}`,
    );
    this.offered = offered;
    this.supported = supported;
  }
}

export function isDecodeError(e: unknown): e is DecodeError {
  return e instanceof DecodeError;
}

/** Short text for an unknown thrown value, for wrapping library errors. */
export function describeCause(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e);
}
