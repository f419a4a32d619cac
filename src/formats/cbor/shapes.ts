/**
 * Builders of objects with a given set of keys (see CborItemReader.map).
 *
 * An object built by one store per key (`o[key] = v`) takes a hidden class
 * transition per key, through a keyed store that sees every key of every
 * map (megamorphic): 4x slower than an object literal for 8 keys, 7x for 43
 * (measured, Node 20). So a key set that repeats gets a function made for
 * it with `new Function`: a constructor that stores each key by name (one
 * hidden class chain of its own, properties in the object, monomorphic
 * stores), its prototype Object.prototype, taking the values by position.
 *
 * A constructor, not a function returning an object literal: a literal has
 * an allocation site, and once objects from it are seen to live (a caller
 * that keeps what it decodes: a cache, a test corpus), V8 pretenures the
 * site, so every later object is made in the old generation and each store
 * of a young value into it is a remembered slot: decoding took 2x as long
 * after 2000 decoded Pods were kept (measured; 48 -> 103 us/Pod, and 47 with
 * --no-allocation-site-pretenuring). Objects made by `new` have no such site.
 *
 * Where code cannot be made from strings (a Content-Security-Policy without
 * 'unsafe-eval', Node's --disallow-code-generation-from-strings, workers of
 * some hosts), a set gets a template instead: JSON.parse of the keys with
 * null values (a fast object, properties in the object), copied with spread
 * and filled by stores to properties it already has (no transitions). As
 * slow to build as stores into an empty object, measured; what it keeps is
 * one hidden class per set, whatever order the keys come in.
 *
 * Keys never reach the code as text of their own: each is written with
 * JSON.stringify (a JSON string is a JS string literal), and a set holding
 * `__proto__` (which a literal or a store would take as the prototype) is
 * built by plain stores, the key by defineProperty, as JSON.parse keeps it.
 */

/** Makes the object of a shape's keys from the values in `values`, in the same order. */
type Build = (values: readonly unknown[]) => Record<string, unknown>;

export class Shape {
  readonly build: Build;
  /** The shape built after this one in the same context, last time (a prediction for CborItemReader.map). */
  next: Shape | undefined;
  /** The positions of the keys in an open-addressed table by their ids (-1: empty), and its size - 1. */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Each key's position by its text, for a key that comes with another id (another encoding of its head). */
  private positions: Map<string, number> | undefined;

  /** `ids`: each key's id as the reader gives it (a hash of its bytes; two keys may share one). */
  constructor(
    readonly keys: readonly string[],
    readonly ids: Int32Array,
    build: Build,
  ) {
    this.build = build;
    this.next = undefined;
    let size = 4;
    while (size < keys.length * 2) size *= 2;
    this.mask = size - 1;
    this.table = new Int32Array(size).fill(-1);
    for (let at = 0; at < keys.length; at++) {
      let i = slotOf(ids[at]!) & this.mask;
      while (this.table[i] !== -1) i = (i + 1) & this.mask;
      this.table[i] = at;
    }
  }

  /** The position of `key`, whose id is `id`, in the shape's keys, or -1. */
  position(key: string, id: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let i = slotOf(id) & mask; ; i = (i + 1) & mask) {
      const at = table[i]!;
      if (at < 0) break;
      if (this.ids[at] === id && this.keys[at] === key) return at;
    }
    this.positions ??= new Map(this.keys.map((k, i) => [k, i]));
    return this.positions.get(key) ?? -1;
  }
}

function slotOf(id: number): number {
  return Math.imul(id, 0x9e3779b1) >>> 16;
}

/** Whether `new Function` works here; found out on the first shape, not at import. */
let compiles: boolean | undefined;

function canCompile(): boolean {
  if (compiles === undefined) {
    try {
      compiles = new Function('return 1')() === 1;
    } catch {
      compiles = false; // EvalError under a CSP or --disallow-code-generation-from-strings
    }
  }
  return compiles;
}

/** A shape for `keys` (distinct; `ids` as in Shape): code where allowed, else a template; plain stores where `__proto__` is among them. */
export function makeShape(keys: readonly string[], ids: Int32Array): Shape {
  if (keys.includes('__proto__')) return new Shape(keys, ids, (values) => plainObject(keys, 0, values, keys.length));
  if (canCompile()) {
    try {
      const body = keys.map((k, i) => `this[${JSON.stringify(k)}]=v[${i}];`).join('');
      const Make = new Function('v', body) as unknown as new (values: readonly unknown[]) => Record<string, unknown>;
      // Instances are plain objects: Object.prototype is theirs, as a literal's.
      Make.prototype = Object.prototype;
      return new Shape(keys, ids, (values) => new Make(values));
    } catch {
      // An engine older than ES2019 refuses U+2028 in a string literal: the template does not parse JS.
    }
  }
  const template = JSON.parse(`{${keys.map((k) => `${JSON.stringify(k)}:null`).join(',')}}`) as Record<string, unknown>;
  return new Shape(keys, ids, (values) => {
    const object = { ...template };
    for (let i = 0; i < keys.length; i++) object[keys[i]!] = values[i];
    return object;
  });
}

/**
 * Plain objects built by stores start here, on a hidden-class root of their
 * own: from `{}` they would grow, and look their transitions up in, the root
 * every `{}` and JSON.parse object shares (a caller's JSON, their own code's),
 * for the reason protobuf's MapObject has one. Measured, the CLI on
 * 4,000 distinct Pods, 6 interleaved runs: 0.57 -> 0.55 s CPU (fixture Pods
 * and the in-process bench: no change).
 */
function PlainObjectRoot(this: Record<string, unknown>): void {}
PlainObjectRoot.prototype = Object.prototype;
const FastObject = PlainObjectRoot as unknown as new () => Record<string, unknown>;

/** Key sets of this many keys or more that are built as dictionaries (see plainObject). */
const DICTIONARY_KEYS = 3;

/**
 * The object of `n` keys from `keys[from]` on and their values, by one store
 * each (in that order). `dictionary`: a set seen for the first time, maybe
 * never again (data, FieldsV1): stores into an empty object would make a
 * hidden class per key for each new combination of keys, each one kept by
 * V8, never used again; such objects start as dictionaries instead (deleting
 * a property that is not the last one makes one, in V8), 2-4x cheaper to
 * build for 5 new keys, measured. Up to two keys, transitions soon exist for
 * every pair and are cheaper. A set that repeats (past the reader's cap on
 * shapes) takes the stores: its transitions are made once, and the objects
 * are faster to build and read than dictionaries.
 */
export function plainObject(keys: readonly string[], from: number, values: readonly unknown[], n: number, dictionary = false): Record<string, unknown> {
  let object: Record<string, unknown>;
  if (dictionary && n >= DICTIONARY_KEYS) {
    object = { a: 0, b: 0 };
    delete object.a;
    delete object.b;
  } else {
    object = new FastObject();
  }
  for (let i = 0; i < n; i++) {
    const key = keys[from + i]!;
    if (key === '__proto__') {
      // A plain assignment would set the prototype (and cbor-x renames the key
      // to `__proto_`); keep it an own data property, as JSON.parse does.
      Object.defineProperty(object, key, { value: values[i], writable: true, enumerable: true, configurable: true });
    } else {
      object[key] = values[i];
    }
  }
  return object;
}
