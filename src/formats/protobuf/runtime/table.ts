/**
 * The table tier: one small interpreter that decodes any generated message
 * from a table (data the generator writes beside each decoder) into the same
 * object the generated decoder makes: same keys in the same order, same
 * constructors (so the same hidden classes), same errors at the same bytes.
 *
 * Why a second tier: the generated decoders are one large function per
 * message, and TurboFan's compile of the ~190 a Pod reaches costs about
 * 0.4 s of CPU before they run fast (issue 14); a short-lived process (the
 * CLI, a one-shot list) pays that and never earns it back. The interpreter is
 * a handful of functions that reach TurboFan within the first events. Which
 * tier decodes a top-level message is decided in tiers.ts.
 *
 * A table (TableSpec, as generated): [K, O, code, ...kids]
 * - K: the message's Keys (wire tag, JSON key, ... per non-inline field, a
 *   negative tag for a message field), the array skipField already uses;
 * - O: the generated object constructor, absent for `{}`;
 * - code: two characters per field in Go struct order (read kind, JSON
 *   rule; an inline field adds its field number), or `#` and a special kind;
 * - kids: the decoders of the fields' message types, in field order, whose
 *   own tables are found through them (built on first use: types refer to
 *   each other and across groups).
 */
import { DecodeError } from '../../../core/errors.js';
import {
  type DecodeContext as C,
  EMPTY,
  type J,
  type MessageDecoder,
  type Reader,
  add,
  b64,
  decodeDuration,
  decodeIntOrString,
  decodeMicroTime,
  decodeNamedSlice,
  decodeQuantity,
  decodeRawJson1,
  decodeRawJson2,
  decodeSchemaOrArray,
  decodeSchemaOrBool,
  decodeSchemaOrStrings,
  decodeTime,
  enter,
  entryBytes,
  entryMessage,
  entryString,
  filterOf,
  i64,
  leave,
  skip,
  skipField,
  str,
  typeMetaInto,
} from './reader.js';

/** A generated message's table: [Keys, constructor (when it has one), code, ...decoders of its message fields], or a special kind's code. */
export type TableSpec = string | readonly unknown[];

// Read kinds (what one occurrence of a field on the wire is read as).
const R_STR = 1, R_BYTES = 2, R_BOOL = 3, R_INT32 = 4, R_UINT32 = 5, R_INT64 = 6, R_DOUBLE = 7, R_FLOAT = 8, R_MSG = 9;
/** Repeated: the element kind plus REPEATED. */
const REPEATED = 16;
const R_MAP_STR = 33, R_MAP_BYTES = 34, R_MAP_MSG = 35;
const READ_CODES = 'sboiuldfm';

// JSON rules (emitJson's cases, in its order).
const J_OMIT_UNDEF = 1, J_NULL_UNDEF = 2, J_OMIT_EMPTY_STR = 3, J_OMIT_EMPTY_LIST = 4, J_OMIT_ZERO = 5, J_ZERO = 6, J_STRUCT = 7, J_OMIT_NULL = 8, J_INLINE = 9;
const JSON_CODES = '-abcdefghi';

// Special kinds (a message whose JSON is not an object).
const S_TIME = 1, S_MICRO = 2, S_DURATION = 3, S_QUANTITY = 4, S_INT_OR_STRING = 5, S_RAW1 = 6, S_RAW2 = 7, S_NAMED_SLICE = 8, S_OR_ARRAY = 9, S_OR_BOOL = 10, S_OR_STRINGS = 11;
const SPECIAL_CODES = '-tudqxrRnABC';

/**
 * One message's table, decoded from its spec. Every table has this one
 * class with every field set in the constructor, so the interpreter's loads
 * from it stay monomorphic whatever the message.
 */
