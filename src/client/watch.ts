/**
 * The watch client: fetch + negotiation + decodeStream, kept alive across
 * drops, stalls, server timeouts and expiry, without delivering an event
 * twice or skipping one. Browser-safe (fetch, AbortSignal, setTimeout).
 */
import type { Codec } from '../core/codec.js';
import type { Status, WatchEvent } from '../core/event.js';
import { type FieldFilter, type FieldSelection, applyFieldFilter, compileFieldFilter, filtersEventType } from '../core/field-filter.js';
import type { DecodeLimits } from '../core/limits.js';
import { formatFieldSelector, formatLabelSelector } from '../kubernetes/selectors.js';
import { type ResourceRef, type WatchQuery, applyWatchQuery, watchUrl } from '../kubernetes/url.js';
import type { CodecRegistry } from '../negotiate.js';
import { type DecodeStreamOptions, decodeStream } from '../stream/async-iterable.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { WatchExpiredError, WatchHttpError, WatchStallError, WatchStatusError } from './errors.js';
import { type FetchLike, type RequestOptions, buildHeaders, httpError, readOrAbort, release, resolveFetch, sleep } from './http.js';
import { type ListResult, listObjects } from './list.js';
import { isNewerResourceVersion } from './resource-version.js';

/** The annotation on the BOOKMARK that ends a watch-list's initial events. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** What the client tells a controller about its connection: log it, count it, react to it. */
export type WatchSignal =
  | { type: 'connecting'; connection: number; url: string; resourceVersion: string | undefined; sendInitialEvents: boolean }
  | { type: 'connected'; contentType: string; format: string }
  /** A reconnection picked up after the last delivered resourceVersion. */
  | { type: 'resumed'; resourceVersion: string }
  | { type: 'initial-events-end'; resourceVersion: string | undefined }
  /** 410: the resourceVersion is too old (ERROR event or HTTP status). What follows is `relist`, `restart` or a WatchExpiredError. */
  | { type: 'expired'; resourceVersion: string | undefined; status: Status | undefined }
  /** The caller's re-list (or the client's own LIST) finished: watching from its resourceVersion. */
  | { type: 'relist'; resourceVersion: string; reason: 'start' | 'expired' }
  /** Starting over without a resourceVersion: the current objects come again as ADDED. */
  | { type: 'restart'; reason: 'expired' | 'initial-state-incomplete'; sendInitialEvents: boolean }
  /** An event at or before the last delivered resourceVersion was dropped. */
  | { type: 'duplicate'; resourceVersion: string; eventType: WatchEvent['type'] }
  | { type: 'stalled'; idleMs: number }
  | { type: 'disconnected'; reason: 'ended' | 'error' | 'stalled' | 'expired'; events: number; bytes: number; durationMs: number }
  | { type: 'backoff'; delayMs: number; attempt: number; reason: 'error' | 'retry-after' }
  /** A failure the client handles by reconnecting (`willRetry`), or the one it gives up on. */
  | { type: 'error'; error: unknown; willRetry: boolean };

/** What to do on 410 Expired. */
export type ExpiredPolicy =
  /** Call `relist` (or LIST itself when `onList` is given) and watch from its resourceVersion. */
  | 'relist'
  /** Watch-list: restart with `sendInitialEvents=true`; the current objects come as ADDED, then a BOOKMARK. */
  | 'initial-events'
  /** Restart without a resourceVersion (the current objects come as ADDED, no end marker but the first BOOKMARK). */
  | 'restart'
  /** Throw WatchExpiredError from the iterator. */
  | 'fail';

