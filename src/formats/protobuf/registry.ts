/**
 * Which protobuf message decodes an object, and how: the generated messages
 * of the built-in groups a registry holds, and messages from the caller's
 * own protobufjs Root, for kinds served in protobuf by aggregated API
 * servers, mapped by apiVersion and kind.
 */
import type protobuf from 'protobufjs';
import { customMessageCodec } from './custom.js';
import { candidateMessages, groupOfMessage } from './resolve.js';
import type { EncoderGroup, MessageCodec, MessageEncode, MessageEntry, SchemaGroup } from './message-codec.js';
import { EncodeError } from './runtime/writer.js';
import { tieringOf } from './tiers.js';

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

/**
 * Asked of a registry without the encoders of a message's group (the
 * decode-only `watchwire/protobuf/core-v1`, or a group added with addGroup
 * alone): names what to import instead.
 */
export class MissingEncoderError extends EncodeError {
  /** Tells it from EncodeError's bad values (its name stays 'EncodeError', as the base class fixes it). */
  readonly code = 'missing-encoder';
  constructor(readonly messageName: string, readonly group: string) {
    super(`no protobuf encoder for ${messageName}: this registry decodes only; add the encoders of its group: registry.addEncoders(encoders) with \`import { encoders } from 'watchwire/protobuf/encode/${group}'\`, or use \`watchwire/protobuf\` (every encoder)`);
  }
}

/**
 * Adds a built-in group to a registry when a message of it is first asked
 * for, instead of at the start: what lets a process that meets one kind
 * load that kind's group alone (the Node one, `watchwire/node`'s
 * protobufSchemasOnDemand, made the CLI start about 70 ms sooner). Called
 * while decoding, so it answers synchronously; undefined: no such group.
 */
export interface GroupLoader {
  /** The decoders of a group, by its module name (`apps-v1`, `meta`: groupOfMessage). */
  schemas(group: string): SchemaGroup | undefined;
  /** Its encoders, asked for when a message of it is first encoded; absent: this loader's registry decodes only. */
  encoders?(group: string): EncoderGroup | undefined;
}

/**
 * Which message decodes an object: the generated messages of the groups it
 * was given (and the groups those require), then kinds added from a caller's
 * protobufjs Root. This class starts with the groups passed to it; the one
 * `watchwire/protobuf` exports starts with every built-in group.
 */
export class ProtobufSchemaRegistry {
  private readonly kinds = new Map<string, MessageCodec>();
  private readonly byName = new Map<string, MessageCodec>();
  private readonly builtins = new Map<string, MessageEntry>();
  private readonly groupNames = new Set<string>();
  /** Group of each built-in message, for MissingEncoderError. */
  private readonly groupOf = new Map<string, string>();
  private readonly encoders = new Map<string, MessageEncode>();
  private readonly encoderGroups = new Set<string>();
  /** Built-in codecs made so far (one object per message: call sites that take it stay monomorphic). */
  private readonly codecs = new Map<string, MessageCodec>();
  private changes = 0;
  private loader: GroupLoader | undefined;
  /** Groups (decoders, and `encode/` + name for encoders) the loader was asked for: each at most once, found or not. */
  private readonly asked = new Set<string>();

  constructor(groups: readonly SchemaGroup[] = []) {
    for (const group of groups) this.addGroup(group);
  }

  /** Adds the generated messages of a group (e.g. `schemas` from `watchwire/protobuf/apps-v1`) and of the groups it requires. */
  addGroup(group: SchemaGroup): this {
    if (this.groupNames.has(group.name)) return this;
    this.changes++;
    this.groupNames.add(group.name);
    for (const required of group.requires) this.addGroup(required);
    for (const [name, entry] of group.messages) {
      this.builtins.set(name, entry);
      this.groupOf.set(name, group.name);
    }
    return this;
  }

  /**
   * Adds the encoders of a group (`encoders` of `watchwire/protobuf/encode/<group>`)
   * and of the groups it requires; without them the group's messages decode only.
   */
  addEncoders(group: EncoderGroup): this {
    const { name, messages } = group.schemas;
    if (this.encoderGroups.has(name)) return this;
    this.changes++;
    this.encoderGroups.add(name);
    for (const required of group.requires) this.addEncoders(required);
    let i = 0;
    for (const message of messages.keys()) this.encoders.set(message, group.encoders[i++]!);
    this.codecs.clear();
    return this;
  }

