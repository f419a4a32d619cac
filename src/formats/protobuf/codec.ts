import type { Codec } from '../../core/codec.js';
import type { KubeObject } from '../../core/event.js';
import { type DecodeLimits, resolveLimits } from '../../core/limits.js';
import { ObjectReader, ObjectWriter, type ProtobufObjectOptions } from './object.js';
import { ProtobufEventDecoder, ProtobufObjectDecoder } from './decoder.js';
import { ProtobufEventEncoder, ProtobufObjectEncoder } from './encoder.js';
import { LengthPrefixedFramer } from './framer.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/**
 * A protobuf codec. Options (int64 mode, extra schemas) are fixed when the
 * codec is made; `protobufCodec` is the one with defaults.
 */
export function createProtobufCodec(options: ProtobufObjectOptions = {}): Codec {
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

/** `application/vnd.kubernetes.protobuf;stream=watch`, built-in kinds, int64 as numbers. */
export const protobufCodec: Codec = /* @__PURE__ */ createProtobufCodec();

export interface DecodeProtobufObjectOptions extends ProtobufObjectOptions, Partial<Pick<DecodeLimits, 'maxDepth' | 'maxCollectionLength' | 'maxStringBytes'>> {}

/**
 * Decodes one unframed object: `k8s\0` + runtime.Unknown, the body of a
 * non-streaming protobuf response (e.g. the error Status of a refused watch).
 * Throws DecodeError.
 */
export function decodeProtobufObject(bytes: Uint8Array, options: DecodeProtobufObjectOptions = {}): KubeObject {
  const limits = resolveLimits({
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.maxCollectionLength === undefined ? {} : { maxCollectionLength: options.maxCollectionLength }),
    ...(options.maxStringBytes === undefined ? {} : { maxStringBytes: options.maxStringBytes }),
  });
  return new ObjectReader(limits, options).decode(bytes);
}

/** Encodes one object as `k8s\0` + runtime.Unknown (no length prefix), as the API server writes a response body. */
export function encodeProtobufObject(object: KubeObject, options: Pick<ProtobufObjectOptions, 'schemas' | 'untypedMessage'> = {}): Uint8Array {
  return new ObjectWriter(options).encode(object);
}