export interface WatchOptions extends RequestOptions, FieldSelection {
  /** A collection URL, e.g. `http://127.0.0.1:8001/api/v1/namespaces/default/pods?labelSelector=app%3Dweb`. */
  url?: string | URL;
  /** Or: the API server and the resource, built with the URL builder. */
  server?: string | URL;
  resource?: ResourceRef;
  /** Selectors and other query parameters (with `server` + `resource`, or added to `url`). */
  query?: Pick<WatchQuery, 'labelSelector' | 'fieldSelector'>;
  /** Start after this version (from your own LIST). Also read from the URL's `resourceVersion`. */
  resourceVersion?: string;
  /** Start with a watch-list (`sendInitialEvents=true`) instead of a LIST. */
  initialEvents?: boolean;
  /**
   * Re-list: LIST the collection, replace your cache, return the list's
   * resourceVersion. Called at start (when no resourceVersion is given) and
   * on 410.
   */
  relist?: (context: { signal: AbortSignal; reason: 'start' | 'expired' }) => Promise<string>;
  /** Let the client do the LIST itself (same URL, selectors, fetch and headers) and hand you the result. */
  onList?: (list: ListResult, reason: 'start' | 'expired') => void | Promise<void>;
  /** Default: 'relist' when `relist` or `onList` is given, else 'fail'. */
  onExpired?: ExpiredPolicy;
  /** Formats to ask for, best first (names or media types). Default: every servable codec, protobuf > cbor > json. */
  formats?: readonly string[];
  /**
   * The codecs to negotiate and decode with. `watch()` defaults to every
   * built-in codec; `new Watch()` needs one, so that a bundle that imports
   * only the codecs it names carries only those.
   */
  registry?: CodecRegistry;
  /** Ask for BOOKMARK events (they move the resume point without changes). Default true. */
  allowWatchBookmarks?: boolean;
  /** Yield BOOKMARK events to the consumer. Default true. */
  deliverBookmarks?: boolean;
  /** Server-side timeout per connection; the client resumes after it. */
  timeoutSeconds?: number;
  /** No bytes for this long means a dead connection: drop it and resume. Default 300 000 (5 min, well above the ~1 min bookmark interval). */
  stallTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** A connection that lasted this long, or delivered an event, resets the backoff. Default 60 000. */
  healthyAfterMs?: number;
  /** Longest Retry-After honoured (a longer one is cut to this). Default 300 000. */
  maxRetryAfterMs?: number;
  /** Consecutive failed connections before giving up (throwing the last error). Default Infinity. */
  maxRetries?: number;
  /** Decode limits (frame size, depth, ...). */
  limits?: Partial<DecodeLimits>;
  signal?: AbortSignal;
  onSignal?: (signal: WatchSignal) => void;
}

export interface WatchStats {
  connections: number;
  /** Events delivered (bookmarks not counted). */
  events: number;
  bookmarks: number;
  duplicates: number;
  bytes: number;
  relists: number;
  restarts: number;
  stalls: number;
  errors: number;
}

/** How the next connection starts. */
type Plan = { kind: 'from'; resourceVersion: string; resume?: true } | { kind: 'now' } | { kind: 'initial-events' } | { kind: 'relist'; reason: 'start' | 'expired' };
/** A plan that opens a connection. */
type ConnectPlan = Exclude<Plan, { kind: 'relist' }>;

/** The run loop's state between connections. */
interface Loop {
  plan: Plan;
  /** Consecutive failed attempts (reset by a healthy connection or a LIST). */
  failures: number;
}

type Outcome =
  | { kind: 'aborted' }
  | { kind: 'ended' }
  | { kind: 'stalled'; error: WatchStallError }
  | { kind: 'error'; error: unknown; retryAfterMs?: number | undefined }
  | { kind: 'expired'; status: Status | undefined };

/** Per-connection counters. */
interface Connection {
  controller: AbortController;
  started: number;
  decoded: number;
  bytes: number;
  stalled: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the link from the watch's abort signal to this connection's. */
  unlink: () => void;
}

const PREFERRED_ORDER = ['protobuf', 'cbor', 'json'];

/**
 * A watch that stays alive. Iterate it once:
 *
 * ```ts
 * for await (const event of watch({ url, relist })) handle(event);
 * ```
 */
export class Watch implements AsyncIterable<WatchEvent> {
  readonly stats: WatchStats = { connections: 0, events: 0, bookmarks: 0, duplicates: 0, bytes: 0, relists: 0, restarts: 0, stalls: 0, errors: 0 };
  private readonly options: WatchOptions;
  private readonly registry: CodecRegistry;
  private readonly fetchFn: FetchLike;
  private readonly baseUrl: URL;
  private readonly accept: string;
  private readonly backoff: Backoff;
  private readonly expiredPolicy: ExpiredPolicy;
  private lastResourceVersion: string | undefined;
  /** From the option, else from the caller's URL (kept on every reconnection). */
  private readonly timeoutSeconds: number | undefined;
  /** 'initial' while the current objects are still coming (no resume point yet). */
  private phase: 'initial' | 'changes' = 'changes';
  private iterated = false;
  private readonly decodeOptions: DecodeStreamOptions;
  /** From `dropFields` / `keepFields`: applied to the object of every change. */
  readonly fieldFilter: FieldFilter | undefined;

