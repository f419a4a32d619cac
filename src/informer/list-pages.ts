/**
 * The informer's LIST: paged with `limit` + `continue`, in any format the
 * registry reads as a single object (JSON, YAML, protobuf `*List`, CBOR),
 * as client-go's pager does it: a 410 on a continue token (the snapshot
 * it pointed into is gone) starts the list over; after repeated expiries
 * one unpaged LIST.
 */
import type { KubeObject } from '../core/event.js';
import { type FieldFilter, applyFieldFilter } from '../core/field-filter.js';
import { type DecodeLimits, resolveLimits } from '../core/limits.js';
import { WatchHttpError, WatchStallError } from '../client/errors.js';
import { type FetchLike, type RequestOptions, buildHeaders, httpError, readOrAbort, release } from '../client/http.js';
import { type ListResult, listUrlFor } from '../client/list.js';
import { holdsDropped } from '../client/watch.js';
import type { CodecRegistry } from '../negotiate.js';

export interface PagedListOptions extends RequestOptions {
  /** The collection URL (watch parameters are removed, selectors kept). */
  url: string | URL;
  fetch: FetchLike;
  registry: CodecRegistry;
  /** Formats to ask for, best first (names or media types). */
  formats: readonly string[];
  /** Items per page; 0 = one unpaged request. */
  pageSize: number;
  limits?: Partial<DecodeLimits>;
  /** Applied to each item (paths from the item's root). */
  fieldFilter?: FieldFilter | undefined;
  signal?: AbortSignal;
  /** No bytes for this long (headers or body) fails the page with WatchStallError, so the caller retries. Default 300 000. */
  stallTimeoutMs?: number;
  /** Called when a continue token expired and the list starts over. */
  onRestart?: (expiries: number) => void;
}

/** Expired continue tokens before the pager gives up paging (client-go falls back to a full list too). */
const MAX_PAGED_ATTEMPTS = 3;

/** The `Accept` for a LIST: each format's single-object media type (protobuf without `;stream=watch`), JSON last as a fallback when the registry has it. */
export function listAccept(registry: CodecRegistry, formats: readonly string[]): string {
  const names = formats.map((f) => registry.get(f).name);
  const withJson = names.includes('json') || !registry.list().some((c) => c.name === 'json') ? names : [...names, 'json'];
  return registry.acceptObjects(withJson);
}

export async function listPages(options: PagedListOptions): Promise<ListResult> {
  const base = listUrlFor(options.url);
  const accept = listAccept(options.registry, options.formats);
  const limits = resolveLimits(options.limits);
  const listFilter = options.fieldFilter === undefined ? undefined : itemsFilter(options.fieldFilter);
  let expiries = 0;
  for (;;) {
    const pageSize = expiries >= MAX_PAGED_ATTEMPTS ? 0 : options.pageSize;
    try {
      return await listOnce(options, base, accept, limits, listFilter, pageSize);
    } catch (error) {
      if (!(error instanceof ContinueExpired)) throw error;
      expiries++;
      options.onRestart?.(expiries);
    }
  }
}

/** A continue token the server no longer honours: the list must start over. */
class ContinueExpired extends Error {
  constructor(override readonly cause: WatchHttpError) {
    super(`continue token expired: ${cause.message}`);
  }
}

async function listOnce(
  options: PagedListOptions,
  base: URL,
  accept: string,
  limits: DecodeLimits,
  listFilter: FieldFilter | undefined,
  pageSize: number,
): Promise<ListResult> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  let head: KubeObject | undefined;
  do {
    const url = new URL(base);
    if (pageSize > 0) url.searchParams.set('limit', String(pageSize));
    if (token !== undefined) url.searchParams.set('continue', token);
    const { response, body } = await fetchPage(options, url.toString(), accept);
    const codec = options.registry.forObjectContentType(response.headers.get('content-type') || 'application/json');
    const page = codec.objects!.createDecoder(limits, listFilter === undefined ? {} : { fieldFilter: listFilter }).decode(body) as KubeObject & {
      items?: KubeObject[] | null;
    };
    head ??= page;
    const filter = options.fieldFilter;
    for (const item of page.items ?? []) {
      // The decoder applied it under `items`; a codec that ignores the option gets the generic pass.
      items.push(filter === undefined || (filter.mode === 'drop' && !holdsDropped(item, filter)) ? item : (applyFieldFilter(item, filter) as KubeObject));
    }
    const next = page.metadata?.continue;
    token = typeof next === 'string' && next !== '' ? next : undefined;
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

/** One page: the request and the whole body, under a stall timer re-armed by every chunk; a 410 on a continue is ContinueExpired. */
async function fetchPage(options: PagedListOptions, url: string, accept: string): Promise<{ response: Response; body: Uint8Array }> {
  const idleMs = options.stallTimeoutMs ?? 300_000;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    if (Number.isFinite(idleMs)) timer = setTimeout(() => controller.abort(new WatchStallError(idleMs)), idleMs);
  };
  try {
    arm();
    const response = await options.fetch(url, {
      ...options.requestInit,
      method: 'GET',
      headers: await buildHeaders(options.headers, accept),
      signal: controller.signal,
    });
    arm();
    if (!response.ok) {
      const error = await httpError(response, url, options.registry, controller.signal);
      if (error.code === 410 && new URL(url).searchParams.has('continue')) throw new ContinueExpired(error);
      throw error;
    }
    if (response.body === null) return { response, body: new Uint8Array(0) };
    const reader = response.body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    let done = false;
    try {
      for (;;) {
        const result = await readOrAbort(reader, controller.signal);
        if (result.done) break;
        arm();
        parts.push(result.value);
        size += result.value.length;
      }
      done = true;
    } finally {
      if (!done) release(reader);
    }
    if (parts.length === 1) return { response, body: parts[0]! };
    const body = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      body.set(part, at);
      at += part.length;
    }
    return { response, body };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The item filter moved under `items`, so a decoder applies it to each item of the List and to nothing else. */
function itemsFilter(filter: FieldFilter): FieldFilter {
  if (filter.mode === 'drop') return { mode: 'drop', children: new Map([['items', filter]]) };
  return {
    mode: 'keep',
    children: new Map<string, FieldFilter | null>([
      ['items', filter],
      ['kind', null],
      ['apiVersion', null],
      ['metadata', null],
    ]),
  };
}
