import type { KubeObject } from '../core/event.js';
import { jsonCodec } from '../formats/json/codec.js';
import { parseJsonBytes } from '../core/json-parse.js';
import { type ListQuery, type ResourceRef, listUrl } from '../kubernetes/url.js';
import { CodecRegistry } from '../negotiate.js';
import { type RequestOptions, buildHeaders, httpError, resolveFetch } from './http.js';

export interface ListOptions extends RequestOptions {
  /** A collection URL (its selectors are kept); or give `server` and `resource`. */
  url?: string | URL;
  server?: string | URL;
  resource?: ResourceRef;
  query?: Omit<ListQuery, 'continue'>;
  /** Items per page (`limit`); pages are followed with `continue`. Default 500, 0 = one unpaged request. */
  pageSize?: number;
  signal?: AbortSignal;
  /** Reads error bodies (a Status in any format). A LIST asks for JSON, so JSON alone is the default. */
  registry?: CodecRegistry;
}

/** A LIST's result: every item of every page, and the resourceVersion to start a watch from. */
export interface ListResult {
  apiVersion: string | undefined;
  kind: string | undefined;
  resourceVersion: string;
  items: KubeObject[];
}

/** Query parameters that belong to a watch, removed when a watch URL is listed. */
const WATCH_ONLY = ['watch', 'allowWatchBookmarks', 'sendInitialEvents', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'continue', 'limit'];

/** The LIST URL for a watch URL: same path and selectors, without the watch parameters. */
export function listUrlFor(url: string | URL): URL {
  const out = new URL(url);
  for (const name of WATCH_ONLY) out.searchParams.delete(name);
  return out;
}

/**
 * A real LIST (asks for JSON: a list is one object, not a stream), following
 * `continue` tokens. The resourceVersion returned is the list's, the one a
 * watch must start from to miss nothing.
 */
export async function listObjects(options: ListOptions): Promise<ListResult> {
  let base: URL;
  if (options.url !== undefined) base = listUrlFor(options.url);
  else if (options.server !== undefined && options.resource !== undefined) base = listUrl(options.server, options.resource, options.query ?? {});
  else throw new TypeError('listObjects needs url, or server and resource');
  const fetchFn = resolveFetch(options.fetch);
  const pageSize = options.pageSize ?? 500;
  const registry = options.registry ?? new CodecRegistry([jsonCodec]);
  const items: KubeObject[] = [];
  let token: string | undefined;
  let head: { apiVersion?: string; kind?: string; metadata?: { resourceVersion?: string } } = {};
  do {
    const url = new URL(base);
    if (pageSize > 0) url.searchParams.set('limit', String(pageSize));
    if (token !== undefined) url.searchParams.set('continue', token);
    const response = await fetchFn(url.toString(), {
      ...options.requestInit,
      method: 'GET',
      headers: await buildHeaders(options.headers, 'application/json'),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (!response.ok) throw await httpError(response, url.toString(), registry);
    // Not response.json(): the body goes through the same JSON.parse guard as watch frames.
    const body = new Uint8Array(await response.arrayBuffer());
    const page = parseJsonBytes(body) as typeof head & { items?: KubeObject[] | null; metadata?: { continue?: string; resourceVersion?: string } };
    if (token === undefined) head = page;
    for (const item of page.items ?? []) items.push(item);
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  const resourceVersion = head.metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '') throw new TypeError(`LIST ${base.toString()} answered no metadata.resourceVersion`);
  // A List's items carry no kind/apiVersion on the wire; add them back from the list's own.
  const kind = head.kind?.endsWith('List') ? head.kind.slice(0, -4) : undefined;
  for (const item of items) {
    if (item.kind === undefined && kind !== undefined) item.kind = kind;
    if (item.apiVersion === undefined && head.apiVersion !== undefined) item.apiVersion = head.apiVersion;
  }
  return { apiVersion: head.apiVersion, kind: head.kind, resourceVersion, items };
}
