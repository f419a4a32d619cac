import type { Encoder } from '../../core/codec.js';
import type { KubeObject, WatchEvent } from '../../core/event.js';
import { float16BitsOf } from './float16.js';
import { SELF_DESCRIBED_HEAD, TAG_BASE64 } from './constants.js';

/**
 * How strings are written:
 * - `'kubernetes'`: every string and map key as a byte string (major type 2)
 *   holding UTF-8, as the API server writes unstructured objects;
 * - `'plain'`: text strings (major type 3), what generic CBOR tools expect.
 */
export type CborStringStyle = 'kubernetes' | 'plain';

export interface CborEncoderOptions {
  /** Default `'kubernetes'`. */
  strings?: CborStringStyle;
}

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1 << 5;
const MAJOR_BYTES = 2 << 5;
const MAJOR_TEXT = 3 << 5;
const MAJOR_ARRAY = 4 << 5;
const MAJOR_MAP = 5 << 5;
const MAJOR_TAG = 6 << 5;
const TWO_32 = 2 ** 32;
const TWO_64 = 2 ** 64;
const TWO_53 = 2 ** 53;

/**
 * Hand-written rather than cbor-x's Encoder: as of cbor-x 1.6.8 its encoder
 * cannot write JS strings as byte strings (Kubernetes style), cannot write
 * 16-bit floats (it stops at f32, so the shortest exact width is out of
 * reach), and picks f32 only by a decimal-rounding heuristic. The writer is
 * small: definite lengths only, a growable buffer reused between items.
 */
export class CborWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly stringMajor: number;

  constructor(strings: CborStringStyle = 'kubernetes') {
    this.stringMajor = strings === 'kubernetes' ? MAJOR_BYTES : MAJOR_TEXT;
  }

  /** The bytes written since the last call, as a fresh array. */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** Tag 55799 (`d9 d9 f7`), the self-described CBOR prefix. */
  selfDescribed(): void {
    this.reserve(3);
    this.buf.set(SELF_DESCRIBED_HEAD, this.pos);
    this.pos += 3;
  }

  /** An object as a map, with tag 55799 in front when `tagged`. */
  map(object: Record<string, unknown>, tagged: boolean): void {
    if (tagged) this.selfDescribed();
    const keys = Object.keys(object);
    let count = 0;
    for (const key of keys) if (object[key] !== undefined) count++;
    this.head(MAJOR_MAP, count);
    for (const key of keys) {
      const value = object[key];
      // As JSON.stringify: a key whose value is undefined is left out.
      if (value === undefined) continue;
      this.string(key);
      this.value(value);
    }
  }

  value(value: unknown): void {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.number(value);
      case 'boolean':
        return this.byte(value ? 0xf5 : 0xf4);
      case 'bigint':
        return this.bigint(value);
      case 'object':
        if (value === null) return this.byte(0xf6);
        if (Array.isArray(value)) {
          this.head(MAJOR_ARRAY, value.length);
          // As JSON.stringify: undefined in an array is null.
          for (const item of value) this.value(item === undefined ? null : item);
          return;
        }
        if (value instanceof Uint8Array) {
          // Go []byte: tag 22 (base64 in JSON) on a byte string.
          this.head(MAJOR_TAG, TAG_BASE64);
          this.head(MAJOR_BYTES, value.length);
          this.bytes(value);
          return;
        }
        // As JSON.stringify: an object with toJSON (a Date) is written as what that returns.
        if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return this.value((value as { toJSON(): unknown }).toJSON());
        return this.map(value as Record<string, unknown>, false);
      case 'undefined':
        return this.byte(0xf6);
      default:
        throw new TypeError(`cannot encode a ${typeof value} as CBOR`);
    }
  }

  private number(x: number): void {
    if (Number.isInteger(x) && !Object.is(x, -0) && x < TWO_64 && x >= -TWO_64) {
      // Every integral double in [-2^64, 2^64) is exact as a CBOR integer.
      if (x >= 0) this.head(MAJOR_UNSIGNED, x);
      else if (x >= -TWO_53) this.head(MAJOR_NEGATIVE, -1 - x);
      // -1 - x would round beyond 2^53: take the exact route.
      else this.bigint(BigInt(x));
      return;
    }
    const half = float16BitsOf(x);
    if (half !== -1) {
      this.reserve(3);
      this.buf[this.pos] = 0xf9;
      this.view.setUint16(this.pos + 1, half);
      this.pos += 3;
    } else if (Math.fround(x) === x) {
      this.reserve(5);
      this.buf[this.pos] = 0xfa;
      this.view.setFloat32(this.pos + 1, x);
      this.pos += 5;
    } else {
      this.reserve(9);
      this.buf[this.pos] = 0xfb;
      this.view.setFloat64(this.pos + 1, x);
      this.pos += 9;
    }
  }

  private bigint(x: bigint): void {
    const negative = x < 0n;
    const n = negative ? -1n - x : x;
    if (n >= 1n << 64n) throw new RangeError(`${x} does not fit a 64-bit CBOR integer`);
    const major = negative ? MAJOR_NEGATIVE : MAJOR_UNSIGNED;
    if (n < 0x1_0000_0000n) return this.head(major, Number(n));
    this.reserve(9);
    this.buf[this.pos] = major | 27;
    this.view.setBigUint64(this.pos + 1, n);
    this.pos += 9;
  }

  string(text: string): void {
    const length = text.length;
    // Short ASCII (most keys and values): one pass, no TextEncoder call.
    if (length < 24) {
      this.reserve(1 + length);
      const start = this.pos + 1;
      let i = 0;
      for (; i < length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[start + i] = c;
      }
      if (i === length) {
        this.buf[this.pos] = this.stringMajor | length;
        this.pos = start + length;
        return;
      }
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: reserve a head for that,
    // encode in place, then close the gap if the real head is shorter.
    const most = length * 3;
    const reserved = headSize(most);
    // Room for the longest head too: head() must not grow the buffer past the bytes just written.
    this.reserve(9 + most);
    const { written } = encoder.encodeInto(text, this.buf.subarray(this.pos + reserved));
    const actual = headSize(written);
    if (actual !== reserved) {
      this.buf.copyWithin(this.pos + actual, this.pos + reserved, this.pos + reserved + written);
    }
    this.head(this.stringMajor, written);
    this.pos += written;
  }

  private bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  /** A head with the shortest argument form (RFC 8949 preferred serialization). */
  head(major: number, n: number): void {
    this.reserve(9);
    const buf = this.buf;
    if (n < 24) {
      buf[this.pos++] = major | n;
    } else if (n < 0x100) {
      buf[this.pos++] = major | 24;
      buf[this.pos++] = n;
    } else if (n < 0x10000) {
      buf[this.pos++] = major | 25;
      buf[this.pos++] = n >>> 8;
      buf[this.pos++] = n & 0xff;
    } else if (n < TWO_32) {
      buf[this.pos] = major | 26;
      this.view.setUint32(this.pos + 1, n);
      this.pos += 5;
    } else {
      buf[this.pos] = major | 27;
      this.view.setUint32(this.pos + 1, Math.floor(n / TWO_32));
      this.view.setUint32(this.pos + 5, n % TWO_32);
      this.pos += 9;
    }
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}

const encoder = new TextEncoder();

function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < TWO_32 ? 5 : 9;
}

