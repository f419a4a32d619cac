/**
 * Every built-in group: the registry, decoders and encoders that
 * `watchwire/protobuf` exports, which start with all generated schemas (the
 * classes they extend take their groups from the caller).
 */
import type { DecoderOptions } from '../../core/codec.js';
import type { DecodeLimits } from '../../core/limits.js';
import { ProtobufEventDecoder as EventDecoder, ProtobufObjectDecoder as ObjectDecoder } from './decoder.js';
import { ProtobufEventEncoder as EventEncoder, ProtobufObjectEncoder as ObjectEncoder } from './encoder.js';
import { ALL_GROUPS } from './generated/all.js';
import { ALL_ENCODERS } from './generated/encode/all.js';
import type { SchemaGroup } from './message-codec.js';
import type { ProtobufObjectOptions, ResolvedObjectOptions } from './object.js';
import { ProtobufSchemaRegistry as GroupRegistry } from './registry.js';

/** A schema registry that starts with every built-in group and every encoder (more: addRoot, addBuiltin, addGroup). */
export class ProtobufSchemaRegistry extends GroupRegistry {
  constructor(groups: readonly SchemaGroup[] = ALL_GROUPS) {
    super(groups);
    // Every encoder, whichever groups it starts with: the full entry encodes what it decodes.
    for (const group of ALL_ENCODERS) this.addEncoders(group);
  }
}

/** Every built-in kind, shared (a registry holds no per-stream state). */
export const BUILTIN_SCHEMAS: GroupRegistry = /* @__PURE__ */ new ProtobufSchemaRegistry();

export function withBuiltins<T extends ProtobufObjectOptions>(options: T): T & ResolvedObjectOptions {
  return { ...options, schemas: options.schemas ?? BUILTIN_SCHEMAS };
}

export class ProtobufEventDecoder extends EventDecoder {
  constructor(limits: DecodeLimits, options: ProtobufObjectOptions = {}, decoderOptions: DecoderOptions = {}) {
    super(limits, withBuiltins(options), decoderOptions);
  }
}

export class ProtobufObjectDecoder extends ObjectDecoder {
  constructor(limits: DecodeLimits, options: ProtobufObjectOptions = {}, decoderOptions: DecoderOptions = {}) {
    super(limits, withBuiltins(options), decoderOptions);
  }
}

export class ProtobufEventEncoder extends EventEncoder {
  constructor(options: Pick<ProtobufObjectOptions, 'schemas' | 'untypedMessage'> = {}) {
    super(withBuiltins(options));
  }
}

export class ProtobufObjectEncoder extends ObjectEncoder {
  constructor(options: Pick<ProtobufObjectOptions, 'schemas' | 'untypedMessage'> = {}) {
    super(withBuiltins(options));
  }
}
