/**
 * The replay server (Node only): a real HTTP server that serves a set of
 * objects as a Kubernetes API server would: LIST, GET and WATCH on the real
 * paths, negotiation of JSON/YAML/protobuf/CBOR, resourceVersion semantics
 * over a versioned store, paging, bookmarks, watch-list, timeoutSeconds,
 * selectors, and faults on demand. Used by the tests, the benchmarks, the
 * demo and `watchwire serve`. This module starts the server and routes a
 * request; list.ts, watch.ts and respond.ts answer it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, WatchEvent } from '../core/event.js';
import { createRegistry } from '../formats/index.js';
import { parseApiPath } from '../kubernetes/url.js';
import type { CodecRegistry } from '../negotiate.js';
import { serveDiscovery } from './discovery.js';
import { conversionWatchCodec } from './conversion.js';
import { EncodeCache } from './encode-cache.js';
import { type FaultOption, resolveFault } from './faults.js';
import { generatePods } from './generate.js';
import { type ContinueExpiry, type ReadEnvironment, serveGet, serveList } from './list.js';
import { negotiate, negotiateObject } from './negotiation.js';
import { queryBool, readQuery, validateQuery } from './query.js';
import { type Exchange, type RequestRecord, record, sendStatus } from './respond.js';
import { type ResourceInfo, resourceKey } from './resources.js';
import { defaultReason, failureStatus, isStatus } from './status.js';
import { type ChangeType, ObjectStore, type StoredEvent } from './store.js';
import { type WatchEnvironment, serveWatch } from './watch.js';

export { generatePods } from './generate.js';
export type { ContinueExpiry } from './list.js';
export type { RequestRecord } from './respond.js';

export interface ReplayServerOptions {
  /** Default 127.0.0.1 (loopback). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Changes applied at start, in order (ADDED/MODIFIED/DELETED; others ignored). Versions are reassigned. */
  events?: readonly WatchEvent[];
  /** Objects added at start. */
  objects?: readonly KubeObject[];
  /** Generated Pods added at start. */
  generate?: { pods: number; namespaces?: readonly string[] };
  /** Resources to serve even without objects (core/v1 pods is always served). */
  resources?: readonly ResourceInfo[];
  registry?: CodecRegistry;
  /** The resourceVersion before the first change. Default 100. */
  initialResourceVersion?: number;
  /** Changes kept (about: compaction runs in steps of 1/16 of it) for watches and reads at an old version; older ones answer 410. Default 100 000. */
  historyLimit?: number;
  /** BOOKMARK period for watches that allow them. Default 60 000 ms (as an API server, about a minute). */
  bookmarkIntervalMs?: number;
  /**
   * How long a read at a resourceVersion the server has not reached waits
   * for it before answering 504 "Too large resource version" (LIST and GET
   * with `resourceVersion=N`, a watch-list from N). Default 3000 ms, the
   * watch cache's wait.
   */
  tooLargeResourceVersionWaitMs?: number;
  /**
   * False: a server without the WatchList feature, which refuses any
   * `sendInitialEvents` with 422 Invalid ("sendInitialEvents is forbidden
   * for watch unless the WatchList feature gate is enabled"), so clients
   * fall back to LIST + WATCH. Default true.
   */
  watchList?: boolean;
  /** Continue tokens that expire early (410 on the continue request), to test a client's re-list. Default: only compaction expires them. */
  continueExpiry?: ContinueExpiry;
  /** Bytes of encoded events kept per format and shared by every watch (the watch cache's serialization cache). Default 64 MiB; 0 turns it off. */
  encodeCacheBytes?: number;
  /** Faults: one plan for every watch request, or a function per request (watch, list or get). */
  faults?: FaultOption;
  /**
   * Load generation: every watch, once caught up, streams this many generated
   * MODIFIED Pod events (versions after the current one, not stored), then
   * ends. For benchmarks and memory tests.
   */
  firehose?: { events: number; objectBytes?: number };
  /**
   * Static files (the `--ui` inspector page, a test page and its bundle):
   * asked for every GET outside `/api` and `/apis`, so pages are served from
   * the same origin as the API and need no CORS.
   */
  static?: StaticRoutes;
}

