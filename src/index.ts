/**
 * watchwire: Kubernetes watch streams in every wire format, decoded into one
 * uniform `WatchEvent {type, object}`. This entry is browser-safe (no Node
 * built-ins); Node stream adapters live in `watchwire/node`.
 *
 * The entry is where the client meets the formats: src/client knows only
 * the CodecRegistry it is given, and the defaults (`watch()` offers every
 * built-in codec, `listObjects()` reads JSON) are chosen here.
 */
import { CodecRegistry } from './negotiate.js';
import { createRegistry } from './formats/index.js';
import { jsonCodec } from './formats/json/codec.js';
import { Watch, type WatchOptions } from './client/watch.js';
import { type ListOptions, type ListResult, listObjects as listWithRegistry } from './client/list.js';

export type { Codec, DecoderOptions, Encoder, Framer, FrameDecoder, ObjectsMode } from './core/codec.js';
export { IDENTITY_PATHS, applyFieldFilter, compileFieldFilter, fieldAction, filtersEventType } from './core/field-filter.js';
export type { FieldAction, FieldFilter, FieldPath, FieldSelection } from './core/field-filter.js';
export { DecodeError, NegotiationError, isDecodeError } from './core/errors.js';
export type { DecodeErrorCode, DecodeErrorOptions } from './core/errors.js';
export { WATCH_EVENT_TYPES, isWatchEventType, toKubeObject, toWatchEvent } from './core/event.js';
export type { KubeObject, ObjectMeta, Status, WatchEvent, WatchEventType } from './core/event.js';
export { DEFAULT_LIMITS, resolveLimits } from './core/limits.js';
export { DEFAULT_INT64_MODE } from './core/int64.js';
export type { Int64Mode } from './core/int64.js';
export type { DecodeLimits } from './core/limits.js';
export { StreamDecoder, concatBytes, decodeAll, encodeAll } from './core/pipeline.js';
export type { ErrorDecision, StreamDecoderOptions, StreamStats } from './core/pipeline.js';
export { ByteQueue } from './core/byte-queue.js';
export { ScanningFramer } from './core/scanning-framer.js';
export { CodecRegistry, parseAccept, parseMediaType } from './negotiate.js';
export type { AcceptEntry, MediaType } from './negotiate.js';
export { createRegistry, defaultCodecs } from './formats/index.js';
export { jsonCodec, jsonDocumentsCodec } from './formats/json/codec.js';
export { LineFramer } from './formats/json/lines-framer.js';
export { JsonDocumentsFramer } from './formats/json/documents-framer.js';
export { hasKeyEndingInEscape, parseJsonText, v8KeyGuard } from './core/json-parse.js';
export { strictJsonParse } from './core/strict-json-parse.js';
export { yamlCodec } from './formats/yaml/codec.js';
export { YamlDocumentFramer } from './formats/yaml/framer.js';
export { PROTOBUF_MEDIA_TYPE, createProtobufCodec, decodeProtobufObject, encodeProtobufObject, protobufCodec } from './formats/protobuf/codec.js';
export { CBOR_MEDIA_TYPE, CBOR_SEQ_MEDIA_TYPE, CborSeqFramer, cborCodec, createCborCodec, decodeCborObject, encodeCbor } from './formats/cbor/index.js';
export type { CborCodecOptions, CborDecodeOptions, CborEncoderOptions, CborStringStyle } from './formats/cbor/index.js';
export { decodeObjectStream, decodeStream } from './stream/async-iterable.js';
export type { DecodeStreamOptions } from './stream/async-iterable.js';
export { createDecoderStream } from './stream/web-stream.js';
export { chunksOf } from './stream/source.js';
export type { ByteSource } from './stream/source.js';
export { Watch, INITIAL_EVENTS_END } from './client/watch.js';
export type { ExpiredPolicy, WatchOptions, WatchSignal, WatchStats } from './client/watch.js';
export * from './informer/index.js';
export { listUrlFor } from './client/list.js';
export type { ListOptions, ListResult } from './client/list.js';
export { Backoff, DEFAULT_BACKOFF } from './client/backoff.js';
export type { BackoffOptions } from './client/backoff.js';
export { WatchExpiredError, WatchHttpError, WatchStallError, WatchStatusError } from './client/errors.js';
export type { FetchLike, HeadersSource, RequestOptions } from './client/http.js';
export { compareResourceVersions, isNewerResourceVersion } from './client/resource-version.js';
export { decodeStatusBody } from './client/status-body.js';
export { apiPrefix, applyWatchQuery, collectionPath, joinServer, listUrl, objectPath, objectUrl, parseApiPath, watchUrl } from './kubernetes/url.js';
export type { ListQuery, ParsedApiPath, ResourceRef, ResourceVersionMatch, WatchQuery } from './kubernetes/url.js';
export {
  escapeFieldValue,
  formatFieldSelector,
  formatLabelSelector,
  isLabelKey,
  isLabelValue,
  joinSelectors,
  matchesFieldSelector,
  matchesLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from './kubernetes/selectors.js';
export type { FieldRequirement, FieldSelectorInput, LabelRequirement, LabelSelectorInput, LabelSelectorObject } from './kubernetes/selectors.js';

/** Starts nothing until iterated; see Watch. Without a registry, every built-in codec is offered. */
export function watch(options: WatchOptions): Watch {
  return new Watch({ ...options, registry: options.registry ?? createRegistry() });
}

/**
 * A LIST of every page (or one, with `limit`); see ListOptions. Without a
 * registry, JSON alone: what a LIST asks for unless told otherwise, and a
 * bundle that lists carries no other format.
 */
export function listObjects(options: ListOptions): Promise<ListResult> {
  return listWithRegistry(options.registry === undefined ? { ...options, registry: new CodecRegistry([jsonCodec]) } : options);
}
