import { ByteQueue } from '../../core/byte-queue.js';
import type { Framer } from '../../core/codec.js';
import { DecodeError } from '../../core/errors.js';

const LF = 0x0a;
const CR = 0x0d;

/** Is the frame only blank space (a blank line between documents)? */
function isBlank(frame: Uint8Array): boolean {
  for (let i = 0; i < frame.length; i++) {
    const b = frame[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

/**
 * Frames newline-delimited documents (JSON lines). Tolerates `\r\n` and blank
 * lines; a last line without `\n` is a frame at the end of input (the decoder
 * says `truncated` if it is incomplete).
 *
 * Each byte is looked at once: the scan resumes where the previous one ended.
 */
export class LineFramer implements Framer {
  frameOffset = 0;
  unterminated = false;
  private readonly queue = new ByteQueue();
  /** Bytes at the start of the queue already known to hold no `\n`. */
  private scanned = 0;
  /** Stream offset of the queue's first byte. */
  private consumed = 0;
  private ended = false;
  /** Dropping the rest of an over-long line after `skip`. */
  private discarding = false;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
  }

  end(): void {
    this.ended = true;
  }

  next(): Uint8Array | undefined {
    for (;;) {
      const newline = this.queue.indexOf(LF, this.scanned);
      if (newline === -1) {
        this.scanned = this.queue.length;
        if (this.discarding) {
          this.advance(this.queue.length);
          return undefined;
        }
        if (this.scanned > this.maxFrameBytes) throw this.tooLarge();
        if (!this.ended || this.queue.length === 0) return undefined;
        const last = this.cut(this.queue.length);
        if (isBlank(last)) return undefined;
        this.unterminated = true;
        return last;
      }
      if (this.discarding) {
        this.discarding = false;
        this.advance(newline + 1);
        continue;
      }
      if (newline > this.maxFrameBytes) {
        this.scanned = newline;
        throw this.tooLarge();
      }
      const line = this.cut(newline + 1);
      // Strip the line ending: `\n` and an optional `\r` before it.
      const end = line.length >= 2 && line[line.length - 2] === CR ? line.length - 2 : line.length - 1;
      const frame = line.subarray(0, end);
      if (!isBlank(frame)) return frame;
    }
  }

  compact(): void {
    this.queue.compact();
  }

  skip(): void {
    // Only an over-long line is refused by this framer; drop it up to its `\n`.
    this.discarding = true;
  }

  private cut(n: number): Uint8Array {
    this.frameOffset = this.consumed;
    this.consumed += n;
    this.scanned = 0;
    return this.queue.take(n);
  }

  private advance(n: number): void {
    this.consumed += n;
    this.scanned = 0;
    this.queue.drop(n);
  }

  private tooLarge(): DecodeError {
    this.frameOffset = this.consumed;
    return new DecodeError(
      'frame-too-large',
      `line longer than maxFrameBytes (${this.maxFrameBytes}) with no end in sight after ${this.queue.length} bytes`,
      { resumable: true },
    );
  }
}
