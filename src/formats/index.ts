import type { Codec } from '../core/codec.js';
import { CodecRegistry } from '../negotiate.js';
import { cborCodec } from './cbor/codec.js';
import { jsonCodec, jsonDocumentsCodec } from './json/codec.js';
import { protobufCodec } from './protobuf/codec.js';
import { yamlCodec } from './yaml/codec.js';

/** The codecs watchwire ships, in the order negotiation prefers them by default. */
export function defaultCodecs(): Codec[] {
  return [jsonCodec, yamlCodec, jsonDocumentsCodec, cborCodec, protobufCodec];
}

/** A new registry with every built-in codec. */
export function createRegistry(extra: Iterable<Codec> = []): CodecRegistry {
  return new CodecRegistry([...defaultCodecs(), ...extra]);
}
