/**
 * The bytes a framer has been given and not yet cut into frames, kept as the
 * chunks they arrived in. Nothing is copied until a frame is taken, and a frame
 * that lies inside one chunk is returned as a view of it, so framing stays
 * linear in the bytes seen whatever the chunking.
 *
 * Positions are relative to the first unconsumed byte. Lookups remember the
 * chunk they ended in, so a framer that scans forward (the usual case) pays
 * O(1) per call instead of walking the chunk list from the start each time.
 */
/** Stands in for a consumed chunk, so the queue stops referencing its bytes at once. */
const CONSUMED = new Uint8Array(0);
/** compact() leaves buffers smaller than this alone: copying would cost more than it frees. */
const COMPACT_MIN_BYTES = 16 * 1024;

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Index in `chunks` of the first chunk still holding unconsumed bytes. */
  private first = 0;
  /** Unconsumed bytes start at this offset inside chunks[first]. */
  private headOffset = 0;
  private total = 0;
  /** Cursor cache: chunk index and the queue position where that chunk's bytes start. */
  private cursorChunk = 0;
  private cursorBase = 0;

  /** Bytes held and not yet taken. */
  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    const last = this.chunks.length - 1;
    const tail = this.chunks[last];
    if (last >= this.first && tail !== undefined && tail.buffer === chunk.buffer && tail.byteOffset + tail.length === chunk.byteOffset) {
      // The next bytes of the same buffer (decodeStream hands a chunk over in steps): one view
      // of both, so a frame across the join is still taken without a copy.
      this.chunks[last] = new Uint8Array(tail.buffer, tail.byteOffset, tail.length + chunk.length);
      return;
    }
    this.chunks.push(chunk);
  }

  /** Position of the first `byte` at or after `from`, or -1. */
  indexOf(byte: number, from: number): number {
    if (from >= this.total) return -1;
    this.seek(from);
    let base = this.cursorBase;
    for (let i = this.cursorChunk; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const startInChunk = i === this.first ? this.headOffset : 0;
      const searchFrom = Math.max(from - base, 0) + startInChunk;
      const hit = chunk.indexOf(byte, searchFrom);
      if (hit !== -1) {
        this.cursorChunk = i;
        this.cursorBase = base;
        return base + hit - startInChunk;
      }
      base += chunk.length - startInChunk;
    }
    // Leave the cursor on the last chunk: the next search starts there.
    const last = this.chunks.length - 1;
    this.cursorChunk = last;
    this.cursorBase = this.total - (this.chunks[last]!.length - (last === this.first ? this.headOffset : 0));
    return -1;
  }

  /** The byte at `pos` (which must be below `length`). */
  byteAt(pos: number): number {
    this.seek(pos);
    const startInChunk = this.cursorChunk === this.first ? this.headOffset : 0;
    return this.chunks[this.cursorChunk]![pos - this.cursorBase + startInChunk]!;
  }

  /** Removes and returns the first `n` bytes as one contiguous array. */
  take(n: number): Uint8Array {
    if (n > this.total) throw new RangeError(`take(${n}) with ${this.total} bytes held`);
    const head = this.chunks[this.first];
    let out: Uint8Array;
    if (head !== undefined && head.length - this.headOffset >= n) {
      out = head.subarray(this.headOffset, this.headOffset + n);
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      for (let i = this.first; filled < n; i++) {
        const chunk = this.chunks[i]!;
        const start = i === this.first ? this.headOffset : 0;
        const count = Math.min(chunk.length - start, n - filled);
        // A whole chunk goes in as it is: a view per chunk costs more than its copy at 1 KiB.
        out.set(start === 0 && count === chunk.length ? chunk : chunk.subarray(start, start + count), filled);
        filled += count;
      }
    }
    this.drop(n);
    return out;
  }

  /**
   * Copies out the bytes held when they are a small part of the buffers that
   * hold them (a part of a frame at the end of a 64 KiB chunk), so those
   * buffers can be freed. For a stream waiting for input: an idle watch would
   * otherwise keep a whole chunk alive for a few bytes of its next frame.
   */
  compact(): void {
    if (this.total === 0) return;
    let retained = 0;
    for (let i = this.first; i < this.chunks.length; i++) retained += this.chunks[i]!.buffer.byteLength;
    if (retained < COMPACT_MIN_BYTES || this.total * 4 > retained) return;
    const held = this.take(this.total);
    if (held.buffer.byteLength === held.length) {
      this.push(held); // take() copied them already (they spanned chunks)
      return;
    }
    // A view of one chunk: copied by hand, because a Node Buffer's slice() is a view too.
    const copy = new Uint8Array(held.length);
    copy.set(held);
    this.push(copy);
  }

  /** Removes the first `n` bytes (at most `length`). */
  drop(n: number): void {
    let left = Math.min(n, this.total);
    this.total -= left;
    while (left > 0) {
      const chunk = this.chunks[this.first]!;
      const avail = chunk.length - this.headOffset;
      if (avail > left) {
        this.headOffset += left;
        left = 0;
      } else {
        left -= avail;
        // Let the chunk go now: with JSON lines the queue is rarely empty at a
        // chunk boundary, and up to 1024 consumed chunks would stay reachable.
        this.chunks[this.first] = CONSUMED;
        this.first++;
        this.headOffset = 0;
      }
    }
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
      this.headOffset = 0;
    } else if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      // Compact now and then so the list of consumed placeholders does not grow forever.
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
    this.cursorChunk = this.first;
    this.cursorBase = 0;
  }

  /** Moves the cursor to the chunk holding `pos`, forward from the cache when it can. */
  private seek(pos: number): void {
    if (pos < this.cursorBase || this.cursorChunk < this.first) {
      this.cursorChunk = this.first;
      this.cursorBase = 0;
    }
    let i = this.cursorChunk;
    let base = this.cursorBase;
    for (;;) {
      const chunk = this.chunks[i]!;
      const size = chunk.length - (i === this.first ? this.headOffset : 0);
      if (pos < base + size || i === this.chunks.length - 1) break;
      base += size;
      i++;
    }
    this.cursorChunk = i;
    this.cursorBase = base;
  }
}
