import type { Codec } from '../core/codec.js';
import type { ProtobufObjectOptions } from '../formats/protobuf/object.js';
import type { CodecRegistry } from '../negotiate.js';

/**
 * Each built-in codec by its short name, loaded on its own: `decode
 * --content-type json` does not load the protobuf schemas (the largest
 * modules by far) nor js-yaml, and protobuf loads only the groups it meets.
 * Media types and unknown names go through the full registry (codecFor in
 * codecs.ts), which loads everything.
 */
const byName: Record<string, (protobuf: ProtobufObjectOptions) => Promise<Codec>> = {
  json: async () => (await import('../formats/json/codec.js')).jsonCodec,
  'json-documents': async () => (await import('../formats/json/codec.js')).jsonDocumentsCodec,
  yaml: async () => (await import('../formats/yaml/codec.js')).yamlCodec,
  cbor: async () => (await import('../formats/cbor/codec.js')).cborCodec,
  // Groups as the stream meets them, not all 64 first (node/protobuf-groups.ts).
  protobuf: async (options) => {
    const [{ codecWith }, { protobufSchemasOnDemand }] = await Promise.all([import('../formats/protobuf/make-codec.js'), import('../node/protobuf-groups.js')]);
    return codecWith({ ...options, schemas: await protobufSchemasOnDemand() });
  },
};

/**
 * codecFor, loading only the modules the named codec needs. `protobuf`: the
 * protobuf codec's options (tier, expected bytes), whether it is named by its
 * short name or by a media type.
 */
export async function loadCodec(type: string | undefined, flag: string, protobuf: ProtobufObjectOptions = {}): Promise<Codec> {
  const name = type?.trim().toLowerCase();
  const load = name !== undefined && Object.hasOwn(byName, name) ? byName[name] : undefined;
  if (load !== undefined) return load(protobuf);
  const codec = (await import('./codecs.js')).codecFor(type, flag);
  return codec.name === 'protobuf' ? byName.protobuf!(protobuf) : codec;
}

/**
 * Every built-in codec, in defaultCodecs' order (formats/index.ts), with the
 * protobuf one loading groups on demand: for the commands that negotiate
 * (watch), which would otherwise load all 64 groups to watch one kind.
 */
export async function cliRegistry(): Promise<CodecRegistry> {
  const [{ CodecRegistry }, json, yaml, cbor, protobuf] = await Promise.all([
    import('../negotiate.js'),
    import('../formats/json/codec.js'),
    import('../formats/yaml/codec.js'),
    import('../formats/cbor/codec.js'),
    byName.protobuf!({}),
  ]);
  return new CodecRegistry([json.jsonCodec, yaml.yamlCodec, json.jsonDocumentsCodec, cbor.cborCodec, protobuf]);
}
