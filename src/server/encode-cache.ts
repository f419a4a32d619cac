/**
 * Encoded stored events, shared by every watch of one format: the API
 * server's watch cache does the same (a `cachingObject` keeps one
 * serialization per encoder), so N watchers of one change cost one encode.
 * Bounded by bytes per codec; the oldest entries go first.
 */
import type { Codec, Encoder } from '../core/codec.js';
import type { WatchEvent } from '../core/event.js';
import { cborCodec } from '../formats/cbor/codec.js';
import { jsonCodec } from '../formats/json/codec.js';
import { protobufCodec } from '../formats/protobuf/index.js';
import type { StoredEvent } from './store.js';

/** Codecs whose watch encoder keeps no state between events, so bytes can be shared between streams. */
const STATELESS: ReadonlySet<Codec> = new Set([jsonCodec, cborCodec, protobufCodec]);

interface Entries {
  encoder: Encoder<WatchEvent>;
  bytes: Map<StoredEvent, Uint8Array>;
  total: number;
}

export class EncodeCache {
  private readonly byCodec = new Map<Codec, Entries>();

  constructor(private readonly budgetBytes: number) {}

  /** True when `codec`'s events can come from the cache. */
  serves(codec: Codec): boolean {
    return this.budgetBytes > 0 && STATELESS.has(codec);
  }

  /** The bytes of `stored.event` in `codec` (call only when `serves(codec)`). */
  encode(codec: Codec, stored: StoredEvent): Uint8Array {
    let entries = this.byCodec.get(codec);
    if (entries === undefined) this.byCodec.set(codec, (entries = { encoder: codec.createEncoder(), bytes: new Map(), total: 0 }));
    const hit = entries.bytes.get(stored);
    if (hit !== undefined) return hit;
    const bytes = entries.encoder.encode(stored.event);
    entries.bytes.set(stored, bytes);
    entries.total += bytes.length;
    for (const [old, oldBytes] of entries.bytes) {
      if (entries.total <= this.budgetBytes) break;
      entries.bytes.delete(old);
      entries.total -= oldBytes.length;
    }
    return bytes;
  }
}
