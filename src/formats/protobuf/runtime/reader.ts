/**
 * What generated decoders share: the decode context, bounded entry into
 * nested messages, int64 and bytes reading, unknown-field skipping, and the
 * JSON forms of the special kinds (Time, Quantity, IntOrString, ...).
 *
 * The generated code narrows `reader.len` to the end of each nested message,
 * so every read is bounds-checked against the message it belongs
 * to, not only against the frame.
 */
import { DecodeError } from '../../../core/errors.js';
import { type FieldFilter, fieldAction } from '../../../core/field-filter.js';
import type { Int64Mode } from '../../../core/int64.js';
import { StringCache } from '../../../core/string-cache.js';
import { parseJsonBytes } from '../../../core/json-parse.js';
import { formatDuration } from '../../../kubernetes/go-duration.js';
import { formatMicroTime, formatTime } from '../../../kubernetes/go-time.js';

export type J = Record<string, unknown>;

/** Per-decode state: nesting depth, limits, and the envelope's TypeMeta for the top object. */
export interface DecodeContext {
  depth: number;
  maxDepth: number;
  maxCollectionLength: number;
  /** Longest string or bytes field (and embedded raw JSON), in bytes. */
  maxStringBytes: number;
  int64: Int64Mode;
  /** kind/apiVersion from the envelope, consumed by the first TypeMeta-embedding object. */
  kind: string;
  apiVersion: string;
  top: boolean;
  /**
   * Field selection for the next generated message decoder to start: it
   * takes the filter (and clears it) before reading any field. Set only by
   * the object reader and by skipField, right before a message field.
   */
  filter: FieldFilter | undefined;
  /** Set by str(): the string it returned was in the string cache (seen recently). */
  cached: boolean;
}

function invalid(detail: string): DecodeError {
  return new DecodeError('invalid-protobuf', detail);
}

function overrun(what: string, pos: number): DecodeError {
  return invalid(`${what} at byte ${pos} overruns the message`);
}

/**
 * The wire reader the generated decoders share: `buf` from `pos` up to
 * `len`, which they narrow to the end of each nested message. Our own and
 * not protobufjs's: protobufjs/minimal brings its writer, `long` and RPC
 * helpers (about 40 KiB of a core/v1 browser bundle) to a decoder that uses
 * five reads; and every field here is set in the constructor (one hidden
 * class; protobufjs's got `view` added after it), with `buf` always a plain
 * Uint8Array (a Node Buffer is another map: element loads would see two).
 */
const EMPTY_BYTES = /* @__PURE__ */ new Uint8Array(0);
const EMPTY_VIEW = /* @__PURE__ */ new DataView(EMPTY_BYTES.buffer);
/** The largest buffer a reused Reader holds on to between frames. */
const RETAINED_BYTES = 1 << 20;

export class Reader {
  buf: Uint8Array;
  pos: number;
  len: number;
  /** All of buf's ArrayBuffer, for the string cache's word compares and doubles: buf[i] is at view offset `base + i`. */
  view: DataView;
  base: number;

  constructor(bytes: Uint8Array) {
    this.buf = EMPTY_BYTES;
    this.pos = 0;
    this.len = 0;
    this.view = EMPTY_VIEW;
    this.base = 0;
    this.reset(bytes);
  }

  /**
   * Reads `bytes` from the start. A decoder keeps one Reader for all its
   * frames: frames cut from one chunk share its ArrayBuffer, and so one
   * DataView (making one per frame was 3% of a ConfigMap's decode).
   */
  reset(bytes: Uint8Array): void {
    const buf = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = buf;
    this.pos = 0;
    this.len = buf.length;
    this.base = buf.byteOffset;
    if (this.view.buffer !== buf.buffer) this.view = new DataView(buf.buffer);
  }