export class Table {
  /** Slot + 1 of each field number (0: not a field of this message). */
  readonly byNumber: Uint8Array;
  /** By slot: the wire tag the field is read at, its read kind, its message type's table. */
  readonly tags: Int32Array;
  readonly reads: Uint8Array;
  readonly kids: (Table | undefined)[];
  /** By slot: the decoder of a message field's type, linked to its table by tableOf. */
  readonly kidDecoders: (MessageDecoder | undefined)[];
  /** The JSON plan, in Go struct order: slot, rule, key, zero value per output field. */
  readonly outSlots: Uint8Array;
  readonly outRules: Uint8Array;
  readonly outKeys: string[];
  readonly zeros: unknown[];
  /** Slots in a decode's value array: one per field, and a count after each map field. */
  readonly slots: number;
  readonly special: number;
  /** The generated decoder (the compiled tier of the same message). */
  readonly decoder: MessageDecoder;
  /** This table's decoder as a function, for the runtime helpers that take one (map entries, schema-or-*). */
  readonly decode: MessageDecoder;
  /** Set when a message of this type is decoded on this tier: the types whose decoders tier-up would compile (tiers.ts). */
  seen: boolean;

  constructor(
    decoder: MessageDecoder,
    readonly keys: readonly (number | string)[],
    readonly make: (new () => J) | undefined,
    readonly typeMeta: boolean,
    code: string,
    kidDecoders: readonly MessageDecoder[],
  ) {
    this.decoder = decoder;
    this.decode = (r, c) => decodeAny(r, c, this);
    this.seen = false;
    this.special = 0;
    this.slots = 0;
    const tags: number[] = [];
    const reads: number[] = [];
    const kidsBySlot: (MessageDecoder | undefined)[] = [];
    const outSlots: number[] = [];
    const outRules: number[] = [];
    const outKeys: string[] = [];
    const zeros: unknown[] = [];
    let kid = 0;
    let k = 0;
    if (code.charCodeAt(0) === 35 /* # */) {
      this.special = SPECIAL_CODES.indexOf(code[1]!);
      if (this.special >= S_OR_ARRAY) kidsBySlot.push(kidDecoders[0]!);
    } else {
      for (let i = 0; i < code.length; ) {
        const rc = code[i++]!;
        const rule = JSON_CODES.indexOf(code[i++]!);
        let tag: number;
        let key = '';
        if (rule === J_INLINE) tag = ((code.charCodeAt(i++) - 63) << 3) | 2;
        else {
          tag = Math.abs(keys[k] as number);
          key = keys[k + 1] as string;
          k += 2;
        }
        let read: number;
        if (rc >= '1' && rc <= '3') read = 32 + Number(rc);
        else {
          const lower = rc.toLowerCase();
          read = READ_CODES.indexOf(lower) + 1 + (lower === rc ? 0 : REPEATED);
        }
        const slot = this.slots;
        this.slots += read >= R_MAP_STR ? 2 : 1;
        tags[slot] = tag;
        reads[slot] = read;
        kidsBySlot[slot] = read === R_MSG || read === R_MSG + REPEATED || read === R_MAP_MSG ? kidDecoders[kid++]! : undefined;
        outSlots.push(slot);
        outRules.push(rule);
        outKeys.push(key);
        const base = read & 15;
        zeros.push(base === R_STR ? '' : base === R_BOOL ? false : 0);
      }
    }
    let maxNumber = 0;
    for (const t of tags) if (t !== undefined && t >>> 3 > maxNumber) maxNumber = t >>> 3;
    this.byNumber = new Uint8Array(maxNumber + 1);
    this.tags = new Int32Array(this.slots);
    this.reads = new Uint8Array(this.slots);
    for (let s = 0; s < this.slots; s++) {
      const t = tags[s];
      if (t === undefined) continue; // a map's count slot
      this.byNumber[t >>> 3] = s + 1;
      this.tags[s] = t;
      this.reads[s] = reads[s]!;
    }
    this.kidDecoders = kidsBySlot;
    this.kids = new Array<Table | undefined>(this.slots).fill(undefined);
    this.outSlots = Uint8Array.from(outSlots);
    this.outRules = Uint8Array.from(outRules);
    this.outKeys = outKeys;
    this.zeros = zeros;
  }
}

