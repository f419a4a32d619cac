/**
 * The hostile-input fuzz harness, shared by `npm test` (test/fuzz-*.test.ts,
 * fixed seeds) and `npm run fuzz` (scripts/fuzz.ts, time-boxed, random seed).
 *
 * A case is plain data (format, bytes, chunk cuts, skip or stop, events or
 * objects mode, limits), so a failure can be written to fuzz/findings/ as
 * JSON and replayed by test/fuzz-regressions.test.ts exactly.
 *
 * `runFuzzCase` decodes a case twice (one chunk, and cut as the case says)
 * and checks what must hold for any bytes whatsoever:
 * - only DecodeError escapes, placed (media type, frame index, byte offset in range);
 * - the chunking changes nothing (values and error alike);
 * - a stopped decoder stays dead and says so (rethrows the same error);
 * - nothing is skipped silently: without onError no frame is skipped, with it
 *   every skip was reported;
 * - Object.prototype, Array.prototype and Function.prototype are unchanged,
 *   and every decoded object has a plain prototype (`__proto__` stays data);
 * - memory: what is decoded is bounded by the limits and by the input size
 *   (no string/collection over its limit, no amplification beyond a constant
 *   factor), a huge declared length allocates nothing, the heap stays flat;
 * - time: each case ends within `maxMillis`.
 */
import { isDeepStrictEqual } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import fc from 'fast-check';
import {
  type Codec,
  DecodeError,
  type DecodeLimits,
  StreamDecoder,
  type StreamDecoderOptions,
  type WatchEvent,
  cborCodec,
  encodeAll,
  jsonCodec,
  jsonDocumentsCodec,
  yamlCodec,
} from 'watchwire';
import { ProtobufSchemaRegistry, createProtobufCodec } from 'watchwire/protobuf';
import { concat, cutPoints, objectFrom, splitAt, utf8, watchEvent } from './generators.js';
import { protobufEvent } from './protobuf-objects.js';

export const FUZZ_FORMATS = ['json', 'json-documents', 'yaml', 'protobuf', 'cbor'] as const;
export type FuzzFormat = (typeof FUZZ_FORMATS)[number];

export interface FuzzCase {
  format: FuzzFormat;
  /** Which generator made it (for the report). */
  kind: string;
  bytes: Uint8Array;
  /** Chunk boundaries for the second decode. */
  cuts: number[];
  /** onError: () => 'skip' (else the default: stop). */
  skip: boolean;
  /** Objects mode instead of events. */
  objects: boolean;
  limits: DecodeLimits;
  /** For a valid stream: the events encoded into it, which decoding must give back exactly. */
  expected?: WatchEvent[];
}

/** Small limits: every limit is reachable with inputs of a few KiB. */
export const FUZZ_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  maxDepth: 64,
  maxAliases: 16,
  maxCollectionLength: 4096,
  maxStringBytes: 16 * 1024,
});

/** A protobuf schema that nests (JSONSchemaProps.not), so protobuf recursion depth is reachable. */
const SCHEMA_MESSAGE = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
const protobufFuzzCodec = createProtobufCodec({ schemas: new ProtobufSchemaRegistry().addBuiltin('example.com/v1', 'Schema', SCHEMA_MESSAGE) });

export const FUZZ_CODECS: Readonly<Record<FuzzFormat, Codec>> = {
  json: jsonCodec,
  'json-documents': jsonDocumentsCodec,
  yaml: yamlCodec,
  protobuf: protobufFuzzCodec,
  cbor: cborCodec,
};

// ---- failures -----------------------------------------------------------------------------

/** An invariant broken by a case; carries the case so it can be written out. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
  constructor(
    message: string,
    readonly fuzzCase: FuzzCase,
    options?: { cause?: unknown },
  ) {
    super(`${message}\n  case: ${describeCase(fuzzCase)}\n  repro: ${JSON.stringify(caseToRepro(fuzzCase))}`, options);
  }
}

export function describeCase(c: FuzzCase): string {
  const hex = Array.from(c.bytes.subarray(0, 48), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${c.format}/${c.kind} ${c.bytes.length} bytes${c.bytes.length > 48 ? ` (first 48: ${hex}…)` : ` ${hex}`}, cuts [${c.cuts.join(',')}], ${c.skip ? 'skip' : 'stop'}, ${c.objects ? 'objects' : 'events'}, limits ${JSON.stringify(c.limits)}`;
}

// ---- the runner ---------------------------------------------------------------------------

interface Outcome {
  values: unknown[];
  error?: { code: string; frameIndex: number; byteOffset: number; mediaType: string };
  skipped: number;
  reported: number;
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype] as const;
const snapshot = (): string[][] => PROTOTYPES.map((p) => Reflect.ownKeys(p).map(String).sort());
const PROTOTYPE_KEYS = snapshot();
const PROTOTYPE_PROTOS = PROTOTYPES.map((p) => Object.getPrototypeOf(p) as unknown);

function prototypesIntact(): boolean {
  if (!PROTOTYPES.every((p, i) => Object.getPrototypeOf(p) === PROTOTYPE_PROTOS[i])) return false;
  const now = snapshot();
  return now.every((keys, i) => keys.length === PROTOTYPE_KEYS[i]!.length && keys.every((k, j) => k === PROTOTYPE_KEYS[i]![j]));
}

export interface RunOptions {
  /** Upper bound for one case (both decodes), ms. */
  maxMillis?: number;
}

