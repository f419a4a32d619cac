import { DecodeError, type DecodeErrorCode } from '../../core/errors.js';
import { type FieldFilter, fieldAction } from '../../core/field-filter.js';
import type { Int64Mode } from '../../core/int64.js';
import type { DecodeLimits } from '../../core/limits.js';
import { TAG_BASE16, TAG_BASE64, TAG_BASE64URL, TAG_SELF_DESCRIBED } from './constants.js';
import { float16Value } from './float16.js';
import { StringCache } from '../../core/string-cache.js';
import { base16, base64, base64url } from './text-encodings.js';
import { type Shape, makeShape, plainObject } from './shapes.js';

/** What the decoder does with CBOR that Kubernetes never writes. Every default is `'error'`. */
export interface CborDecodeOptions {
  /** Integers beyond 2^53: see Int64Mode. Default `'number'` (as JSON.parse rounds them). */
  int64?: Int64Mode;
  /** Tags other than 55799/21/22/23 and the bignums: `'error'` or `'strip'` (keep the tagged item, drop the tag). */
  unknownTags?: 'error' | 'strip';
  /** Integers beyond 64 bits (bignum tags 2 and 3): `'error'` or `'allow'` (then as Int64Mode says). */
  bignums?: 'error' | 'allow';
  /** `undefined` and simple values other than false/true/null: `'error'` or `'null'`. */
  otherSimpleValues?: 'error' | 'null';
  /** A byte string that is not UTF-8 where a string is expected: `'error'` or `'replace'` (U+FFFD, as Go's JSON). */
  invalidUtf8?: 'error' | 'replace';
}

const TWO_32 = 2 ** 32;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TAG_BIGNUM = 2;
const TAG_NEGATIVE_BIGNUM = 3;
/** 2^53 / 2^32: a high word at or above this makes an 8-byte integer unsafe as a number. */
const SAFE_HIGH = 2 ** 21;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const fromCharCode = String.fromCharCode;

type Slice = (this: Uint8Array, start: number, end: number) => string;
/**
 * Node's own Buffer#utf8Slice and #latin1Slice where this is Node itself (as
 * the protobuf reader takes them: a page's polyfilled Buffer global has JS
 * ones, Bun and Deno their own), else undefined. utf8Slice replaces invalid
 * sequences with the U+FFFDs TextDecoder gives, keeps a BOM as `ignoreBOM`
 * does, and skips TextDecoder's per-call checks: 60-180 ASCII bytes in 54
 * ns, TextDecoder (fatal) 117 (Node 20). latin1Slice copies bytes into a
 * flat string, the text of bytes known to be ASCII: 5-24 bytes in about a
 * third of the time of fromCharCode and `+=` (whose results past 12
 * characters are cons strings, flattened again when used as keys).
 */
const nodeSlices = /* @__PURE__ */ (() => {
  const g = globalThis as { Buffer?: { prototype: { utf8Slice?: Slice; latin1Slice?: Slice } }; process?: { versions?: Record<string, string | undefined> } };
  const versions = g.process?.versions;
  if (typeof versions?.node !== 'string' || versions.bun !== undefined || versions.deno !== undefined) return undefined;
  const proto = g.Buffer?.prototype;
  return typeof proto?.utf8Slice === 'function' && typeof proto.latin1Slice === 'function' ? { utf8: proto.utf8Slice, latin1: proto.latin1Slice } : undefined;
})();
const utf8Slice = nodeSlices?.utf8;
const latin1Slice = nodeSlices?.latin1;
/** Strings up to this many bytes are built in JS; TextDecoder's call cost wins only for longer ones. */
const SHORT_STRING = 24;
/** Keys of 24 bytes up to this many are cached too (FieldsV1 keys such as `k:{"type":"Ready"}`). */
const LONG_KEY = 64;
/** Map serials restart below this, so the stamps stay small integers. */
const MAX_SERIAL = 0x3fffffff;
/** Contexts (see CborItemReader.map): one per slot of the key caches, then one for the rest. */
const KEY_SLOTS = 1 << 12;
const LONG_KEY_SLOTS = 1 << 10;
const LONG_KEY_CONTEXTS = KEY_SLOTS;
const OTHER_CONTEXT = KEY_SLOTS + LONG_KEY_SLOTS;
/** Maps with more pairs than this check duplicates in a Set, not by a scan of the pairs held. */
const SCAN_PAIRS = 16;
/**
 * Shapes (see CborItemReader.map) in the process, at most: with its function,
 * its literal's hidden class and its tables, one takes 2-8 KB of heap (3 to
 * 40 keys, measured). The upstream fixture Pod has 135 sets, a stream of
 * 2000 varied Pods 204. Past this, new key sets are built by stores.
 */
const MAX_SHAPES = 1024;
/**
 * Shapes made for maps under one key, at most: past this the key holds data
 * (a ConfigMap's `data`, labels, FieldsV1 under `f:metadata`), whose sets
 * would fill MAX_SHAPES and leave none for the kinds that repeat. Its maps
 * are then built as dictionaries (see plainObject).
 */
