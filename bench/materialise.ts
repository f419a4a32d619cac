/**
 * Turns the generated corpora into bytes in every format watchwire registers,
 * with watchwire's own encoders, and proves before anything is timed that
 * every format decodes back to the same events.
 */
import { createRequire } from 'node:module';
import { type Codec, type Framer, type WatchEvent, createRegistry, decodeAll, encodeAll } from 'watchwire';
import type { CorpusSpec } from './corpus.js';
import { Tally } from './harness.js';

/** The formats the suites report, in table order; missing codecs become "not available" rows. */
export const FORMATS = ['json', 'yaml', 'protobuf', 'cbor'] as const;
export type Format = (typeof FORMATS)[number];

export const CHUNK_BYTES = 64 * 1024;

/** Limits that admit the 32 MiB object (the defaults stop at 16 MiB, as client-go). */
export const BENCH_LIMITS = { maxFrameBytes: 64 * 1024 * 1024, maxStringBytes: 64 * 1024 * 1024 };

export interface Encoded {
  format: Format;
  codec: Codec;
  bytes: Uint8Array;
  /** The bytes cut into 64 KiB views, as a network would deliver them. */
  chunks: Uint8Array[];
}

export interface Corpus {
  name: CorpusSpec['name'];
  events: WatchEvent[];
  expected: { count: number; sum: number };
  formats: Map<Format, Encoded>;
  /** Formats that could not be used, with the reason. */
  missing: Map<Format, string>;
  /** The JSON corpus pre-split into lines (strings), for the JSON.parse limit. */
  jsonLines: string[];
  /** What happened while making the canonical form (e.g. protobuf normalisation). */
  notes: string[];
}

export function chunk(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, Math.min(at + size, bytes.length)));
  return out;
}

/**
 * Every frame `framer` cuts from `chunks`, the ones handed out at the end
 * too: how many, and their bytes (each copied first when `copied`, as a
 * consumer that keeps a frame must; Uint8Array's slice copies, Buffer's
 * would not). What the framing rows time, and check.
 */
export function frameAll(framer: Framer, chunks: readonly Uint8Array[], copied = false): { frames: number; bytes: number } {
  let frames = 0;
  let bytes = 0;
  const take = () => {
    for (let f = framer.next(); f !== undefined; f = framer.next()) {
      frames++;
      bytes += copied ? Uint8Array.prototype.slice.call(f).length : f.length;
    }
  };
  for (let i = 0; i < chunks.length; i++) {
    framer.push(chunks[i]!);
    take();
  }
  framer.end();
  // A framer that cuts its last document only at the end of input (YAML) hands that frame out here.
  take();
  return { frames, bytes };
}

/** The codecs the registry has for each format, or why not. */
export function lookupCodecs(): { codecs: Map<Format, Codec>; missing: Map<Format, string> } {
  const registry = createRegistry();
  const codecs = new Map<Format, Codec>();
  const missing = new Map<Format, string>();
  for (const format of FORMATS) {
    const codec = registry.list().find((c) => c.name === format);
    if (codec === undefined) missing.set(format, 'not available: codec not registered in createRegistry()');
    else codecs.set(format, codec);
  }
  return { codecs, missing };
}

/** Is cbor-x using its native string extractor in this process? (fixed when cbor-x loads) */
export function cborNative(): boolean {
  if (process.env.CBOR_NATIVE_ACCELERATION_DISABLED?.toLowerCase() === 'true') return false;
  try {
    const extract = createRequire(import.meta.url)('cbor-extract') as { extractStrings?: unknown };
    return typeof extract.extractStrings === 'function';
  } catch {
    return false;
  }
}

/** JSON with sorted keys: equal for equal values whatever the key order or prototype a decoder gives. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? 'undefined');
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Uint8Array) return `bytes(${Array.from(value).join(',')})`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
}

function tallyOf(events: readonly WatchEvent[]): { count: number; sum: number } {
  const tally = new Tally();
  for (const e of events) tally.add(e.type, e.object);
  return { count: tally.count, sum: tally.sum };
}

function firstDifference(a: readonly WatchEvent[], b: readonly WatchEvent[]): string {
  if (a.length !== b.length) return `${b.length} events, expected ${a.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = canonical(a[i]);
    const y = canonical(b[i]);
    if (x !== y) {
      let at = 0;
      while (at < x.length && x[at] === y[at]) at++;
      return `event ${i} differs at char ${at}: expected …${x.slice(Math.max(0, at - 60), at + 60)}… got …${y.slice(Math.max(0, at - 60), at + 60)}…`;
    }
  }
  return '';
}

/**
 * Encodes `spec` in every available format and verifies each decodes to the
 * same events. The canonical events are the generated ones, passed once
 * through protobuf when it is available: protobuf writes every non-pointer
 * field, as a server does, so that is the form every format must agree on.
 * Throws (loudly) on any disagreement.
 */
export function materialise(spec: CorpusSpec): Corpus {
  const { codecs, missing } = lookupCodecs();
  const notes: string[] = [];
  let events = spec.events;
  const protobuf = codecs.get('protobuf');
  if (protobuf !== undefined) {
    try {
      const normalised = decodeAll(protobuf, encodeAll(protobuf, events), BENCH_LIMITS);
      const diff = firstDifference(events, normalised);
      if (diff) notes.push(`protobuf round trip normalised the generated objects (first change: ${diff.slice(0, 300)})`);
      events = normalised;
    } catch (e) {
      missing.set('protobuf', `not available: protobuf could not encode/decode the ${spec.name} corpus: ${String(e).slice(0, 200)}`);
      codecs.delete('protobuf');
    }
  }
  const formats = new Map<Format, Encoded>();
  for (const [format, codec] of codecs) {
    let bytes: Uint8Array;
    try {
      // A plain Uint8Array whatever the encoder returns (protobufjs gives a Buffer), as fetch delivers.
      const encoded = encodeAll(codec, events);
      bytes = Object.getPrototypeOf(encoded) === Uint8Array.prototype ? encoded : new Uint8Array(encoded);
    } catch (e) {
      missing.set(format, `not available: ${format} encoder failed on the ${spec.name} corpus: ${String(e).slice(0, 200)}`);
      continue;
    }
    const decoded = decodeAll(codec, bytes, BENCH_LIMITS);
    const diff = firstDifference(events, decoded);
    if (diff) throw new Error(`corpus ${spec.name}: ${format} does not decode to the same events: ${diff}`);
    formats.set(format, { format, codec, bytes, chunks: chunk(bytes, CHUNK_BYTES) });
  }
  const json = formats.get('json');
  if (json === undefined) throw new Error('the JSON codec is required: it is the baseline of every ratio');
  // Each line its own flat string, as a transport that had already split them would hold it.
  const utf8 = new TextDecoder();
  const jsonLines = utf8.decode(json.bytes).split('\n').filter((line) => line.length > 0).map((line) => utf8.decode(new TextEncoder().encode(line)));
  if (jsonLines.length !== events.length) throw new Error(`corpus ${spec.name}: ${jsonLines.length} JSON lines for ${events.length} events`);
  return { name: spec.name, events, expected: tallyOf(events), formats, missing, jsonLines, notes };
}
