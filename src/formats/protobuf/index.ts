/**
 * watchwire/protobuf: Kubernetes protobuf watch streams. A separate entry so
 * that JSON-only users do not bundle the generated schemas of every built-in
 * kind (about 1.4 MB of source).
 */
export { PROTOBUF_MEDIA_TYPE, createProtobufCodec, decodeProtobufObject, encodeProtobufObject, protobufCodec } from './codec.js';
export type { DecodeProtobufObjectOptions } from './codec.js';
export { LengthPrefixedFramer } from './framer.js';
export { ProtobufEventDecoder, ProtobufObjectDecoder } from './decoder.js';
export { ProtobufEventEncoder, ProtobufObjectEncoder } from './encoder.js';
export { MAGIC } from '../../kubernetes/object.js';
export type { ProtobufObjectOptions } from '../../kubernetes/object.js';
export { ProtobufSchemaRegistry } from '../../kubernetes/registry.js';
export type { CustomKind, MessageCodec } from '../../kubernetes/registry.js';
export { candidateMessages, UNTYPED_MESSAGE } from '../../kubernetes/resolve.js';
export { EncodeError } from '../../kubernetes/runtime/writer.js';