const MAX_CONTEXT_SHAPES = 64;
/** Maps of more pairs than this never get a shape (one-off data maps, and V8 makes such objects dictionaries anyway). */
const MAX_SHAPE_KEYS = 256;
/** Key sets seen once, by hash, at most (then forgotten all at once): a set gets a shape the second time it is seen. */
const MAX_SEEN = 1 << 14;
/** Maps of up to this many pairs get their values array at full length at once; larger ones grow it as pairs come. */
const PREALLOCATED_PAIRS = 1024;

function fail(code: DecodeErrorCode, detail: string): never {
  throw new DecodeError(code, detail);
}

/**
 * Decodes one Kubernetes CBOR data item into the value its JSON form has.
 *
 * Hand-written rather than cbor-x's Decoder (cbor-x 1.6.8), because cbor-x
 * cannot do what Kubernetes CBOR needs, and closing the gaps around it costs
 * more than it saves:
 * - strings and map keys arrive as byte strings: cbor-x returns Uint8Array
 *   values and throws on such keys; it has no option to read them as text, so
 *   every byte-string head would need rewriting in a copy first;
 * - duplicate keys: cbor-x keeps the last silently; `__proto__`: cbor-x
 *   renames it `__proto_`; both need a second look at every map;
 * - 8-byte integers: cbor-x gives a BigInt for each, or with int64AsNumber
 *   gets negatives beyond 32 bits wrong; Int64Mode needs JSON.parse rounding;
 * - limits: cbor-x keeps them in process-global state (setSizeLimits) and
 *   bounds depth only by the JS stack; these are per decoder here;
 * - UTF-8: cbor-x replaces invalid bytes; a DecodeError is wanted.
 * Measured on ~7.5 KB Pod events: this reader decodes about as fast as
 * JSON.parse; cbor-x with its native extension is ~8% faster on the same data
 * as plain text-string CBOR with none of the checks above, ~25% slower without
 * the extension, and the rewriting pre-pass alone (no checks) already eats
 * that 8%. So one pass here does it all.
 *
 * Limits are per instance. Module-global: the UTF-8 decoders, the string
 * caches and the shapes (see ReaderCaches), which hold decoded strings and
 * key sets, never limits.
 */
export class CborItemReader {
  private data: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;
  /** The same bytes as `data`, for reading 4 at a time. */
  private view: DataView = EMPTY_VIEW;
  private readonly bigints: boolean;
  private readonly stripUnknownTags: boolean;
  private readonly allowBignums: boolean;
  private readonly nullForSimple: boolean;
  private readonly replaceInvalidUtf8: boolean;
  private readonly maxDepth: number;
  private readonly maxCollection: number;
  private readonly maxString: number;
  private readonly caches: ReaderCaches;
  /**
   * Set by `key`: a hash of the key just read (an id for `map`), whether the
   * map must be searched for it, and the context of the value under it.
   */
  private keyId = 0;
  private keyUnchecked = false;
  private keyContext = OTHER_CONTEXT;
  /**
   * Set by `utf8` when invalid bytes were replaced (invalidUtf8: 'replace'):
   * such a string is kept out of the caches, which every reader shares, so
   * that a reader without the option finds its bytes invalid (a cached
   * U+FFFD was returned to every reader after one that replaced).
   */
  private lossy = false;
  /**
   * The keys of the maps being read, nested maps' above their parents'. Kept
   * between calls: cached keys are old strings, so storing them costs no
   * write barrier.
   */
  private readonly pairKeys: string[] = [];
  /** The ids (keyId) of those keys, by the same index; and for `map`, where each value went in its shape. */
  private pairIds = new Int32Array(64);
  private pairOrder = new Int32Array(64);
  private pairTop = 0;
  /** Scratch for skipItem: the items left in each open container. */
  private readonly skipCounts: number[] = [];
  /** The length of the item `decodeFirst` read last. */
  itemLength = 0;

  constructor(limits: Pick<DecodeLimits, 'maxDepth' | 'maxCollectionLength' | 'maxStringBytes'>, options: CborDecodeOptions = {}) {
    this.maxDepth = limits.maxDepth;
    this.maxCollection = limits.maxCollectionLength;
    this.maxString = limits.maxStringBytes;
    this.bigints = options.int64 === 'bigint';
    this.stripUnknownTags = options.unknownTags === 'strip';
    this.allowBignums = options.bignums === 'allow';
    this.nullForSimple = options.otherSimpleValues === 'null';
    this.replaceInvalidUtf8 = options.invalidUtf8 === 'replace';
    this.caches = sharedCaches ??= new ReaderCaches();
  }

  /**
   * The one item that `bytes` must hold exactly. With `filter`, the fields it
   * drops are passed over by their heads, never decoded (see skipItem).
   */
  decode(bytes: Uint8Array, filter?: FieldFilter): unknown {
    return this.read(bytes, 0, bytes.length, filter, true);
  }

  /**
   * The item at `start` in `bytes`, which may go on after it up to `stop`;
   * its length is left in `itemLength`. Fails as `decode` would on the item
   * alone (though a message may count bytes from another place), or with
   * `truncated` when the item goes beyond `stop`.
   */
  decodeFirst(bytes: Uint8Array, start: number, stop: number, filter?: FieldFilter): unknown {
    return this.read(bytes, start, stop, filter, false);
  }