  constructor(options: WatchOptions & { registry: CodecRegistry }) {
    if (options.registry === undefined) throw new TypeError('new Watch() needs options.registry (watch() defaults to every built-in codec)');
    this.options = options;
    this.registry = options.registry;
    this.fetchFn = resolveFetch(options.fetch);
    if (options.url !== undefined) {
      this.baseUrl = new URL(options.url);
      // Only the selectors here: applyWatchQuery would also clear the URL's resourceVersion and timeout.
      const { labelSelector, fieldSelector } = options.query ?? {};
      if (labelSelector !== undefined) this.baseUrl.searchParams.set('labelSelector', formatLabelSelector(labelSelector));
      if (fieldSelector !== undefined) this.baseUrl.searchParams.set('fieldSelector', formatFieldSelector(fieldSelector));
    } else if (options.server !== undefined && options.resource !== undefined) {
      this.baseUrl = watchUrl(options.server, options.resource, options.query ?? {});
    } else {
      throw new TypeError('watch needs url, or server and resource');
    }
    const formats = options.formats ?? defaultFormats(this.registry);
    this.accept = this.registry.accept(formats);
    this.backoff = new Backoff(options.backoff);
    const canRelist = options.relist !== undefined || options.onList !== undefined;
    this.expiredPolicy = options.onExpired ?? (canRelist ? 'relist' : 'fail');
    if (this.expiredPolicy === 'relist' && !canRelist) throw new TypeError("onExpired: 'relist' needs relist or onList");
    this.lastResourceVersion = options.resourceVersion ?? (this.baseUrl.searchParams.get('resourceVersion') || undefined);
    const urlTimeout = this.baseUrl.searchParams.get('timeoutSeconds');
    this.timeoutSeconds = options.timeoutSeconds ?? (urlTimeout !== null && /^\d+$/.test(urlTimeout) ? Number(urlTimeout) : undefined);
    this.fieldFilter = compileFieldFilter(options);
    // The decoders apply the selection (skipping the bytes where the format can).
    this.decodeOptions = {
      ...options.limits,
      ...(options.dropFields === undefined ? {} : { dropFields: options.dropFields }),
      ...(options.keepFields === undefined ? {} : { keepFields: options.keepFields }),
    };
  }

  /** The resume point: the resourceVersion of the last event or bookmark delivered. */
  get resourceVersion(): string | undefined {
    return this.lastResourceVersion;
  }

  /**
   * True while the current objects of a watch-list (or of a watch without
   * resourceVersion) are still arriving: the events yielded now are the
   * initial state, not changes, until the bookmark that ends them.
   */
  get receivingInitialState(): boolean {
    return this.phase === 'initial';
  }

  /** The Accept header sent. */
  get acceptHeader(): string {
    return this.accept;
  }

  [Symbol.asyncIterator](): AsyncGenerator<WatchEvent, void, undefined> {
    return this.events();
  }

  /** The events, once. Ends when the signal aborts or the consumer stops; throws on a fatal error. */
  events(): AsyncGenerator<WatchEvent, void, undefined> {
    if (this.iterated) throw new TypeError('a Watch can be iterated once');
    this.iterated = true;
    return this.run();
  }

  private emit(signal: WatchSignal): void {
    this.options.onSignal?.(signal);
  }

  private firstPlan(): Plan {
    if (this.lastResourceVersion !== undefined) return { kind: 'from', resourceVersion: this.lastResourceVersion };
    if (this.options.initialEvents === true) return { kind: 'initial-events' };
    if (this.options.relist !== undefined || this.options.onList !== undefined) return { kind: 'relist', reason: 'start' };
    return { kind: 'now' };
  }

