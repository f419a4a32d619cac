import type { Encoder } from '../../core/codec.js';
import type { KubeObject, WatchEvent } from '../../core/event.js';
import { ObjectWriter, type ResolvedObjectOptions } from './object.js';
import { EncodeError, type Writer, createWriter } from './runtime/writer.js';

/** Patches the 4-byte big-endian length before a frame written after `w.fixed32(0)`. */
function finishFrame(w: Writer): Uint8Array {
  const out = w.finish();
  const length = out.length - 4;
  out[0] = length >>> 24;
  out[1] = (length >>> 16) & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
  return out;
}

/**
 * Writes events as the API server does: length, then WatchEvent {type,
 * object: RawExtension {raw: magic + Unknown}}; byte for byte what Go writes
 * for the same object (fields in number order, zero non-pointer fields
 * written, map entries sorted by key).
 */
export class ProtobufEventEncoder implements Encoder<WatchEvent> {
  private readonly objects: ObjectWriter;

  constructor(options: Pick<ResolvedObjectOptions, 'schemas' | 'untypedMessage'>) {
    this.objects = new ObjectWriter(options);
  }

  encode(event: WatchEvent): Uint8Array {
    if (typeof event?.type !== 'string') throw new EncodeError('event has no type');
    const w = createWriter();
    w.fixed32(0);
    w.uint32(10).string(event.type);
    w.uint32(18).fork().uint32(10).fork();
    this.objects.write(w, event.object);
    w.ldelim().ldelim();
    return finishFrame(w);
  }
}

/** Objects mode: length, then magic + Unknown. */
export class ProtobufObjectEncoder implements Encoder<KubeObject> {
  private readonly objects: ObjectWriter;

  constructor(options: Pick<ResolvedObjectOptions, 'schemas' | 'untypedMessage'>) {
    this.objects = new ObjectWriter(options);
  }

  encode(object: KubeObject): Uint8Array {
    const w = createWriter();
    w.fixed32(0);
    this.objects.write(w, object);
    return finishFrame(w);
  }
}