  private read(bytes: Uint8Array, start: number, stop: number, filter: FieldFilter | undefined, whole: boolean): unknown {
    this.data = plain(bytes);
    this.pos = start;
    this.end = stop;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const caches = this.caches;
    // With no item being read anywhere no map is open: every stamp can go back to "seen before".
    if (caches.serial > MAX_SERIAL && caches.reading === 0) caches.restartSerials();
    caches.reading++;
    try {
      const value = this.item(0, filter, OTHER_CONTEXT);
      if (this.pos !== this.end && whole) fail('invalid-cbor', `${this.end - this.pos} bytes after the end of the item`);
      this.itemLength = this.pos - start;
      return value;
    } catch (e) {
      // A maxDepth set above what the JS stack holds must still end as a DecodeError.
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw new DecodeError('nesting-too-deep', `CBOR nested deeper than the JS stack allows (maxDepth ${this.maxDepth})`, { cause: e });
      throw e;
    } finally {
      caches.reading--;
      // An error inside a map left its pairs on the stacks (keys are cached strings: nothing big is kept).
      this.pairTop = 0;
      this.data = EMPTY;
      this.view = EMPTY_VIEW;
    }
  }

  /** Reads the argument of a head whose additional info is `ai` (>= 24). */
  private argument(ai: number): number {
    const data = this.data;
    const p = this.pos;
    switch (ai) {
      case 24:
        this.need(1);
        this.pos = p + 1;
        return data[p]!;
      case 25:
        this.need(2);
        this.pos = p + 2;
        return (data[p]! << 8) | data[p + 1]!;
      case 26:
        this.need(4);
        this.pos = p + 4;
        return ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
      case 27: {
        // Only lengths come here: any 8-byte length is beyond every limit.
        this.need(8);
        this.pos = p + 8;
        return this.uint32(p) * TWO_32 + this.uint32(p + 4);
      }
      default:
        return ai === 31
          ? fail('invalid-cbor', 'indefinite-length item: Kubernetes CBOR uses definite lengths only')
          : fail('invalid-cbor', `reserved additional information ${ai}`);
    }
  }

  private uint32(p: number): number {
    const d = this.data;
    return ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
  }

  private need(n: number): void {
    if (this.end - this.pos < n) fail('truncated', `CBOR item ends after ${this.end} bytes, ${n - (this.end - this.pos)} bytes short`);
  }

  /** The item at `pos`; `context` says which key it is found under, for `map`. */
  private item(depth: number, filter: FieldFilter | undefined, context: number): unknown {
    if (this.pos >= this.end) this.need(1);
    let initial = this.data[this.pos++]!;
    while (initial >>> 5 === 6) {
      // Tags that only mark the item are passed over in a loop, not by recursion:
      // a long chain of them must not use up the stack.
      const ai = initial & 31;
      const tag = ai < 24 ? ai : this.argument(ai);
      if (tag !== TAG_SELF_DESCRIBED) {
        if (tag === TAG_BASE64 || tag === TAG_BASE64URL || tag === TAG_BASE16) return this.expectedEncoding(tag);
        if (tag === TAG_BIGNUM || tag === TAG_NEGATIVE_BIGNUM) return this.bignum(tag === TAG_NEGATIVE_BIGNUM);
        if (!this.stripUnknownTags) fail('unsupported', `CBOR tag ${tag} (only 55799, 21, 22, 23 occur in Kubernetes CBOR)`);
      }
      if (this.pos >= this.end) this.need(1);
      initial = this.data[this.pos++]!;
    }
    const major = initial >>> 5;
    const ai = initial & 31;
    switch (major) {
      case 2:
      case 3:
        return ai < 24 && ai > 0 ? this.shortString(ai) : this.byteStringAsText(ai < 24 ? ai : this.argument(ai));
      case 5:
        return this.map(ai < 24 ? ai : this.argument(ai), depth + 1, filter, context);
      case 4:
        return this.array(ai < 24 ? ai : this.argument(ai), depth + 1, filter, context);
      case 0:
        return ai < 24 ? ai : ai === 27 ? this.int64(false) : this.argument(ai);
      case 1:
        return ai < 24 ? -1 - ai : ai === 27 ? this.int64(true) : -1 - this.argument(ai);
      default:
        return this.simple(ai);
    }
  }

  /** An 8-byte integer: a number when safe, else per Int64Mode. */
  private int64(negative: boolean): number | bigint {
    this.need(8);
    const p = this.pos;
    this.pos = p + 8;
    const high = this.uint32(p);
    const low = this.uint32(p + 4);
    if (high < SAFE_HIGH) {
      const n = high * TWO_32 + low;
      if (!negative) return n;
      // -1 - (2^53 - 1) is -2^53: outside ±(2^53-1), so a bigint in bigint mode.
      if (n < Number.MAX_SAFE_INTEGER) return -1 - n;
    }
    const exact = (BigInt(high) << 32n) | BigInt(low);
    const value = negative ? -1n - exact : exact;
    // Number(bigint) rounds to nearest, ties to even: what JSON.parse does with the decimal form.
    return this.bigints ? value : Number(value);
  }

  private string(length: number): void {
    if (length > this.maxString) fail('limit-exceeded', `string of ${length} bytes, over maxStringBytes (${this.maxString})`);
    this.need(length);
  }