/** Default per-case time bound: generous for a loaded 2-core machine, far below any hang. */
export const MAX_MILLIS_PER_CASE = 2000;

/**
 * Failures already reported to another file's owner (see /work/notes/findings.md
 * and the todo tests in test/fuzz-regressions.test.ts). The fuzz properties
 * count them instead of failing, so they keep hunting for new ones; remove an
 * entry once its fix lands.
 */
export const KNOWN_ISSUES: readonly { id: string; owner: string; matches: (c: FuzzCase, message: string) => boolean }[] = [
  // None open. Fixed since they were found: json-documents-limit-order (perf-json, 3fd5d5b),
  // cbor-shared-string-cache (perf-binary, 25bb45d).
];

/** Known issues met (by id), for the report. */
export const knownIssuesSeen = new Map<string, number>();

/** Runs one case; throws FuzzFailure when an invariant breaks (unless it is a KNOWN_ISSUES one). */
export function runFuzzCase(c: FuzzCase, options: RunOptions = {}): void {
  try {
    runFuzzCaseStrict(c, options);
  } catch (e) {
    const known = e instanceof FuzzFailure ? KNOWN_ISSUES.find((k) => k.matches(c, e.message)) : undefined;
    if (known === undefined) throw e;
    knownIssuesSeen.set(known.id, (knownIssuesSeen.get(known.id) ?? 0) + 1);
  }
}

/** Runs one case; throws FuzzFailure when any invariant breaks. */
export function runFuzzCaseStrict(c: FuzzCase, options: RunOptions = {}): void {
  const codec = FUZZ_CODECS[c.format];
  const started = performance.now();
  // ArrayBuffer memory (V8's external memory: cheap to read, unlike process.memoryUsage()).
  const buffersBefore = c.kind === 'huge-length' ? getHeapStatistics().external_memory : 0;
  if (!isDeepStrictEqual(c.limits, FUZZ_LIMITS)) {
    // Small limits: decode once with the generous ones first, so any state a decoder shares with
    // others (caches, module variables) is warm, and a limit it skips is caught in this very case.
    decodeOnce(codec, { ...c, limits: { ...FUZZ_LIMITS }, skip: true }, [c.bytes]);
  }
  const whole = decodeOnce(codec, c, [c.bytes]);
  const split = decodeOnce(codec, c, splitAt(c.bytes, c.cuts));
  const elapsed = performance.now() - started;
  if (c.kind === 'huge-length') {
    const grown = getHeapStatistics().external_memory - buffersBefore;
    if (grown > 4 * c.limits.maxFrameBytes + (1 << 20)) throw new FuzzFailure(`a huge declared length grew ArrayBuffers by ${grown} bytes`, c);
  }
  if (!isDeepStrictEqual(whole, split)) {
    throw new FuzzFailure(`chunking changed the outcome:\n  whole ${summary(whole)}\n  split ${summary(split)}`, c);
  }
  if (!prototypesIntact()) throw new FuzzFailure('a built-in prototype changed', c);
  checkOutcome(codec, c, whole);
  if (c.expected !== undefined) {
    if (whole.error !== undefined) throw new FuzzFailure(`a valid stream failed: ${whole.error.code} at frame ${whole.error.frameIndex}`, c);
    if (!isDeepStrictEqual(whole.values, c.expected)) throw new FuzzFailure('a valid stream decoded to other values than were encoded', c);
  }
  const maxMillis = options.maxMillis ?? MAX_MILLIS_PER_CASE;
  if (elapsed > maxMillis) throw new FuzzFailure(`took ${elapsed.toFixed(0)} ms (bound ${maxMillis} ms)`, c);
}

function summary(o: Outcome): string {
  return JSON.stringify({ values: o.values.length, error: o.error, skipped: o.skipped, reported: o.reported }, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v,
  );
}

