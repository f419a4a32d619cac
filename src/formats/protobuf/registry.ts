/**
 * Which protobuf message decodes an object, and how. The built-in table
 * (generated from the Kubernetes schema table) is always there; a registry
 * can add messages from the caller's own protobufjs Root, for kinds served
 * in protobuf by aggregated API servers, mapped by apiVersion and kind.
 */
import type protobuf from 'protobufjs';
import { MESSAGES } from './generated/messages.js';
import { customMessageCodec } from './custom.js';
import { candidateMessages } from './resolve.js';
import type { MessageCodec } from './message-codec.js';

export type { MessageCodec } from './message-codec.js';

/** A kind served by an aggregated API server, and the message in the caller's Root that holds it. */
export interface CustomKind {
  apiVersion: string;
  kind: string;
  /** Fully qualified message name in the Root, e.g. `example.widgets.v1.Widget`. */
  message: string;
}

function key(apiVersion: string, kind: string): string {
  return `${apiVersion}\u0000${kind}`;
}

const builtinCache = new Map<string, MessageCodec>();

/** The generated codec of a built-in message, or undefined. */
export function builtinMessage(name: string): MessageCodec | undefined {
  let codec = builtinCache.get(name);
  if (codec === undefined) {
    const entry = MESSAGES.get(name);
    if (entry === undefined) return undefined;
    const [decode, encode, typeMeta] = entry;
    codec = { name, typeMeta, decode, encode };
    builtinCache.set(name, codec);
  }
  return codec;
}

export class ProtobufSchemaRegistry {
  private readonly kinds = new Map<string, MessageCodec>();
  private readonly byName = new Map<string, MessageCodec>();

  /**
   * Adds the kinds of a protobufjs Root (e.g. `protobuf.parse(myProto).root`).
   * Its messages may refer to built-in ones by full name
   * (`k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta`) without declaring them.
   * JSON keys are the .proto field names (parse with `keepCase: true`, or use
   * camelCase names, as Kubernetes does); fields absent on the wire are omitted.
   */
  addRoot(root: protobuf.Root, kinds: readonly CustomKind[]): this {
    for (const k of kinds) {
      const codec = customMessageCodec(root, k.message, true, (name) => this.message(name));
      this.kinds.set(key(k.apiVersion, k.kind), codec);
      this.byName.set(codec.name, codec);
    }
    return this;
  }

  /** Maps a kind to a built-in message by name (for kinds outside the naming rule). */
  addBuiltin(apiVersion: string, kind: string, message: string): this {
    const codec = builtinMessage(message);
    if (codec === undefined) throw new RangeError(`no built-in message ${message}`);
    this.kinds.set(key(apiVersion, kind), codec);
    return this;
  }

  /** The codec for (apiVersion, kind): the caller's kinds first, then the built-in naming rule. */
  resolve(apiVersion: string, kind: string): MessageCodec | undefined {
    const custom = this.kinds.get(key(apiVersion, kind));
    if (custom !== undefined) return custom;
    for (const name of candidateMessages(apiVersion, kind)) {
      const codec = builtinMessage(name);
      if (codec !== undefined) return codec;
    }
    return undefined;
  }

  /** A message by fully qualified name: one added from a Root, or a built-in. */
  message(name: string): MessageCodec | undefined {
    return this.byName.get(name) ?? builtinMessage(name);
  }
}

/** The registry with only the built-in kinds, shared (it holds no per-stream state). */
export const BUILTIN_SCHEMAS = /* @__PURE__ */ new ProtobufSchemaRegistry();
