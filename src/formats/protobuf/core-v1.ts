/**
 * watchwire/protobuf/core-v1: the protobuf codec with core/v1 kinds alone
 * (Pods, ConfigMaps, Services, ...; meta/v1 Status and WatchEvent come
 * along), for a browser that only watches core/v1: it does not carry the
 * other groups' schemas. More groups: `schemas` from
 * `watchwire/protobuf/<group>` into a registry, e.g.
 * `createProtobufCodec({ schemas: new ProtobufSchemaRegistry().addGroup(appsV1) })`.
 *
 * It decodes only (a browser watch client does not encode; the encoders were
 * 40% of this bundle): encoding throws MissingEncoderError unless the
 * registry has the group's encoders, e.g.
 * `new ProtobufSchemaRegistry().addEncoders(encoders)` with `encoders` from
 * `watchwire/protobuf/encode/core-v1`.
 */
import type { Codec } from '../../core/codec.js';
import type { KubeObject } from '../../core/event.js';
import { schemas } from './generated/core-v1.js';
import { type DecodeProtobufObjectOptions, codecWith, decodeObjectWith, encodeObjectWith } from './make-codec.js';
import type { SchemaGroup } from './message-codec.js';
import type { ProtobufObjectOptions } from './object.js';
import { ProtobufSchemaRegistry as GroupRegistry } from './registry.js';

export { schemas };
export { PROTOBUF_MEDIA_TYPE } from './make-codec.js';
export type { DecodeProtobufObjectOptions } from './make-codec.js';
export { LengthPrefixedFramer } from './framer.js';
export { MAGIC } from './object.js';
export type { ProtobufObjectOptions } from './object.js';
export type { ProtobufTier } from './tiers.js';
export type { CustomKind, GroupLoader, MessageCodec } from './registry.js';
export { MissingEncoderError } from './registry.js';
export type { EncoderGroup, SchemaGroup } from './message-codec.js';
export { candidateMessages, groupOfMessage, UNTYPED_MESSAGE } from './resolve.js';
export { EncodeError } from './runtime/writer.js';

/** A schema registry that starts with core/v1's decoders (more: addGroup, addEncoders, addRoot, addBuiltin). */
export class ProtobufSchemaRegistry extends GroupRegistry {
  constructor(groups: readonly SchemaGroup[] = [schemas]) {
    super(groups);
  }
}

const CORE_V1: GroupRegistry = /* @__PURE__ */ new ProtobufSchemaRegistry();

const resolved = <T extends ProtobufObjectOptions>(options: T): T & { schemas: GroupRegistry } => ({ ...options, schemas: options.schemas ?? CORE_V1 });

/** A protobuf codec over core/v1, or over `options.schemas`. */
export function createProtobufCodec(options: ProtobufObjectOptions = {}): Codec {
  return codecWith(resolved(options));
}

/** `application/vnd.kubernetes.protobuf;stream=watch`, core/v1 kinds, int64 as numbers. */
export const protobufCodec: Codec = /* @__PURE__ */ createProtobufCodec();

/** decodeProtobufObject of `watchwire/protobuf`, over core/v1. */
export function decodeProtobufObject(bytes: Uint8Array, options: DecodeProtobufObjectOptions = {}): KubeObject {
  return decodeObjectWith(bytes, resolved(options));
}

/** encodeProtobufObject of `watchwire/protobuf`, over `options.schemas`: MissingEncoderError without its encoders (addEncoders). */
export function encodeProtobufObject(object: KubeObject, options: Pick<ProtobufObjectOptions, 'schemas' | 'untypedMessage'> = {}): Uint8Array {
  return encodeObjectWith(object, resolved(options));
}