function decodeOnce(codec: Codec, c: FuzzCase, chunks: readonly Uint8Array[]): Outcome {
  const values: unknown[] = [];
  let reported = 0;
  const options: StreamDecoderOptions = { ...c.limits };
  if (c.skip) {
    options.onError = () => {
      reported++;
      return 'skip';
    };
  }
  const sink = (v: unknown): void => {
    values.push(v);
  };
  let decoder: StreamDecoder<unknown>;
  try {
    decoder = c.objects ? StreamDecoder.objects(codec, sink, options) : StreamDecoder.events(codec, sink, options);
  } catch (e) {
    throw new FuzzFailure(`creating the decoder threw ${String(e)}`, c, { cause: e });
  }
  try {
    for (const chunk of chunks) decoder.push(chunk);
    decoder.end();
  } catch (e) {
    if (!(e instanceof DecodeError)) {
      throw new FuzzFailure(`a ${e instanceof Error ? e.name : typeof e} escaped: ${e instanceof Error ? e.stack : String(e)}`, c, { cause: e });
    }
    // A stopped decoder is dead and says so: the same error on every later call.
    let again: unknown;
    try {
      decoder.push(new Uint8Array([0x0a]));
    } catch (e2) {
      again = e2;
    }
    if (again !== e) throw new FuzzFailure(`after ${e.code}, push() did not rethrow the same error (got ${String(again)})`, c);
    checkPlaced(codec, c, e, values.length);
    return {
      values,
      error: { code: e.code, frameIndex: e.frameIndex, byteOffset: e.byteOffset, mediaType: e.mediaType },
      skipped: decoder.stats.skipped,
      reported,
    };
  }
  return { values, skipped: decoder.stats.skipped, reported };
}

function checkPlaced(codec: Codec, c: FuzzCase, e: DecodeError, delivered: number): void {
  if (e.mediaType !== codec.mediaType) throw new FuzzFailure(`error media type ${JSON.stringify(e.mediaType)}`, c);
  if (!(e.frameIndex >= delivered)) throw new FuzzFailure(`error at frame ${e.frameIndex} after ${delivered} values`, c);
  if (!(e.byteOffset >= 0 && e.byteOffset <= c.bytes.length)) throw new FuzzFailure(`error byte offset ${e.byteOffset} outside 0..${c.bytes.length}`, c);
  if (!e.message.startsWith(`${e.code} at frame ${e.frameIndex} (byte ${e.byteOffset})`)) throw new FuzzFailure(`message not placed: ${e.message}`, c);
}

/** Constant factors for "decoding does not amplify": protobuf defaults and Time strings make small input grow. */
const NODES_PER_BYTE = 64;
const CHARS_PER_BYTE = 32;
const FIXED_ALLOWANCE = 4096;
/** Levels a decoded value may have beyond maxDepth (the event wrapper; protobuf special kinds). */
const DEPTH_SLACK = 4;

function checkOutcome(codec: Codec, c: FuzzCase, o: Outcome): void {
  if (!c.skip && o.skipped !== 0) throw new FuzzFailure(`${o.skipped} frames skipped without onError`, c);
  if (c.skip && o.skipped > o.reported) throw new FuzzFailure(`${o.skipped} frames skipped, only ${o.reported} reported`, c);
  if (o.error !== undefined && o.error.mediaType !== codec.mediaType) throw new FuzzFailure('error media type', c);
  const budget = { nodes: NODES_PER_BYTE * c.bytes.length + FIXED_ALLOWANCE, chars: CHARS_PER_BYTE * c.bytes.length + FIXED_ALLOWANCE };
  const seen = new Set<object>();
  for (const value of o.values) {
    if (c.objects ? !isPlainObject(value) : !isEvent(value)) throw new FuzzFailure(`delivered a value that is not ${c.objects ? 'an object' : '{type, object}'}`, c);
    walk(value, 0, c, budget, seen);
  }
}