/** A static response for a path, or undefined for 404. */
export type StaticRoutes = (pathname: string) => StaticFile | undefined;

export interface StaticFile {
  body: Uint8Array | string;
  contentType: string;
  headers?: Record<string, string>;
}

export interface ReplayServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly store: ObjectStore;
  /** The newest resourceVersion. */
  readonly resourceVersion: number;
  readonly requests: readonly RequestRecord[];
  /** Watch responses currently open. */
  readonly activeWatches: number;
  /** Applies a change live: watchers get it at once. */
  append(type: ChangeType, object: KubeObject): StoredEvent;
  /** Forgets history up to `resourceVersion` (default all): older watches, reads and continue tokens get 410. */
  compact(resourceVersion?: number): void;
  /**
   * The current objects of a resource (default core/v1 pods), in list order,
   * as copies: what a cache that is in sync with the server holds.
   */
  state(resource?: { group?: string; resource?: string; namespace?: string }): KubeObject[];
  /** Replaces the fault option. */
  setFaults(faults: FaultOption | undefined): void;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

const LOOPBACK_DEFAULT = '127.0.0.1';
const CORE_PODS: ResourceInfo = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true };

interface ServerState {
  faults: FaultOption | undefined;
  counts: Record<'watch' | 'list' | 'get', number>;
  active: number;
  requests: RequestRecord[];
}

interface HandlerContext {
  store: ObjectStore;
  registry: CodecRegistry;
  options: ReplayServerOptions;
  state: ServerState;
  read: ReadEnvironment;
  watch: WatchEnvironment;
}

function loadStore(options: ReplayServerOptions): ObjectStore {
  const store = new ObjectStore({
    ...(options.initialResourceVersion === undefined ? {} : { initialResourceVersion: options.initialResourceVersion }),
    ...(options.historyLimit === undefined ? {} : { historyLimit: options.historyLimit }),
  });
  store.declare(CORE_PODS);
  for (const info of options.resources ?? []) store.declare(info);
  for (const object of options.objects ?? []) store.apply('ADDED', object);
  for (const event of options.events ?? []) {
    if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') store.apply(event.type, event.object);
  }
  if (options.generate !== undefined) {
    for (const pod of generatePods(options.generate.pods, options.generate.namespaces ?? ['default'])) store.apply('ADDED', pod);
  }
  return store;
}

function contextOf(options: ReplayServerOptions, store: ObjectStore): HandlerContext {
  const state: ServerState = { faults: options.faults, counts: { watch: 0, list: 0, get: 0 }, active: 0, requests: [] };
  const registry = options.registry ?? createRegistry();
  const tooLargeWaitMs = options.tooLargeResourceVersionWaitMs ?? 3000;
  return {
    store,
    registry,
    options,
    state,
    read: { store, registry, tooLargeWaitMs, continueExpiry: options.continueExpiry },
    watch: {
      store,
      encodeCache: new EncodeCache(options.encodeCacheBytes ?? 64 * 1024 * 1024),
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      tooLargeWaitMs,
      firehose: options.firehose,
      closing: new Set(),
      opened: (delta) => {
        state.active += delta;
      },
    },
  };
}

/** Starts a replay server; resolves once it listens. */
export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const store = loadStore(options);
  const context = contextOf(options, store);
  const server = createServer((req, res) => {
    handle(context, req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? LOOPBACK_DEFAULT, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    store,
    get resourceVersion() {
      return store.resourceVersion;
    },
    requests: context.state.requests,
    get activeWatches() {
      return context.state.active;
    },
    append: (type, object) => store.apply(type, object),
    compact: (resourceVersion) => store.compact(resourceVersion),
    state: ({ group = '', resource = 'pods', namespace } = {}) =>
      store.list(resourceKey(group, resource)).flatMap((object) => (namespace === undefined || object.metadata?.namespace === namespace ? [structuredClone(object)] : [])),
    setFaults: (faults) => {
      context.state.faults = faults;
    },
    close: () => closeServer(server, context),
  };
}

function closeServer(server: Server, context: HandlerContext): Promise<void> {
  for (const end of [...context.watch.closing]) end();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function sendStatic(exchange: Exchange, file: StaticFile): void {
  const body = typeof file.body === 'string' ? Buffer.from(file.body) : file.body;
  exchange.res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(body.length), 'cache-control': 'no-cache', ...file.headers });
  exchange.res.end(body);
  record(exchange, 200, file.contentType);
}

