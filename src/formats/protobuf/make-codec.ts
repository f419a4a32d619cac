/**
 * The protobuf codec and one-object helpers, for a registry the entry point
 * chooses: `watchwire/protobuf` (every built-in group) and
 * `watchwire/protobuf/core-v1` (core/v1 alone, for small browser bundles)
 * both build theirs here, so neither drags in the other's schemas.
 */
import type { Codec } from '../../core/codec.js';
import type { KubeObject } from '../../core/event.js';
import { type DecodeLimits, resolveLimits } from '../../core/limits.js';
import { ProtobufEventDecoder, ProtobufObjectDecoder } from './decoder.js';
import { ProtobufEventEncoder, ProtobufObjectEncoder } from './encoder.js';
import { LengthPrefixedFramer } from './framer.js';
import { ObjectReader, ObjectWriter, type ProtobufObjectOptions, type ResolvedObjectOptions } from './object.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** A protobuf codec over `options.schemas`; options (int64 mode, schemas) are fixed when it is made. */
export function codecWith(options: ResolvedObjectOptions): Codec {
  return {
    name: 'protobuf',
    mediaType: `${PROTOBUF_MEDIA_TYPE};stream=watch`,
    alsoReads: [PROTOBUF_MEDIA_TYPE],
    accept: `${PROTOBUF_MEDIA_TYPE};stream=watch`,
    servable: true,
    createFramer: (limits) => new LengthPrefixedFramer(limits.maxFrameBytes),
    createDecoder: (limits, decoderOptions) => new ProtobufEventDecoder(limits, options, decoderOptions),
    createEncoder: () => new ProtobufEventEncoder(options),
    objects: {
      mediaType: PROTOBUF_MEDIA_TYPE,
      createFramer: (limits) => new LengthPrefixedFramer(limits.maxFrameBytes),
      createDecoder: (limits, decoderOptions) => new ProtobufObjectDecoder(limits, options, decoderOptions),
      createEncoder: () => new ProtobufObjectEncoder(options),
    },
  };
}

export interface DecodeProtobufObjectOptions extends ProtobufObjectOptions, Partial<Pick<DecodeLimits, 'maxDepth' | 'maxCollectionLength' | 'maxStringBytes'>> {}

/** decodeProtobufObject over `options.schemas`. */
export function decodeObjectWith(bytes: Uint8Array, options: DecodeProtobufObjectOptions & ResolvedObjectOptions): KubeObject {
  const limits = resolveLimits({
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.maxCollectionLength === undefined ? {} : { maxCollectionLength: options.maxCollectionLength }),
    ...(options.maxStringBytes === undefined ? {} : { maxStringBytes: options.maxStringBytes }),
  });
  return new ObjectReader(limits, options).decode(bytes);
}

/** encodeProtobufObject over `options.schemas`. */
export function encodeObjectWith(object: KubeObject, options: Pick<ResolvedObjectOptions, 'schemas' | 'untypedMessage'>): Uint8Array {
  return new ObjectWriter(options).encode(object);
}