/** JSON and YAML: strings and collections are bounded by maxFrameBytes, not by their own limits. */
function isTextFormat(format: FuzzFormat): boolean {
  return format === 'json' || format === 'json-documents' || format === 'yaml';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEvent(v: unknown): v is WatchEvent {
  return isPlainObject(v) && Object.keys(v).length === 2 && typeof v.type === 'string' && isPlainObject(v.object);
}

/** Checks prototypes, limits and size of a decoded value (shared subtrees, e.g. YAML aliases, counted once). */
function walk(value: unknown, depth: number, c: FuzzCase, budget: { nodes: number; chars: number }, seen: Set<object>): void {
  if (typeof value === 'string') {
    // One UTF-16 unit per UTF-8 byte at most; base64/hex forms of bytes grow by 2x.
    // The text formats bound strings by the frame (maxStringBytes is for the binary ones, as documented).
    const bound = isTextFormat(c.format) ? c.limits.maxFrameBytes : 2 * c.limits.maxStringBytes + 4;
    if (value.length > bound) throw new FuzzFailure(`a string of ${value.length} chars, over its limit (${bound})`, c);
    budget.chars -= value.length;
    if (budget.chars < 0) throw new FuzzFailure('decoded strings grew beyond a constant factor of the input', c);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (seen.has(value)) return;
  seen.add(value);
  if (--budget.nodes < 0) throw new FuzzFailure('decoded values grew beyond a constant factor of the input', c);
  if (depth > c.limits.maxDepth + DEPTH_SLACK) throw new FuzzFailure(`a value nested ${depth} deep, over maxDepth`, c);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) throw new FuzzFailure('an array with a foreign prototype', c);
    if (value.length > c.limits.maxCollectionLength && !isTextFormat(c.format)) {
      throw new FuzzFailure(`an array of ${value.length}, over maxCollectionLength`, c);
    }
    for (const item of value) walk(item, depth + 1, c, budget, seen);
    return;
  }
  if (proto !== Object.prototype) throw new FuzzFailure(`an object with a foreign prototype (${String(proto)})`, c);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if (!('value' in descriptor)) throw new FuzzFailure(`an accessor property ${String(key)}`, c);
    if (typeof descriptor.value === 'function') throw new FuzzFailure(`a function value at ${String(key)}`, c);
    if (typeof key === 'string') budget.chars -= key.length;
    walk(descriptor.value, depth + 1, c, budget, seen);
  }
}

/** Heap check for a long run: throws if the heap grew by more than `maxGrowth` bytes since `start()`. */
export class HeapWatch {
  private base = 0;
  constructor(private readonly maxGrowth = 512 * 1024 * 1024) {}
  start(): void {
    this.base = process.memoryUsage().heapUsed;
  }
  check(): number {
    const grown = process.memoryUsage().heapUsed - this.base;
    if (grown > this.maxGrowth) throw new Error(`heap grew by ${(grown / 2 ** 20).toFixed(0)} MiB during fuzzing`);
    return grown;
  }
}

// ---- repro files ---------------------------------------------------------------------------

export interface FuzzRepro {
  format: FuzzFormat;
  kind: string;
  /** base64 */
  bytes: string;
  cuts: number[];
  skip: boolean;
  objects: boolean;
  limits: DecodeLimits;
  expected?: WatchEvent[];
  /** What broke, when it was found. */
  failure?: string;
  seed?: number;
}

export function caseToRepro(c: FuzzCase, failure?: string, seed?: number): FuzzRepro {
  return {
    format: c.format,
    kind: c.kind,
    bytes: Buffer.from(c.bytes).toString('base64'),
    cuts: c.cuts,
    skip: c.skip,
    objects: c.objects,
    limits: { ...c.limits },
    ...(c.expected === undefined ? {} : { expected: c.expected }),
    ...(failure === undefined ? {} : { failure }),
    ...(seed === undefined ? {} : { seed }),
  };
}

export function reproToCase(r: FuzzRepro): FuzzCase {
  if (!(FUZZ_FORMATS as readonly string[]).includes(r.format)) throw new Error(`unknown format ${r.format}`);
  return {
    format: r.format,
    kind: r.kind,
    bytes: new Uint8Array(Buffer.from(r.bytes, 'base64')),
    cuts: r.cuts,
    skip: r.skip,
    objects: r.objects,
    limits: { ...FUZZ_LIMITS, ...r.limits },
    ...(r.expected === undefined ? {} : { expected: r.expected }),
  };
}

// ---- generators ----------------------------------------------------------------------------

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};