  /** A byte string where a string is expected: UTF-8 text. */
  private byteStringAsText(length: number): string {
    this.string(length);
    const data = this.data;
    const start = this.pos;
    if (length <= SHORT_STRING) {
      const text = length > 4 && latin1Slice !== undefined ? asciiSlice(latin1Slice, data, start, length) : asciiString(data, start, length);
      if (text !== undefined) {
        this.pos = start + length;
        return text;
      }
    }
    this.pos = start + length;
    return this.utf8(data, start, start + length);
  }

  /**
   * A string value of 1..23 bytes, through a cache: values repeat across
   * objects and events ("TCP", "True", timestamps, image names), and a cache
   * hit costs less than building the string again.
   */
  private shortString(length: number): string {
    const start = this.pos;
    if (start + length > this.end) this.need(length);
    // Before the lookup: the caches are shared, so a hit may be a string another reader, with another limit, put there.
    if (length > this.maxString) this.string(length);
    const values = this.caches.values;
    const slot = values.find(this.view, start, length);
    if (slot >= 0) {
      this.pos = start + length;
      return values.texts[slot]!;
    }
    this.lossy = false;
    const text = this.byteStringAsText(length);
    if (!this.lossy) values.store(this.view, start, length, text);
    return text;
  }

  /** The bytes of `data` from `start` to `end` as UTF-8 text (see utf8Slice). */
  private utf8(data: Uint8Array, start: number, end: number): string {
    if (utf8Slice !== undefined) {
      const text = utf8Slice.call(data, start, end);
      // Invalid bytes come out as U+FFFD, and no valid UTF-8 decodes to one but EF BF BD
      // itself: text without one is exactly TextDecoder's; with one, TextDecoder decides.
      if (text.indexOf('\uFFFD') < 0) return text;
    }
    const bytes = data.subarray(start, end);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      if (!this.replaceInvalidUtf8) fail('invalid-utf8', `a ${bytes.length}-byte string is not valid UTF-8`);
      this.lossy = true;
      return lenientUtf8.decode(bytes);
    }
  }

  /**
   * A map as an object. The pairs are gathered first (keys on a stack, values
   * in an array of the map's own: young like them, where an old array would
   * make every store of a young value a remembered slot for the scavenger),
   * then the object is made in one step by the shape of its key set (see
   * shapes.ts), where stores one key at a time took a hidden class
   * transition each (4-7x slower to build, measured for 8 and 43 keys).
   *
   * Each context (the key a map is found under) remembers the last shape
   * built there; keys that match it one by one, as they arrive, need no
   * lookup (one encoder writes one order: the usual case). Otherwise the
   * shape is found by a hash of the key set that ignores order, checked key
   * by key. A set gets a shape the second time it is seen, so sets seen once
   * (a ConfigMap's data, most FieldsV1) never cost one; MAX_SHAPES bounds them.
   *
   * One shape serves a set in every order, so the keys of its objects come
   * in the order of the map that made the shape: maps whose keys come in
   * another order per object (valid CBOR: the order is not fixed) still
   * give one hidden class per set of keys, where JSON.parse would give one
   * per order (and decode 5x slower). An object built by stores, the first
   * of its set or one past the cap, keeps the order of the wire.
   */
  private map(count: number, depth: number, filter: FieldFilter | undefined, context: number): Record<string, unknown> {
    if (depth > this.maxDepth) fail('nesting-too-deep', `CBOR arrays/maps nested deeper than maxDepth (${this.maxDepth})`);
    if (count > this.maxCollection) fail('limit-exceeded', `map of ${count} pairs, over maxCollectionLength (${this.maxCollection})`);
    // Each pair takes at least two bytes: refuse a count the input cannot hold before building anything.
    if (count * 2 > this.end - this.pos) this.need(count * 2);
    if (count === 0) return {};
    const caches = this.caches;
    const serial = ++caches.serial;
    const from = this.pairTop;
    if (from + count > this.pairIds.length) this.growPairs(from + count);
    const keys = this.pairKeys;
    const ids = this.pairIds;
    let values = new Array<unknown>(count <= PREALLOCATED_PAIRS ? count : 0);
    // An order-blind hash of the key set, to find its shape by.
    let set = 0;
    // Pairs read, and a key read but not yet taken (keyId, keyUnchecked, keyContext are still its own).
    let n = 0;
    let pending: string | undefined;
    const last = caches.contextShapes[context];
    if (last !== undefined && filter === undefined) {
      // The shape that followed the last one here before (arrays of maps of a few kinds in turn), else the same again.
      const predicted = last.next ?? last;
      const expected = predicted.keys;
      if (expected.length === count) {
        // The predicted keys in their order: distinct (a shape's keys are), so there is no
        // duplicate to look for and nothing to keep but the values.
        for (; n < count; n++) {
          const key = this.key(serial);
          if (key !== expected[n]) {
            pending = key;
            break;
          }
          set = (set + this.keyId) | 0;
          values[n] = this.item(depth, undefined, this.keyContext);
        }
        // Then in another order (another encoder): each value goes to its key's position.
        const order = this.pairOrder;
        let i = n;
        for (; i < count; i++) {
          let key: string;
          if (pending === undefined) {
            key = this.key(serial);
          } else {
            key = pending;
            pending = undefined;
          }
          const id = this.keyId;
          const at = predicted.position(key, id);
          if (at < 0) {
            pending = key;
            break;
          }
          // A key the stamps cannot settle is a duplicate if its place is taken (no value is undefined).
          if (this.keyUnchecked && values[at] !== undefined) this.duplicate(key);
          order[from + i] = at;
          this.pairTop = from + i + 1;
          values[at] = this.item(depth, undefined, this.keyContext);
          set = (set + id) | 0;
        }
        this.pairTop = from;
        if (i === count) {
          last.next = predicted;
          caches.contextShapes[context] = predicted;
          return predicted.build(values);
        }
        // Another set: the pairs so far onto the stacks in wire order, for the general way below.
        for (let j = 0; j < n; j++) {
          keys[from + j] = expected[j]!;
          ids[from + j] = predicted.ids[j]!;
        }
        if (i > n) {
          const wire = new Array<unknown>(values.length);
          for (let j = 0; j < n; j++) wire[j] = values[j];
          for (let j = n; j < i; j++) {
            const at = order[from + j]!;
            keys[from + j] = expected[at]!;
            ids[from + j] = predicted.ids[at]!;
            wire[j] = values[at];
          }
          values = wire;
          n = i;
        }
      }
    }
    let seen: Set<string> | undefined;
    for (let i = n; i < count; i++) {
      let key: string;
      if (pending === undefined) {
        key = this.key(serial);
      } else {
        key = pending;
        pending = undefined;
      }
      if (this.keyUnchecked) {
        // A Set only once a big map needs a search: most keys are settled by the cache's stamps.
        if (seen === undefined && n > SCAN_PAIRS) seen = new Set(keys.slice(from, from + n));
        if (seen !== undefined ? seen.has(key) : includes(keys, from, from + n, key)) this.duplicate(key);
      }
      seen?.add(key);
      const id = this.keyId;
      const under = this.keyContext;
      keys[from + n] = key;
      ids[from + n] = id;
      // Nested maps use the stacks above this map's keys.
      this.pairTop = from + n + 1;
      let value: unknown;
      if (filter === undefined) {
        value = this.item(depth, undefined, under);
      } else {
        const action = fieldAction(filter, key);
        if (action === 'skip') {
          this.skipItem(depth);
          continue;
        }
        value = this.item(depth, action === 'whole' ? undefined : action, under);
      }
      values[n] = value;
      set = (set + id) | 0;
      n++;
    }
    this.pairTop = from;
    return this.build(context, from, values, n, (set ^ Math.imul(n, 0x9e3779b1)) | 0);
  }

  private growPairs(size: number): void {
    const capacity = Math.max(size, this.pairIds.length * 2);
    const ids = new Int32Array(capacity);
    ids.set(this.pairIds);
    this.pairIds = ids;
    this.pairOrder = new Int32Array(capacity);
  }

  /** The object of the `n` pairs gathered by `map` (keys from `from` on), whose key set hashes to `set`. */
  private build(context: number, from: number, values: unknown[], n: number, set: number): Record<string, unknown> {
    const caches = this.caches;
    const keys = this.pairKeys;
    const shape = caches.shapes.get(set);
    if (shape !== undefined) {
      const order = shape.keys;
      if (order.length === n) {
        let i = 0;
        while (i < n && order[i] === keys[from + i]) i++;
        if (i === n) return this.built(context, shape, values);
        // Another order: each value goes to its key's position. The keys are distinct (duplicates
        // were refused), as many as the shape's, and each has a position: the same set.
        const placed = new Array<unknown>(n);
        for (let j = 0; j < i; j++) placed[j] = values[j];
        for (; i < n; i++) {
          const at = shape.position(keys[from + i]!, this.pairIds[from + i]!);
          if (at < 0) break;
          placed[at] = values[i];
        }
        if (i === n) return this.built(context, shape, placed);
      }
      // Another set with the same hash: built by stores (the hash keeps the shape it has).
    } else if (n <= MAX_SHAPE_KEYS) {
      const seen = caches.seenSets;
      if (!seen.has(set)) {
        if (seen.size >= MAX_SEEN) seen.clear();
        seen.add(set);
        // Seen once, maybe never again.
        return plainObject(keys, from, values, n, true);
      }
      const made = caches.contextShapeCounts;
      if (made[context]! >= MAX_CONTEXT_SHAPES) return plainObject(keys, from, values, n, true);
      if (caches.shapes.size < MAX_SHAPES) {
        const shape = makeShape(keys.slice(from, from + n), this.pairIds.slice(from, from + n));
        caches.shapes.set(set, shape);
        made[context]!++;
        return this.built(context, shape, values);
      }
      // Past the cap a set that repeats is built by stores: its transitions are made once.
      return plainObject(keys, from, values, n, false);
    }
    return plainObject(keys, from, values, n, n > MAX_SHAPE_KEYS);
  }

  /** The object of `shape` from `values`, now the last one built in `context` (and the successor of the one before). */
  private built(context: number, shape: Shape, values: unknown[]): Record<string, unknown> {
    const contextShapes = this.caches.contextShapes;
    const last = contextShapes[context];
    if (last !== undefined) last.next = shape;
    contextShapes[context] = shape;
    return shape.build(values);
  }

  private array(count: number, depth: number, filter: FieldFilter | undefined, context: number): unknown[] {
    if (depth > this.maxDepth) fail('nesting-too-deep', `CBOR arrays/maps nested deeper than maxDepth (${this.maxDepth})`);
    if (count > this.maxCollection) fail('limit-exceeded', `array of ${count} items, over maxCollectionLength (${this.maxCollection})`);
    if (count > this.end - this.pos) this.need(count);
    const array = new Array<unknown>(count);
    // A filter applies inside every element (arrays are transparent to field paths).
    for (let i = 0; i < count; i++) array[i] = this.item(depth, filter, context);
    return array;
  }

  /**
   * Passes over the item at `pos` (a value at `depth`) by its heads: string
   * bytes by their length, containers by their counts, nothing decoded or
   * built, so a dropped field costs a walk of its heads. Malformed or
   * truncated bytes and the limits on nesting, counts and lengths fail here as
   * they would when decoding; what only decoding finds (invalid UTF-8, a
   * duplicate key, an unknown tag) is not looked for in bytes that are dropped.
   */
  private skipItem(depth: number): void {
    const data = this.data;
    const end = this.end;
    const counts = this.skipCounts;
    let open = 0;
    let left = 1;
    for (;;) {
      if (this.pos >= end) this.need(1);
      const initial = data[this.pos++]!;
      const major = initial >>> 5;
      const ai = initial & 31;
      const argument = ai < 24 ? ai : this.argument(ai);
      if (major === 2 || major === 3) {
        this.string(argument);
        this.pos += argument;
      } else if (major === 4 || major === 5) {
        if (depth + 1 + open > this.maxDepth) fail('nesting-too-deep', `CBOR arrays/maps nested deeper than maxDepth (${this.maxDepth})`);
        if (argument > this.maxCollection) fail('limit-exceeded', `${major === 5 ? 'map' : 'array'} of ${argument} ${major === 5 ? 'pairs' : 'items'}, over maxCollectionLength (${this.maxCollection})`);
        const items = major === 5 ? argument * 2 : argument;
        if (items > end - this.pos) this.need(items);
        if (items > 0) {
          counts[open++] = left;
          left = items;
          continue;
        }
      } else if (major === 6) {
        continue; // a tag: the item it marks follows
      }
      // An item ended: count it in its container, and close every container it fills.
      while (--left === 0) {
        if (open === 0) return;
        left = counts[--open]!;
      }
    }
  }

  /**
   * The type of the event map in `bytes` if it has a string `type` that can
   * be found by passing over the pairs before it, else undefined; nothing is
   * decoded but that string. Lets a filter that applies by event type be
   * chosen before the object is read, whatever the key order.
   */
  eventType(bytes: Uint8Array): string | undefined {
    this.data = plain(bytes);
    this.pos = 0;
    this.end = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      this.skipSelfDescribed();
      const initial = bytes[this.pos++];
      if (initial === undefined || initial >>> 5 !== 5) return undefined;
      const ai = initial & 31;
      const count = ai < 24 ? ai : this.argument(ai);
      for (let i = 0; i < count; i++) {
        this.skipSelfDescribed();
        const head = bytes[this.pos]! & 0xdf;
        // `type`: a byte or text string of 4 bytes.
        if (head === 0x44 && bytes[this.pos + 1] === 0x74 && bytes[this.pos + 2] === 0x79 && bytes[this.pos + 3] === 0x70 && bytes[this.pos + 4] === 0x65) {
          this.pos += 5;
          const type = this.item(0, undefined, OTHER_CONTEXT);
          return typeof type === 'string' ? type : undefined;
        }
        this.skipItem(0);
        this.skipItem(0);
      }
      return undefined;
    } catch {
      return undefined; // decode() reports what is wrong
    } finally {
      this.data = EMPTY;
      this.view = EMPTY_VIEW;
    }
  }

  private skipSelfDescribed(): void {
    const data = this.data;
    while (data[this.pos] === 0xd9 && data[this.pos + 1] === 0xd9 && data[this.pos + 2] === 0xf7) this.pos += 3;
  }

  /**
   * A map key of the map numbered `serial`: a byte or text string (tag 55799
   * allowed in front), decoded through the key cache. Sets `keyId`, `keyContext`, and
   * `keyUnchecked` when the caller must look for the key in the map itself.
   *
   * Duplicate keys: cbor-x keeps the last one silently; Kubernetes refuses them.
   * The check rides on the key cache: each entry remembers the serial of the
   * last map it was read in. Serials grow, so an entry stamped with this map's
   * serial is a duplicate, one stamped before this map began cannot be, and
   * only one stamped by a map nested inside this one needs a property lookup.
   * A key the cache does not have needs one too.
   */
  private key(serial: number): string {
    const data = this.data;
    const at = this.pos;
    // Fast path: a byte or text string of 1..23 bytes, the head holding the length
    // (`& 0xdf` folds text string heads 0x61..0x77 onto byte string heads 0x41..0x57).
    const head = data[at]! & 0xdf;
    const length = head - 0x40;
    const caches = this.caches;
    if (length > 0 && length < 24 && at + 1 + length <= this.end) return this.cachedKey(caches.keys, 0, at + 1, length, serial);
    // Then one with a one-byte length (0x58, 0x78), up to LONG_KEY bytes.
    if (head === 0x58 && at + 2 <= this.end) {
      const long = data[at + 1]!;
      if (long <= LONG_KEY && at + 2 + long <= this.end) return this.cachedKey(caches.longKeys, LONG_KEY_CONTEXTS, at + 2, long, serial);
    }
    return this.otherKey(serial);
  }

  /** The key of `length` (1..cache.maxLength) bytes at `start`, through `cache` (contexts from `contexts` on). */
  private cachedKey(cache: StringCache, contexts: number, start: number, length: number, serial: number): string {
    // Before the lookup, as for values: the cache may hold it from a reader with a higher limit.
    if (length > this.maxString) this.string(length);
    const stamps = cache.stamps;
    let slot = cache.find(this.view, start, length);
    if (slot >= 0) {
      this.pos = start + length;
      const stamp = stamps[slot]!;
      stamps[slot] = serial;
      const text = cache.texts[slot]!;
      if (stamp === serial) return this.duplicate(text);
      this.keyUnchecked = stamp > serial;
      this.keyId = cache.hash;
      this.keyContext = contexts + slot;
      return text;
    }
    this.pos = start;
    this.lossy = false;
    const text = this.byteStringAsText(length);
    if (this.lossy) {
      // Not cached (see `lossy`): nothing to stamp, so the map searches itself for it.
      this.keyUnchecked = true;
      this.keyId = cache.hash;
      this.keyContext = OTHER_CONTEXT;
      return text;
    }
    slot = cache.store(this.view, start, length, text);
    stamps[slot] = serial;
    this.keyUnchecked = true;
    this.keyId = cache.hash;
    this.keyContext = contexts + slot;
    return text;
  }

  /** Keys off the fast path: tagged, empty, long, cut short, or not strings at all. */
  private otherKey(serial: number): string {
    const data = this.data;
    let at = this.pos;
    while (data[at] === 0xd9 && data[at + 1] === 0xd9 && data[at + 2] === 0xf7) at += 3;
    if (at !== this.pos) {
      // Tag 55799 in front of a key, any number of times: skipped in a loop, then read as usual.
      this.pos = at;
      return this.key(serial);
    }
    if (this.pos >= this.end) this.need(1);
    const initial = data[this.pos]!;
    const major = initial >>> 5;
    if (major !== 2 && major !== 3) {
      return fail('invalid-cbor', `map key of major type ${major}: JSON-like maps have string keys only`);
    }
    const ai = initial & 31;
    this.pos++;
    const length = ai < 24 ? ai : this.argument(ai);
    const key = this.byteStringAsText(length);
    this.keyUnchecked = true;
    this.keyId = stringHash(key);
    this.keyContext = OTHER_CONTEXT;
    return key;
  }

  private duplicate(key: string): never {
    return fail('duplicate-key', `duplicate map key ${JSON.stringify(key.slice(0, 64))}`);
  }

  /** Tags 21/22/23 on a byte string: the string JSON has for Go []byte (base64url, base64, hex). */
  private expectedEncoding(tag: number): string {
    if (this.pos >= this.end) this.need(1);
    const initial = this.data[this.pos]!;
    const ai = initial & 31;
    if (initial >>> 5 === 3) {
      // A text string under an encoding hint is already text (RFC 8949 §3.4.5.2).
      this.pos++;
      return this.byteStringAsText(ai < 24 ? ai : this.argument(ai));
    }
    if (initial >>> 5 !== 2) fail('unsupported', `tag ${tag} on major type ${initial >>> 5}: Kubernetes puts it on byte strings only`);
    this.pos++;
    const length = ai < 24 ? ai : this.argument(ai);
    this.string(length);
    const bytes = this.data.subarray(this.pos, this.pos + length);
    this.pos += length;
    return tag === TAG_BASE64 ? base64(bytes) : tag === TAG_BASE64URL ? base64url(bytes) : base16(bytes);
  }

  /** Tags 2/3: an unsigned big-endian magnitude n in a byte string, the value n or -1 - n. */
  private bignum(negative: boolean): number | bigint {
    if (!this.allowBignums) fail('unsupported', `CBOR bignum (tag ${negative ? 3 : 2}): an integer beyond 64 bits (allow with bignums: 'allow')`);
    if (this.pos >= this.end) this.need(1);
    const initial = this.data[this.pos++]!;
    if (initial >>> 5 !== 2) fail('invalid-cbor', `bignum tag on major type ${initial >>> 5}, not a byte string`);
    const ai = initial & 31;
    const length = ai < 24 ? ai : this.argument(ai);
    this.string(length);
    // Through hex: linear, where shifting byte by byte would be quadratic in the length.
    const n = length === 0 ? 0n : BigInt(`0x${base16(this.data.subarray(this.pos, this.pos + length))}`);
    this.pos += length;
    const value = negative ? -1n - n : n;
    if (value >= -MAX_SAFE && value <= MAX_SAFE) return Number(value);
    return this.bigints ? value : Number(value);
  }

  private simple(ai: number): unknown {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 25: {
        this.need(2);
        const p = this.pos;
        this.pos = p + 2;
        return small(float16Value((this.data[p]! << 8) | this.data[p + 1]!));
      }
      case 26:
        this.need(4);
        this.pos += 4;
        return small(this.view.getFloat32(this.pos - 4));
      case 27:
        this.need(8);
        this.pos += 8;
        return small(this.view.getFloat64(this.pos - 8));
      case 31:
        return fail('invalid-cbor', 'break code outside an indefinite-length item');
      case 28:
      case 29:
      case 30:
        return fail('invalid-cbor', `reserved additional information ${ai}`);
      default: {
        const value = ai === 24 ? (this.need(1), this.data[this.pos++]!) : ai;
        if (this.nullForSimple) return null;
        return fail('unsupported', value === 23 ? 'CBOR undefined (JSON has no such value)' : `CBOR simple value ${value}`);
      }
    }
  }

}