/** Routes one request: static files, then the API paths; LIST, GET and WATCH each to their module. */
async function handle(context: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { store, registry, state } = context;
  const url = new URL(req.url ?? '/', 'http://replay.invalid');
  const exchange: Exchange = { req, res, kind: 'other', requests: state.requests };
  const fail = (code: number, reason: string, message: string): void => sendStatus(exchange, negotiateObject(registry, req.headers.accept), failureStatus(code, reason, message));
  if (req.method !== 'GET') return fail(405, 'MethodNotAllowed', `the replay server only answers GET (got ${req.method ?? '?'})`);
  // Discovery, OpenAPI and health (src/server/discovery.ts, S2's): what real clients read before a LIST or WATCH.
  const discovery = serveDiscovery(store.resources.values(), req, res, url.pathname);
  if (discovery !== undefined) return record(exchange, discovery.status, discovery.contentType);
  if (context.options.static !== undefined && !/^\/apis?(\/|$)/.test(url.pathname)) {
    const file = context.options.static(url.pathname);
    if (file !== undefined) return sendStatic(exchange, file);
  }
  const path = parseApiPath(url.pathname);
  const info = path === undefined ? undefined : store.resources.get(resourceKey(path.group, path.resource));
  if (path === undefined || info === undefined || info.version !== path.version || path.subresource !== undefined || (path.namespace !== undefined && !info.namespaced)) {
    return fail(404, 'NotFound', 'the server could not find the requested resource');
  }

  const watching = queryBool(url.searchParams, 'watch');
  exchange.kind = watching ? 'watch' : path.name === undefined ? 'list' : 'get';
  const kind = exchange.kind;
  const fault = resolveFault(state.faults, { index: state.counts[kind]++, kind, url });
  if (fault?.status !== undefined) {
    const { code, retryAfterSeconds, reason, message } = fault.status;
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    const codec = watching ? negotiate(registry, req.headers.accept) : negotiateObject(registry, req.headers.accept);
    return sendStatus(exchange, codec, failureStatus(code, reason ?? defaultReason(code), message ?? `injected fault: HTTP ${code}`), headers);
  }

  const query = readQuery(url.searchParams, info.kind, path.namespace);
  // GetOptions has no resourceVersionMatch or sendInitialEvents: a GET ignores them, as the API server does.
  const invalid = isStatus(query) ? query : kind === 'get' ? undefined : validateQuery(query, context.options.watchList ?? true);
  if (invalid !== undefined) return sendStatus(exchange, negotiateObject(registry, req.headers.accept), invalid);
  if (isStatus(query)) return;
  const target = { info, namespace: path.namespace, query, fault };

  if (kind === 'get') return serveGet(context.read, exchange, target, path.name!);
  if (kind === 'list') return serveList(context.read, exchange, target);
  // An Accept of conversions only (Tables, metadata) is a JSON watch of them (src/server/conversion.ts, S2's).
  const codec = negotiate(registry, req.headers.accept) ?? conversionWatchCodec(registry, req.headers.accept);
  if (codec === undefined) {
    const types = registry
      .list()
      .filter((c) => c.servable && c.name !== 'json-documents')
      .map((c) => c.accept);
    return sendStatus(exchange, undefined, failureStatus(406, 'NotAcceptable', `only the following media types are accepted for a watch: ${types.join(', ')}`));
  }
  return serveWatch(context.watch, exchange, { ...target, codec, fault: fault ?? {} });
}
