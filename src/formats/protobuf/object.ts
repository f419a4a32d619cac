/**
 * One Kubernetes object in protobuf: the magic `k8s\0`, then a runtime.Unknown
 * {typeMeta {apiVersion, kind}, raw, contentEncoding, contentType} whose raw
 * is the object's own message. Decoding picks the message from typeMeta and
 * reads straight from the caller's bytes (no copy of raw).
 */
import { DecodeError, describeCause } from '../../core/errors.js';
import type { KubeObject } from '../../core/event.js';
import { type FieldFilter, applyFieldFilter } from '../../core/field-filter.js';
import type { Int64Mode } from '../../core/int64.js';
import type { DecodeLimits } from '../../core/limits.js';
import { parseJsonBytes } from '../../core/json-parse.js';
import type { MessageCodec, ProtobufSchemaRegistry } from './registry.js';
import { UNTYPED_MESSAGE } from './resolve.js';
import { type DecodeContext, type Reader, createReader, enter, leave, skip, str } from './runtime/reader.js';
import { EncodeError, type Writer, createWriter } from './runtime/writer.js';
import { decodeAny } from './runtime/table.js';
import type { ProtobufTier } from './tiers.js';

/** "k8s\0" read as a little-endian uint32, the way Writer.fixed32 writes it. */
const MAGIC_LE = 0x0073386b;
export const MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);

export interface ProtobufObjectOptions {
  /** Integers beyond 2^53: see Int64Mode. Default 'number'. */
  int64?: Int64Mode;
  /** The messages to decode with: built-in groups and caller kinds. Default: the entry's own (every built-in group for `watchwire/protobuf`). */
  schemas?: ProtobufSchemaRegistry;
  /** The message of an object whose envelope has an empty typeMeta. Default meta/v1 WatchEvent. */
  untypedMessage?: string;
  /**
   * Which decoder tier reads built-in messages (see tiers.ts): 'auto'
   * (default) starts each kind on the table tier, which is quick to warm up,
   * and moves it to the generated decoders, faster once compiled, when
   * enough of it has been decoded to pay for their compile; 'table' or
   * 'compiled' keeps one tier (a short- or a long-lived process). The
   * objects and errors are the same either way. Kinds added from a
   * protobufjs Root (addRoot) have one decoder whatever this says.
   */
  tier?: ProtobufTier;
  /**
   * With tier 'auto': the bytes of protobuf this codec is expected to decode
   * in all, when the caller knows (a file's size, a LIST's Content-Length).
   * A kind whose compile those bytes would pay for moves to the generated
   * decoders right after its first object, instead of first spending as much
   * on the table tier as the compile costs (tiers.ts). Measured, the CLI on
   * 16,000 fixture Pods (217 MB), CPU s, Node 20 / 22 / 24: table 1.77 /
   * 1.63 / 1.53, compiled from the start 1.58 / 1.50 / 1.57, 'auto' without
   * this 2.13 (Node 20). Default: unknown.
   */
  expectedBytes?: number;
}

/** Options with the registry settled by the entry point (which decides what "built-in" holds). */
export type ResolvedObjectOptions = ProtobufObjectOptions & { schemas: ProtobufSchemaRegistry };

/** What a decoder keeps between frames: options resolved once, a context reused per object. */
export class ObjectReader {
  private readonly schemas: ProtobufSchemaRegistry;
  private readonly untyped: string;
  private readonly context: DecodeContext;
  private readonly tier: ProtobufTier;
  private readonly expectedBytes: number;
  /** For decode(): one reader for every buffer (see Reader.reset). */
  private reader: Reader | undefined;
  /**
   * The codec of the last (apiVersion, kind) and the registry revision it was
   * resolved at: a watch sends one kind, and resolving builds candidate names
   * and looks them up (5% of a ConfigMap's decode). The strings usually come
   * from the string cache, so the compares are of identical strings.
   */
  private lastApiVersion = '';
  private lastKind = '';
  private lastCodec: MessageCodec | undefined;
  private lastRevision = -1;

