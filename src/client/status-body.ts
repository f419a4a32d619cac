import type { Status } from '../core/event.js';
import { parseJsonBytes } from '../core/json-parse.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { CodecRegistry } from '../negotiate.js';

/**
 * Reads the Status an error response carries, in whatever format the
 * registry reads single objects of this Content-Type: JSON, protobuf
 * (`k8s\0` + Unknown(Status), unframed), CBOR (`application/cbor`, one
 * item), YAML. A body that is not a Status (an HTML page from a proxy, an
 * empty body) gives undefined: the HTTP code still says what happened.
 */
export function decodeStatusBody(registry: CodecRegistry, contentType: string, body: Uint8Array): Status | undefined {
  if (body.length === 0) return undefined;
  let decoded: unknown;
  try {
    decoded = registry.forObjectContentType(contentType).objects!.createDecoder(DEFAULT_LIMITS).decode(body);
  } catch {
    // No codec for this Content-Type (a broken or missing one), or a body not in it.
  }
  const status = asStatus(decoded);
  if (status !== undefined) return status;
  // JSON whatever the registry holds: proxies answer it whatever was asked for, often mislabelled.
  try {
    return asStatus(parseJsonBytes(body));
  } catch {
    return undefined;
  }
}

function asStatus(value: unknown): Status | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Status;
  return v.kind === 'Status' || typeof v.code === 'number' || typeof v.reason === 'string' ? v : undefined;
}
