import type { Status } from '../core/event.js';

/**
 * The server answered a request with an HTTP error before any stream began
 * (401, 403, 404, 406, 410, 429, 5xx, ...). `status` is the meta/v1 Status
 * the body carried, in whatever format was negotiated, when it could be read.
 */
export class WatchHttpError extends Error {
  override readonly name = 'WatchHttpError';
  /** The HTTP status code. */
  readonly code: number;
  readonly statusText: string;
  /** The Status object of the body, when the body was one. */
  readonly status: Status | undefined;
  /** The response Content-Type. */
  readonly contentType: string;
  /** Milliseconds from the Retry-After header, when there was one. */
  readonly retryAfterMs: number | undefined;
  readonly url: string;

  constructor(init: { code: number; statusText: string; status: Status | undefined; contentType: string; retryAfterMs: number | undefined; url: string }) {
    const reason = init.status?.message ?? init.status?.reason ?? '';
    super(`HTTP ${init.code}${init.statusText ? ` ${init.statusText}` : ''}${reason ? `: ${reason}` : ''} (${init.url})`);
    this.code = init.code;
    this.statusText = init.statusText;
    this.status = init.status;
    this.contentType = init.contentType;
    this.retryAfterMs = init.retryAfterMs;
    this.url = init.url;
  }
}

/**
 * The watch's resourceVersion is too old (410 Expired/Gone) and the caller
 * gave no way to re-list (`relist`, `onList`, or `onExpired`): the only
 * correct next step is a fresh LIST, which the caller must do.
 */
export class WatchExpiredError extends Error {
  override readonly name = 'WatchExpiredError';
  readonly status: Status | undefined;
  readonly resourceVersion: string | undefined;

  constructor(status: Status | undefined, resourceVersion: string | undefined) {
    super(`watch expired at resourceVersion ${resourceVersion ?? '(none)'}: ${status?.message ?? status?.reason ?? '410'}; re-list needed`);
    this.status = status;
    this.resourceVersion = resourceVersion;
  }
}

/** The stream sent an ERROR event other than 410 (e.g. an internal error): the client reconnects. */
export class WatchStatusError extends Error {
  override readonly name = 'WatchStatusError';
  readonly status: Status;

  constructor(status: Status) {
    super(`watch ERROR event: ${status.code ?? '?'} ${status.reason ?? ''} ${status.message ?? ''}`.trim());
    this.status = status;
  }
}

/** No bytes arrived for `stallTimeoutMs`: the connection was dropped and the watch resumed. */
export class WatchStallError extends Error {
  override readonly name = 'WatchStallError';
  readonly idleMs: number;

  constructor(idleMs: number) {
    super(`no bytes for ${idleMs} ms: connection considered stalled`);
    this.idleMs = idleMs;
  }
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}
