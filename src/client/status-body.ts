import type { Codec } from '../core/codec.js';
import type { Status } from '../core/event.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { parseJsonBytes } from '../core/json-parse.js';
import { type CodecRegistry, parseMediaType } from '../negotiate.js';

/**
 * Reads the Status an error response carries, whatever format was
 * negotiated: JSON, protobuf (`k8s\0` + Unknown(Status), unframed) or CBOR
 * (`application/cbor`, one item). A body that is not a Status (an HTML page
 * from a proxy, an empty body) gives undefined: the HTTP code still says
 * what happened.
 */
export function decodeStatusBody(registry: CodecRegistry, contentType: string, body: Uint8Array): Status | undefined {
  if (body.length === 0) return undefined;
  let essence = '';
  try {
    essence = parseMediaType(contentType).essence;
  } catch {
    // A missing or broken Content-Type: try JSON below, it is what proxies send.
  }
  // The registry's codec reads it (unframed k8s\0+Unknown; one CBOR item): a
  // static import of every format here would put them all in every bundle.
  const codec = codecForSingleObject(registry, essence);
  if (codec?.objects !== undefined && codec.name !== 'json' && codec.name !== 'json-documents') {
    try {
      const object = decodeOne(codec, body);
      if (object !== undefined) return asStatus(object);
    } catch {
      // fall through to JSON: some proxies answer JSON whatever was asked for
    }
  }
  try {
    return asStatus(parseJsonBytes(body));
  } catch {
    return undefined;
  }
}

/** The codec whose objects mode reads one object of this (non-stream) media type. */
function codecForSingleObject(registry: CodecRegistry, essence: string): Codec | undefined {
  const byName: Record<string, string> = {
    'application/json': 'json',
    'application/cbor': 'cbor',
    'application/cbor-seq': 'cbor',
    'application/vnd.kubernetes.protobuf': 'protobuf',
  };
  const name = byName[essence];
  if (name === undefined) return undefined;
  return registry.list().find((c) => c.name === name);
}

function decodeOne(codec: Codec, body: Uint8Array): unknown {
  const objects = codec.objects!;
  const limits = { ...DEFAULT_LIMITS };
  // Protobuf objects mode may expect a length prefix; an error body has none. Try the bare bytes first.
  try {
    return objects.createDecoder(limits).decode(body);
  } catch (first) {
    const framer = objects.createFramer(limits);
    framer.push(body);
    framer.end();
    const frame = framer.next();
    if (frame === undefined) throw first;
    return objects.createDecoder(limits).decode(frame);
  }
}

function asStatus(value: unknown): Status | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Status;
  return v.kind === 'Status' || typeof v.code === 'number' || typeof v.reason === 'string' ? v : undefined;
}
