/**
 * Codecs for messages from a caller's own protobufjs Root (kinds served in
 * protobuf by aggregated API servers). The plan of each message is built once
 * from protobufjs reflection; reading and writing go through the same Reader
 * and Writer helpers as the generated built-in codecs, and a field whose type
 * is a built-in message (ObjectMeta, Time, Quantity, ...) uses the built-in
 * codec, so metadata comes out exactly as for built-in kinds.
 *
 * JSON rules for the caller's fields: the key is the .proto field name; a
 * field absent on the wire is omitted; 64-bit integers follow the Int64Mode.
 */
import type protobuf from 'protobufjs';
import type { MessageCodec } from './message-codec.js';
import { type DecodeContext, type J, type Reader, b64, countEntry, enter, grow, i64, leave, setKey, skip, str, typeMetaInto } from './runtime/reader.js';
import { type Writer, list, object, sortedKeys, w32, w64, wbool, wbytes, wdouble, wstr } from './runtime/writer.js';

type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'uint32' | 'sint32' | 'int64' | 'uint64' | 'double' | 'float' | 'enum';

interface FieldPlan {
  id: number;
  key: string;
  repeated: boolean;
  map: boolean;
  /** Scalar kind of the value (map: of the map value), or undefined for a message. */
  scalar: Scalar | undefined;
  /** Codec of a message value, resolved on first use (types may refer to each other). */
  message: (() => MessageCodec) | undefined;
}

const SCALARS: Readonly<Record<string, Scalar>> = {
  string: 'string', bytes: 'bytes', bool: 'bool', int32: 'int32', uint32: 'uint32', sint32: 'sint32',
  int64: 'int64', uint64: 'uint64', double: 'double', float: 'float',
};
const WIRE: Readonly<Record<Scalar, number>> = {
  string: 2, bytes: 2, bool: 0, int32: 0, uint32: 0, sint32: 0, int64: 0, uint64: 0, double: 1, float: 5, enum: 0,
};

function readScalar(r: Reader, c: DecodeContext, s: Scalar): unknown {
  switch (s) {
    case 'string': return str(r, c);
    case 'bytes': return b64(r, c);
    case 'bool': return r.bool();
    case 'int32': case 'enum': return r.int32();
    case 'uint32': return r.uint32();
    case 'sint32': return r.sint32();
    case 'int64': case 'uint64': return i64(r, c);
    case 'double': return r.double();
    case 'float': return r.float();
  }
}

function writeScalar(w: Writer, s: Scalar, v: unknown): void {
  switch (s) {
    case 'string': return wstr(w, v);
    case 'bytes': return wbytes(w, v);
    case 'bool': return wbool(w, v);
    case 'int32': case 'enum': case 'uint32': return w32(w, v);
    case 'sint32': w.sint32(v as number); return;
    case 'int64': case 'uint64': return w64(w, v);
    case 'double': case 'float': return wdouble(w, v);
  }
}

/**
 * Builds the codec of `messageName` in `root`. `lookupBuiltin` finds messages
 * the Root does not declare (built-in Kubernetes ones, by full name).
 */
export function customMessageCodec(
  root: protobuf.Root,
  messageName: string,
  typeMeta: boolean,
  lookupBuiltin: (name: string) => MessageCodec | undefined,
): MessageCodec {
  const cache = new Map<protobuf.Type, MessageCodec>();

  function codecOf(type: protobuf.Type, withTypeMeta: boolean): MessageCodec {
    const cached = cache.get(type);
    if (cached !== undefined && !withTypeMeta) return cached;
    let plan: FieldPlan[] | undefined;
    const planOf = (): FieldPlan[] => (plan ??= type.fieldsArray.map((f) => fieldPlan(type, f)).sort((a, b) => a.id - b.id));
    const codec: MessageCodec = {
      name: type.fullName.replace(/^\./, ''),
      typeMeta: withTypeMeta,
      decode: (r, c) => decodeWith(planOf(), withTypeMeta, r, c),
      encode: (w, v) => encodeWith(planOf(), w, v),
    };
    if (!withTypeMeta) cache.set(type, codec);
    return codec;
  }

  function fieldPlan(owner: protobuf.Type, f: protobuf.Field): FieldPlan {
    const isMap = (f as unknown as protobuf.MapField).keyType !== undefined;
    if (isMap && (f as unknown as protobuf.MapField).keyType !== 'string') throw new TypeError(`${owner.fullName}.${f.name}: only string map keys are supported`);
    let scalar: Scalar | undefined = SCALARS[f.type];
    let message: (() => MessageCodec) | undefined;
    if (scalar === undefined) {
      const found = lookup(owner, f.type);
      if (found !== undefined && 'values' in found) scalar = 'enum';
      else if (found !== undefined) message = () => codecOf(found as protobuf.Type, false);
      else {
        const name = f.type.replace(/^\./, '');
        const builtin = lookupBuiltin(name);
        if (builtin === undefined) throw new TypeError(`${owner.fullName}.${f.name}: unknown type ${f.type}`);
        message = () => builtin;
      }
    }
    return { id: f.id, key: f.name, repeated: f.repeated, map: isMap, scalar, message };
  }

  function lookup(owner: protobuf.Type, name: string): protobuf.Type | protobuf.Enum | undefined {
    const found = owner.lookup(name);
    if (found === null || !('fieldsArray' in found || 'values' in found)) return undefined;
    return found as protobuf.Type | protobuf.Enum;
  }

  const top = root.lookupType(messageName);
  return codecOf(top, typeMeta);
}

