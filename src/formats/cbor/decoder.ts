import type { DecoderOptions, FrameDecoder } from '../../core/codec.js';
import { type KubeObject, type WatchEvent, toKubeObject, toWatchEvent } from '../../core/event.js';
import { type FieldFilter, eventFieldFilter, filtersEventType } from '../../core/field-filter.js';
import type { DecodeLimits } from '../../core/limits.js';
import { type CborDecodeOptions, CborItemReader } from './reader.js';

/**
 * CBOR frames to events. A field filter is applied while reading: the bytes
 * of a dropped field are passed over by their heads, never decoded. Whether
 * it applies depends on the event type, which is looked up first (the `type`
 * key comes first from Kubernetes; in another order, the pairs before it are
 * passed over the same way).
 */
export class CborEventDecoder implements FrameDecoder<WatchEvent> {
  private readonly reader: CborItemReader;
  private readonly filter: FieldFilter | undefined;

  constructor(limits: DecodeLimits, options: CborDecodeOptions = {}, decoderOptions: DecoderOptions = {}) {
    this.reader = new CborItemReader(limits, options);
    this.filter = decoderOptions.fieldFilter === undefined ? undefined : eventFieldFilter(decoderOptions.fieldFilter);
  }

  decode(frame: Uint8Array): WatchEvent {
    const filter = this.filter;
    if (filter === undefined) return toWatchEvent(this.reader.decode(frame));
    const type = this.reader.eventType(frame);
    return toWatchEvent(this.reader.decode(frame, type !== undefined && filtersEventType(type) ? filter : undefined));
  }
}

/** CBOR items that are bare objects (objects mode, `application/cbor` bodies); a filter applies to each whole object. */
export class CborObjectDecoder implements FrameDecoder<KubeObject> {
  private readonly reader: CborItemReader;
  private readonly filter: FieldFilter | undefined;

  constructor(limits: DecodeLimits, options: CborDecodeOptions = {}, decoderOptions: DecoderOptions = {}) {
    this.reader = new CborItemReader(limits, options);
    this.filter = decoderOptions.fieldFilter;
  }

  decode(frame: Uint8Array): KubeObject {
    return toKubeObject(this.reader.decode(frame, this.filter));
  }
}