  /** Lets go of the bytes when they are large (a reused Reader would keep them until the next frame); `always`: whatever their size. */
  release(always = false): void {
    if (always || this.view.byteLength > RETAINED_BYTES) {
      this.buf = EMPTY_BYTES;
      this.pos = this.len = this.base = 0;
      this.view = EMPTY_VIEW;
    }
  }

  /**
   * A varint's low 32 bits, unsigned. Bytes past `len` read as the end of
   * the varint (a typed array gives undefined past its end), and the check
   * before returning throws: one compare per varint instead of one per byte.
   */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    let value = b & 127;
    if (b < 128) {
      if (pos > this.len) throw overrun('varint', this.pos);
      this.pos = pos;
      return value;
    }
    b = buf[pos++]!;
    value |= (b & 127) << 7;
    if (b < 128) {
      if (pos > this.len) throw overrun('varint', this.pos);
      this.pos = pos;
      return value;
    }
    return this.uint32From(pos, value);
  }

  /** Bytes 3.. of a varint, `value` holding the first two. */
  private uint32From(pos: number, value: number): number {
    const buf = this.buf;
    let b = buf[pos++]!;
    value |= (b & 127) << 14;
    if (b > 127) {
      b = buf[pos++]!;
      value |= (b & 127) << 21;
      if (b > 127) {
        b = buf[pos++]!;
        // Bits past 32 fall off the shift, as Go's uint32 conversion drops them.
        value |= b << 28;
        if (b > 127) pos = this.varintRest(pos);
      }
    }
    if (pos > this.len) throw overrun('varint', this.pos);
    this.pos = pos;
    return value >>> 0;
  }

  /** The bytes 6..10 of a varint (a negative int32 has all ten): skipped. */
  private varintRest(pos: number): number {
    for (let i = 0; i < 5; i++) {
      if (pos >= this.len) throw overrun('varint', this.pos);
      if (this.buf[pos++]! < 128) return pos;
    }
    throw invalid(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const v = this.uint32();
    return ((v >>> 1) ^ -(v & 1)) | 0;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.len) throw overrun('double', pos);
    this.pos = pos + 8;
    return this.view.getFloat64(this.base + pos, true);
  }

  float(): number {
    const pos = this.pos;
    if (pos + 4 > this.len) throw overrun('float', pos);
    this.pos = pos + 4;
    return this.view.getFloat32(this.base + pos, true);
  }

  /** Skips `length` bytes, or one varint without a length. */
  skip(length?: number): this {
    if (length === undefined) {
      const buf = this.buf;
      let pos = this.pos;
      do {
        if (pos >= this.len) throw overrun('varint', this.pos);
      } while (buf[pos++]! & 128);
      this.pos = pos;
    } else {
      if (this.pos + length > this.len) throw overrun(`${length} bytes`, this.pos);
      this.pos += length;
    }
    return this;
  }
}

/** A Reader over `bytes` (a Node Buffer too). */
export function createReader(bytes: Uint8Array): Reader {
  return new Reader(bytes);
}

const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

type Utf8Slice = (this: Uint8Array, start: number, end: number) => string;
/**
 * Node's Buffer#utf8Slice where this is Node (read off globalThis: browsers
 * have TextDecoder only). It decodes as TextDecoder does, invalid sequences
 * to the same U+FFFDs (compared on 300,000 random invalid sequences, Node
 * 20, 22 and 24), without TextDecoder's per-call argument checks: 35-40 ns
 * less per string (85 -> 47 ns for 16 bytes), and a Pod has a few hundred.
 */
const utf8Slice = /* @__PURE__ */ (() => {
  const g = globalThis as { Buffer?: { prototype: { utf8Slice?: Utf8Slice } }; process?: { versions?: Record<string, string | undefined> } };
  // Node's own only: a page may set a polyfilled Buffer global (the npm
  // \`buffer\` package has a JS utf8Slice that replaces invalid bytes one by
  // one, not as TextDecoder does), and Bun or Deno have their own.
  const versions = g.process?.versions;
  if (typeof versions?.node !== 'string' || versions.bun !== undefined || versions.deno !== undefined) return undefined;
  return g.Buffer?.prototype.utf8Slice;
})();