/** `length` bytes at `start` as a string if all are ASCII, else undefined. */
function asciiString(data: Uint8Array, start: number, length: number): string | undefined {
  switch (length) {
    case 0:
      return '';
    case 1: {
      const a = data[start]!;
      return a < 0x80 ? fromCharCode(a) : undefined;
    }
    case 2: {
      const a = data[start]!;
      const b = data[start + 1]!;
      return (a | b) < 0x80 ? fromCharCode(a, b) : undefined;
    }
    case 3: {
      const a = data[start]!;
      const b = data[start + 1]!;
      const c = data[start + 2]!;
      return (a | b | c) < 0x80 ? fromCharCode(a, b, c) : undefined;
    }
    case 4: {
      const a = data[start]!;
      const b = data[start + 1]!;
      const c = data[start + 2]!;
      const d = data[start + 3]!;
      return (a | b | c | d) < 0x80 ? fromCharCode(a, b, c, d) : undefined;
    }
  }
  let text = '';
  let i = 0;
  // Four characters per call: fewer concatenations than one at a time, no array.
  for (; i + 4 <= length; i += 4) {
    const a = data[start + i]!;
    const b = data[start + i + 1]!;
    const c = data[start + i + 2]!;
    const d = data[start + i + 3]!;
    if ((a | b | c | d) >= 0x80) return undefined;
    text += fromCharCode(a, b, c, d);
  }
  for (; i < length; i++) {
    const a = data[start + i]!;
    if (a >= 0x80) return undefined;
    text += fromCharCode(a);
  }
  return text;
}

