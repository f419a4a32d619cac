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
export { MAGIC } from './object.js';
export type { ProtobufObjectOptions } from './object.js';
export { ProtobufSchemaRegistry } from './registry.js';
export type { CustomKind, MessageCodec } from './registry.js';
export { candidateMessages, UNTYPED_MESSAGE } from './resolve.js';
export { EncodeError } from './runtime/writer.js';
