/**
 * The protobuf codec with every built-in kind: `protobufCodec` and the
 * one-object helpers of `watchwire/protobuf` (and of the package entry).
 */
import type { Codec } from '../../core/codec.js';
import type { KubeObject } from '../../core/event.js';
import { withBuiltins } from './builtin.js';
import { type DecodeProtobufObjectOptions, codecWith, decodeObjectWith, encodeObjectWith } from './make-codec.js';
import type { ProtobufObjectOptions } from './object.js';

export { PROTOBUF_MEDIA_TYPE } from './make-codec.js';
export type { DecodeProtobufObjectOptions } from './make-codec.js';

/**
 * A protobuf codec. Options (int64 mode, extra schemas) are fixed when the
 * codec is made; `protobufCodec` is the one with defaults.
 */
export function createProtobufCodec(options: ProtobufObjectOptions = {}): Codec {
  return codecWith(withBuiltins(options));
}

/** `application/vnd.kubernetes.protobuf;stream=watch`, built-in kinds, int64 as numbers. */
export const protobufCodec: Codec = /* @__PURE__ */ createProtobufCodec();

/**
 * Decodes one unframed object: `k8s\0` + runtime.Unknown, the body of a
 * non-streaming protobuf response (e.g. the error Status of a refused watch).
 * Throws DecodeError.
 */
export function decodeProtobufObject(bytes: Uint8Array, options: DecodeProtobufObjectOptions = {}): KubeObject {
  return decodeObjectWith(bytes, withBuiltins(options));
}

/** Encodes one object as `k8s\0` + runtime.Unknown (no length prefix), as the API server writes a response body. */
export function encodeProtobufObject(object: KubeObject, options: Pick<ProtobufObjectOptions, 'schemas' | 'untypedMessage'> = {}): Uint8Array {
  return encodeObjectWith(object, withBuiltins(options));
}