/** `length` bytes at `start` as a string by `latin1` (Node's latin1Slice) if all are ASCII, else undefined. */
function asciiSlice(latin1: Slice, data: Uint8Array, start: number, length: number): string | undefined {
  let bits = 0;
  for (let i = start, end = start + length; i < end; i++) bits |= data[i]!;
  return bits < 0x80 ? latin1.call(data, start, start + length) : undefined;
}

/**
 * `bytes` as a plain Uint8Array (a view of the same memory when it is a Node
 * Buffer or another subclass): the reader's element loads then see one
 * hidden class. A CLI reading a file gets Buffers, and frames that span
 * chunks are Uint8Arrays: both in `data` made item, key and map deoptimize
 * once ("wrong map") and run polymorphic after.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const EMPTY = new Uint8Array(0);

/**
 * A float that holds a small integer, as the integer V8 makes of an integer
 * head (or of `3` in JSON): a double there would change the field's
 * representation in the object's hidden class, and every object of that
 * shape would migrate (an encoder that writes `3` as f16 `3.0` made decoding
 * 20 % slower). -0 stays -0.
 */
function small(x: number): number {
  return (x | 0) === x && (x !== 0 || 1 / x > 0) ? x | 0 : x;
}

/** Whether `keys` from `from` to `to` include `key`. */
function includes(keys: readonly string[], from: number, to: number, key: string): boolean {
  for (let i = from; i < to; i++) if (keys[i] === key) return true;
  return false;
}

