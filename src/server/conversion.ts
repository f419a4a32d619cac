/**
 * The server-side conversions an Accept header can ask for with `;as=`:
 * the Table kubectl prints (src/server/table.ts) and the metadata-only
 * forms (src/server/partial-metadata.ts). The replay server's LIST, GET and
 * WATCH handlers call these hooks; the first acceptable Accept entry picks
 * at most one conversion, and none means the plain object.
 */
import type { IncomingMessage } from 'node:http';
import type { Codec } from '../core/codec.js';
import type { KubeObject, WatchEvent } from '../core/event.js';
import type { CodecRegistry } from '../negotiate.js';
import { metadataResponseFor, metadataWatchCodec, metadataWatchFor } from './partial-metadata.js';
import type { ResourceInfo } from './resources.js';
import { type TableResponse, tableRequestError, tableResponseFor, tableWatchCodec, tableWatchFor } from './table.js';

/** The converted LIST or GET answer (or a 400), or undefined: answer the plain object. */
export function convertedResponseFor(req: IncomingMessage, info: ResourceInfo, body: KubeObject): TableResponse | undefined {
  return tableResponseFor(req, info, body) ?? metadataResponseFor(req, body);
}

/** The 400 Status for a conversion request that cannot be answered (checked before a watch starts). */
export function conversionError(req: IncomingMessage): KubeObject | undefined {
  return tableRequestError(req);
}

/** A converter for a watch's events, or undefined: stream them as they are. */
export function convertedWatchFor(req: IncomingMessage | undefined, info: ResourceInfo, codec: Codec): ((event: WatchEvent) => WatchEvent) | undefined {
  return tableWatchFor(req, info, codec) ?? metadataWatchFor(req, codec);
}

/** The codec for a watch whose Accept names only a conversion (JSON), or undefined. */
export function conversionWatchCodec(registry: CodecRegistry, accept: string | undefined): Codec | undefined {
  return tableWatchCodec(registry, accept) ?? metadataWatchCodec(registry, accept);
}