/** Specs by generated decoder, registered by the generated groups (message-codec.ts, entries), and the tables built from them. */
const specs = new WeakMap<MessageDecoder, readonly [TableSpec, boolean]>();
const tables = new WeakMap<MessageDecoder, Table>();

export function registerTable(decoder: MessageDecoder, spec: TableSpec, typeMeta: boolean): void {
  specs.set(decoder, [spec, typeMeta]);
}

/** The table of a generated decoder, made on first use with the tables of every type it reaches. */
export function tableOf(decoder: MessageDecoder): Table {
  let t = tables.get(decoder);
  if (t !== undefined) return t;
  const entry = specs.get(decoder);
  if (entry === undefined) throw new Error('protobuf: no table for a generated decoder');
  const [spec, typeMeta] = entry;
  // The spec's forms (the generator's messageTable and specialTable): "#k", ["#k", schema decoder], [K, code, ...kids], [K, O, code, ...kids].
  if (typeof spec === 'string') t = new Table(decoder, [], undefined, false, spec, []);
  else if (typeof spec[0] === 'string') t = new Table(decoder, [], undefined, false, spec[0], spec.slice(1) as MessageDecoder[]);
  else {
    const shaped = typeof spec[1] === 'function';
    const rest = shaped ? 2 : 1;
    t = new Table(decoder, spec[0] as readonly (number | string)[], shaped ? (spec[1] as new () => J) : undefined, typeMeta, spec[rest] as string, spec.slice(rest + 1) as MessageDecoder[]);
  }
  // In the map before its kids are linked: a type that reaches itself (JSONSchemaProps) finds it.
  tables.set(decoder, t);
  const kids = t.kidDecoders;
  for (let s = 0; s < kids.length; s++) if (kids[s] !== undefined) t.kids[s] = tableOf(kids[s]!);
  return t;
}

export function hasTable(decoder: MessageDecoder): boolean {
  return specs.has(decoder);
}

/** A message body up to r.len, by its table: an object, or a special kind's value. */
export function decodeAny(r: Reader, c: C, t: Table): any {
  return t.special === 0 ? decodeTable(r, c, t) : decodeSpecial(r, c, t);
}

/** The interpreter's loop: the generated decoder's, with the switch a lookup. */
export function decodeTable(r: Reader, c: C, t: Table): J {
  const f = filterOf(c);
  t.seen = true;
  let o: J | undefined;
  if (t.typeMeta) {
    // Created first: the top object takes kind and apiVersion from the envelope before any field (as generated).
    o = t.make === undefined ? {} : new t.make();
    if (c.top) typeMetaInto(o, c);
  }
  const v: unknown[] = new Array(t.slots);
  const byNumber = t.byNumber;
  const tags = t.tags;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (f !== undefined && skipField(r, c, f, tag, t.keys)) continue;
    const n = tag >>> 3;
    const s = n < byNumber.length ? byNumber[n]! - 1 : -1;
    if (s < 0 || tags[s] !== tag) skip(r, tag);
    else v[s] = readField(r, c, t, s, v);
  }
  if (o === undefined) o = t.make === undefined ? {} : new t.make();
  return writeJson(o, v, c, t);
}

/** One occurrence of the field in slot `s`: its value, or the list/map it was added to. */
function readField(r: Reader, c: C, t: Table, s: number, v: unknown[]): unknown {
  switch (t.reads[s]) {
    case R_STR: return str(r, c);
    case R_BYTES: return b64(r, c);
    case R_BOOL: return r.bool();
    case R_INT32: return r.int32();
    case R_UINT32: return r.uint32();
    case R_INT64: return i64(r, c);
    case R_DOUBLE: return r.double();
    case R_FLOAT: return r.float();
    case R_MSG: return message(r, c, t.kids[s]!);
    case R_MAP_STR: return entryString(r, c, v[s] as J | undefined, count(v, s));
    case R_MAP_BYTES: return entryBytes(r, c, v[s] as J | undefined, count(v, s));
    case R_MAP_MSG: return entryMessage(r, c, v[s] as J | undefined, count(v, s), t.kids[s]!.decode);
    default: return readRepeated(r, c, t, s, v[s] as unknown[] | undefined);
  }
}

