import { DecodeError } from '../../core/errors.js';
import { ScanningFramer } from '../../core/scanning-framer.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE, depthCheckedFrames, isSpace } from './bytes.js';

/**
 * Frames JSON documents written back to back, compact or pretty-printed, as
 * `kubectl get -w -o json` prints them. Tracks only nesting and strings to see
 * where each top-level object or array ends; JSON.parse checks the rest.
 */
export class JsonDocumentsFramer extends ScanningFramer {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(
    maxFrameBytes: number,
    private readonly maxDepth: number,
  ) {
    super(maxFrameBytes);
  }

  protected scan(chunk: Uint8Array, offset: number): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
      } else if (b === QUOTE) {
        if (this.depth === 0) return this.unexpected(b, offset + i);
        this.inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        // A document starts here: the space before it belongs to no frame, so
        // the frame (and its byte offset) starts at its first bracket.
        if (this.depth === 0) this.gap(offset + i);
        if (++this.depth > this.maxDepth) {
          return this.failAt(offset + i, new DecodeError('nesting-too-deep', `JSON nested deeper than ${this.maxDepth} levels`));
        }
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (this.depth === 0) return this.unexpected(b, offset + i);
        if (--this.depth === 0) this.cut(offset + i + 1, offset + i + 1);
      } else if (this.depth === 0 && !isSpace(b)) {
        return this.unexpected(b, offset + i);
      }
    }
  }

  /**
   * Every frame handed out was scanned against maxDepth already: recorded,
   * so the decoder does not scan it a second time.
   */
  override next(): Uint8Array | undefined {
    const frame = super.next();
    if (frame !== undefined) depthCheckedFrames.set(frame, this.maxDepth);
    return frame;
  }

  /** Between documents everything held is blank space, not part of a frame. */
  protected override openExcess(received: number): number {
    return this.depth === 0 ? received : 0;
  }

  protected isDocument(frame: Uint8Array): boolean {
    return frame.some((b) => !isSpace(b));
  }

  protected checkEnd(): DecodeError | undefined {
    if (this.depth === 0 && !this.inString) return undefined;
    return new DecodeError('truncated', `input ended inside a JSON document (${this.depth} levels open)`);
  }

  private unexpected(b: number, at: number): void {
    this.fail(
      new DecodeError('invalid-json', `unexpected ${JSON.stringify(String.fromCharCode(b))} at byte ${at} between documents`),
    );
  }
}
