/**
 * A cache of decoded strings by their bytes, for the binary decoders (CBOR map
 * keys and values, protobuf strings): Kubernetes objects repeat the same keys
 * and short values across objects and events, and a hit costs a compare of a
 * few words instead of building (and later collecting) a new string. Hits also
 * give one shared copy to objects a consumer keeps.
 */
/**
 * Decoded strings by a hash of their bytes, in flat arrays: a lookup compares
 * the bytes 4 at a time against one typed array (no entry objects to chase,
 * no copies of the bytes to allocate on a miss). A slot holds the last string
 * that hashed there.
 *
 * A string of n >= 4 bytes is compared as the words at 0, 4, ... (those that
 * fit) plus the word ending at its last byte (overlapping; every byte is
 * covered); a shorter one as one word of its bytes. Lengths are compared
 * first, so words of equal strings are equal and of unequal strings differ.
 */
export class StringCache {
  readonly texts: (string | undefined)[];
  /** For callers' use, by slot (the CBOR reader's key caches: the last map each key was read in). */
  readonly stamps: Int32Array;
  private readonly lengths: Uint8Array;
  private readonly words: Int32Array;
  private readonly slotWords: number;
  private readonly mask: number;
  /** The hash of the bytes given to the last `find` (before masking): a stable id of the string for callers. */
  hash = 0;

  constructor(bits: number, readonly maxLength: number) {
    const slots = 1 << bits;
    this.mask = slots - 1;
    this.slotWords = Math.ceil(maxLength / 4);
    this.texts = new Array<string | undefined>(slots);
    this.stamps = new Int32Array(slots);
    this.lengths = new Uint8Array(slots);
    this.words = new Int32Array(slots * this.slotWords);
  }

  /** The slot holding the `length` (1..maxLength) bytes at `start`, or -1. The bytes must be in the view. */
  find(view: DataView, start: number, length: number): number {
    const hash = slotOf(view, start, length);
    this.hash = hash;
    const slot = hash & this.mask;
    if (this.lengths[slot] !== length) return -1;
    const words = this.words;
    const base = slot * this.slotWords;
    if (length < 4) return words[base] === shortWord(view, start, length) ? slot : -1;
    const last = length - 4;
    let w = base;
    for (let i = 0; i < last; i += 4) {
      if (words[w] !== view.getInt32(start + i, true)) return -1;
      w++;
    }
    return words[w] === view.getInt32(start + last, true) ? slot : -1;
  }

  /** Puts `text`, the string of the `length` bytes at `start`, in its slot; returns the slot. */
  store(view: DataView, start: number, length: number, text: string): number {
    const slot = slotOf(view, start, length) & this.mask;
    const words = this.words;
    const base = slot * this.slotWords;
    this.lengths[slot] = length;
    this.texts[slot] = text;
    if (length < 4) {
      words[base] = shortWord(view, start, length);
      return slot;
    }
    const last = length - 4;
    let w = base;
    for (let i = 0; i < last; i += 4) words[w++] = view.getInt32(start + i, true);
    words[w] = view.getInt32(start + last, true);
    return slot;
  }
}

/** The bytes of a string of 1..3 bytes as one number. */
function shortWord(view: DataView, start: number, length: number): number {
  let word = view.getUint8(start);
  if (length > 1) word |= view.getUint8(start + 1) << 8;
  if (length > 2) word |= view.getUint8(start + 2) << 16;
  return word;
}

/** A hash of the `length` bytes at `start`, from their first and last words (the caller masks it). */
function slotOf(view: DataView, start: number, length: number): number {
  let h: number;
  if (length < 4) h = shortWord(view, start, length) ^ (length << 24);
  else h = Math.imul(view.getInt32(start, true), 0x9e3779b1) ^ view.getInt32(start + length - 4, true) ^ length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