/** The text of buf[start, end): UTF-8, invalid sequences as U+FFFD; flat. */
function utf8(buf: Uint8Array, start: number, end: number): string {
  return utf8Slice !== undefined ? utf8Slice.call(buf, start, end) : textDecoder.decode(buf.subarray(start, end));
}

function tooLong(length: number, c: DecodeContext): DecodeError {
  return new DecodeError('limit-exceeded', `string or bytes of ${length} bytes, over maxStringBytes (${c.maxStringBytes})`);
}

/**
 * Recently read strings of up to CACHE_MAX_LENGTH bytes, by their bytes.
 * Kubernetes objects repeat the same strings (keys, "TCP", image names, label
 * values) across fields and events: a hit costs a compare of a few words
 * instead of a new string, and the objects a watch cache keeps share one copy.
 */
const CACHE_MAX_LENGTH = 48;
const strings = /* @__PURE__ */ new StringCache(12, CACHE_MAX_LENGTH);

/**
 * A length-delimited string, always flat. protobufjs's reader builds strings
 * under 64 bytes by `+=` of 8-char pieces: V8 keeps those as rope (cons)
 * strings, and a consumer that keeps the objects (a watch cache) pays for them
 * in every GC (measured: decoding retained Pods 4x slower). Short strings go
 * through `strings`; the rest to utf8() (invalid UTF-8 becomes U+FFFD, as
 * in Go's JSON).
 */
export function str(r: Reader, c: DecodeContext): string {
  const length = r.uint32();
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw invalid(`string of ${length} bytes at byte ${start} overruns the message`);
  if (length > c.maxStringBytes) throw tooLong(length, c);
  r.pos = end;
  if (length > CACHE_MAX_LENGTH || length === 0) {
    c.cached = length === 0;
    return length === 0 ? '' : utf8(r.buf, start, end);
  }
  const view = r.view;
  const at = r.base + start;
  const slot = strings.find(view, at, length);
  c.cached = slot >= 0;
  if (slot >= 0) return strings.texts[slot]!;
  const text = newString(r.buf, start, end);
  strings.store(view, at, length, text);
  return text;
}

/**
 * The text of bytes start..end (1..CACHE_MAX_LENGTH of them), flat. ASCII of
 * up to 8 bytes is one String.fromCharCode of exactly that many codes
 * (14-17 ns; a `+=` per character took 26-49 ns, utf8() 45); anything else
 * goes to utf8().
 */
function newString(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > 8) return utf8(buf, start, end);
  const b0 = buf[start]!;
  const b1 = n > 1 ? buf[start + 1]! : 0;
  const b2 = n > 2 ? buf[start + 2]! : 0;
  const b3 = n > 3 ? buf[start + 3]! : 0;
  const b4 = n > 4 ? buf[start + 4]! : 0;
  const b5 = n > 5 ? buf[start + 5]! : 0;
  const b6 = n > 6 ? buf[start + 6]! : 0;
  const b7 = n > 7 ? buf[start + 7]! : 0;
  if ((b0 | b1 | b2 | b3 | b4 | b5 | b6 | b7) > 0x7f) return utf8(buf, start, end);
  switch (n) {
    case 1: return String.fromCharCode(b0);
    case 2: return String.fromCharCode(b0, b1);
    case 3: return String.fromCharCode(b0, b1, b2);
    case 4: return String.fromCharCode(b0, b1, b2, b3);
    case 5: return String.fromCharCode(b0, b1, b2, b3, b4);
    case 6: return String.fromCharCode(b0, b1, b2, b3, b4, b5);
    case 7: return String.fromCharCode(b0, b1, b2, b3, b4, b5, b6);
    default: return String.fromCharCode(b0, b1, b2, b3, b4, b5, b6, b7);
  }
}