  constructor(limits: Pick<DecodeLimits, 'maxDepth' | 'maxCollectionLength'> & Partial<Pick<DecodeLimits, 'maxStringBytes'>>, options: ResolvedObjectOptions) {
    this.schemas = options.schemas;
    this.untyped = options.untypedMessage ?? UNTYPED_MESSAGE;
    this.tier = options.tier ?? 'auto';
    this.expectedBytes = options.expectedBytes ?? 0;
    this.context = {
      depth: 0,
      maxDepth: limits.maxDepth,
      maxCollectionLength: limits.maxCollectionLength,
      maxStringBytes: limits.maxStringBytes ?? Number.MAX_SAFE_INTEGER,
      int64: options.int64 ?? 'number',
      kind: '',
      apiVersion: '',
      top: false,
      filter: undefined,
      cached: false,
    };
  }

  /**
   * Decodes the object held in `r.buf[start, end)` (magic + Unknown). Throws
   * DecodeError only: anything else a malformed message makes protobufjs
   * throw becomes `invalid-protobuf`. With `filter`, the dropped fields'
   * bytes are skipped (see skipField) and the result is what
   * applyFieldFilter makes of the whole object.
   */
  read(r: Reader, start: number, end: number, filter?: FieldFilter): KubeObject {
    let object: KubeObject;
    try {
      object = this.readUnchecked(r, start, end, filter);
    } catch (e) {
      throw asDecodeError(e);
    }
    return filter === undefined ? object : (applyFieldFilter(object, filter) as KubeObject);
  }

  /** Lets go of the last buffer decode() read (its reader keeps it otherwise, if at most 1 MiB). */
  compact(): void {
    this.reader?.release(true);
  }

  /** Decodes a whole buffer holding one object (an unframed error Status, a `.pb` file). */
  decode(bytes: Uint8Array, filter?: FieldFilter): KubeObject {
    const r = (this.reader ??= createReader(bytes));
    r.reset(bytes);
    const object = this.read(r, 0, bytes.length, filter);
    r.release();
    return object;
  }

  private readUnchecked(r: Reader, start: number, end: number, filter: FieldFilter | undefined): KubeObject {
    const buf = r.buf;
    if (end - start < 4 || buf[start] !== 0x6b || buf[start + 1] !== 0x38 || buf[start + 2] !== 0x73 || buf[start + 3] !== 0x00) {
      throw new DecodeError('bad-magic', `object does not start with "k8s\\0" (got ${hex(buf.subarray(start, Math.min(end, start + 4)))})`);
    }
    const c = this.context;
    c.depth = 0;
    c.filter = undefined; // a previous object may have failed mid-decode
    r.pos = start + 4;
    r.len = end;
    let apiVersion = '';
    let kind = '';
    let rawStart = -1;
    let rawEnd = -1;
    let contentEncoding = '';
    let contentType = '';
    while (r.pos < r.len) {
      const t = r.uint32();
      switch (t) {
        case 10: {
          const saved = enter(r, c);
          while (r.pos < r.len) {
            const tt = r.uint32();
            if (tt === 10) apiVersion = str(r, c);
            else if (tt === 18) kind = str(r, c);
            else skip(r, tt);
          }
          leave(r, c, saved);
          break;
        }
        case 18: {
          const length = r.uint32();
          rawStart = r.pos;
          rawEnd = rawStart + length;
          if (rawEnd > r.len) throw new DecodeError('invalid-protobuf', `Unknown.raw of ${length} bytes overruns the object`);
          r.pos = rawEnd;
          break;
        }
        case 26:
          contentEncoding = str(r, c);
          break;
        case 34:
          contentType = str(r, c);
          break;
        default:
          skip(r, t);
      }
    }
    if (contentEncoding !== '') throw new DecodeError('unsupported', `object content encoding ${JSON.stringify(contentEncoding)}`);
    if (rawStart < 0) rawStart = rawEnd = end;
    if (contentType === 'application/json') return this.json(buf.subarray(rawStart, rawEnd));
    if (contentType !== '' && !contentType.startsWith('application/vnd.kubernetes.protobuf')) {
      throw new DecodeError('unsupported', `object content type ${JSON.stringify(contentType)}`);
    }
    let codec = this.lastCodec;
    if (apiVersion !== this.lastApiVersion || kind !== this.lastKind || this.lastRevision !== this.schemas.revision || codec === undefined) {
      codec = apiVersion === '' && kind === '' ? this.schemas.message(this.untyped) : this.schemas.resolve(apiVersion, kind);
      this.lastApiVersion = apiVersion;
      this.lastKind = kind;
      this.lastCodec = codec;
      this.lastRevision = this.schemas.revision;
    }
    if (codec === undefined) {
      throw new DecodeError('unknown-kind', `no protobuf schema for apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)}`, {
        raw: buf.subarray(start, end),
      });
    }
    c.top = codec.typeMeta;
    c.kind = kind;
    c.apiVersion = apiVersion;
    // Skipping while decoding is for objects (they embed TypeMeta); anything else gets the post-pass only.
    c.filter = codec.typeMeta ? filter : undefined;
    r.pos = rawStart;
    r.len = rawEnd;
    const tiers = codec.tiers;
    const tier = this.tier;
    const object = (
      tiers !== undefined && tier !== 'compiled' && (tier === 'table' || tiers.rent(rawEnd - rawStart, this.expectedBytes)) ? decodeAny(r, c, tiers.table) : codec.decode(r, c)
    ) as KubeObject;
    c.top = false;
    c.filter = undefined;
    return object;
  }

