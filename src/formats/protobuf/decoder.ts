import type { DecoderOptions, FrameDecoder } from '../../core/codec.js';
import { DecodeError } from '../../core/errors.js';
import { type KubeObject, type WatchEvent, type WatchEventType, isWatchEventType } from '../../core/event.js';
import { type FieldFilter, filtersEventType } from '../../core/field-filter.js';
import type { DecodeLimits } from '../../core/limits.js';
import { ObjectReader, type ResolvedObjectOptions, asDecodeError } from './object.js';
import { type DecodeContext, Reader, createReader, enter, leave, skip, str } from './runtime/reader.js';

/**
 * One frame of a protobuf watch: meta/v1 WatchEvent {type = 1, object = 2
 * (RawExtension {raw = 1})}, raw being magic + Unknown. The object is decoded
 * in place from the frame's bytes.
 */
export class ProtobufEventDecoder implements FrameDecoder<WatchEvent> {
  private readonly objects: ObjectReader;
  /** Depth and string-limit bookkeeping for the two envelope levels. */
  private readonly envelope: DecodeContext;
  private readonly filter: FieldFilter | undefined;
  /** One reader for every frame (see Reader.reset). */
  private readonly reader: Reader = createReader(new Uint8Array(0));

  constructor(limits: DecodeLimits, options: ResolvedObjectOptions, decoderOptions: DecoderOptions = {}) {
    this.objects = new ObjectReader(limits, options);
    this.filter = decoderOptions.fieldFilter;
    this.envelope = {
      depth: 0,
      maxDepth: 2,
      maxCollectionLength: 0,
      maxStringBytes: limits.maxStringBytes,
      int64: 'number',
      kind: '',
      apiVersion: '',
      top: false,
      filter: undefined,
      cached: false,
    };
  }

  /** A stream waiting for input: the reader must not keep the last frame's chunk alive (see StreamDecoder.compact). */
  compact(): void {
    this.reader.release(true);
    this.objects.compact();
  }

  decode(frame: Uint8Array): WatchEvent {
    const r = this.reader;
    r.reset(frame);
    let type = '';
    let rawStart = -1;
    let rawEnd = -1;
    try {
      const c = this.envelope;
      c.depth = 0;
      while (r.pos < r.len) {
        const t = r.uint32();
        if (t === 10) type = str(r, c);
        else if (t === 18) {
          const saved = enter(r, c);
          while (r.pos < r.len) {
            const tt = r.uint32();
            if (tt === 10) {
              const length = r.uint32();
              rawStart = r.pos;
              rawEnd = rawStart + length;
              if (rawEnd > r.len) throw new DecodeError('invalid-protobuf', `RawExtension.raw of ${length} bytes overruns the event`);
              r.pos = rawEnd;
            } else skip(r, tt);
          }
          leave(r, c, saved);
        } else skip(r, t);
      }
    } catch (e) {
      throw asDecodeError(e);
    }
    if (!isWatchEventType(type)) {
      throw type === ''
        ? new DecodeError('not-an-event', 'WatchEvent without a type')
        : new DecodeError('unknown-event-type', `unknown event type ${JSON.stringify(type.slice(0, 64))}`);
    }
    if (rawStart < 0) throw new DecodeError('not-an-event', 'WatchEvent without an object');
    // The type comes first on the wire and is known here: only ADDED/MODIFIED/DELETED objects are filtered.
    const object = this.objects.read(r, rawStart, rawEnd, this.filter !== undefined && filtersEventType(type) ? this.filter : undefined);
    r.release();
    // Built from `{}`, not a literal with the two keys: an empty literal has no
    // allocation site for V8 to pretenure once a consumer keeps events, and an
    // old-space event would hold its young object alive through every scavenge.
    // The shape is JSON.parse's for {"type","object"}.
    const event = {} as WatchEvent;
    event.type = type as WatchEventType;
    event.object = object;
    return event;
  }
}

/** Objects mode: each frame is one bare object (magic + Unknown). */
export class ProtobufObjectDecoder implements FrameDecoder<KubeObject> {
  private readonly objects: ObjectReader;
  private readonly filter: FieldFilter | undefined;

  constructor(limits: DecodeLimits, options: ResolvedObjectOptions, decoderOptions: DecoderOptions = {}) {
    this.objects = new ObjectReader(limits, options);
    this.filter = decoderOptions.fieldFilter;
  }

  decode(frame: Uint8Array): KubeObject {
    return this.objects.decode(frame, this.filter);
  }

  compact(): void {
    this.objects.compact();
  }
}