/** A reader over no bytes: decoding a message from it gives Go's zero struct. */
export const EMPTY: Reader = /* @__PURE__ */ createReader(new Uint8Array(0));

/**
 * Reads a nested message's length and narrows the reader to it. Returns the
 * previous limit for `leave`. The length is checked against the bytes left
 * before anything is read or allocated.
 */
export function enter(r: Reader, c: DecodeContext): number {
  const length = r.uint32();
  const end = r.pos + length;
  if (end > r.len) throw invalid(`nested message of ${length} bytes at byte ${r.pos} overruns its parent (${r.len - r.pos} left)`);
  if (++c.depth > c.maxDepth) throw new DecodeError('nesting-too-deep', `protobuf messages nested deeper than ${c.maxDepth} levels`);
  const saved = r.len;
  r.len = end;
  return saved;
}

export function leave(r: Reader, c: DecodeContext, saved: number): void {
  r.len = saved;
  c.depth--;
}

/** A nested message field: its length, then `decode` of the bytes it covers. */
export function msg<T>(r: Reader, c: DecodeContext, decode: (r: Reader, c: DecodeContext) => T): T {
  const saved = enter(r, c);
  const value = decode(r, c);
  leave(r, c, saved);
  return value;
}

/** Skips a field this schema does not know (Go ignores unknown fields too). */
export function skip(r: Reader, tag: number): void {
  if (tag >>> 3 === 0) throw invalid(`field number 0 at byte ${r.pos}`);
  switch (tag & 7) {
    case 0:
      r.skip();
      return;
    case 1:
      r.skip(8);
      return;
    case 2:
      r.skip(r.uint32());
      return;
    case 5:
      r.skip(4);
      return;
    default:
      // Kubernetes never writes groups (3/4); 6 and 7 do not exist.
      throw invalid(`wire type ${tag & 7} (field ${tag >>> 3}) at byte ${r.pos}`);
  }
}

/**
 * The filter a message's decoder was given, taken off the context so that the
 * message's fields start without one (skipField sets theirs). One call in
 * every decoder instead of two statements: 7 KiB less in core/v1's bundle.
 */
export function filterOf(c: DecodeContext): FieldFilter | undefined {
  const f = c.filter;
  if (f !== undefined) c.filter = undefined;
  return f;
}

/**
 * Field selection while decoding: called for each field of a message decoded
 * under `filter`, with the message's wire tags and JSON keys (`keys`: tag,
 * key, tag, key, ...; a negative tag marks a message field). A field whose key
 * is dropped is skipped without decoding (true); a message field with a
 * filter of its own gets that filter for its decoder. The decoded object then
 * holds Go's zero value for the skipped keys, and the object reader's
 * post-pass (applyFieldFilter) removes those keys and whatever the wire could
 * not skip (map entries, inline structs, raw JSON), so the result equals the
 * post-pass over a full decode.
 */
export function skipField(r: Reader, c: DecodeContext, filter: FieldFilter, t: number, keys: readonly (number | string)[]): boolean {
  for (let i = 0; i < keys.length; i += 2) {
    const tag = keys[i] as number;
    if (tag !== t && tag !== -t) continue;
    const action = fieldAction(filter, keys[i + 1] as string);
    if (action === 'skip') {
      skip(r, t);
      return true;
    }
    if (action !== 'whole' && tag < 0) c.filter = action;
    return false;
  }
  return false;
}

/** Counts an element of a repeated field against maxCollectionLength. */
export function grow<T>(list: T[], c: DecodeContext): T[] {
  if (list.length >= c.maxCollectionLength) {
    throw new DecodeError('limit-exceeded', `more than maxCollectionLength (${c.maxCollectionLength}) entries in a repeated field`);
  }
  return list;
}