  private json(bytes: Uint8Array): KubeObject {
    let value: unknown;
    try {
      value = parseJsonBytes(bytes);
    } catch (e) {
      throw new DecodeError('invalid-json', describeCause(e), { cause: e });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError('not-an-event', 'object is not a JSON object');
    return value as KubeObject;
  }
}

export function asDecodeError(e: unknown): DecodeError {
  if (e instanceof DecodeError) return e;
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new DecodeError('nesting-too-deep', 'protobuf message nested too deep for the call stack', { cause: e });
  }
  return new DecodeError('invalid-protobuf', describeCause(e), { cause: e });
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing';
}

/** Writes magic + Unknown for `object` (no tag or length before it). */
export class ObjectWriter {
  private readonly schemas: ProtobufSchemaRegistry;
  private readonly untyped: string;

  constructor(options: Pick<ResolvedObjectOptions, 'schemas' | 'untypedMessage'>) {
    this.schemas = options.schemas;
    this.untyped = options.untypedMessage ?? UNTYPED_MESSAGE;
  }

  codecFor(object: KubeObject): MessageCodec {
    const apiVersion = object.apiVersion ?? '';
    const kind = object.kind ?? '';
    const codec = apiVersion === '' && kind === '' ? this.schemas.message(this.untyped) : this.schemas.resolve(String(apiVersion), String(kind));
    if (codec === undefined) throw new EncodeError(`no protobuf schema for apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)}`);
    return codec;
  }

  write(w: Writer, object: KubeObject): void {
    if (typeof object !== 'object' || object === null) throw new EncodeError('object to encode is not an object');
    const codec = this.codecFor(object);
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
    const kind = typeof object.kind === 'string' ? object.kind : '';
    w.fixed32(MAGIC_LE);
    w.uint32(10).fork().uint32(10).string(apiVersion).uint32(18).string(kind).ldelim();
    w.uint32(18).fork();
    codec.encode(w, object);
    w.ldelim();
    // contentEncoding and contentType: written even when empty, as Go writes them.
    w.uint32(26).string('').uint32(34).string('');
  }

  /** magic + Unknown as one buffer (the unframed form of an error response body). */
  encode(object: KubeObject): Uint8Array {
    const w = createWriter();
    this.write(w, object);
    return w.finish();
  }
}
