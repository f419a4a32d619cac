import { ScanningFramer } from '../../core/scanning-framer.js';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const DASH = 0x2d;
const DOT = 0x2e;
const PERCENT = 0x25;
/** UTF-8 byte order mark: allowed once at the start of a YAML stream. */
const BOM = [0xef, 0xbb, 0xbf] as const;
/** `bomMatched` once the stream start has been checked for a BOM. */
const BOM_CHECKED = -1;

/** Scanner states between bytes: inside a line, or at its start having matched N marker characters. */
const IN_LINE = -1;
const LINE_START = 0;

function endsMarker(b: number | undefined): boolean {
  return b === undefined || b === LF || b === CR || b === SPACE || b === TAB;
}

/**
 * Frames YAML documents separated by `---` lines (none before the first, as
 * kubectl writes; a leading `---` is fine too) or ended by `...` lines. Only
 * line starts are examined, and each line is crossed with one `indexOf`, so
 * the cost is linear in the bytes however they are chunked. In YAML a `---`
 * or `...` at column 0 is always a document marker, even inside a scalar, so
 * line-level splitting is exact.
 */
export class YamlDocumentFramer extends ScanningFramer {
  private state = LINE_START;
  private marker = 0;
  private lineStart = 0;
  /** After a `...` line: the stream offset where it began, until its newline is seen. */
  private documentEndAt = -1;
  /** BOM bytes matched at the stream start so far (a chunk may cut the BOM). */
  private bomMatched = 0;
  /**
   * The open frame has a `%` directive line and nothing but directives,
   * comments and blank lines: the `---` that ends the directives belongs to
   * the same document, so it must not cut.
   */
  private openHasDirective = false;
  private openHasContent = false;

  protected scan(chunk: Uint8Array, offset: number): void {
    let i = this.bomMatched === BOM_CHECKED ? 0 : this.skipBom(chunk, offset);
    while (i < chunk.length) {
      if (this.state === IN_LINE) {
        const newline = chunk.indexOf(LF, i);
        if (newline === -1) return;
        i = newline + 1;
        this.startLine(offset + i);
        continue;
      }
      const b = chunk[i]!;
      if (this.state === LINE_START) {
        if (b === DASH || b === DOT) {
          this.marker = b;
          this.state = 1;
          i++;
        } else {
          if (b === PERCENT) this.openHasDirective = true;
          else if (b !== HASH && b !== LF && b !== CR) this.openHasContent = true;
          this.state = IN_LINE;
        }
      } else if (this.state < 3) {
        if (b === this.marker) {
          this.state++;
          i++;
        } else {
          this.openHasContent = true;
          this.state = IN_LINE;
        }
      } else {
        // Three marker characters seen: a marker only if the line (or a space) follows.
        if (endsMarker(b)) this.onMarker(this.lineStart);
        else this.openHasContent = true;
        this.state = IN_LINE;
      }
    }
  }

  /**
   * Drops a UTF-8 BOM at the stream start (it would otherwise make the first
   * line content, so a `---` or `%YAML` after it were not seen). Returns where
   * scanning goes on in `chunk`.
   */
  private skipBom(chunk: Uint8Array, offset: number): number {
    let i = 0;
    while (i < chunk.length && this.bomMatched !== BOM_CHECKED) {
      if (chunk[i] !== BOM[this.bomMatched]) {
        // Not a BOM: bytes of one already matched are the start of a content line.
        if (this.bomMatched > 0) {
          this.openHasContent = true;
          this.state = IN_LINE;
        }
        this.bomMatched = BOM_CHECKED;
        return i;
      }
      i++;
      if (++this.bomMatched === BOM.length) {
        this.bomMatched = BOM_CHECKED;
        this.gap(offset + i);
        this.lineStart = offset + i;
      }
    }
    return i;
  }

  /** A marker being matched at a line start (up to 3 bytes), or a `...` line: not part of the open document. */
  protected override openExcess(received: number): number {
    if (this.documentEndAt !== -1) return received - this.documentEndAt;
    if (this.bomMatched > 0) return this.bomMatched;
    return this.state > 0 ? this.state : 0;
  }

  /** Input ended right after `---` or `...` (no newline): still a marker. */
  protected override finish(received: number): void {
    if (this.state === 3) this.onMarker(this.lineStart);
    if (this.documentEndAt !== -1) this.startLine(received);
  }

  private startLine(at: number): void {
    if (this.documentEndAt !== -1) {
      // The `...` line is dropped; the next document starts after it.
      this.cut(this.documentEndAt, at);
      this.documentEndAt = -1;
      // After `...` a new document may start with directives again.
      this.openHasDirective = false;
      this.openHasContent = false;
    }
    this.state = LINE_START;
    this.lineStart = at;
  }

  private onMarker(at: number): void {
    if (this.marker === DASH) {
      if (this.openHasDirective && !this.openHasContent) {
        // `%YAML 1.2` / `%TAG ...` then `---`: one document, directives and all.
        this.openHasContent = true;
        return;
      }
      // The `---` line opens the next document and stays in its frame.
      this.cut(at, at);
      this.openHasDirective = false;
      this.openHasContent = true;
    } else {
      this.documentEndAt = at;
    }
  }

  protected isDocument(frame: Uint8Array): boolean {
    return hasYamlContent(frame);
  }

  protected checkEnd(): undefined {
    // The last document ends with the input.
    return undefined;
  }
}

/** True unless every line is blank, a comment, or a bare `---`/`...` marker. */
export function hasYamlContent(frame: Uint8Array): boolean {
  let start = 0;
  while (start < frame.length) {
    let end = frame.indexOf(LF, start);
    if (end === -1) end = frame.length;
    let i = start;
    const first = frame[i];
    if ((first === DASH || first === DOT) && frame[i + 1] === first && frame[i + 2] === first && endsMarker(frame[i + 3])) {
      i += 3;
    }
    while (i < end && (frame[i] === SPACE || frame[i] === TAB || frame[i] === CR)) i++;
    if (i < end && frame[i] !== HASH) return true;
    start = end + 1;
  }
  return false;
}