/** A CBOR head with the argument in `extra` bytes (0: inside the initial byte). */
function cborHead(major: number, value: number | bigint, extra: 0 | 1 | 2 | 4 | 8): number[] {
  if (extra === 0) return [(major << 5) | Number(value)];
  const ai = { 1: 24, 2: 25, 4: 26, 8: 27 }[extra];
  const out = [(major << 5) | ai];
  let v = BigInt(value);
  const bytes: number[] = [];
  for (let i = 0; i < extra; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return [...out, ...bytes];
}
const cborText = (s: string): number[] => {
  const b = utf8(s);
  return [...(b.length < 24 ? cborHead(3, b.length, 0) : cborHead(3, b.length, 4)), ...b];
};
/** {type: ADDED, object: <raw item>} as CBOR. */
const cborEvent = (object: number[], type = 'ADDED'): number[] => [0xa2, ...cborText('type'), ...cborText(type), ...cborText('object'), ...object];

function protobufFrame(body: number[]): number[] {
  const n = body.length;
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, ...body];
}
const pbString = (field: number, s: string): number[] => {
  const b = utf8(s);
  return [(field << 3) | 2, ...varint(b.length), ...b];
};
const pbBytes = (field: number, b: readonly number[]): number[] => [(field << 3) | 2, ...varint(b.length), ...b];
/** A watch frame: WatchEvent{type, object: RawExtension{raw: k8s\0 + Unknown{typeMeta, raw}}}. */
function protobufWatchFrame(apiVersion: string, kind: string, raw: readonly number[], type = 'ADDED'): number[] {
  const typeMeta = [...pbString(1, apiVersion), ...pbString(2, kind)];
  const unknown = [0x6b, 0x38, 0x73, 0x00, ...pbBytes(1, typeMeta), ...pbBytes(2, raw)];
  return protobufFrame([...pbString(1, type), ...pbBytes(2, pbBytes(1, unknown))]);
}
/** JSONSchemaProps nested `levels` deep through `not` (field 28). */
function nestedNot(levels: number): number[] {
  // Sizes inside out, then the heads outside in: linear, not a copy per level.
  const sizes = [0];
  for (let i = 1; i <= levels; i++) sizes.push(2 + varint(sizes[i - 1]!).length + sizes[i - 1]!);
  const out: number[] = [];
  for (let i = levels; i >= 1; i--) out.push(0xe2, 0x01, ...varint(sizes[i - 1]!));
  return out;
}

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf'];

/** Events whose objects carry prototype-named keys at several levels. */
const hostileObject = fc
  .tuple(fc.subarray(HOSTILE_KEYS, { minLength: 1 }), fc.constantFrom('str', 'map'))
  .map(([keys, style]) => {
    const inner = objectFrom(keys.map((k) => [k, style === 'str' ? 'polluted' : objectFrom([['polluted', 'yes'], ['prototype', objectFrom([['polluted', 'yes']])]])]));
    return objectFrom([
      ['apiVersion', 'v1'],
      ['kind', 'ConfigMap'],
      ['metadata', objectFrom([['name', 'x'], ['labels', objectFrom(keys.map((k) => [k, 'v']))]])],
      ['data', objectFrom(keys.map((k) => [k, 'polluted']))],
      ...keys.map((k): [string, unknown] => [k, inner]),
    ]);
  });

interface FormatGenerators {
  /** Valid events for this format's encoder. */
  events: fc.Arbitrary<WatchEvent>;
  deep: fc.Arbitrary<Uint8Array>;
  hugeLength: fc.Arbitrary<Uint8Array>;
  duplicateKeys: fc.Arbitrary<Uint8Array>;
  tokens: fc.Arbitrary<Uint8Array>;
}

function tokenSoup(tokens: readonly (string | number[])[], maxLength = 40): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.constantFrom(...tokens), { maxLength }).map((parts) => concat(parts.map((p) => (typeof p === 'string' ? utf8(p) : Uint8Array.from(p)))));
}

const JSON_TOKENS = [
  '{', '}', '[', ']', '"', '\\', ':', ',', ' ', '\n', '\r\n', '\t', '"type"', '"object"', '"ADDED"', '"ERROR"', '"FOO"', 'null', '1', '-0.5e3',
  '1e999', 'true', '"\\u0000"', '"\\ud800"', '"__proto__"', '"constructor"', '"prototype"', '{"type":"ADDED","object":{}}', '\ufeff', '\u00ff', [0xff], [0xc0, 0x80],
];
const YAML_TOKENS = [
  '---', '...', '\n', ' ', '  ', '- ', ': ', 'type', 'object', 'ADDED', 'FOO', '{', '}', '[', ']', ',', '"', "'", '#', '&a ', '*a', '&b ', '*b', '<<: ',
  '!!js/function ', '!!binary ', '!!python/object ', '!foo ', '? ', '|', '>', '%YAML 1.2', '%TAG ! tag:x,2000:', '\t', '\r\n', 'null', '~', '__proto__',
  'constructor', '\ufeff', '\\', [0xff], 'type: ADDED\nobject: {}\n',
];
const CBOR_TOKENS: (string | number[])[] = [
  [0xa2], [0xa1], [0x80], [0x81], [0x9f], [0xbf], [0xff], [0xd9, 0xd9, 0xf7], [0xd6], [0xc2], [0x5b], [0x7b], [0x1b], [0xf9], [0xf7], [0x18], [0x40], [0x60],
  cborText('type'), cborText('object'), cborText('ADDED'), cborText('__proto__'), [0x49, ...utf8('__proto__')], cborEvent([0xa0]), [0x00], [0x20], [0xf6],
];
const PROTOBUF_TOKENS: (string | number[])[] = [
  [0, 0, 0, 0], [0, 0, 0, 8], [0xff, 0xff, 0xff, 0xff], [0x0a], [0x12], [0x1a], [0x22], [0x08], [0xff, 0xff, 0xff, 0xff, 0x0f], [0x80], [0x00],
  [0x6b, 0x38, 0x73, 0x00], pbString(1, 'ADDED'), pbString(1, 'v1'), pbString(2, 'Pod'), pbString(2, 'ConfigMap'), [0x0b], [0x0c], [0x0f],
];