  private async *run(): AsyncGenerator<WatchEvent, void, undefined> {
    const user = this.options.signal;
    if (user?.aborted) return;
    const stop = new AbortController();
    const onUserAbort = (): void => stop.abort(user?.reason);
    user?.addEventListener('abort', onUserAbort, { once: true });
    const loop: Loop = { plan: this.firstPlan(), failures: 0 };
    try {
      while (!stop.signal.aborted) {
        if (loop.plan.kind === 'relist') {
          await this.relistStep(loop, loop.plan.reason, stop.signal);
          continue;
        }
        const plan = loop.plan;
        const connection = this.openConnection(plan, stop.signal);
        // This generator is the only one events pass through, iterated by hand, and each event
        // is let go before the next wait: a suspended generator keeps alive what its registers
        // held, and every yield* or for-await level kept the last event an idle watch had
        // delivered, until the next one came (on a quiet resource, never).
        let events: AsyncGenerator<WatchEvent, void, undefined> | undefined;
        let next: IteratorResult<WatchEvent> | undefined;
        let event: WatchEvent | undefined;
        let outcome: Outcome;
        try {
          const opened = await this.connect(plan, connection, stop.signal);
          if ('kind' in opened) outcome = opened;
          else {
            events = opened;
            try {
              for (;;) {
                next = await events.next();
                if (next.done === true) {
                  outcome = stop.signal.aborted ? { kind: 'aborted' } : { kind: 'ended' };
                  break;
                }
                event = next.value;
                next = undefined;
                if (stop.signal.aborted) {
                  outcome = { kind: 'aborted' };
                  break;
                }
                const verdict = this.admit(event, plan, connection);
                if (verdict === 'deliver') {
                  if (this.fieldFilter !== undefined && filtersEventType(event.type)) event = this.filtered(event, this.fieldFilter);
                  yield event;
                } else if (verdict !== 'drop') {
                  outcome = verdict;
                  break;
                }
                event = undefined;
              }
            } catch (error) {
              outcome = this.broken(error, connection, stop.signal);
            }
          }
        } finally {
          next = event = undefined;
          // As for await does when its loop is left early (a no-op on a decoder that ended or threw).
          await events?.return(undefined);
          this.closeConnection(connection);
        }
        if (outcome.kind === 'aborted' || stop.signal.aborted) return;
        await this.afterConnection(loop, plan, outcome, connection, stop.signal);
      }
    } finally {
      user?.removeEventListener('abort', onUserAbort);
      stop.abort();
    }
  }

  /** A re-list between connections: on success the next connection watches from its version. */
  private async relistStep(loop: Loop, reason: 'start' | 'expired', signal: AbortSignal): Promise<void> {
    try {
      const resourceVersion = await this.relist(reason, signal);
      if (signal.aborted) return;
      this.stats.relists++;
      this.lastResourceVersion = resourceVersion;
      this.emit({ type: 'relist', resourceVersion, reason });
      loop.plan = { kind: 'from', resourceVersion };
      loop.failures = 0;
    } catch (error) {
      if (signal.aborted) return;
      loop.failures++;
      // A LIST answered 429/503 with Retry-After: the server said when, as for a watch.
      await this.failed(error, loop.failures, error instanceof WatchHttpError ? error.retryAfterMs : undefined, signal);
    }
  }

  /** One connection's state, with its own abort controller linked to the watch's (closeConnection undoes both). */
  private openConnection(plan: ConnectPlan, stop: AbortSignal): Connection {
    this.phase = plan.kind === 'from' ? 'changes' : 'initial';
    const controller = new AbortController();
    const unlink = (): void => stop.removeEventListener('abort', abortConnection);
    const abortConnection = (): void => controller.abort(stop.reason);
    stop.addEventListener('abort', abortConnection, { once: true });
    return { controller, started: now(), decoded: 0, bytes: 0, stalled: false, timer: undefined, unlink };
  }

  private closeConnection(connection: Connection): void {
    this.disarm(connection);
    connection.unlink();
    connection.controller.abort();
  }

