import type { KubeObject } from '../core/event.js';
import { type DecodeLimits, resolveLimits } from '../core/limits.js';
import { type ListQuery, type ResourceRef, listUrl } from '../kubernetes/url.js';
import type { CodecRegistry } from '../negotiate.js';
import { type RequestOptions, buildHeaders, httpError, resolveFetch } from './http.js';

export interface ListOptions extends RequestOptions {
  /** A collection URL (its selectors are kept); or give `server` and `resource`. */
  url?: string | URL;
  server?: string | URL;
  resource?: ResourceRef;
  query?: Omit<ListQuery, 'continue'>;
  /** Items per page (`limit`); pages are followed with `continue`. Default 500, 0 = one unpaged request. */
  pageSize?: number;
  /**
   * One page only: at most this many items (`limit`). The result's
   * `continue` names the next page, if there is one. Overrides `pageSize`.
   */
  limit?: number;
  /** Carry on an earlier LIST from its result's `continue` token (one page with `limit`, else every page left). */
  continue?: string;
  signal?: AbortSignal;
  /**
   * The codecs that read the answer (a List, or an error Status, as one
   * object). The `watchwire` entry defaults it to JSON alone.
   */
  registry?: CodecRegistry;
  /**
   * Formats to ask for, best first (names or media types; each asked for by
   * its single-object media type, e.g. protobuf without `;stream=watch`).
   * Default: JSON when the registry reads it, else every codec of the registry.
   */
  formats?: readonly string[];
  /** Decode limits for the answer (depth, collection length, string length). */
  limits?: Partial<DecodeLimits>;
}

/** A LIST's result: every item of every page, and the resourceVersion to start a watch from. */
export interface ListResult {
  apiVersion: string | undefined;
  kind: string | undefined;
  resourceVersion: string;
  items: KubeObject[];
  /** With `limit`: the token of the next page, absent on the last one. */
  continue?: string;
}

/** Query parameters that belong to a watch, removed when a watch URL is listed. */
const WATCH_ONLY = ['watch', 'allowWatchBookmarks', 'sendInitialEvents', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'continue', 'limit'];

/** The LIST URL for a watch URL: same path and selectors, without the watch parameters. */
export function listUrlFor(url: string | URL): URL {
  const out = new URL(url);
  for (const name of WATCH_ONLY) out.searchParams.delete(name);
  return out;
}

type ListPage = KubeObject & { items?: KubeObject[] | null; metadata?: { continue?: string; resourceVersion?: string } };

/**
 * A real LIST, following `continue` tokens (or one page, with `limit`), in
 * whichever format the registry reads and the server answers. The
 * resourceVersion returned is the list's (of its first page), the one a
 * watch must start from to miss nothing.
 */
export async function listObjects(options: ListOptions): Promise<ListResult> {
  const registry = options.registry;
  if (registry === undefined) throw new TypeError('listObjects needs options.registry (the watchwire entry defaults it to JSON)');
  let base: URL;
  if (options.url !== undefined) base = listUrlFor(options.url);
  else if (options.server !== undefined && options.resource !== undefined) base = listUrl(options.server, options.resource, options.query ?? {});
  else throw new TypeError('listObjects needs url, or server and resource');
  const fetchFn = resolveFetch(options.fetch);
  const onePage = options.limit !== undefined;
  const pageSize = options.limit ?? options.pageSize ?? 500;
  if (!Number.isSafeInteger(pageSize) || pageSize < 0) throw new RangeError(`limit must be a non-negative integer, got ${pageSize}`);
  const accept = registry.acceptObjects(options.formats ?? defaultListFormats(registry));
  const limits = resolveLimits(options.limits);
  const items: KubeObject[] = [];
  let token = options.continue || undefined;
  let head: ListPage | undefined;
  do {
    const url = new URL(base);
    if (pageSize > 0) url.searchParams.set('limit', String(pageSize));
    if (token !== undefined) url.searchParams.set('continue', token);
    const response = await fetchFn(url.toString(), {
      ...options.requestInit,
      method: 'GET',
      headers: await buildHeaders(options.headers, accept),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (!response.ok) throw await httpError(response, url.toString(), registry, options.signal);
    // Not response.json(): the body goes through the codec's decoder, with its limits (and JSON's parse guard).
    const body = new Uint8Array(await response.arrayBuffer());
    const codec = registry.forObjectContentType(response.headers.get('content-type') || 'application/json');
    const page = codec.objects!.createDecoder(limits).decode(body) as ListPage;
    head ??= page;
    for (const item of page.items ?? []) items.push(item);
    const next = page.metadata?.continue;
    token = typeof next === 'string' && next !== '' ? next : undefined;
  } while (token !== undefined && !onePage);
  const resourceVersion = head.metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '') throw new TypeError(`LIST ${base.toString()} answered no metadata.resourceVersion`);
  // A List's items carry no kind/apiVersion on the wire; add them back from the list's own.
  const kind = head.kind?.endsWith('List') ? head.kind.slice(0, -4) : undefined;
  for (const item of items) {
    if (item.kind === undefined && kind !== undefined) item.kind = kind;
    if (item.apiVersion === undefined && head.apiVersion !== undefined) item.apiVersion = head.apiVersion;
  }
  return { apiVersion: head.apiVersion, kind: head.kind, resourceVersion, items, ...(token === undefined ? {} : { continue: token }) };
}

/** JSON when the registry reads it (a LIST is one object, asked for once: the format every server speaks), else all its codecs. */
function defaultListFormats(registry: CodecRegistry): string[] {
  const codecs = registry.list().filter((c) => c.objects !== undefined);
  const json = codecs.find((c) => (c.objects!.mediaType ?? c.mediaType) === 'application/json');
  if (json !== undefined) return [json.name];
  if (codecs.length === 0) throw new TypeError('listObjects: the registry has no codec that reads single objects');
  return codecs.map((c) => c.name);
}
