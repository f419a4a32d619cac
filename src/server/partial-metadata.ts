/**
 * The metadata-only forms (`meta.k8s.io` `PartialObjectMetadata` and
 * `PartialObjectMetadataList`), which client-go's metadata client and
 * metadata-only informers ask for with
 * `Accept: ...;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1` (LIST) or
 * `as=PartialObjectMetadata` (GET, WATCH): every object reduced to its kind
 * and metadata. Served in JSON; a protobuf entry is passed over to the next.
 */
import type { IncomingMessage } from 'node:http';
import type { Codec } from '../core/codec.js';
import type { KubeObject, WatchEvent } from '../core/event.js';
import { type CodecRegistry, parseAccept } from '../negotiate.js';

export type MetadataVersion = 'v1' | 'v1beta1';
type Form = 'PartialObjectMetadata' | 'PartialObjectMetadataList';

/**
 * The meta.k8s.io version asked for when the first acceptable Accept entry
 * the server can answer is the metadata form `form`; undefined when it is
 * a plain type or another conversion (a Table).
 */
export function metadataRequest(accept: string | undefined, form: Form): MetadataVersion | undefined {
  let entries;
  try {
    entries = parseAccept(accept ?? '');
  } catch {
    return undefined;
  }
  for (const { mediaType, q } of entries) {
    if (q <= 0) continue;
    const { as, g, v } = mediaType.params;
    if (as === undefined) return undefined;
    const servable = mediaType.essence === 'application/json' && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1');
    if (!servable) continue;
    if (as === form) return v as MetadataVersion;
    // A Table (or the other metadata form) comes first: not this module's answer.
    if (as === 'Table') return undefined;
  }
  return undefined;
}

function contentType(form: Form, version: MetadataVersion): string {
  return `application/json;as=${form};g=meta.k8s.io;v=${version}`;
}

function partial(object: KubeObject, version: MetadataVersion): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata ?? {} };
}

/** A whole LIST or GET answer in the metadata form, or undefined when not asked for. */
export function metadataResponseFor(req: IncomingMessage, body: KubeObject): { code: number; contentType: string; body: Uint8Array } | undefined {
  const items = (body as { items?: unknown }).items;
  const isList = Array.isArray(items) && typeof body.kind === 'string' && body.kind.endsWith('List');
  const form: Form = isList ? 'PartialObjectMetadataList' : 'PartialObjectMetadata';
  const version = metadataRequest(req.headers.accept, form);
  if (version === undefined) return undefined;
  const converted = isList
    ? { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${version}`, metadata: body.metadata ?? {}, items: (items as KubeObject[]).map((o) => partial(o, version)) }
    : partial(body, version);
  return { code: 200, contentType: contentType(form, version), body: new TextEncoder().encode(JSON.stringify(converted)) };
}

/** Watch events in the metadata form when asked (a JSON watch), else undefined. ERROR events keep their Status. */
export function metadataWatchFor(req: IncomingMessage | undefined, codec: Codec): ((event: WatchEvent) => WatchEvent) | undefined {
  if (req === undefined || codec.name !== 'json') return undefined;
  const version = metadataRequest(req.headers.accept, 'PartialObjectMetadata');
  if (version === undefined) return undefined;
  return (event) => (event.type === 'ERROR' ? event : { type: event.type, object: partial(event.object, version) });
}

/** JSON, for a watch whose Accept names only the metadata form (negotiation passes over `as=` entries). */
export function metadataWatchCodec(registry: CodecRegistry, accept: string | undefined): Codec | undefined {
  return metadataRequest(accept, 'PartialObjectMetadata') === undefined ? undefined : registry.list().find((c) => c.name === 'json');
}
