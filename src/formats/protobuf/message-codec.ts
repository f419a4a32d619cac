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