  /** After a connection ended: report it, reset or grow the backoff, choose the next plan. */
  private async afterConnection(loop: Loop, plan: ConnectPlan, outcome: Exclude<Outcome, { kind: 'aborted' }>, connection: Connection, signal: AbortSignal): Promise<void> {
    const durationMs = now() - connection.started;
    const healthy = connection.decoded > 0 || durationMs >= (this.options.healthyAfterMs ?? 60_000);
    this.emit({ type: 'disconnected', reason: outcome.kind, events: connection.decoded, bytes: connection.bytes, durationMs });
    if (healthy) {
      this.backoff.reset();
      loop.failures = 0;
    }
    switch (outcome.kind) {
      case 'ended':
        loop.plan = this.resumeOrRestart(plan);
        // A server-side timeout after a healthy stream: come back at once, as client-go does.
        if (!healthy) await this.wait(this.backoff.next(), 'error', signal);
        break;
      case 'stalled':
      case 'error':
        loop.failures++;
        this.stats.errors++;
        if (outcome.kind === 'stalled') this.stats.stalls++;
        await this.failed(outcome.error, loop.failures, outcome.kind === 'error' ? outcome.retryAfterMs : undefined, signal);
        loop.plan = this.resumeOrRestart(plan);
        break;
      case 'expired':
        this.emit({ type: 'expired', resourceVersion: this.lastResourceVersion, status: outcome.status });
        loop.plan = this.afterExpiry(outcome.status);
        if (!healthy) await this.wait(this.backoff.next(), 'error', signal);
        break;
    }
  }

  /** Resume after the last delivered version; or, when the current objects had not all arrived, start over the same way. */
  private resumeOrRestart(plan: ConnectPlan): Plan {
    if (this.phase === 'changes' && this.lastResourceVersion !== undefined) return { kind: 'from', resourceVersion: this.lastResourceVersion, resume: true };
    const sendInitialEvents = plan.kind === 'initial-events';
    this.stats.restarts++;
    this.emit({ type: 'restart', reason: 'initial-state-incomplete', sendInitialEvents });
    return sendInitialEvents ? { kind: 'initial-events' } : { kind: 'now' };
  }

  /** Reports a failure, gives up past maxRetries, else waits the backoff (or Retry-After). */
  private async failed(error: unknown, failures: number, retryAfterMs: number | undefined, signal: AbortSignal): Promise<void> {
    const willRetry = failures <= (this.options.maxRetries ?? Infinity);
    this.emit({ type: 'error', error, willRetry });
    if (!willRetry) throw error;
    if (retryAfterMs !== undefined) {
      // The server said when: that beats our own guess. Still count the failure for the next one.
      this.backoff.next();
      await this.wait(Math.min(retryAfterMs, this.options.maxRetryAfterMs ?? 300_000), 'retry-after', signal);
    } else {
      await this.wait(this.backoff.next(), 'error', signal);
    }
  }

  private async wait(delayMs: number, reason: 'error' | 'retry-after', signal: AbortSignal): Promise<void> {
    this.emit({ type: 'backoff', delayMs, attempt: this.backoff.attempt, reason });
    await sleep(delayMs, signal);
  }

  private afterExpiry(status: Status | undefined): Plan {
    switch (this.expiredPolicy) {
      case 'relist':
        return { kind: 'relist', reason: 'expired' };
      case 'initial-events':
      case 'restart': {
        const sendInitialEvents = this.expiredPolicy === 'initial-events';
        this.stats.restarts++;
        this.emit({ type: 'restart', reason: 'expired', sendInitialEvents });
        return sendInitialEvents ? { kind: 'initial-events' } : { kind: 'now' };
      }
      case 'fail':
        throw new WatchExpiredError(status, this.lastResourceVersion);
    }
  }

  private async relist(reason: 'start' | 'expired', signal: AbortSignal): Promise<string> {
    if (this.options.relist !== undefined) {
      const resourceVersion = await this.options.relist({ signal, reason });
      if (typeof resourceVersion !== 'string' || resourceVersion === '') throw new TypeError('relist() must resolve to the list resourceVersion');
      return resourceVersion;
    }
    const list = await listObjects({
      url: this.baseUrl,
      fetch: this.fetchFn,
      ...(this.options.headers === undefined ? {} : { headers: this.options.headers }),
      ...(this.options.requestInit === undefined ? {} : { requestInit: this.options.requestInit }),
      signal,
      registry: this.registry,
    });
    await this.options.onList!(list, reason);
    return list.resourceVersion;
  }

