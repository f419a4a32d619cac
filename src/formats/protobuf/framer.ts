import { ByteQueue } from '../../core/byte-queue.js';
import type { Framer } from '../../core/codec.js';
import { DecodeError } from '../../core/errors.js';

const HEADER_BYTES = 4;

/**
 * Frames a Kubernetes protobuf watch stream: a 4-byte big-endian length, then
 * that many bytes. The limit is checked on the header alone, so an over-limit
 * frame is refused before any of its body is held; `skip()` then drops the
 * declared body as it arrives, without buffering it (client-go skips such
 * frames and goes on).
 */
export class LengthPrefixedFramer implements Framer {
  frameOffset = 0;
  private readonly queue = new ByteQueue();
  /** Stream offset of the queue's first byte. */
  private consumed = 0;
  /** Body length of the frame whose header has been read, or -1. */
  private bodyLength = -1;
  /** Bytes still to drop of a skipped frame. */
  private discard = 0;
  private refused: DecodeError | undefined;
  /** Declared body length of the refused frame. */
  private refusedLength = 0;
  private ended = false;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): void {
    if (this.discard > 0) {
      // Drop the skipped frame's bytes as they come, never holding them.
      const n = Math.min(this.discard, chunk.length);
      this.discard -= n;
      this.consumed += n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    this.queue.push(chunk);
  }

  end(): void {
    this.ended = true;
  }

  next(): Uint8Array | undefined {
    if (this.refused !== undefined) throw this.refused;
    if (this.discard > 0) {
      this.dropHeld();
      if (this.discard > 0) return this.atEnd();
    }
    if (this.bodyLength < 0) {
      if (this.queue.length < HEADER_BYTES) return this.atEnd();
      const q = this.queue;
      const length = ((q.byteAt(0) << 24) | (q.byteAt(1) << 16) | (q.byteAt(2) << 8) | q.byteAt(3)) >>> 0;
      this.frameOffset = this.consumed;
      if (length > this.maxFrameBytes) {
        this.refusedLength = length;
        this.refused = new DecodeError('frame-too-large', `frame of ${length} bytes declared, over maxFrameBytes (${this.maxFrameBytes})`, {
          resumable: true,
        });
        throw this.refused;
      }
      this.bodyLength = length;
    }
    if (this.queue.length < HEADER_BYTES + this.bodyLength) return this.atEnd();
    this.queue.drop(HEADER_BYTES);
    const frame = this.queue.take(this.bodyLength);
    this.consumed += HEADER_BYTES + this.bodyLength;
    this.bodyLength = -1;
    return frame;
  }

  compact(): void {
    this.queue.compact();
  }

  skip(): void {
    if (this.refused === undefined) return;
    // Drop the header and the declared body, whether held yet or not.
    this.discard = HEADER_BYTES + this.refusedLength;
    this.refused = undefined;
    this.dropHeld();
  }

  private dropHeld(): void {
    const n = Math.min(this.discard, this.queue.length);
    this.queue.drop(n);
    this.discard -= n;
    this.consumed += n;
  }

  /** Needs more bytes, or at the end of input, reports the cut frame. */
  private atEnd(): undefined {
    if (!this.ended) return undefined;
    if (this.queue.length === 0 && this.discard === 0) return undefined;
    this.frameOffset = this.consumed;
    const have = this.queue.length;
    const detail =
      this.discard > 0
        ? `input ended inside a skipped frame (${this.discard} bytes missing)`
        : have < HEADER_BYTES
          ? `input ended inside a frame header (${have} of 4 bytes)`
          : `input ended inside a frame: ${have - HEADER_BYTES} of ${this.bodyLength} body bytes`;
    this.discard = 0;
    throw new DecodeError('truncated', detail);
  }
}