/**
 * Appends an element of a repeated field (a new list for the first), counted
 * against maxCollectionLength. One shared push for every generated decoder:
 * its feedback settles after the first lists, where a push per call site
 * would deopt (and recompile its decoder) once per field. The list comes from
 * Array(), not `[]`: an array literal has an allocation site that V8
 * pretenures once a consumer keeps decoded objects, and old-space lists then
 * hold young objects alive through every scavenge (measured: scavenges 4x
 * longer, decode 2x slower on Pods); JSON.parse's lists stay young too.
 */
export function add<T>(list: T[] | undefined, item: T, c: DecodeContext): T[] {
  if (list === undefined) list = Array<T>();
  else grow(list, c);
  list.push(item);
  return list;
}

/** Counts the `count`th entry of a map field against maxCollectionLength, before it is read. */
export function countEntry(count: number, c: DecodeContext): void {
  if (count > c.maxCollectionLength) {
    throw new DecodeError('limit-exceeded', `more than maxCollectionLength (${c.maxCollectionLength}) entries in a map field`);
  }
}

const TWO_32 = 4294967296;

/**
 * A varint int64 per the Int64Mode rule: a number (rounded beyond 2^53, as
 * JSON.parse rounds the JSON form), or in 'bigint' mode a BigInt beyond ±(2^53-1).
 */
export function i64(r: Reader, c: DecodeContext): number | bigint {
  const buf = r.buf;
  let pos = r.pos;
  const end = r.len;
  // Up to 7 bytes (49 bits) is exact in a double: the common case.
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= end) throw invalid(`varint cut at byte ${pos}`);
    const b = buf[pos++]!;
    value += (b & 127) * scale;
    if (b < 128) {
      r.pos = pos;
      return value;
    }
    scale *= 128;
  }
  // Longer: assemble the 64 bits exactly.
  let big = BigInt(value);
  let shift = 49n;
  for (let i = 7; i < 10; i++) {
    if (pos >= end) throw invalid(`varint cut at byte ${pos}`);
    const b = buf[pos++]!;
    big |= BigInt(b & 127) << shift;
    if (b < 128) {
      r.pos = pos;
      const signed = BigInt.asIntN(64, big);
      if (c.int64 === 'bigint' && (signed > 9007199254740991n || signed < -9007199254740991n)) return signed;
      return Number(signed);
    }
    shift += 7n;
  }
  throw invalid(`varint longer than 10 bytes at byte ${pos}`);
}

/** An int64 as BigInt, always exact (durations). */
export function i64big(r: Reader): bigint {
  const buf = r.buf;
  let pos = r.pos;
  let value = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (pos >= r.len) throw invalid(`varint cut at byte ${pos}`);
    const b = buf[pos++]!;
    value |= BigInt(b & 127) << shift;
    if (b < 128) {
      r.pos = pos;
      return BigInt.asIntN(64, value);
    }
  }
  throw invalid(`varint longer than 10 bytes at byte ${pos}`);
}

/** Go []byte in JSON: base64, standard alphabet, padded. */
export function b64(r: Reader, c: DecodeContext): string {
  const length = r.uint32();
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw invalid(`bytes of ${length} at byte ${start} overrun the message`);
  if (length > c.maxStringBytes) throw tooLong(length, c);
  r.pos = end;
  return base64(r.buf, start, end);
}

/** The base64 alphabet's character codes. */
const BASE64 = /* @__PURE__ */ new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** Standard padded base64 of buf[start, end), written as ASCII bytes and decoded once (a flat string, no joins). */
function base64(buf: Uint8Array, start: number, end: number): string {
  const out = new Uint8Array(Math.ceil((end - start) / 3) * 4);
  let o = 0;
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (buf[i]! << 16) | (buf[i + 1]! << 8) | buf[i + 2]!;
    out[o++] = BASE64[n >>> 18]!;
    out[o++] = BASE64[(n >>> 12) & 63]!;
    out[o++] = BASE64[(n >>> 6) & 63]!;
    out[o++] = BASE64[n & 63]!;
  }
  if (i < end) {
    const two = i + 1 < end;
    const n = (buf[i]! << 16) | (two ? buf[i + 1]! << 8 : 0);
    out[o++] = BASE64[n >>> 18]!;
    out[o++] = BASE64[(n >>> 12) & 63]!;
    out[o++] = two ? BASE64[(n >>> 6) & 63]! : 61;
    out[o++] = 61;
  }
  return textDecoder.decode(out);
}