/**
 * One value as a CBOR item: objects as maps, tag 55799 in front of the
 * top-level map (Kubernetes style) when `strings` is `'kubernetes'`.
 */
export function encodeCbor(value: unknown, options: CborEncoderOptions = {}): Uint8Array {
  const style = options.strings ?? 'kubernetes';
  const writer = new CborWriter(style);
  writeTop(writer, value, style);
  return writer.finish();
}

function writeTop(writer: CborWriter, value: unknown, style: CborStringStyle): void {
  if (isPlainObject(value)) writer.map(value, style === 'kubernetes');
  else writer.value(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * Watch events as the API server writes them: `d9d9f7` + map {type, object},
 * the object map with its own `d9d9f7`. In plain style, no tags.
 */
export function createCborEventEncoder(options: CborEncoderOptions = {}): Encoder<WatchEvent> {
  const style = options.strings ?? 'kubernetes';
  const writer = new CborWriter(style);
  const tagged = style === 'kubernetes';
  return {
    encode(event) {
      if (tagged) writer.selfDescribed();
      writer.head(MAJOR_MAP, 2);
      writer.string('type');
      writer.string(event.type);
      writer.string('object');
      writer.map(event.object, tagged);
      return writer.finish();
    },
  };
}

/** Bare objects (an error Status, objects mode), one item each. */
export function createCborObjectEncoder(options: CborEncoderOptions = {}): Encoder<KubeObject> {
  const style = options.strings ?? 'kubernetes';
  const writer = new CborWriter(style);
  return {
    encode(object) {
      writeTop(writer, object, style);
      return writer.finish();
    },
  };
}