/** FNV-1a over the UTF-16 units of `text`. */
function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}
const EMPTY_VIEW = new DataView(EMPTY.buffer);

/**
 * The string caches, shapes and map serials, one set for every reader:
 * decoding is synchronous, keys and values repeat across streams as within
 * one, and a set is ~300 KB (and up to MAX_SHAPES shapes), too much to repeat
 * per stream when there are hundreds.
 */
class ReaderCaches {
  readonly keys = new StringCache(12, 23);
  readonly longKeys = new StringCache(10, LONG_KEY);
  readonly values = new StringCache(12, 23);
  /** Shapes by the hash of their key sets (see CborItemReader.map), at most MAX_SHAPES. */
  readonly shapes = new Map<number, Shape>();
  /**
   * The hashes of key sets seen once. A table of slots by hash lost sets
   * that shared a slot (the Pod's spec and its conditions took turns in one
   * of 4096): a Set, emptied when full, cannot.
   */
  readonly seenSets = new Set<number>();
  /**
   * Per context: the shape last built there. A slot of the key caches reused
   * by another key, or a context holding maps of several kinds in turn
   * (`spec`, `metadata`), only costs a lookup: a question of speed, never of
   * results.
   */
  readonly contextShapes: (Shape | undefined)[] = new Array<Shape | undefined>(OTHER_CONTEXT + 1).fill(undefined);
  /** Per context: the shapes made for its maps (up to MAX_CONTEXT_SHAPES). */
  readonly contextShapeCounts = new Uint8Array(OTHER_CONTEXT + 1);
  /** The number of the last map begun (see `key`). */
  serial = 0;
  /** Items being read now (more than one only if decoding re-entered). */
  reading = 0;

  restartSerials(): void {
    this.keys.stamps.fill(0);
    this.longKeys.stamps.fill(0);
    this.serial = 0;
  }
}

let sharedCaches: ReaderCaches | undefined;
