/**
 * The one shape every protobuf message codec has, built-in (generated) or
 * built from a caller's protobufjs Root. Its own module so that the registry
 * (which holds codecs) and custom.ts (which builds them) both point down to
 * it instead of at each other.
 */
import type { DecodeContext, J, Reader } from './runtime/reader.js';
import type { Writer } from './runtime/writer.js';

/** How one message is read into its JSON form and written back. */
export interface MessageCodec {
  readonly name: string;
  /** The object embeds TypeMeta: kind and apiVersion (from the envelope) come first in its JSON. */
  readonly typeMeta: boolean;
  /** Reads the message body up to `reader.len`. */
  decode(reader: Reader, context: DecodeContext): J;
  /** Writes the message body (no tag or length). */
  encode(writer: Writer, value: unknown): void;
}

/**
 * One generated message: [decode (reads up to reader.len), encode (writes the
 * body), embeds TypeMeta (kind/apiVersion come from the envelope)].
 */
export type MessageEntry = readonly [decode: (r: Reader, c: DecodeContext) => J, encode: (w: Writer, o: any) => void, typeMeta: boolean];

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
