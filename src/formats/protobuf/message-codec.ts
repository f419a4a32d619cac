/**
 * The one shape every protobuf message codec has, built-in (generated) or
 * built from a caller's protobufjs Root. Its own module so that the registry
 * (which holds codecs) and custom.ts (which builds them) both point down to
 * it instead of at each other.
 */
import type { DecodeContext, J, Reader } from './runtime/reader.js';
import type { Writer } from './runtime/writer.js';
import { type TableSpec, registerTable } from './runtime/table.js';
import type { Tiering } from './tiers.js';

/** How one message is read into its JSON form and written back. */
export interface MessageCodec {
  readonly name: string;
  /** The object embeds TypeMeta: kind and apiVersion (from the envelope) come first in its JSON. */
  readonly typeMeta: boolean;
  /** Reads the message body up to `reader.len`. */
  decode(reader: Reader, context: DecodeContext): J;
  /** Writes the message body (no tag or length). */
  encode(writer: Writer, value: unknown): void;
  /** A generated message's table tier and when it hands over to `decode` (tiers.ts); absent: `decode` only. */
  readonly tiers?: Tiering | undefined;
}

/**
 * One generated message: [decode (reads up to reader.len), embeds TypeMeta
 * (kind/apiVersion come from the envelope)]. Its encoder is in an EncoderGroup.
 */
export type MessageEntry = readonly [decode: (r: Reader, c: DecodeContext) => J, typeMeta: boolean];

/** Writes one generated message's body (no tag or length). */
export type MessageEncode = (w: Writer, o: any) => void;

/**
 * The encoders of one API group/version, apart from its decoders so that a
 * decode-only bundle does not carry them: `encoders` of
 * `watchwire/protobuf/encode/<group>`, for ProtobufSchemaRegistry.addEncoders
 * (`watchwire/protobuf`'s registry starts with all of them).
 */
export interface EncoderGroup {
  /** The group's decoders: their messages' names, in the order of `encoders`. */
  readonly schemas: SchemaGroup;
  readonly requires: readonly EncoderGroup[];
  readonly encoders: readonly MessageEncode[];
}

/**
 * The generated messages of one API group/version (`core-v1`, `apps-v1`, ...;
 * `meta` holds apimachinery's, which every group needs), as
 * `watchwire/protobuf/<group>` exports them: add them to a
 * ProtobufSchemaRegistry to decode that group's kinds.
 */
export interface SchemaGroup {
  readonly name: string;
  /** Groups whose messages these refer to: a registry adds them with this one. */
  readonly requires: readonly SchemaGroup[];
  readonly messages: ReadonlyMap<string, MessageEntry>;
}

/**
 * A generated group's messages: `prefix` + each space-separated name of
 * `names`, with the decoder at the same index; `typeMeta`: the indices of
 * those that embed TypeMeta; `tables`: each message's table for the table
 * tier (runtime/table.ts), registered under its decoder. (The generated
 * modules list names once, in one string, which is smaller than a Map
 * literal of pairs.)
 */
export function entries(prefix: string, names: string, decoders: readonly MessageEntry[0][], typeMeta: readonly number[], tables: readonly TableSpec[] = []): ReadonlyMap<string, MessageEntry> {
  const map = new Map<string, MessageEntry>();
  const embeds = new Set(typeMeta);
  let i = 0;
  for (const name of names.split(' ')) {
    map.set(prefix + name, [decoders[i]!, embeds.has(i)]);
    const table = tables[i];
    if (table !== undefined) registerTable(decoders[i]!, table, embeds.has(i));
    i++;
  }
  return map;
}