  private urlFor(plan: ConnectPlan): URL {
    return applyWatchQuery(new URL(this.baseUrl), {
      ...(plan.kind === 'from' ? { resourceVersion: plan.resourceVersion } : {}),
      ...(plan.kind === 'initial-events' ? { sendInitialEvents: true } : {}),
      allowWatchBookmarks: this.options.allowWatchBookmarks ?? true,
      ...(this.timeoutSeconds === undefined ? {} : { timeoutSeconds: this.timeoutSeconds }),
    });
  }

  /** Arms the stall timer: it runs only while the client waits for bytes, never while the consumer holds an event. */
  private arm(connection: Connection): void {
    const idleMs = this.options.stallTimeoutMs ?? 300_000;
    if (!Number.isFinite(idleMs)) return;
    connection.timer = setTimeout(() => {
      connection.stalled = true;
      connection.controller.abort(new WatchStallError(idleMs));
    }, idleMs);
  }

  private disarm(connection: Connection): void {
    if (connection.timer !== undefined) clearTimeout(connection.timer);
    connection.timer = undefined;
  }

  /** One connection: request and negotiate; the decoded events, or how the attempt ended. */
  private async connect(plan: ConnectPlan, connection: Connection, stop: AbortSignal): Promise<Outcome | AsyncGenerator<WatchEvent, void, undefined>> {
    const url = this.urlFor(plan).toString();
    this.stats.connections++;
    this.emit({
      type: 'connecting',
      connection: this.stats.connections,
      url,
      resourceVersion: plan.kind === 'from' ? plan.resourceVersion : undefined,
      sendInitialEvents: plan.kind === 'initial-events',
    });
    const opened = await this.open(url, connection, stop);
    if ('outcome' in opened) return opened.outcome;
    const { response } = opened;
    const codec = this.codecOf(response);
    if (plan.kind === 'from' && plan.resume === true) this.emit({ type: 'resumed', resourceVersion: plan.resourceVersion });
    if (response.body === null) return { kind: 'ended' };
    return decodeStream(this.guardedChunks(response.body, connection), codec, this.decodeOptions);
  }

  /** How a connection that broke ended: aborted by us, stalled (our timer), or a failure. */
  private broken(error: unknown, connection: Connection, stop: AbortSignal): Outcome {
    if (stop.aborted) return { kind: 'aborted' };
    if (!connection.stalled) return { kind: 'error', error };
    const stall = new WatchStallError(this.options.stallTimeoutMs ?? 300_000);
    this.emit({ type: 'stalled', idleMs: stall.idleMs });
    return { kind: 'stalled', error: stall };
  }

  /** The request, under the stall timer. An error response becomes an outcome (retry, expiry) or is thrown (fatal). */
  private async open(url: string, connection: Connection, stop: AbortSignal): Promise<{ response: Response } | { outcome: Outcome }> {
    let response: Response;
    this.arm(connection);
    try {
      response = await this.fetchFn(url, {
        ...this.options.requestInit,
        method: 'GET',
        headers: await buildHeaders(this.options.headers, this.accept),
        signal: connection.controller.signal,
      });
    } catch (error) {
      return { outcome: this.broken(error, connection, stop) };
    } finally {
      this.disarm(connection);
    }
    if (response.ok) return { response };

    let error: WatchHttpError;
    this.arm(connection);
    try {
      error = await httpError(response, url, this.registry, connection.controller.signal);
    } finally {
      this.disarm(connection);
    }
    if (stop.aborted) return { outcome: { kind: 'aborted' } };
    if (error.code === 410) return { outcome: { kind: 'expired', status: error.status } };
    if (error.code === 429 || error.code >= 500) return { outcome: { kind: 'error', error, retryAfterMs: error.retryAfterMs } };
    this.emit({ type: 'error', error, willRetry: false });
    throw error;
  }