const depth = fc.integer({ min: 1, max: 3000 });

/**
 * Protobuf-capable events: making one costs a protobuf round trip (its
 * canonical form), which would dominate the fuzz loop, so most come from a
 * pool made once and only some are fresh.
 */
function protobufEvents(): fc.Arbitrary<WatchEvent> {
  const pool = fc.sample(protobufEvent, { seed: 4242, numRuns: 400 });
  return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: protobufEvent });
}

function generatorsFor(format: FuzzFormat): FormatGenerators {
  switch (format) {
    case 'json':
    case 'json-documents':
      return {
        events: watchEvent,
        deep: fc.tuple(depth, fc.constantFrom('[', '{"a":')).map(([n, open]) =>
          utf8(`{"type":"ADDED","object":{"a":${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}}}\n`),
        ),
        hugeLength: fc.integer({ min: 1, max: 4096 }).map((n) => utf8(`{"type":"ADDED","object":{"a":"${'x'.repeat(n)}`)),
        duplicateKeys: fc.constantFrom(
          '{"type":"ADDED","object":{"a":1,"a":2}}\n',
          '{"type":"ADDED","type":"DELETED","object":{}}\n',
          '{"type":"ADDED","object":{},"object":{"b":1}}\n',
          '{"type":"ADDED","object":{"__proto__":{"p":1},"__proto__":{"p":2}}}\n',
        ).map(utf8),
        tokens: tokenSoup(JSON_TOKENS),
      };
    case 'yaml':
      return {
        events: watchEvent,
        deep: fc.tuple(depth, fc.constantFrom('flow', 'block', 'anchor')).map(([n, style]) => {
          if (style === 'flow') return utf8(`type: ADDED\nobject:\n  a: ${'['.repeat(n)}1${']'.repeat(n)}\n`);
          if (style === 'block') return utf8(`type: ADDED\nobject:\n${Array.from({ length: Math.min(n, 300) }, (_, i) => `${' '.repeat(i + 1)}k:\n`).join('')}`);
          // An alias bomb: `levels` levels of `width` aliases each.
          const levels = Math.min(1 + (n % 12), 12);
          const lines = ['type: ADDED', 'object:', '  a0: &a0 [x, x, x, x, x, x, x, x, x]'];
          for (let i = 1; i <= levels; i++) lines.push(`  a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
          return utf8(lines.join('\n') + '\n');
        }),
        hugeLength: fc.integer({ min: 1, max: 4096 }).map((n) => utf8(`type: ADDED\nobject:\n  a: "${'x'.repeat(n)}`)),
        duplicateKeys: fc.constantFrom(
          'type: ADDED\nobject: {a: 1, a: 2}\n',
          'type: ADDED\ntype: DELETED\nobject: {}\n',
          'type: ADDED\nobject:\n  __proto__: {p: 1}\n  __proto__: {p: 2}\n',
          'type: ADDED\nobject: &o {}\nx: *o\n',
        ).map(utf8),
        tokens: tokenSoup(YAML_TOKENS),
      };
    case 'cbor':
      return {
        events: watchEvent,
        deep: fc.tuple(depth, fc.constantFrom(0x81, 0xa1)).map(([n, open]) => {
          const body: number[] = [];
          for (let i = 0; i < n; i++) body.push(...(open === 0x81 ? [0x81] : [0xa1, ...cborText('a')]));
          body.push(0x00);
          return Uint8Array.from(cborEvent(open === 0x81 ? [0xa1, ...cborText('a'), ...body] : body));
        }),
        hugeLength: fc
          .tuple(
            fc.constantFrom(2, 3, 4, 5),
            fc.constantFrom<[number | bigint, 1 | 2 | 4 | 8]>([2n ** 64n - 1n, 8], [2n ** 63n, 8], [2n ** 63n - 1n, 8], [2n ** 32n, 8], [2 ** 32 - 1, 4], [2 ** 31, 4], [65535, 2], [70000, 4], [5000, 2]),
            fc.boolean(),
            fc.uint8Array({ maxLength: 16 }),
          )
          .map(([major, [n, extra], nested, tail]) => {
            const head = cborHead(major, n, extra);
            return concat([Uint8Array.from(nested ? cborEvent([0xa1, ...cborText('a'), ...head]) : head), tail]);
          }),
        duplicateKeys: fc.constantFrom(
          cborEvent([0xa2, ...cborText('a'), 0x01, ...cborText('a'), 0x02]),
          [0xa3, ...cborText('type'), ...cborText('ADDED'), ...cborText('type'), ...cborText('DELETED'), ...cborText('object'), 0xa0],
          cborEvent([0xa2, ...cborText('__proto__'), 0xa1, ...cborText('p'), 0x01, 0x49, ...utf8('__proto__'), 0xa0]),
          cborEvent([0xa2, 0x41, 0x61, 0x01, 0xd9, 0xd9, 0xf7, 0x61, 0x61, 0x02]),
        ).map((b) => Uint8Array.from(b)),
        tokens: tokenSoup(CBOR_TOKENS),
      };
    case 'protobuf':
      return {
        events: protobufEvents(),
        deep: depth.map((n) => Uint8Array.from(protobufWatchFrame('example.com/v1', 'Schema', nestedNot(Math.min(n, 1500))))),
        hugeLength: fc
          .tuple(fc.constantFrom(0xffffffff, 0x80000000, 0x7fffffff, 64 * 1024 + 1, 16 * 1024 * 1024 + 1), fc.constantFrom('header', 'string', 'raw', 'nested'), fc.uint8Array({ maxLength: 16 }))
          .map(([n, where, tail]) => {
            if (where === 'header') return concat([Uint8Array.from([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]), tail]);
            // A well-framed event whose inner declared length overruns everything.
            const body =
              where === 'string'
                ? [0x0a, ...varint(n), ...tail] // WatchEvent.type of n bytes
                : where === 'raw'
                  ? [...pbString(1, 'ADDED'), 0x12, 0x08, 0x0a, ...varint(n), 0x6b, 0x38, 0x73, 0x00]
                  : [...pbString(1, 'ADDED'), ...pbBytes(2, pbBytes(1, [0x6b, 0x38, 0x73, 0x00, ...pbBytes(1, [...pbString(1, 'v1'), ...pbString(2, 'ConfigMap')]), 0x12, ...varint(n), 0x0a, ...varint(n)]))];
            return Uint8Array.from(protobufFrame(body));
          }),
        duplicateKeys: fc.constantFrom(
          // ConfigMap.data (field 2, map<string,string>) with the key twice; metadata twice; type twice.
          protobufWatchFrame('v1', 'ConfigMap', [...pbBytes(2, [...pbString(1, 'a'), ...pbString(2, 'x')]), ...pbBytes(2, [...pbString(1, 'a'), ...pbString(2, 'y')])]),
          protobufWatchFrame('v1', 'ConfigMap', [...pbBytes(2, [...pbString(1, '__proto__'), ...pbString(2, 'x')]), ...pbBytes(2, [...pbString(1, 'constructor'), ...pbString(2, 'y')])]),
          protobufWatchFrame('v1', 'ConfigMap', [...pbBytes(1, pbString(1, 'a')), ...pbBytes(1, pbString(1, 'b'))]),
          protobufFrame([...pbString(1, 'ADDED'), ...pbString(1, 'DELETED'), ...pbBytes(2, pbBytes(1, [0x6b, 0x38, 0x73, 0x00]))]),
        ).map((b) => Uint8Array.from(b)),
        tokens: tokenSoup(PROTOBUF_TOKENS),
      };
  }
}

const INVALID_UTF8 = [[0xff], [0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]];

const arbitraries = new Map<FuzzFormat, fc.Arbitrary<FuzzCase>>();

/** Every way the harness makes hostile input for `format`, with chunking, mode and limits (made once per format). */
export function fuzzCases(format: FuzzFormat): fc.Arbitrary<FuzzCase> {
  let arbitrary = arbitraries.get(format);
  if (arbitrary === undefined) {
    arbitrary = makeFuzzCases(format);
    arbitraries.set(format, arbitrary);
  }
  return arbitrary;
}

function makeFuzzCases(format: FuzzFormat): fc.Arbitrary<FuzzCase> {
  const g = generatorsFor(format);
  const codec = FUZZ_CODECS[format];
  const encode = (list: WatchEvent[]): Uint8Array => encodeAll(codec, list);
  const validEvents = fc.array(g.events, { maxLength: 4 });
  const valid = validEvents.map(encode);
  const hostile = fc
    .array(fc.oneof(g.events, hostileObject.map((object) => ({ type: 'ADDED' as const, object }))), { minLength: 1, maxLength: 3 })
    .map((list) => {
      try {
        return encode(list);
      } catch {
        // A schema-driven encoder (protobuf) cannot write keys its schema lacks: keep the map-field ones.
        return encode(list.filter((e) => !HOSTILE_KEYS.some((k) => Object.hasOwn(e.object, k))));
      }
    });
  const mutate = (bytes: Uint8Array, edits: [number, number, 'set' | 'insert' | 'delete'][]): Uint8Array => {
    const out = Array.from(bytes);
    for (const [at, byte, how] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (how === 'set' && out.length > 0) out[i] = byte;
      else if (how === 'insert') out.splice(i, 0, byte);
      else out.splice(i, 1);
    }
    return Uint8Array.from(out);
  };
  const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom<'set' | 'insert' | 'delete'>('set', 'insert', 'delete'));
  const inputs: fc.Arbitrary<[string, Uint8Array] | [string, Uint8Array, WatchEvent[]]>[] = [
    fc.uint8Array({ maxLength: 512 }).map((b) => ['random', b]),
    validEvents.map((list): [string, Uint8Array, WatchEvent[]] => ['valid', encode(list), list]),
    fc.tuple(valid, edit).map(([b, e]) => ['mutated', mutate(b, [e])]),
    fc.tuple(valid, fc.array(edit, { minLength: 2, maxLength: 5 })).map(([b, e]) => ['mutated-many', mutate(b, e)]),
    valid.chain((b) => fc.integer({ min: 0, max: b.length }).map((n): [string, Uint8Array] => ['truncated', b.subarray(0, n)])),
    g.deep.map((b) => ['deep', b]),
    g.hugeLength.map((b) => ['huge-length', b]),
    g.duplicateKeys.map((b) => ['duplicate-keys', b]),
    hostile.map((b) => ['proto-keys', b]),
    g.tokens.map((b) => ['tokens', b]),
    fc
      .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), { minLength: 1, maxLength: 3 }))
      .map(([b, edits]): [string, Uint8Array] => {
        const out = Array.from(b);
        for (const [at, seq] of edits) out.splice(out.length === 0 ? 0 : at % out.length, seq.length, ...seq);
        return ['invalid-utf8', Uint8Array.from(out)];
      }),
    // Valid frames around a hostile one: what comes before must be delivered, skip must resync.
    fc
      .tuple(valid, fc.oneof(g.hugeLength, g.duplicateKeys, g.deep, g.tokens), valid)
      .map(([a, bad, b]): [string, Uint8Array] => ['sandwich', concat([a, format === 'yaml' && a.length > 0 ? utf8('---\n') : new Uint8Array(0), bad, format === 'yaml' ? utf8('\n---\n') : new Uint8Array(0), b])]),
  ];
  const limits: fc.Arbitrary<DecodeLimits> = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ ...FUZZ_LIMITS }) },
    {
      weight: 1,
      arbitrary: fc.record({
        maxFrameBytes: fc.integer({ min: 0, max: 2048 }),
        maxDepth: fc.integer({ min: 0, max: 12 }),
        maxAliases: fc.integer({ min: 0, max: 8 }),
        maxCollectionLength: fc.integer({ min: 0, max: 16 }),
        maxStringBytes: fc.integer({ min: 0, max: 64 }),
      }),
    },
  );
  return fc
    .tuple(fc.oneof(...inputs), fc.boolean(), fc.nat(9), limits)
    .chain(([[kind, bytes, expected], skip, modeDie, lim]) =>
      // Re-chunking: random cuts, or byte by byte for short inputs.
      fc
        .oneof(cutPoints(bytes.length), fc.constant(bytes.length <= 1024 ? Array.from({ length: Math.max(bytes.length - 1, 0) }, (_, i) => i + 1) : []))
        .map(
          (cuts): FuzzCase => ({
            format,
            kind,
            bytes,
            cuts: [...cuts],
            skip,
            objects: modeDie === 0,
            limits: lim,
            // The oracle: with the generous limits a valid stream decodes to exactly what was encoded.
            ...(expected !== undefined && modeDie !== 0 && lim.maxFrameBytes === FUZZ_LIMITS.maxFrameBytes ? { expected } : {}),
          }),
        ),
    );
}

/** Runs `numRuns` cases of `format` from `seed` under fast-check (which shrinks a failure); returns cases by kind. */
export function assertFuzz(format: FuzzFormat, seed: number, numRuns: number, options: RunOptions = {}): Map<string, number> {
  const kinds = new Map<string, number>();
  const heap = new HeapWatch();
  heap.start();
  let n = 0;
  fc.assert(
    fc.property(fuzzCases(format), (c) => {
      kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
      runFuzzCase(c, options);
      if (++n % 256 === 0) heap.check();
    }),
    { seed, numRuns, includeErrorInReport: true },
  );
  heap.check();
  return kinds;
}