function decodeWith(plan: readonly FieldPlan[], withTypeMeta: boolean, r: Reader, c: DecodeContext): J {
  // Caller kinds do not skip selected-out fields (the post-pass drops them), but take the filter so no generated decoder below does.
  c.filter = undefined;
  const o: J = {};
  if (withTypeMeta && c.top) typeMetaInto(o, c);
  // Entries read per map field, counted against maxCollectionLength (a map has no declared size).
  let mapEntries: Map<number, number> | undefined;
  while (r.pos < r.len) {
    const t = r.uint32();
    const f = findField(plan, t >>> 3);
    if (f === undefined) {
      skip(r, t);
      continue;
    }
    let value: unknown;
    if (f.map) {
      mapEntries ??= new Map();
      const count = (mapEntries.get(f.id) ?? 0) + 1;
      countEntry(count, c);
      mapEntries.set(f.id, count);
      value = decodeEntry(f, r, c, (o[f.key] as J | undefined) ?? {});
    } else if (f.scalar !== undefined && (t & 7) === WIRE[f.scalar]) {
      value = readScalar(r, c, f.scalar);
    } else if (f.message !== undefined && (t & 7) === 2) {
      const saved = enter(r, c);
      value = f.message().decode(r, c);
      leave(r, c, saved);
    } else {
      skip(r, t);
      continue;
    }
    if (f.repeated && !f.map) {
      const items = (o[f.key] as unknown[] | undefined) ?? (o[f.key] = []);
      grow(items, c).push(value);
    } else {
      setKey(o, f.key, value);
    }
  }
  return o;
}

function findField(plan: readonly FieldPlan[], id: number): FieldPlan | undefined {
  for (const f of plan) if (f.id === id) return f;
  return undefined;
}

function decodeEntry(f: FieldPlan, r: Reader, c: DecodeContext, m: J): J {
  const saved = enter(r, c);
  let k = '';
  let v: unknown;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t === 10) k = str(r, c);
    else if (t >>> 3 === 2 && f.scalar !== undefined) v = readScalar(r, c, f.scalar);
    else if (t === 18 && f.message !== undefined) {
      const inner = enter(r, c);
      v = f.message().decode(r, c);
      leave(r, c, inner);
    } else skip(r, t);
  }
  leave(r, c, saved);
  setKey(m, k, v ?? null);
  return m;
}

function encodeWith(plan: readonly FieldPlan[], w: Writer, value: unknown): void {
  const o = value == null ? {} : object(value);
  for (const f of plan) {
    const v = o[f.key];
    if (v == null) continue;
    if (f.map) {
      const m = v as Record<string, unknown>;
      for (const k of sortedKeys(m)) {
        w.uint32((f.id << 3) | 2).fork().uint32(10).string(k);
        writeValue(w, f, 2, m[k]);
        w.ldelim();
      }
    } else if (f.repeated) {
      for (const item of list(v)) writeValue(w, f, f.id, item);
    } else {
      writeValue(w, f, f.id, v);
    }
  }
}

function writeValue(w: Writer, f: FieldPlan, id: number, v: unknown): void {
  if (f.scalar !== undefined) {
    w.uint32((id << 3) | WIRE[f.scalar]);
    writeScalar(w, f.scalar, v);
  } else {
    w.uint32((id << 3) | 2).fork();
    f.message!().encode(w, v);
    w.ldelim();
  }
}
