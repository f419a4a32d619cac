/**
 * Server-side content negotiation, as an API server does it: the first
 * acceptable entry of `Accept` (by q-value) that names a format the server
 * can write. A watch needs a streaming format (JSON, protobuf, CBOR: YAML
 * alone gets 406); a LIST or GET body can also be YAML. Entries asking for
 * a server-side conversion (`;as=Table`, `;as=PartialObjectMetadata`) are
 * passed over: the replay server does not convert, and an API server also
 * falls through to the next entry for a conversion it cannot do.
 */
import type { Codec } from '../core/codec.js';
import type { KubeObject, Status } from '../core/event.js';
import { utf8Encode } from '../core/utf8.js';
import { encodeProtobufObject } from '../formats/protobuf/index.js';
import { type CodecRegistry, type MediaType, parseAccept, parseMediaType } from '../negotiate.js';

export { failureStatus } from './status.js';

/** The Content-Type of a watch response per format. */
const WATCH_CONTENT_TYPE: Readonly<Record<string, string>> = {
  json: 'application/json',
  protobuf: 'application/vnd.kubernetes.protobuf;stream=watch',
  cbor: 'application/cbor-seq',
};

/** The Content-Type of one object (an error Status, a LIST, a GET) per format. */
const OBJECT_CONTENT_TYPE: Readonly<Record<string, string>> = {
  json: 'application/json',
  yaml: 'application/yaml',
  protobuf: 'application/vnd.kubernetes.protobuf',
  cbor: 'application/cbor',
};

export function watchContentType(codec: Codec): string {
  return WATCH_CONTENT_TYPE[codec.name] ?? codec.mediaType;
}

export function objectContentType(codec: Codec): string {
  return OBJECT_CONTENT_TYPE[codec.name] ?? parseMediaType(codec.mediaType).essence;
}

function essencesOf(codec: Codec): string[] {
  const own = OBJECT_CONTENT_TYPE[codec.name];
  return [parseMediaType(codec.accept).essence, parseMediaType(codec.mediaType).essence, ...(codec.alsoReads ?? []), ...(own === undefined ? [] : [own])];
}

/** True for an Accept entry that asks for a conversion (`as=Table`, ...), which the replay server does not do. */
export function asksForConversion(mediaType: MediaType): boolean {
  return mediaType.params.as !== undefined;
}

function pick(candidates: readonly Codec[], accept: string | undefined): Codec | undefined {
  const json = candidates.find((c) => c.name === 'json');
  let entries;
  try {
    entries = parseAccept(accept === undefined || accept.trim() === '' ? '*/*' : accept);
  } catch {
    return undefined;
  }
  for (const { mediaType, q } of entries) {
    if (q <= 0 || asksForConversion(mediaType)) continue;
    if (mediaType.essence === '*/*' || mediaType.essence === 'application/*') {
      if (json !== undefined) return json;
      continue;
    }
    const codec = candidates.find((c) => essencesOf(c).includes(mediaType.essence));
    if (codec !== undefined) return codec;
  }
  return undefined;
}

/**
 * The codec to stream a watch with, or undefined (→ 406). `*\/*` and
 * `application/*` mean JSON. Only servable codecs are candidates;
 * `json-documents` is a reader for saved kubectl output, never served.
 */
export function negotiate(registry: CodecRegistry, accept: string | undefined, allowed?: (codec: Codec) => boolean): Codec | undefined {
  return pick(
    registry.list().filter((c) => c.servable && c.name !== 'json-documents' && (allowed?.(c) ?? true)),
    accept,
  );
}

/** The codec for a whole-object body (LIST, GET, Status): any codec with an objects encoder, YAML included. */
export function negotiateObject(registry: CodecRegistry, accept: string | undefined, allowed?: (codec: Codec) => boolean): Codec | undefined {
  return pick(
    registry.list().filter((c) => (c.servable || c.name === 'yaml') && c.objects !== undefined && c.name !== 'json-documents' && (allowed?.(c) ?? true)),
    accept,
  );
}

/** The media types a LIST or GET can be answered in (for a 406's message). */
export function objectMediaTypes(registry: CodecRegistry): string[] {
  return registry
    .list()
    .filter((c) => (c.servable || c.name === 'yaml') && c.objects !== undefined && c.name !== 'json-documents')
    .map(objectContentType);
}

/**
 * One object as a response body in `codec`'s single-object form (JSON:
 * one document; protobuf: `k8s\0` + Unknown, unframed; CBOR: one item;
 * YAML: one document). Throws when the codec cannot write the object (a
 * protobuf kind without a schema).
 */
export function encodeObject(codec: Codec, object: KubeObject): { body: Uint8Array; contentType: string } {
  if (codec.name === 'json' || codec.objects === undefined) return { body: utf8Encode(JSON.stringify(object)), contentType: 'application/json' };
  // The protobuf objects encoder frames its output (length prefix, for object streams); a body is unframed.
  const body = codec.name === 'protobuf' ? encodeProtobufObject(object) : codec.objects.createEncoder().encode(object);
  return { body, contentType: objectContentType(codec) };
}

/** A Status (or any object) as a body in `codec`, JSON when there is none or it cannot write it: an error must reach the client. */
export function encodeObjectBody(codec: Codec | undefined, object: KubeObject | Status): { body: Uint8Array; contentType: string } {
  if (codec !== undefined) {
    try {
      return encodeObject(codec, object);
    } catch {
      // fall back to JSON below
    }
  }
  return { body: utf8Encode(JSON.stringify(object)), contentType: 'application/json' };
}
