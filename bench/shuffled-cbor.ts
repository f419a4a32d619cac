/**
 * Kubernetes CBOR as another encoder may write it: every map's keys in a
 * seeded random order per object (RFC 8949 and the API server leave the order
 * open), tag 55799 in front of some items and keys, small integers as f16
 * floats half of the time, every string a byte string. Written here, not by
 * watchwire's encoder, so the decoder is timed on bytes it did not make.
 */
import { Rng } from './corpus.js';

const utf8 = new TextEncoder();

/**
 * What the other encoder does; every part on by default. With `shuffle` off
 * and `tags` and `f16` off, the events come in watchwire's key order with the
 * same bytes per object as with `shuffle` alone on (every string a byte
 * string either way): the pair the bench's key-order bound rows time.
 */
export interface OtherEncoder {
  shuffle?: boolean;
  tags?: boolean;
  f16?: boolean;
}

export function shuffledCborStream(events: readonly unknown[], seed: number, options: OtherEncoder = {}): Uint8Array {
  const rng = new Rng(seed);
  const out = new Writer();
  const style: Required<OtherEncoder> = { shuffle: options.shuffle ?? true, tags: options.tags ?? true, f16: options.f16 ?? true };
  for (const event of events) {
    if (style.tags) out.bytes(0xd9, 0xd9, 0xf7);
    value(event, out, rng, style);
  }
  return out.finish();
}

function value(v: unknown, out: Writer, rng: Rng, style: Required<OtherEncoder>): void {
  if (style.tags && rng.next() < 0.05) out.bytes(0xd9, 0xd9, 0xf7);
  if (v === null || v === undefined) return out.bytes(0xf6);
  if (v === true) return out.bytes(0xf5);
  if (v === false) return out.bytes(0xf4);
  if (typeof v === 'number') return number(v, out, rng, style.f16);
  if (typeof v === 'string') return string(v, out);
  if (Array.isArray(v)) {
    out.head(4, v.length);
    for (const item of v) value(item, out, rng, style);
    return;
  }
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  if (style.shuffle) {
    for (let i = keys.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
  }
  out.head(5, keys.length);
  for (const key of keys) {
    if (style.tags && rng.next() < 0.03) out.bytes(0xd9, 0xd9, 0xf7);
    string(key, out);
    value(record[key], out, rng, style);
  }
}

function number(n: number, out: Writer, rng: Rng, f16s: boolean): void {
  const half = f16s && Number.isInteger(n) && n >= 0 && n <= 2048 && rng.next() < 0.5 ? f16(n) : -1;
  if (half >= 0) return out.bytes(0xf9, half >>> 8, half & 0xff);
  if (Number.isSafeInteger(n)) return n >= 0 ? out.head(0, n) : out.head(1, -1 - n);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  out.bytes(0xfb, ...new Uint8Array(view.buffer));
}

/** The f16 bits of a non-negative integer up to 2048 when exact, else -1. */
function f16(n: number): number {
  if (n === 0) return 0;
  const e = Math.floor(Math.log2(n));
  const m = (n / 2 ** e - 1) * 1024;
  return Number.isInteger(m) ? ((e + 15) << 10) | m : -1;
}

function string(text: string, out: Writer): void {
  const bytes = utf8.encode(text);
  out.head(2, bytes.length);
  out.append(bytes);
}

class Writer {
  private buf = new Uint8Array(1 << 20);
  private pos = 0;

  bytes(...values: number[]): void {
    this.reserve(values.length);
    for (const b of values) this.buf[this.pos++] = b;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) this.bytes(m | n);
    else if (n < 0x100) this.bytes(m | 24, n);
    else if (n < 0x10000) this.bytes(m | 25, n >>> 8, n & 0xff);
    else if (n < 2 ** 32) this.bytes(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    else {
      const high = Math.floor(n / 2 ** 32);
      this.bytes(m | 27, high >>> 24, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    }
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}
