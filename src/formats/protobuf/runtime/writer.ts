/**
 * What generated encoders share: int64 writing, sorted map entries (Go sorts
 * map keys; protobufjs would keep JS key order), and the wire forms of the
 * special kinds, each the inverse of its decoder in reader.ts.
 */
import { parseDuration } from '../../../kubernetes/go-duration.js';
import { parseRfc3339 } from '../../../kubernetes/go-time.js';

const TWO_32 = 4294967296;
/** Largest buffer the shared writer keeps between encodes. */
const RETAINED_BYTES = 1 << 20;
const textEncoder = new TextEncoder();
const BASE64_VALUES = /* @__PURE__ */ (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/**
 * A protobuf writer into one growing buffer. protobufjs's Writer queues an
 * operation object (and for fork, a state object) per value and copies
 * everything at finish; this one writes bytes in place. A nested message
 * (fork ... ldelim) gets one byte for its length up front, which fits every
 * message under 128 bytes; a longer one moves its bytes up by the extra
 * length bytes once, at ldelim. Same bytes as protobufjs writes (the tests
 * encode all fixtures byte for byte), except that a lone UTF-16 surrogate
 * becomes U+FFFD, as Go writes a string decoded from such JSON.
 */
export class Writer {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;
  /** Positions of the length bytes of the messages being written (fork ... ldelim). */
  private readonly starts: number[] = [];

  constructor(size = 1024) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes (callers check first: the check stays inline where it is hot). */
  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  uint32(value: number): this {
    value >>>= 0;
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    let pos = this.pos;
    while (value > 127) {
      buf[pos++] = (value & 127) | 128;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
    return this;
  }

  /** int32 as Go writes it: a negative value is sign-extended to 64 bits (10 bytes). */
  int32(value: number): this {
    return value < 0 ? this.int64(value) : this.uint32(value);
  }

  sint32(value: number): this {
    return this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** An integer (exact up to 2^53) as a 64-bit two's-complement varint. */
  int64(value: number): this {
    if (value >= 0 && value < TWO_32) return this.uint32(value);
    const negative = value < 0;
    if (negative) value = -value;
    let lo = value >>> 0;
    let hi = ((value - lo) / TWO_32) >>> 0;
    if (negative) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
      if (++lo > 0xffffffff) {
        lo = 0;
        hi = (hi + 1) >>> 0;
      }
    }
    return this.int64Bits(lo, hi);
  }

  /** The varint of the 64 bits hi:lo (each an unsigned 32-bit number). */
  int64Bits(lo: number, hi: number): this {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0) {
      buf[pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      buf[pos++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
    return this;
  }

  bool(value: boolean): this {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  double(value: number): this {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  /** 4 bytes, little-endian. */
  fixed32(value: number): this {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): this {
    const n = value.length;
    // ASCII (the common case) is written char by char behind a one-byte length when short.
    if (n < 128) {
      if (this.pos + n + 1 > this.buf.length) this.grow(n + 1);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const code = value.charCodeAt(i);
        if (code > 127) break;
        buf[pos++] = code;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = pos;
        return this;
      }
    }
    // Otherwise: at most 3 bytes per UTF-16 unit; encode behind room for the longest length, then close the gap.
    const max = n * 3;
    const room = varintSize(max);
    if (this.pos + room + max > this.buf.length) this.grow(room + max);
    const start = this.pos;
    const { written } = textEncoder.encodeInto(value, this.buf.subarray(start + room, start + room + max));
    const size = varintSize(written);
    if (size !== room) this.buf.copyWithin(start + size, start + room, start + room + written);
    this.pos = start;
    this.uint32(written);
    this.pos = start + size + written;
    return this;
  }

  /** Length-delimited bytes, from their JSON form (standard base64, checked by the caller) or as bytes. */
  bytes(value: string | Uint8Array): this {
    if (typeof value !== 'string') {
      this.uint32(value.length);
      if (this.pos + value.length > this.buf.length) this.grow(value.length);
      this.buf.set(value, this.pos);
      this.pos += value.length;
      return this;
    }
    let length = (value.length / 4) * 3;
    if (value.endsWith('==')) length -= 2;
    else if (value.endsWith('=')) length -= 1;
    this.uint32(length);
    if (this.pos + length > this.buf.length) this.grow(length);
    const buf = this.buf;
    let pos = this.pos;
    let bits = 0;
    let count = 0;
    for (let i = 0; i < value.length; i++) {
      const v = BASE64_VALUES[value.charCodeAt(i)]!;
      if (v < 0) break; // padding
      bits = (bits << 6) | v;
      count += 6;
      if (count >= 8) {
        count -= 8;
        buf[pos++] = (bits >>> count) & 0xff;
      }
    }
    this.pos = pos;
    return this;
  }

  /** Starts a nested message: its length goes before it, at ldelim. */
  fork(): this {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.starts.push(this.pos);
    this.pos++;
    return this;
  }

  /** Ends the message of the last fork and writes its length. */
  ldelim(): this {
    const start = this.starts.pop()!;
    const length = this.pos - start - 1;
    if (length < 128) {
      this.buf[start] = length;
      return this;
    }
    const size = varintSize(length);
    if (this.pos + size - 1 > this.buf.length) this.grow(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    this.pos = start;
    this.uint32(length);
    this.pos = start + size + length;
    return this;
  }

  /** Empty again, keeping the buffer (also after an encode that threw midway). */
  reset(): this {
    this.pos = 0;
    this.starts.length = 0;
    // A huge object (a 32 MiB ConfigMap) should not pin its buffer for the life of the process.
    if (this.buf.length > RETAINED_BYTES) {
      this.buf = new Uint8Array(RETAINED_BYTES);
      this.view = new DataView(this.buf.buffer);
    }
    return this;
  }

  /** The bytes written, as a buffer of their own. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : value < 268435456 ? 4 : 5;
}

export type MessageEncoder = (w: Writer, value: any) => void;

/**
 * One writer reused by every encode: encoding is synchronous and never
 * nested, and finish() copies the bytes out, so its buffer (grown to the
 * largest object seen) is not reallocated per object.
 */
const shared = /* @__PURE__ */ new Writer(16 * 1024);

export function createWriter(): Writer {
  return shared.reset();
}

/** Encoder input that is not what the JSON form allows. */
export class EncodeError extends TypeError {
  override readonly name = 'EncodeError';
}

function bad(what: string, value: unknown): EncodeError {
  return new EncodeError(`cannot encode ${JSON.stringify(value)?.slice(0, 80) ?? String(value)} as ${what}`);
}

/** int64 from a JSON number (or BigInt, or decimal string), as a varint. */
export function w64(w: Writer, value: unknown): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw bad('int64', value);
    w.int64(value);
  } else if (typeof value === 'bigint') {
    const v = BigInt.asUintN(64, value);
    w.int64Bits(Number(v & 0xffffffffn), Number(v >> 32n));
  } else if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    w64(w, BigInt(value));
  } else {
    throw bad('int64', value);
  }
}

export function w32(w: Writer, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw bad('int32', value);
  w.int32(value);
}

export function wstr(w: Writer, value: unknown): void {
  if (typeof value !== 'string') throw bad('string', value);
  w.string(value);
}

export function wbool(w: Writer, value: unknown): void {
  if (typeof value !== 'boolean') throw bad('bool', value);
  w.bool(value);
}

export function wdouble(w: Writer, value: unknown): void {
  if (typeof value !== 'number') throw bad('double', value);
  w.double(value);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Go []byte from its JSON form (standard base64). */
export function wbytes(w: Writer, value: unknown): void {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) throw bad('base64 bytes', value);
  w.bytes(value);
}

/** Go sorts map keys as byte strings: UTF-8 order is code point order, not UTF-16 order. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export function sortedKeys(map: object): string[] {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw bad('map', map);
  return Object.keys(map).sort(compareKeys);
}

export function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw bad('list', value);
  return value;
}

export function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('object', value);
  return value as Record<string, unknown>;
}

export function mapString(w: Writer, tag: number, map: unknown): void {
  const m = map as Record<string, unknown>;
  for (const k of sortedKeys(m)) {
    w.uint32(tag).fork().uint32(10).string(k).uint32(18);
    wstr(w, m[k]);
    w.ldelim();
  }
}

export function mapBytes(w: Writer, tag: number, map: unknown): void {
  const m = map as Record<string, unknown>;
  for (const k of sortedKeys(m)) {
    w.uint32(tag).fork().uint32(10).string(k);
    const v = m[k];
    if (v !== null) {
      w.uint32(18);
      wbytes(w, v);
    }
    w.ldelim();
  }
}

export function mapMessage(w: Writer, tag: number, map: unknown, encode: MessageEncoder): void {
  const m = map as Record<string, unknown>;
  for (const k of sortedKeys(m)) {
    w.uint32(tag).fork().uint32(10).string(k).uint32(18).fork();
    encode(w, m[k]);
    w.ldelim().ldelim();
  }
}

// ---- special kinds: each writes the body of its message ----------------------------

/** Parsed times by their text: objects repeat the same timestamps (creation, conditions, managedFields) across events. */
const times = /* @__PURE__ */ new Map<string, { seconds: number; nanos: number }>();

function timeParts(value: unknown, what: string): { seconds: number; nanos: number } {
  if (typeof value !== 'string') throw bad(what, value);
  let t = times.get(value);
  if (t === undefined) {
    t = parseRfc3339(value);
    if (t === undefined) throw bad(what, value);
    if (times.size >= 1024) times.clear();
    times.set(value, t);
  }
  return t;
}

/** meta/v1 Time: null is the zero time, an empty message. */
export function encodeTime(w: Writer, value: unknown): void {
  if (value === null || value === undefined) return;
  const { seconds, nanos } = timeParts(value, 'Time (RFC 3339)');
  w.uint32(8).int64(seconds).uint32(16).int32(nanos);
}

export function encodeMicroTime(w: Writer, value: unknown): void {
  if (value === null || value === undefined) return;
  const { seconds, nanos } = timeParts(value, 'MicroTime (RFC 3339)');
  // MicroTime keeps microseconds only.
  w.uint32(8).int64(seconds).uint32(16).int32(nanos - (nanos % 1000));
}

export function encodeDuration(w: Writer, value: unknown): void {
  const nanos = typeof value === 'string' ? parseDuration(value) : value === undefined ? 0n : undefined;
  if (nanos === undefined) throw bad('Duration', value);
  w.uint32(8);
  w64(w, nanos);
}

export function encodeQuantity(w: Writer, value: unknown): void {
  // A JSON number is a valid Quantity too (Go accepts `"cpu": 1`); its canonical text is the number.
  const text = value === undefined || value === null ? '0' : typeof value === 'number' ? String(value) : value;
  w.uint32(10);
  wstr(w, text);
}

export function encodeIntOrString(w: Writer, value: unknown): void {
  if (typeof value === 'string') w.uint32(8).int64(1).uint32(16).int32(0).uint32(26).string(value);
  else if (value === undefined || value === null) w.uint32(8).int64(0).uint32(16).int32(0).uint32(26).string('');
  else {
    w.uint32(8).int64(0).uint32(16);
    w32(w, value);
    w.uint32(26).string('');
  }
}

function rawJson(w: Writer, field: number, value: unknown): void {
  if (value === null || value === undefined) return;
  // The JSON text as a length-delimited string: the same bytes as its UTF-8 as `bytes`, without the copy.
  w.uint32((field << 3) | 2).string(JSON.stringify(value));
}

export function encodeRawJson1(w: Writer, value: unknown): void {
  rawJson(w, 1, value);
}

export function encodeRawJson2(w: Writer, value: unknown): void {
  rawJson(w, 2, value);
}

export function encodeNamedSlice(w: Writer, value: unknown): void {
  if (value === null || value === undefined) return;
  for (const item of list(value)) {
    w.uint32(10);
    wstr(w, item);
  }
}

export function encodeSchemaOrArray(w: Writer, value: unknown, props: MessageEncoder): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) {
      w.uint32(18).fork();
      props(w, object(item));
      w.ldelim();
    }
  } else {
    w.uint32(10).fork();
    props(w, object(value));
    w.ldelim();
  }
}

export function encodeSchemaOrBool(w: Writer, value: unknown, props: MessageEncoder): void {
  if (typeof value === 'boolean') {
    w.uint32(8).bool(value);
  } else if (value === null || value === undefined) {
    w.uint32(8).bool(false);
  } else {
    // A schema means "allowed": Go sets Allows = true alongside it.
    w.uint32(8).bool(true).uint32(18).fork();
    props(w, object(value));
    w.ldelim();
  }
}

export function encodeSchemaOrStrings(w: Writer, value: unknown, props: MessageEncoder): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) {
      w.uint32(18);
      wstr(w, item);
    }
  } else {
    w.uint32(10).fork();
    props(w, object(value));
    w.ldelim();
  }
}