/** Sets a key on a JSON object; `__proto__` becomes an own data property, as JSON.parse makes it. */
export function setKey(o: J, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** For the top object of a TypeMeta-embedding message: kind and apiVersion first, from the envelope. */
export function typeMetaInto(o: J, c: DecodeContext): void {
  c.top = false;
  if (c.kind !== '') o.kind = c.kind;
  if (c.apiVersion !== '') o.apiVersion = c.apiVersion;
}

/** Always false, but not known to be: keeps the constructors' bodies in the code (see shape). */
export const NEVER: boolean = Math.random() < 0;

/**
 * Makes `fn` a constructor of plain objects: instances have Object.prototype,
 * so they are indistinguishable from `{}` (deepStrictEqual, JSON, spread).
 * `fn`'s body names the keys (never run) so V8 sizes the instances for them.
 */
export function shape(fn: (this: J) => void): new () => J {
  fn.prototype = Object.prototype;
  return fn as unknown as new () => J;
}

/** A constructor of plain objects with a hidden-class root of its own (each call makes a new function, so a new root). */
export function plainShape(): new () => J {
  return shape(function (this: J) {});
}

// ---- map entries ------------------------------------------------------------------

/**
 * The object of a map field, made at its first entry. A first key the string
 * cache has not seen (ConfigMap and Secret data, most annotations: keys unique
 * to the object) starts a dictionary-mode object: in a fast-mode one each new
 * key would make V8 build a new hidden class (measured: 3-5 us per
 * three-key map, a third of a ConfigMap's decode; JSON.parse pays the same),
 * where a dictionary takes it as a hash insert (~0.9 us). Keys seen before
 * (labels like `app`) keep fast objects, whose hidden classes exist already.
 */
function mapObject(m: J | undefined, knownKey: boolean): J {
  if (m !== undefined) return m;
  if (knownKey) return new MapObject();
  const o: J = new Dictionary();
  // Deleting a property that is not the last one added puts the object in dictionary mode (in V8; elsewhere it is just empty).
  delete o.a;
  delete o.b;
  return o;
}

/**
 * Fast map objects (labels, resource lists) on a hidden-class root of their
 * own: built from `{}` they grew, and looked up in, the transition tree of
 * the root every `{}` starts from (FieldsV1 objects, a caller's own), whose
 * keys are mostly seen once. Measured, clean process, the bench's corpora:
 * ConfigMaps 91 -> 61 ms per pass, Pods 136 -> 116.
 */
const MapObject = /* @__PURE__ */ plainShape();

const Dictionary = /* @__PURE__ */ shape(function (this: J) {
  this.a = 0;
  this.b = 0;
});

/** The `count`th map<string, string> entry into `m` (made when undefined); returns the map. Go writes both key and value, but absent means "". */
export function entryString(r: Reader, c: DecodeContext, m: J | undefined, count: number): J {
  countEntry(count, c);
  const saved = enter(r, c);
  let k = '';
  let v = '';
  let known = true;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10) {
      k = str(r, c);
      known = c.cached;
    } else if (t === 18) v = str(r, c);
    else skip(r, t);
  }
  leave(r, c, saved);
  m = mapObject(m, known);
  setKey(m, k, v);
  return m;
}

