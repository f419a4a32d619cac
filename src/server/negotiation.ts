/**
 * Server-side content negotiation, as an API server does it: the first
 * acceptable entry of `Accept` (by q-value) that names a format it can
 * stream; YAML is not streamable, so a YAML-only watch gets 406.
 */
import type { Codec } from '../core/codec.js';
import type { KubeObject, Status } from '../core/event.js';
import { utf8Encode } from '../core/utf8.js';
import { encodeProtobufObject } from '../formats/protobuf/codec.js';
import { type CodecRegistry, parseAccept, parseMediaType } from '../negotiate.js';

/** The Content-Type of a watch response per format. */
const WATCH_CONTENT_TYPE: Readonly<Record<string, string>> = {
  json: 'application/json',
  protobuf: 'application/vnd.kubernetes.protobuf;stream=watch',
  cbor: 'application/cbor-seq',
};

/** The Content-Type of one object (an error Status, a LIST, a GET) per format. */
const OBJECT_CONTENT_TYPE: Readonly<Record<string, string>> = {
  json: 'application/json',
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
  return [parseMediaType(codec.accept).essence, parseMediaType(codec.mediaType).essence, ...(codec.alsoReads ?? [])];
}

/**
 * The codec to answer with, or undefined (→ 406). `*\/*` and
 * `application/*` mean JSON. Only codecs named `json`, `protobuf`, `cbor`
 * (and any other servable codec registered) are candidates; `json-documents`
 * is a reader for saved kubectl output, never served.
 */
export function negotiate(registry: CodecRegistry, accept: string | undefined, allowed?: (codec: Codec) => boolean): Codec | undefined {
  const candidates = registry.list().filter((c) => c.servable && c.name !== 'json-documents' && (allowed?.(c) ?? true));
  const json = candidates.find((c) => c.name === 'json');
  let entries;
  try {
    entries = parseAccept(accept === undefined || accept.trim() === '' ? '*/*' : accept);
  } catch {
    return undefined;
  }
  for (const { mediaType, q } of entries) {
    if (q <= 0) continue;
    if (mediaType.essence === '*/*' || mediaType.essence === 'application/*') {
      if (json !== undefined) return json;
      continue;
    }
    const codec = candidates.find((c) => essencesOf(c).includes(mediaType.essence));
    if (codec !== undefined) return codec;
  }
  return undefined;
}

/** A meta/v1 Status for an error response or an ERROR event. */
export function failureStatus(code: number, reason: string, message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/**
 * One object as a response body in `codec`'s single-object form (protobuf:
 * `k8s\0` + Unknown, unframed; CBOR: one item), through the codec's objects
 * encoder. JSON when the codec has none.
 */
export function encodeObjectBody(codec: Codec | undefined, object: KubeObject): { body: Uint8Array; contentType: string } {
  if (codec !== undefined && codec.name !== 'json' && codec.objects !== undefined) {
    try {
      // The protobuf objects encoder frames its output (length prefix, for object streams); a body is unframed.
      const body = codec.name === 'protobuf' ? encodeProtobufObject(object) : codec.objects.createEncoder().encode(object);
      return { body, contentType: objectContentType(codec) };
    } catch {
      // fall back to JSON below: an error must still reach the client
    }
  }
  return { body: utf8Encode(JSON.stringify(object)), contentType: 'application/json' };
}