  /**
   * Groups from now on come from `loader` when a message of one is first
   * asked for and is not in the groups added so far (GroupLoader).
   */
  addLoader(loader: GroupLoader): this {
    this.changes++;
    this.loader = loader;
    this.asked.clear();
    return this;
  }

  /** Counts the changes (add*) made to this registry: decoders keep what they resolved until it moves. */
  get revision(): number {
    return this.changes;
  }

  /** Names of the built-in groups this registry holds. */
  get groups(): string[] {
    return [...this.groupNames].sort();
  }

  /**
   * Adds the kinds of a protobufjs Root (e.g. `protobuf.parse(myProto).root`).
   * Its messages may refer to built-in ones by full name
   * (`k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta`) without declaring them.
   * JSON keys are the .proto field names (parse with `keepCase: true`, or use
   * camelCase names, as Kubernetes does); fields absent on the wire are omitted.
   */
  addRoot(root: protobuf.Root, kinds: readonly CustomKind[]): this {
    this.changes++;
    for (const k of kinds) {
      const codec = customMessageCodec(root, k.message, true, (name) => this.message(name));
      this.kinds.set(key(k.apiVersion, k.kind), codec);
      this.byName.set(codec.name, codec);
    }
    return this;
  }

  /** Maps a kind to a built-in message by name (for kinds outside the naming rule). */
  addBuiltin(apiVersion: string, kind: string, message: string): this {
    this.changes++;
    const codec = this.builtin(message);
    if (codec === undefined) throw new RangeError(`no built-in message ${message}`);
    this.kinds.set(key(apiVersion, kind), codec);
    return this;
  }

  /** The codec for (apiVersion, kind): the caller's kinds first, then the built-in naming rule. */
  resolve(apiVersion: string, kind: string): MessageCodec | undefined {
    const custom = this.kinds.get(key(apiVersion, kind));
    if (custom !== undefined) return custom;
    for (const name of candidateMessages(apiVersion, kind)) {
      const codec = this.builtin(name);
      if (codec !== undefined) return codec;
    }
    return undefined;
  }

  /** A message by fully qualified name: one added from a Root, or a built-in. */
  message(name: string): MessageCodec | undefined {
    return this.byName.get(name) ?? this.builtin(name);
  }

  /** The generated codec of a built-in message in this registry's groups, or undefined. */
  private builtin(name: string): MessageCodec | undefined {
    let codec = this.codecs.get(name);
    if (codec !== undefined) return codec;
    let entry = this.builtins.get(name);
    if (entry === undefined && this.load(name)) entry = this.builtins.get(name);
    if (entry === undefined) return undefined;
    const group = this.groupOf.get(name)!;
    const encode = this.encoders.get(name) ?? ((w, o): void => {
      // Made without the group's encoders: added since (by the loader, for this or another message of the group), or the error.
      const loaded = this.encoders.get(name) ?? (this.loadEncoders(group) ? this.encoders.get(name) : undefined);
      if (loaded === undefined) throw new MissingEncoderError(name, group);
      loaded(w, o);
    });
    codec = { name, typeMeta: entry[1], decode: entry[0], encode, tiers: tieringOf(entry[0]) };
    this.codecs.set(name, codec);
    return codec;
  }

  /** Adds the group of message `name` from the loader, if there is one and it has not been asked yet; true when it added one. */
  private load(name: string): boolean {
    const group = groupOfMessage(name);
    if (this.loader === undefined || group === undefined || this.groupNames.has(group) || this.asked.has(group)) return false;
    this.asked.add(group);
    const schemas = this.loader.schemas(group);
    if (schemas === undefined) return false;
    this.addGroup(schemas);
    return true;
  }

  /** Adds the encoders of `group` from the loader, as load() does the decoders. */
  private loadEncoders(group: string): boolean {
    const asked = `encode/${group}`;
    if (this.loader?.encoders === undefined || this.encoderGroups.has(group) || this.asked.has(asked)) return false;
    this.asked.add(asked);
    const encoders = this.loader.encoders(group);
    if (encoders === undefined) return false;
    this.addEncoders(encoders);
    return true;
  }
}