export function entryBytes(r: Reader, c: DecodeContext, m: J | undefined, count: number): J {
  countEntry(count, c);
  const saved = enter(r, c);
  let k = '';
  let v: string | null = null;
  let known = true;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10) {
      k = str(r, c);
      known = c.cached;
    } else if (t === 18) v = b64(r, c);
    else skip(r, t);
  }
  leave(r, c, saved);
  m = mapObject(m, known);
  setKey(m, k, v);
  return m;
}

export type MessageDecoder = (r: Reader, c: DecodeContext) => unknown;

/** One map<string, Message> entry; an absent value is the message's zero value. */
export function entryMessage(r: Reader, c: DecodeContext, m: J | undefined, count: number, decode: MessageDecoder): J {
  countEntry(count, c);
  const saved = enter(r, c);
  let k = '';
  let v: unknown;
  let seen = false;
  let known = true;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10) {
      k = str(r, c);
      known = c.cached;
    } else if (t === 18) {
      const inner = enter(r, c);
      v = decode(r, c);
      leave(r, c, inner);
      seen = true;
    } else skip(r, t);
  }
  leave(r, c, saved);
  m = mapObject(m, known);
  setKey(m, k, seen ? v : decode(EMPTY, c));
  return m;
}

// ---- special kinds: each reads the message body up to r.len ------------------------

/** meta/v1 Time: zero (empty message) is null; sub-seconds are dropped as Go drops them. */
export function decodeTime(r: Reader, c: DecodeContext): string | null {
  if (r.pos === r.len) return null;
  let seconds: number | bigint = 0;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 8) seconds = i64(r, c);
    else if (t === 16) r.int32();
    else skip(r, t);
  }
  return timeText(Number(seconds));
}

/** The day of the last timeText and its text up to the `T` (`2024-05-01T`), as character codes. */
let lastDay = Number.NaN;
const dayCodes = /* @__PURE__ */ new Uint8Array(11);
/** Days of years 0000..9999 since 1970-01-01: the four-digit years, which the fixed-width form covers. */
const FIRST_DAY = -719528;
const LAST_DAY = 2932896;

/**
 * formatTime(seconds), made here from the day's text (formatTime's, kept
 * for the next Time of the same day) and the time of day, as one flat
 * string of 20 character codes: 70 ns a Pod timestamp where formatTime's
 * template and pads take 240 ns (the bench Pods: 24,761 Times, nearly all
 * distinct), and no rope for a consumer that keeps the objects to carry.
 */
function timeText(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  if (days !== lastDay) {
    if (!(days >= FIRST_DAY && days <= LAST_DAY)) return formatTime(seconds);
    const text = formatTime(days * 86400);
    for (let i = 0; i < 11; i++) dayCodes[i] = text.charCodeAt(i);
    lastDay = days;
  }
  let rest = seconds - days * 86400;
  const h = (rest / 3600) | 0;
  rest -= h * 3600;
  const m = (rest / 60) | 0;
  const s = rest - m * 60;
  const d = dayCodes;
  return String.fromCharCode(
    d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!,
    48 + ((h / 10) | 0), 48 + (h % 10), 58, 48 + ((m / 10) | 0), 48 + (m % 10), 58, 48 + ((s / 10) | 0), 48 + (s % 10), 90,
  );
}

export function decodeMicroTime(r: Reader, c: DecodeContext): string | null {
  if (r.pos === r.len) return null;
  let seconds: number | bigint = 0;
  let nanos = 0;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 8) seconds = i64(r, c);
    else if (t === 16) nanos = r.int32();
    else skip(r, t);
  }
  // Go normalises nanos outside [0, 1e9) into the seconds.
  const carry = Math.floor(nanos / 1e9);
  return formatMicroTime(Number(seconds) + carry, nanos - carry * 1e9);
}

export function decodeDuration(r: Reader): string {
  let nanos = 0n;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 8) nanos = i64big(r);
    else skip(r, t);
  }
  return formatDuration(nanos);
}

