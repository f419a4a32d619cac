/**
 * What generated encoders share: int64 writing, sorted map entries (Go sorts
 * map keys; protobufjs would keep JS key order), and the wire forms of the
 * special kinds, each the inverse of its decoder in reader.ts.
 */
import protobuf from 'protobufjs/minimal.js';
import { utf8Encode } from '../../../core/utf8.js';
import { parseDuration } from '../../../kubernetes/go-duration.js';
import { parseRfc3339 } from '../../../kubernetes/go-time.js';

export type Writer = protobuf.Writer;
export type MessageEncoder = (w: Writer, value: any) => void;

export function createWriter(): Writer {
  return protobuf.Writer.create();
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
    w.int64({ low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: false } as never);
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

function timeParts(value: unknown, what: string): { seconds: number; nanos: number } {
  const t = typeof value === 'string' ? parseRfc3339(value) : undefined;
  if (t === undefined) throw bad(what, value);
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
  w.uint32((field << 3) | 2).bytes(utf8Encode(JSON.stringify(value)));
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
