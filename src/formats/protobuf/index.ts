/**
 * watchwire/protobuf: Kubernetes protobuf watch streams, every built-in kind.
 * A separate entry so that JSON-only users do not bundle the generated
 * schemas (about 1.8 MB of source); `watchwire/protobuf/core-v1` is the same
 * API with core/v1 alone, and `watchwire/protobuf/<group>` (e.g. `apps-v1`)
 * exports each group's `schemas` for ProtobufSchemaRegistry.addGroup.
 */
export { PROTOBUF_MEDIA_TYPE, createProtobufCodec, decodeProtobufObject, encodeProtobufObject, protobufCodec } from './codec.js';
export type { DecodeProtobufObjectOptions } from './codec.js';
export { LengthPrefixedFramer } from './framer.js';
export { ProtobufEventDecoder, ProtobufEventEncoder, ProtobufObjectDecoder, ProtobufObjectEncoder, ProtobufSchemaRegistry } from './builtin.js';
export { MAGIC } from './object.js';
export type { ProtobufObjectOptions } from './object.js';
export type { ProtobufTier } from './tiers.js';
export type { CustomKind, GroupLoader, MessageCodec } from './registry.js';
export { MissingEncoderError } from './registry.js';
export type { EncoderGroup, SchemaGroup } from './message-codec.js';
export { candidateMessages, groupOfMessage, UNTYPED_MESSAGE } from './resolve.js';
export { EncodeError } from './runtime/writer.js';