  /** The codec for the response's Content-Type (the response decides, not the request); fatal when none. */
  private codecOf(response: Response): Codec {
    const contentType = response.headers.get('content-type') ?? '';
    let codec: Codec;
    try {
      codec = this.registry.forContentType(contentType);
    } catch (error) {
      response.body?.cancel().catch(() => {});
      this.emit({ type: 'error', error, willRetry: false });
      throw error;
    }
    this.emit({ type: 'connected', contentType, format: codec.name });
    return codec;
  }

  /**
   * One decoded event: an ERROR ends the connection; a BOOKMARK moves the
   * resume point (and may end the initial objects); a change at or before
   * the resume point is a duplicate, dropped.
   */
  private admit(event: WatchEvent, plan: ConnectPlan, connection: Connection): 'deliver' | 'drop' | Outcome {
    if (event.type === 'ERROR') {
      const status = event.object as Status;
      if (isExpired(status)) return { kind: 'expired', status };
      return { kind: 'error', error: new WatchStatusError(status) };
    }
    connection.decoded++;
    const rv = resourceVersionOf(event);
    if (event.type === 'BOOKMARK') {
      if (this.phase === 'initial') {
        const end = event.object.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true';
        // In a watch-list only the annotated bookmark ends the initial objects; in a watch
        // without resourceVersion the server sends bookmarks only after them.
        if (end || plan.kind === 'now') {
          this.phase = 'changes';
          if (rv !== undefined) this.lastResourceVersion = rv;
          if (end) this.emit({ type: 'initial-events-end', resourceVersion: rv });
        }
      } else if (rv !== undefined) {
        if (!isNewerResourceVersion(rv, this.lastResourceVersion)) return 'drop';
        this.lastResourceVersion = rv;
      }
      this.stats.bookmarks++;
      return (this.options.deliverBookmarks ?? true) ? 'deliver' : 'drop';
    }
    if (this.phase === 'changes' && rv !== undefined) {
      if (!isNewerResourceVersion(rv, this.lastResourceVersion)) {
        this.stats.duplicates++;
        this.emit({ type: 'duplicate', resourceVersion: rv, eventType: event.type });
        return 'drop';
      }
      this.lastResourceVersion = rv;
    }
    this.stats.events++;
    return 'deliver';
  }

  /**
   * The selection is the decoder's job; a codec that ignores it (a custom
   * one, say) must not leak what the caller dropped: a cheap check of the
   * dropped paths, and the generic pass only where one is still there.
   */
  private filtered(event: WatchEvent, filter: FieldFilter): WatchEvent {
    if (filter.mode === 'drop' && !holdsDropped(event.object, filter)) return event;
    return { type: event.type, object: applyFieldFilter(event.object, filter) as WatchEvent['object'] };
  }

  /** The body's chunks, with the stall timer running only while a read is pending. */
  private async *guardedChunks(body: ReadableStream<Uint8Array>, connection: Connection): AsyncGenerator<Uint8Array, void, undefined> {
    const reader = body.getReader();
    let done = false;
    try {
      for (;;) {
        this.arm(connection);
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await readOrAbort(reader, connection.controller.signal);
        } finally {
          this.disarm(connection);
        }
        if (result.done) {
          done = true;
          return;
        }
        connection.bytes += result.value.length;
        this.stats.bytes += result.value.length;
        yield result.value;
      }
    } finally {
      if (!done) release(reader);
    }
  }
}

/** Whether `value` still has a path a drop filter removes (arrays transparent). */
export function holdsDropped(value: unknown, filter: FieldFilter): boolean {
  if (Array.isArray(value)) return value.some((item) => holdsDropped(item, filter));
  if (value === null || typeof value !== 'object') return false;
  for (const [key, child] of filter.children) {
    if (!Object.hasOwn(value, key)) continue;
    if (child === null || holdsDropped((value as Record<string, unknown>)[key], child)) return true;
  }
  return false;
}

function defaultFormats(registry: CodecRegistry): string[] {
  const servable = registry.list().filter((c) => c.servable);
  const names = servable.map((c) => c.name);
  const ordered = PREFERRED_ORDER.filter((n) => names.includes(n));
  return ordered.length > 0 ? ordered : [...new Set(servable.map((c) => c.mediaType))];
}

function resourceVersionOf(event: WatchEvent): string | undefined {
  const rv = event.object.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

function isExpired(status: Status): boolean {
  return status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone';
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