export function decodeQuantity(r: Reader, c: DecodeContext): string {
  let text = '0';
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10) text = str(r, c);
    else skip(r, t);
  }
  return text;
}

export function decodeIntOrString(r: Reader, c: DecodeContext): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 8) type = r.int32();
    else if (t === 16) intVal = r.int32();
    else if (t === 26) strVal = str(r, c);
    else skip(r, t);
  }
  return type === 1 ? strVal : intVal;
}

/** Bytes that are a JSON document, spliced in as Go splices them; empty is null. */
function parseRaw(r: Reader, start: number, end: number): unknown {
  if (end === start) return null;
  const bytes = r.buf.subarray(start, end);
  try {
    // Through the guard for V8's escaped-key JSON.parse bug (a no-op where the engine has not got it).
    return parseJsonBytes(bytes);
  } catch (e) {
    throw new DecodeError('invalid-protobuf', `embedded raw JSON (RawExtension/FieldsV1/JSON) is not JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** RawExtension / FieldsV1 / apiextensions JSON: field `field` holds raw JSON. */
function rawJson(r: Reader, c: DecodeContext, field: number): unknown {
  const want = (field << 3) | 2;
  let value: unknown = null;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === want) {
      const length = r.uint32();
      const start = r.pos;
      if (start + length > r.len) throw invalid(`raw bytes of ${length} overrun the message`);
      if (length > c.maxStringBytes) throw tooLong(length, c);
      r.pos = start + length;
      value = parseRaw(r, start, r.pos);
    } else skip(r, t);
  }
  return value;
}

export function decodeRawJson1(r: Reader, c: DecodeContext): unknown {
  return rawJson(r, c, 1);
}

/** runtime.Unknown as a field: its raw (field 2) is the JSON. */
export function decodeRawJson2(r: Reader, c: DecodeContext): unknown {
  return rawJson(r, c, 2);
}

/**
 * Named slices (ExtraValue, Verbs): a message with repeated string field 1, as a bare array.
 * (Lists here come from Array(), not `[]`, so V8 never pretenures them: see NEW_LIST in the generator.)
 */
export function decodeNamedSlice(r: Reader, c: DecodeContext): string[] {
  const items: string[] = Array<string>();
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10) grow(items, c).push(str(r, c));
    else skip(r, t);
  }
  return items;
}

/** JSONSchemaPropsOrArray: array when field 2 has entries, else the schema (field 1) or null. */
export function decodeSchemaOrArray(r: Reader, c: DecodeContext, props: MessageDecoder): unknown {
  let schema: unknown = null;
  let list: unknown[] | undefined;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10 || t === 18) {
      const saved = enter(r, c);
      const v = props(r, c);
      leave(r, c, saved);
      if (t === 10) schema = v;
      else (list ??= Array<unknown>()).push(v);
    } else skip(r, t);
  }
  return list ?? schema;
}

/** JSONSchemaPropsOrBool: the schema (field 2) when present, else the bool (field 1). */
export function decodeSchemaOrBool(r: Reader, c: DecodeContext, props: MessageDecoder): unknown {
  let allows = false;
  let schema: unknown;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 8) allows = r.bool();
    else if (t === 18) {
      const saved = enter(r, c);
      schema = props(r, c);
      leave(r, c, saved);
    } else skip(r, t);
  }
  return schema === undefined ? allows : schema;
}

/** JSONSchemaPropsOrStringArray: strings (field 2) when any, else the schema (field 1) or null. */
export function decodeSchemaOrStrings(r: Reader, c: DecodeContext, props: MessageDecoder): unknown {
  let schema: unknown = null;
  let list: string[] | undefined;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10) {
      const saved = enter(r, c);
      schema = props(r, c);
      leave(r, c, saved);
    } else if (t === 18) (list ??= Array<string>()).push(str(r, c));
    else skip(r, t);
  }
  return list ?? schema;
}