/** An element of a repeated field, then add(): read first, counted after, as generated (`add(v, read, c)`). */
function readRepeated(r: Reader, c: C, t: Table, s: number, list: unknown[] | undefined): unknown[] {
  let item: unknown;
  switch (t.reads[s]! - REPEATED) {
    case R_STR: item = str(r, c); break;
    case R_BYTES: item = b64(r, c); break;
    case R_BOOL: item = r.bool(); break;
    case R_INT32: item = r.int32(); break;
    case R_UINT32: item = r.uint32(); break;
    case R_INT64: item = i64(r, c); break;
    case R_DOUBLE: item = r.double(); break;
    case R_FLOAT: item = r.float(); break;
    default: item = message(r, c, t.kids[s]!);
  }
  return add(list, item, c);
}

/** A map field's entry count (slot s + 1), incremented: the generated `++nN`. */
function count(v: unknown[], s: number): number {
  const n = ((v[s + 1] as number | undefined) ?? 0) + 1;
  v[s + 1] = n;
  return n;
}

/** A nested message field: enter, decode by its table, leave (the generated msg()). */
function message(r: Reader, c: C, t: Table): unknown {
  const saved = enter(r, c);
  const value = t.special === 0 ? decodeTable(r, c, t) : decodeSpecial(r, c, t);
  leave(r, c, saved);
  return value;
}

/** The JSON plan: emitJson's statements, one rule per field. */
function writeJson(o: J, v: unknown[], c: C, t: Table): J {
  const slots = t.outSlots;
  const rules = t.outRules;
  const keys = t.outKeys;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    const x = v[s];
    const key = keys[i]!;
    switch (rules[i]) {
      case J_OMIT_UNDEF:
        if (x !== undefined) o[key] = x;
        break;
      case J_NULL_UNDEF:
        o[key] = x === undefined ? null : x;
        break;
      case J_OMIT_EMPTY_STR:
        if (x !== undefined && x !== '') o[key] = x;
        break;
      case J_OMIT_EMPTY_LIST:
        if (x !== undefined && (x as unknown[]).length > 0) o[key] = x;
        break;
      case J_OMIT_ZERO:
        if (x !== undefined && x !== t.zeros[i]) o[key] = x;
        break;
      case J_ZERO:
        o[key] = x ?? t.zeros[i];
        break;
      case J_STRUCT:
        o[key] = x ?? decodeAny(EMPTY, c, t.kids[s]!);
        break;
      case J_OMIT_NULL:
        if (x !== undefined && x !== null) o[key] = x;
        break;
      default:
        Object.assign(o, x ?? decodeAny(EMPTY, c, t.kids[s]!));
    }
  }
  return o;
}

/** The special kinds' runtime functions, as their generated one-line decoders call them. */
function decodeSpecial(r: Reader, c: C, t: Table): unknown {
  t.seen = true; // (a schema-or-* reaches JSONSchemaProps through it)
  switch (t.special) {
    case S_TIME: return decodeTime(r, c);
    case S_MICRO: return decodeMicroTime(r, c);
    case S_DURATION: return decodeDuration(r);
    case S_QUANTITY: return decodeQuantity(r, c);
    case S_INT_OR_STRING: return decodeIntOrString(r, c);
    case S_RAW1: return decodeRawJson1(r, c);
    case S_RAW2: return decodeRawJson2(r, c);
    case S_NAMED_SLICE: return decodeNamedSlice(r, c);
    case S_OR_ARRAY: return decodeSchemaOrArray(r, c, t.kids[0]!.decode);
    case S_OR_BOOL: return decodeSchemaOrBool(r, c, t.kids[0]!.decode);
    case S_OR_STRINGS: return decodeSchemaOrStrings(r, c, t.kids[0]!.decode);
    default: throw new DecodeError('invalid-protobuf', 'unknown special kind in a protobuf table');
  }
}
