import { ByteQueue } from './byte-queue.js';
import type { Framer } from './codec.js';
import { DecodeError } from './errors.js';

/**
 * Base for framers that find frame boundaries by scanning each chunk once as
 * it arrives (YAML documents, concatenated JSON documents). The subclass's
 * `scan` looks at the new bytes only and calls `cut(end, resume)` for every
 * boundary; this class keeps the bytes, hands out frames in order and applies
 * the frame limit.
 *
 * An error found while scanning waits until the frames before it have been
 * taken, so nothing decoded before a fault is lost.
 *
 * A cut may lie beyond the bytes received so far, when the scanner knows
 * where a frame ends before its last bytes arrive (a CBOR string declared by
 * its head): `next` then waits for them, and at the end of input the rest is
 * given to `checkEnd`.
 */
export abstract class ScanningFramer implements Framer {
  frameOffset = 0;
  private readonly queue = new ByteQueue();
  /** Stream offset of the first byte held in the queue. */
  private consumed = 0;
  /** Stream offset just past the last byte pushed. */
  private received = 0;
  /** Pairs of stream offsets [frame end, next frame start], in order. */
  private cuts: number[] = [];
  private cutHead = 0;
  /** Where the frame being scanned now starts. */
  private openFrameStart = 0;
  private pending: DecodeError | undefined;
  private ended = false;

  constructor(protected readonly maxFrameBytes: number) {}

  /** Finds boundaries in `chunk`, whose first byte is at stream offset `offset`. */
  protected abstract scan(chunk: Uint8Array, offset: number): void;
  /** Whether a cut frame is a document (not only blank space or comments). */
  protected abstract isDocument(frame: Uint8Array): boolean;
  /** At end of input: an error if the bytes after the last cut are not a whole frame. */
  protected abstract checkEnd(rest: Uint8Array): DecodeError | undefined;

  /**
   * Bytes at the end of the input that belong to no frame yet: a document
   * marker not yet recognised, or blank space between documents. They do not
   * count against maxFrameBytes, so the verdict does not depend on chunking.
   */
  protected openExcess(_received: number): number {
    return 0;
  }

  /** At end of input, before the rest is taken: record boundaries the scanner was still waiting to confirm. */
  protected finish(_received: number): void {}

  /** Stream offset where the frame being scanned now starts. */
  protected get frameStart(): number {
    return this.openFrameStart;
  }

  /** Whether an error has been recorded (scanning can stop: nothing after it is delivered). */
  protected get failed(): boolean {
    return this.pending !== undefined;
  }

  /** Records a boundary: the frame ends at `end`, the next starts at `resume` (>= end). */
  protected cut(end: number, resume: number): void {
    if (this.pending !== undefined) return;
    // Checked on the whole frame too: a frame that arrives in one chunk never looks "open".
    if (end - this.openFrameStart > this.maxFrameBytes) {
      this.fail(this.tooLarge(end - this.openFrameStart, 'bytes'));
      return;
    }
    this.cuts.push(end, resume);
    this.openFrameStart = resume;
  }

  /** Drops the bytes up to `to` (space between frames): the next frame starts there. */
  protected gap(to: number): void {
    if (this.pending !== undefined) return;
    this.cuts.push(this.openFrameStart, to);
    this.openFrameStart = to;
  }

  /** Records an error at the current position; frames cut before it still come first. */
  protected fail(error: DecodeError): void {
    this.pending ??= error;
  }

  /**
   * Records `error`, found at stream offset `at` inside the open frame, unless
   * the frame had already passed maxFrameBytes by then: that limit was broken
   * at an earlier byte, and reporting it keeps the verdict the same whatever
   * the chunking (push checks the open frame only at chunk ends).
   */
  protected failAt(at: number, error: DecodeError): void {
    const size = at + 1 - this.openFrameStart;
    this.fail(size > this.maxFrameBytes ? this.tooLarge(size, 'bytes and not ended') : error);
  }

  push(chunk: Uint8Array): void {
    if (this.pending !== undefined || chunk.length === 0) return;
    this.queue.push(chunk);
    this.scan(chunk, this.received);
    this.received += chunk.length;
    const open = this.received - this.openFrameStart - this.openExcess(this.received);
    if (open > this.maxFrameBytes) this.fail(this.tooLarge(open, 'bytes and not ended'));
  }

  end(): void {
    if (!this.ended && this.pending === undefined) this.finish(this.received);
    this.ended = true;
  }

  private tooLarge(size: number, what: string): DecodeError {
    return new DecodeError('frame-too-large', `document longer than maxFrameBytes (${this.maxFrameBytes}): ${size} ${what}`);
  }

  next(): Uint8Array | undefined {
    while (this.cutHead < this.cuts.length) {
      const end = this.cuts[this.cutHead]!;
      const resume = this.cuts[this.cutHead + 1]!;
      if (resume > this.received) {
        // The frame's last bytes have not arrived yet.
        if (!this.ended) return undefined;
        break;
      }
      this.cutHead += 2;
      if (this.cutHead === this.cuts.length) {
        this.cuts = [];
        this.cutHead = 0;
      }
      this.frameOffset = this.consumed;
      const frame = this.queue.take(end - this.consumed);
      this.queue.drop(resume - end);
      this.consumed = resume;
      if (this.isDocument(frame)) return frame;
    }
    if (this.pending !== undefined) {
      this.frameOffset = this.consumed;
      throw this.pending;
    }
    if (!this.ended || this.queue.length === 0) return undefined;
    this.frameOffset = this.consumed;
    const rest = this.queue.take(this.queue.length);
    this.consumed = this.received;
    const error = this.checkEnd(rest);
    if (error !== undefined) {
      this.pending = error;
      throw error;
    }
    return this.isDocument(rest) ? rest : undefined;
  }

  /** Scanned formats cannot find the next frame after a fault: nothing to skip to. */
  skip(): void {}

  compact(): void {
    this.queue.compact();
  }
}
