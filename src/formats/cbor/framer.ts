import { DecodeError } from '../../core/errors.js';
import { ScanningFramer } from '../../core/scanning-framer.js';
import type { CborFrameDecoder } from './decoder.js';

const MAJOR_TAG = 6;
const MAJOR_SIMPLE = 7;
const TWO_32 = 2 ** 32;

/** Bytes of argument after the initial byte, by additional info 24..27; -1: reserved (28-30) or indefinite (31). */
function argumentBytes(ai: number): number {
  return ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : -1;
}

/**
 * Frames `application/cbor-seq` (RFC 8742): top-level data items back to back,
 * no length prefix. Where an item ends is found by walking its heads (major
 * type, argument) without decoding it: strings are passed over by their
 * declared length, arrays and maps push their item counts on a stack, tags
 * prefix the next item.
 *
 * The walk runs at push time over each chunk once and keeps its whole state
 * between chunks (the stack of remaining item counts, the bytes of a head cut
 * by a chunk boundary, the payload bytes still to pass), so framing is linear
 * in the input however it is chunked: nothing is re-walked from the frame
 * start. Declared lengths are checked against maxFrameBytes as soon as a head
 * is read, before the payload is buffered.
 *
 * The bytes, the cuts and the order of frames and errors are ScanningFramer's;
 * this class is the walk. A cut is recorded as soon as the walk knows where
 * the item ends, which for a string is at its head, before its bytes.
 *
 * Refused (not resumable: after a malformed head nothing says where the next
 * item starts): reserved additional info 28-30, indefinite lengths (the API
 * server never writes them), a stray break code, nesting beyond maxDepth, an
 * item longer than maxFrameBytes.
 *
 * Given the decoder its frames go to (decodeWith), the framer decodes the
 * items that lie whole in a chunk instead of walking them, and the decoder
 * returns those values when their frames come (the walk was a tenth of the
 * time of a stream of Pods). Only an item that decodes is taken so: one that
 * fails, or goes beyond the chunk or maxFrameBytes, is walked as before and
 * decoded again when its frame comes, so every cut, error and position is
 * the same with or without it.
 */
export class CborSeqFramer extends ScanningFramer {
  /** Items still to come in each open array/map (a map counts keys and values). */
  private readonly stack: number[] = [];
  /** Payload bytes of the current string not yet seen. */
  private skipLeft = 0;
  /** A head cut by a chunk boundary: its bytes so far and how many it has in all. */
  private readonly headBytes = new Uint8Array(9);
  private headHave = 0;
  private headNeed = 0;
  /** Scratch for skipItem: the items left in each open container. */
  private readonly counts: number[] = [];
  /** The decoder items are decoded with while framing (see decodeWith), or undefined. */
  private fused: CborFrameDecoder<unknown> | undefined;
  /** Stream offsets of the items decoded so, whose frames have not been taken yet, and their values. */
  private readonly aheadAt: number[] = [];
  private readonly aheadValues: unknown[] = [];
  private aheadHead = 0;
  /** The length of the last item: an item near a chunk's end is walked first, not decoded in vain. */
  private lastItem = 0;

  constructor(
    maxFrameBytes: number,
    private readonly maxDepth: number,
  ) {
    super(maxFrameBytes);
  }

  /**
   * Decodes items with `decoder` while framing them (before the first push;
   * the frames must go to this decoder, as StreamDecoder sends them). Should
   * they go elsewhere, the decoder finds its values not taken and this stops.
   */
  decodeWith(decoder: CborFrameDecoder<unknown>): void {
    this.fused = decoder;
  }

  override next(): Uint8Array | undefined {
    const frame = super.next();
    if (frame !== undefined && this.aheadHead < this.aheadAt.length) this.hand(frame);
    return frame;
  }

  /** Gives the decoder the value of `frame` (the one just taken), if it was decoded while framing. */
  private hand(frame: Uint8Array): void {
    const offsets = this.aheadAt;
    const at = this.frameOffset;
    let head = this.aheadHead;
    while (head < offsets.length && offsets[head]! < at) head++;
    if (head < offsets.length && offsets[head] === at) {
      const value = this.aheadValues[head];
      this.aheadValues[head] = undefined;
      head++;
      if (!this.fused!.offer(frame, value)) {
        this.fused = undefined;
        head = offsets.length;
      }
    }
    if (head === offsets.length) {
      offsets.length = 0;
      this.aheadValues.length = 0;
      head = 0;
    }
    this.aheadHead = head;
  }

