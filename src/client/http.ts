/**
 * The fetch plumbing the watch and list requests share. Browser-safe: the
 * global fetch (or the caller's), Headers, AbortSignal, setTimeout.
 */
import type { CodecRegistry } from '../negotiate.js';
import { WatchHttpError } from './errors.js';
import { decodeStatusBody } from './status-body.js';

/** A fetch function: the global one, undici's, node-fetch, or a wrapper adding TLS options. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Headers for every request, or a function called before each (to refresh a token). */
export type HeadersSource = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

/** What every request takes from the caller. */
export interface RequestOptions {
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Extra headers (e.g. `Authorization`), or a function giving them per request. */
  headers?: HeadersSource;
  /**
   * More fetch options merged into every request, e.g. `{dispatcher}` for an
   * undici Agent with client certificates. `signal`, `method` and `headers`
   * are the client's own.
   */
  requestInit?: Omit<RequestInit, 'signal' | 'method' | 'headers'> & Record<string, unknown>;
}

/** Error bodies are read up to this many bytes: enough for any Status, bounded against a hostile proxy. */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

export function resolveFetch(fetchFn: FetchLike | undefined): FetchLike {
  if (fetchFn !== undefined) return fetchFn;
  if (typeof globalThis.fetch !== 'function') throw new TypeError('no global fetch: pass options.fetch');
  // Called through globalThis: browsers refuse fetch called with another `this`.
  return (input, init) => globalThis.fetch(input, init);
}

export async function buildHeaders(source: HeadersSource | undefined, accept: string): Promise<Headers> {
  const given = typeof source === 'function' ? await source() : source;
  const headers = new Headers(given);
  if (!headers.has('accept')) headers.set('accept', accept);
  return headers;
}

/** Milliseconds to wait from a Retry-After value (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * `reader.read()` that settles when `signal` aborts. A fetch aborted just as
 * its response ends can leave a pending read unsettled for good (seen with
 * Node's fetch); a watch must never hang on it.
 */
export function readOrAbort<T>(reader: ReadableStreamDefaultReader<T>, signal: AbortSignal | undefined): Promise<ReadableStreamReadResult<T>> {
  if (signal === undefined) return reader.read();
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Frees a reader without waiting: cancel() may not settle on a stream its fetch already aborted. */
export function release(reader: ReadableStreamDefaultReader<unknown>): void {
  reader.cancel().catch(() => {});
}

/** Reads at most `max` bytes of a body, then cancels the rest. */
export async function readLimited(response: Response, max = MAX_ERROR_BODY_BYTES, signal?: AbortSignal): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await readOrAbort(reader, signal);
      if (done) break;
      parts.push(value);
      size += value.length;
    }
  } finally {
    release(reader);
  }
  const out = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const part of parts) {
    const take = Math.min(part.length, out.length - at);
    out.set(part.subarray(0, take), at);
    at += take;
  }
  return out;
}

/** The typed error for a non-2xx response, with its Status body decoded in whatever format it came. */
export async function httpError(response: Response, url: string, registry: CodecRegistry, signal?: AbortSignal): Promise<WatchHttpError> {
  const contentType = response.headers.get('content-type') ?? '';
  let body: Uint8Array = new Uint8Array(0);
  try {
    body = await readLimited(response, MAX_ERROR_BODY_BYTES, signal);
  } catch {
    // The connection broke while reading the error body: the HTTP code is still worth reporting.
  }
  return new WatchHttpError({
    code: response.status,
    statusText: response.statusText,
    status: decodeStatusBody(registry, contentType, body),
    contentType,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    url,
  });
}

/** Waits `ms`, or less if `signal` aborts (then resolves: the caller checks the signal). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
