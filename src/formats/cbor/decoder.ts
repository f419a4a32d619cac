import type { DecoderOptions, FrameDecoder } from '../../core/codec.js';
import { type KubeObject, type WatchEvent, toKubeObject, toWatchEvent } from '../../core/event.js';
import { type FieldFilter, eventFieldFilter, filtersEventType } from '../../core/field-filter.js';
import type { DecodeLimits } from '../../core/limits.js';
import { type CborDecodeOptions, CborItemReader } from './reader.js';

/**
 * A decoder that its framer can hand items to while it frames them (see
 * CborSeqFramer.decodeWith): the framer then need not walk their heads first.
 */
export abstract class CborFrameDecoder<T> implements FrameDecoder<T> {
  protected readonly reader: CborItemReader;
  /** A frame the framer decoded already, and its value (see `offer`). */
  private offered: Uint8Array | undefined;
  private offeredValue: T | undefined;

  constructor(limits: DecodeLimits, options: CborDecodeOptions) {
    this.reader = new CborItemReader(limits, options);
  }

  decode(frame: Uint8Array): T {
    if (frame === this.offered) {
      const value = this.offeredValue!;
      this.offered = undefined;
      this.offeredValue = undefined;
      return value;
    }
    return this.decodeFrame(frame);
  }

  /**
   * The value of the item at `start` in `bytes` (which may go on after it up
   * to `stop`), its length in `itemLength`; throws where `decode` of the item
   * alone would throw, or `truncated` when it goes beyond `stop`.
   */
  abstract decodeFirst(bytes: Uint8Array, start: number, stop: number): T;

  protected abstract decodeFrame(frame: Uint8Array): T;

  /** The length of the item `decodeFirst` read last. */
  get itemLength(): number {
    return this.reader.itemLength;
  }

  /**
   * `value` is what `decode(frame)` would return: the next call with this
   * very frame returns it. False when the last one offered was never taken
   * (this decoder is not the one the frames go to: the framer stops offering).
   */
  offer(frame: Uint8Array, value: T): boolean {
    const taken = this.offered === undefined;
    this.offered = frame;
    this.offeredValue = value;
    return taken;
  }
}

/**
 * CBOR frames to events. A field filter is applied while reading: the bytes
 * of a dropped field are passed over by their heads, never decoded. Whether
 * it applies depends on the event type, which is looked up first (the `type`
 * key comes first from Kubernetes; in another order, the pairs before it are
 * passed over the same way).
 */
export class CborEventDecoder extends CborFrameDecoder<WatchEvent> {
  private readonly filter: FieldFilter | undefined;

  constructor(limits: DecodeLimits, options: CborDecodeOptions = {}, decoderOptions: DecoderOptions = {}) {
    super(limits, options);
    this.filter = decoderOptions.fieldFilter === undefined ? undefined : eventFieldFilter(decoderOptions.fieldFilter);
  }

  protected decodeFrame(frame: Uint8Array): WatchEvent {
    const filter = this.filter;
    if (filter === undefined) return toWatchEvent(this.reader.decode(frame));
    const type = this.reader.eventType(frame);
    return toWatchEvent(this.reader.decode(frame, type !== undefined && filtersEventType(type) ? filter : undefined));
  }

  decodeFirst(bytes: Uint8Array, start: number, stop: number): WatchEvent {
    const filter = this.filter;
    if (filter === undefined) return toWatchEvent(this.reader.decodeFirst(bytes, start, stop));
    const type = this.reader.eventType(bytes.subarray(start, stop));
    return toWatchEvent(this.reader.decodeFirst(bytes, start, stop, type !== undefined && filtersEventType(type) ? filter : undefined));
  }
}

/** CBOR items that are bare objects (objects mode, `application/cbor` bodies); a filter applies to each whole object. */
export class CborObjectDecoder extends CborFrameDecoder<KubeObject> {
  private readonly filter: FieldFilter | undefined;

  constructor(limits: DecodeLimits, options: CborDecodeOptions = {}, decoderOptions: DecoderOptions = {}) {
    super(limits, options);
    this.filter = decoderOptions.fieldFilter;
  }

  protected decodeFrame(frame: Uint8Array): KubeObject {
    return toKubeObject(this.reader.decode(frame, this.filter));
  }

  decodeFirst(bytes: Uint8Array, start: number, stop: number): KubeObject {
    return toKubeObject(this.reader.decodeFirst(bytes, start, stop, this.filter));
  }
}