  /** Walks the new bytes, whose first is at stream offset `base`, from the state the last chunk left. */
  protected scan(chunk: Uint8Array, base: number): void {
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.failed) {
      if (this.stack.length === 0 && this.headHave === 0 && this.skipLeft === 0) {
        // Between top-level items: whole items first.
        i = this.wholeItems(chunk, base, i);
        if (i >= n) return;
      }
      if (this.skipLeft > 0) {
        const step = Math.min(this.skipLeft, n - i);
        this.skipLeft -= step;
        i += step;
        continue;
      }
      if (this.headHave > 0) {
        // Finish a head that the previous chunk cut.
        while (this.headHave < this.headNeed && i < n) this.headBytes[this.headHave++] = chunk[i++]!;
        if (this.headHave < this.headNeed) return;
        const bytes = this.headBytes;
        this.headHave = 0;
        this.onHead(bytes[0]!, readArgument(bytes, 1, this.headNeed - 1), base + i);
        continue;
      }
      i = this.walkCommon(chunk, base, i);
      if (i >= n) return;
      // The item holds at least the bytes up to this head's first: one rule for
      // every chunking, so the same input fails at the same place however it arrives.
      if (base + i + 1 - this.frameStart > this.maxFrameBytes) return this.itemTooLarge(base + i + 1);
      const initial = chunk[i]!;
      const ai = initial & 31;
      let argument = ai;
      if (ai < 24) {
        i++;
      } else if (ai === 24 && i + 1 < n) {
        argument = chunk[i + 1]!;
        i += 2;
      } else {
        const extra = argumentBytes(ai);
        if (extra === -1) {
          this.malformed(initial, ai);
          return;
        }
        if (i + 1 + extra > n) {
          this.headNeed = 1 + extra;
          while (i < n) this.headBytes[this.headHave++] = chunk[i++]!;
          return;
        }
        argument = readArgument(chunk, i + 1, extra);
        i += 1 + extra;
      }
      this.onHead(initial, argument, base + i);
      // A string whose bytes are all in this chunk: pass over them now, not in another round.
      const left = this.skipLeft;
      if (left > 0 && left <= n - i) {
        i += left;
        this.skipLeft = 0;
      }
    }
  }

  /**
   * The common case first: items that lie whole in this chunk, each passed
   * over in one tight loop that keeps its counts in locals and cuts it. At the
   * first item that does not end in the chunk, or that has anything unusual
   * (an 8-byte length, an indefinite length, a reserved head, nesting at the
   * limit), it stops at that item's start and returns there: the general walk
   * then takes the item from its first byte with the same state as if this
   * loop had not run, so results and errors are the same, only slower.
   * Returns the index in `chunk` where the general walk goes on.
   */
  private wholeItems(chunk: Uint8Array, base: number, from: number): number {
    for (;;) {
      // The item may not reach beyond the frame limit. frameStart is where it began:
      // `from`, or before it when a top-level tag came in the previous chunk.
      const stop = Math.min(chunk.length, this.frameStart + this.maxFrameBytes - base);
      // An item likely longer than the rest of the chunk goes to the general walk at once, which
      // keeps its state into the next chunk; this loop would walk its start twice.
      if (stop - from < this.lastItem) return from;
      const fused = this.frameStart === base + from ? this.fused : undefined;
      let end = -1;
      // Decoded at once where the item very likely ends in the chunk; else walked first.
      const tried = fused !== undefined && stop - from >= this.lastItem + (this.lastItem >> 2);
      if (tried) end = this.decodeAhead(fused, chunk, base, from, stop);
      if (end < 0) {
        end = skipItem(chunk, from, stop, this.maxDepth, this.counts);
        if (end < 0) {
          // Longer than the rest of the chunk: the next items are likely as long.
          this.lastItem = Math.max(this.lastItem, stop - from + 1);
          return from;
        }
        if (fused !== undefined && !tried) this.decodeAhead(fused, chunk, base, from, end);
      }
      this.lastItem = end - from;
      this.cut(base + end, base + end);
      from = end;
      if (from === chunk.length) return from;
    }
  }

  /**
   * The item at `from` decoded by `decoder` and kept for its frame, if it
   * decodes within `stop`: returns where it ends, else -1 (the walk then
   * decides, and decode() finds the same fault when the frame comes).
   */
  private decodeAhead(decoder: CborFrameDecoder<unknown>, chunk: Uint8Array, base: number, from: number, stop: number): number {
    let value: unknown;
    try {
      value = decoder.decodeFirst(chunk, from, stop);
    } catch {
      return -1;
    }
    this.aheadAt.push(base + from);
    this.aheadValues.push(value);
    return from + decoder.itemLength;
  }

  /**
   * The common case in a tight loop, inside an open array or map: heads whose
   * argument lies in this chunk (up to 4 bytes; 8 for integers, tags and
   * floats), strings whose bytes do too, tags, and arrays and maps opened on
   * the stack. It stops before the last item of a container (closing is the
   * general way's, with its cut at the end of the top-level item), and before
   * anything that the general way could fail or must keep across chunks (a
   * head or string cut by the chunk's end, an 8-byte length, a reserved or
   * indefinite head, the depth and frame limits): that way then takes the
   * head from its first byte with the same state, so the results and errors
   * are the same, only slower. Returns where it stopped.
   */
  private walkCommon(chunk: Uint8Array, base: number, from: number): number {
    const stack = this.stack;
    let top = stack.length - 1;
    if (top < 0) return from;
    let left = stack[top]!;
    const n = chunk.length;
    // The furthest this item may reach within the frame limit, as an index into the chunk.
    const limit = Math.min(n, this.frameStart + this.maxFrameBytes - base);
    let i = from;
    while (left > 1 && i < limit) {
      const initial = chunk[i]!;
      const major = initial >>> 5;
      const ai = initial & 31;
      let argument = ai;
      let next = i + 1;
      if (ai >= 24) {
        if (ai === 24) {
          next = i + 2;
          if (next > limit) break;
          argument = chunk[i + 1]!;
        } else if (ai === 25) {
          next = i + 3;
          if (next > limit) break;
          argument = (chunk[i + 1]! << 8) | chunk[i + 2]!;
        } else if (ai === 26) {
          next = i + 5;
          if (next > limit) break;
          argument = readArgument(chunk, i + 1, 4);
        } else if (ai === 27 && (major < 2 || major > 5)) {
          // An 8-byte integer, tag number or float: its value does not matter here.
          next = i + 9;
          if (next > limit) break;
        } else {
          break;
        }
      }
      if (major === 6) {
        // A tag prefixes the next item: it opens nothing and ends nothing.
        i = next;
        continue;
      }
      if (major === 7 && ai >= 28) break; // reserved, or a break code
      if (major === 4 || major === 5) {
        // Counted as the decoder counts: an empty array or map is a level too.
        if (stack.length >= this.maxDepth) break;
        if (argument > 0) {
          const items = major === 5 ? argument * 2 : argument;
          if (next + items > limit) break;
          stack[top] = left;
          stack.push(items);
          top++;
          left = items;
          i = next;
          continue;
        }
      } else if (major === 2 || major === 3) {
        next += argument;
        if (next > limit) break;
      }
      i = next;
      left--;
    }
    stack[top] = left;
    return i;
  }

  /** One head read; `end` is the stream offset just past it. */
  private onHead(initial: number, argument: number, end: number): void {
    if (end - this.frameStart > this.maxFrameBytes) return this.itemTooLarge(end);
    const major = initial >>> 5;
    switch (major) {
      case 0:
      case 1:
      case MAJOR_SIMPLE:
        return this.itemDone(end);
      case 2:
      case 3:
        if (end + argument - this.frameStart > this.maxFrameBytes) return this.itemTooLarge(end + argument);
        this.skipLeft = argument;
        return this.itemDone(end + argument);
      case 4:
      case 5: {
        // Counted as the decoder counts: an empty array or map is a level too.
        if (this.stack.length >= this.maxDepth) {
          return this.failWith('nesting-too-deep', `CBOR arrays/maps nested deeper than maxDepth (${this.maxDepth})`);
        }
        if (argument === 0) return this.itemDone(end);
        // Every item takes at least one byte: a count the frame cannot hold fails now.
        const items = major === 5 ? argument * 2 : argument;
        if (end + items - this.frameStart > this.maxFrameBytes) return this.itemTooLarge(end + items);
        this.stack.push(items);
        return;
      }
      case MAJOR_TAG:
        // A tag prefixes the next item; it opens nothing and ends nothing.
        return;
    }
  }

  /** An item ended at `end`: count it in its container, or cut the frame if it was top-level. */
  private itemDone(end: number): void {
    const stack = this.stack;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const left = stack[top]! - 1;
      if (left > 0) {
        stack[top] = left;
        return;
      }
      stack.pop();
    }
    this.lastItem = end - this.frameStart;
    this.cut(end, end);
  }

  private malformed(initial: number, ai: number): void {
    const major = initial >>> 5;
    if (ai === 31) {
      const what = major === MAJOR_SIMPLE ? 'a break code outside an indefinite-length item' : `an indefinite-length item (major type ${major})`;
      this.failWith('invalid-cbor', `${what}: Kubernetes CBOR uses definite lengths only`);
    } else {
      this.failWith('invalid-cbor', `reserved additional information ${ai} in head byte 0x${initial.toString(16).padStart(2, '0')}`);
    }
  }

  private itemTooLarge(end: number): void {
    this.failWith('frame-too-large', `item of ${end - this.frameStart} bytes or more, over maxFrameBytes (${this.maxFrameBytes})`);
  }

  private failWith(code: 'invalid-cbor' | 'frame-too-large' | 'nesting-too-deep', detail: string): void {
    this.fail(new DecodeError(code, detail));
  }

  /** Every frame is an item: there is no blank space between CBOR items. */
  protected isDocument(): boolean {
    return true;
  }

  /** Bytes left at the end of input are an item cut short. */
  protected checkEnd(rest: Uint8Array): DecodeError | undefined {
    return rest.length === 0 ? undefined : new DecodeError('truncated', `input ended inside a CBOR item (${rest.length} bytes of it received)`);
  }
}

/** The unsigned argument in `size` bytes at `at`, big-endian (an 8-byte one as the nearest double: only compared to limits). */
function readArgument(bytes: Uint8Array, at: number, size: number): number {
  switch (size) {
    case 1:
      return bytes[at]!;
    case 2:
      return (bytes[at]! << 8) | bytes[at + 1]!;
    case 4:
      return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    default:
      return readArgument(bytes, at, 4) * TWO_32 + readArgument(bytes, at + 4, 4);
  }
}

/**
 * The index just past the item starting at `at`, if it ends at or before
 * `stop`, has nothing unusual and nests less than `maxDepth`; otherwise -1
 * (the caller's general walk then decides). `counts` is scratch space.
 */
function skipItem(chunk: Uint8Array, at: number, stop: number, maxDepth: number, counts: number[]): number {
  let i = at;
  let depth = 0;
  let left = 1;
  for (;;) {
    if (i >= stop) return -1;
    const initial = chunk[i]!;
    const major = initial >>> 5;
    const ai = initial & 31;
    let argument = ai;
    if (ai < 24) i += 1;
    else if (ai === 24) {
      if (i + 1 >= stop) return -1;
      argument = chunk[i + 1]!;
      i += 2;
    } else if (ai === 25) {
      if (i + 2 >= stop) return -1;
      argument = (chunk[i + 1]! << 8) | chunk[i + 2]!;
      i += 3;
    } else if (ai === 26) {
      if (i + 4 >= stop) return -1;
      argument = readArgument(chunk, i + 1, 4);
      i += 5;
    } else if (ai === 27 && (major < 2 || major > 5)) {
      // An 8-byte integer, tag number or float: its value does not matter here.
      i += 9;
      if (i > stop) return -1;
    } else {
      // 8-byte lengths and counts, reserved 28-30, indefinite 31: the general walk.
      return -1;
    }
    switch (major) {
      case 2:
      case 3:
        i += argument;
        if (i > stop) return -1;
        break;
      case 4:
      case 5:
        // Counted as the general walk counts: an empty array or map is a level too.
        if (depth >= maxDepth) return -1;
        if (argument === 0) break;
        counts[depth++] = left;
        left = major === 5 ? argument * 2 : argument;
        continue;
      case 6:
        // A tag prefixes the next item.
        continue;
      default:
        break;
    }
    // An item ended: count it in its container, and close every container it fills.
    while (--left === 0) {
      if (depth === 0) return i;
      left = counts[--depth]!;
    }
  }
}
