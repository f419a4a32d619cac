/**
 * The replay server (Node only): a real HTTP server that serves a set of
 * objects as a Kubernetes API server would: LIST and WATCH on the real
 * paths, negotiation of JSON/protobuf/CBOR, resourceVersion semantics,
 * bookmarks, watch-list, timeoutSeconds, selectors, and faults on demand.
 * Used by the tests, the benchmarks, the demo and `watchwire serve`.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Codec, Encoder } from '../core/codec.js';
import type { KubeObject, Status, WatchEvent } from '../core/event.js';
import { createRegistry } from '../formats/index.js';
import {
  type FieldRequirement,
  type LabelRequirement,
  matchesFieldSelector,
  matchesLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '../kubernetes/selectors.js';
import { parseApiPath } from '../kubernetes/url.js';
import type { CodecRegistry } from '../negotiate.js';
import { serveDiscovery } from './discovery.js';
import { type FaultOption, type FaultPlan, resolveFault } from './faults.js';
import { encodeObjectBody, failureStatus, negotiate, watchContentType } from './negotiation.js';
import { type ResourceInfo, resourceKey } from './resources.js';
import { type ChangeType, ObjectStore, type StoredEvent } from './store.js';

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
  /** Changes kept for watches from an old version; older ones answer 410. Default 100 000. */
  historyLimit?: number;
  /** BOOKMARK period for watches that allow them. Default 60 000 ms (as an API server, about a minute). */
  bookmarkIntervalMs?: number;
  /** Faults: one plan for every watch request, or a function per request. */
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

/** One request the server saw (tests check what the client asked for). */
export interface RequestRecord {
  kind: 'watch' | 'list' | 'get' | 'other';
  url: string;
  accept: string | undefined;
  status: number;
  contentType: string | undefined;
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
  /** Forgets history up to `resourceVersion` (default all): older watches get 410. */
  compact(resourceVersion?: number): void;
  /** Replaces the fault option. */
  setFaults(faults: FaultOption | undefined): void;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

const LOOPBACK_DEFAULT = '127.0.0.1';
const CORE_PODS: ResourceInfo = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true };
const SUPPORTED_FIELDS = new Set(['metadata.name', 'metadata.namespace']);

/** Starts a replay server; resolves once it listens. */
export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const registry = options.registry ?? createRegistry();
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

  const state = {
    faults: options.faults,
    watchIndex: 0,
    listIndex: 0,
    getIndex: 0,
    active: 0,
    requests: [] as RequestRecord[],
  };
  const context: HandlerContext = { store, registry, options, state, closing: new Set() };
  const server = createServer((req, res) => handle(context, req, res));
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
  const url = `http://${host}:${address.port}`;

  return {
    url,
    port: address.port,
    store,
    get resourceVersion() {
      return store.resourceVersion;
    },
    requests: state.requests,
    get activeWatches() {
      return state.active;
    },
    append: (type, object) => store.apply(type, object),
    compact: (resourceVersion) => store.compact(resourceVersion),
    setFaults: (faults) => {
      state.faults = faults;
    },
    close: () => closeServer(server, context),
  };
}

interface HandlerContext {
  store: ObjectStore;
  registry: CodecRegistry;
  options: ReplayServerOptions;
  state: { faults: FaultOption | undefined; watchIndex: number; listIndex: number; getIndex: number; active: number; requests: RequestRecord[] };
  /** Callbacks that end open watches when the server closes. */
  closing: Set<() => void>;
}

function closeServer(server: Server, context: HandlerContext): Promise<void> {
  for (const end of [...context.closing]) end();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function record(context: HandlerContext, req: IncomingMessage, kind: RequestRecord['kind'], status: number, contentType: string | undefined): void {
  context.state.requests.push({ kind, url: req.url ?? '', accept: req.headers.accept, status, contentType });
}

/** Sends a Status as the whole response, in the negotiated format (JSON when none). */
function sendStatus(res: ServerResponse, codec: Codec | undefined, status: Status, headers: Record<string, string> = {}): string {
  const { body, contentType } = encodeObjectBody(codec, status);
  res.writeHead(status.code ?? 500, { 'content-type': contentType, 'content-length': String(body.length), ...headers });
  res.end(body);
  return contentType;
}

function handle(context: HandlerContext, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://replay.invalid');
  const accept = req.headers.accept;
  const anyCodec = negotiate(context.registry, accept);
  const fail = (kind: RequestRecord['kind'], code: number, reason: string, message: string, headers: Record<string, string> = {}): void => {
    const contentType = sendStatus(res, anyCodec, failureStatus(code, reason, message), headers);
    record(context, req, kind, code, contentType);
  };
  if (req.method !== 'GET') return fail('other', 405, 'MethodNotAllowed', `the replay server only answers GET (got ${req.method ?? '?'})`);
  // Discovery, OpenAPI and health (src/server/discovery.ts): what real clients read before a LIST or WATCH.
  const discovery = serveDiscovery(context.store.resources.values(), req, res, url.pathname);
  if (discovery !== undefined) return record(context, req, 'other', discovery.status, discovery.contentType);
  if (context.options.static !== undefined && !/^\/apis?(\/|$)/.test(url.pathname)) {
    const file = context.options.static(url.pathname);
    if (file !== undefined) return sendStatic(context, req, res, file);
  }
  const path = parseApiPath(url.pathname);
  const info = path === undefined ? undefined : context.store.resources.get(resourceKey(path.group, path.resource));
  if (path === undefined || info === undefined || info.version !== path.version || (path.namespace !== undefined && !info.namespaced)) {
    return fail('other', 404, 'NotFound', 'the server could not find the requested resource');
  }
  const watching = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
  const kind: RequestRecord['kind'] = watching ? 'watch' : path.name === undefined ? 'list' : 'get';
  const index = kind === 'watch' ? context.state.watchIndex++ : kind === 'list' ? context.state.listIndex++ : context.state.getIndex++;
  const fault = resolveFault(context.state.faults, { index, kind, url });

  if (fault?.status !== undefined) {
    const { code, retryAfterSeconds, reason, message } = fault.status;
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    return fail(kind, code, reason ?? defaultReason(code), message ?? `injected fault: HTTP ${code}`, headers);
  }

  let labels: LabelRequirement[];
  let fields: FieldRequirement[];
  try {
    labels = parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
    fields = parseFieldSelector(url.searchParams.get('fieldSelector') ?? '');
    for (const f of fields) if (!SUPPORTED_FIELDS.has(f.field)) throw new RangeError(`field label not supported: ${f.field}`);
  } catch (e) {
    return fail(kind, 400, 'BadRequest', (e as Error).message);
  }
  const matches = (object: KubeObject): boolean =>
    (path.namespace === undefined || object.metadata?.namespace === path.namespace) &&
    matchesLabelSelector(labels, object.metadata?.labels) &&
    matchesFieldSelector(fields, (field) => (field === 'metadata.name' ? object.metadata?.name : object.metadata?.namespace));
  const key = resourceKey(info.group, info.resource);

  if (kind === 'get') {
    const object = context.store.get(key, path.namespace, path.name!);
    if (object === undefined) return fail(kind, 404, 'NotFound', `${info.resource} "${path.name!}" not found`);
    return sendJsonOrNotAcceptable(context, req, res, kind, object);
  }
  if (kind === 'list') {
    const items = context.store.list(key).filter(matches);
    const list = {
      kind: `${info.kind}List`,
      apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`,
      metadata: { resourceVersion: String(context.store.resourceVersion) },
      // Items of a List carry no kind/apiVersion, as the API server writes them.
      items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    };
    return sendJsonOrNotAcceptable(context, req, res, kind, list);
  }
  const codec = anyCodec;
  if (codec === undefined) {
    return fail(kind, 406, 'NotAcceptable', `only the following media types are accepted for a watch: ${servableTypes(context.registry).join(', ')}`);
  }
  startWatch(context, req, res, url, info, codec, matches, fault ?? {});
}

function sendStatic(context: HandlerContext, req: IncomingMessage, res: ServerResponse, file: StaticFile): void {
  const body = typeof file.body === 'string' ? Buffer.from(file.body) : file.body;
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(body.length), 'cache-control': 'no-cache', ...file.headers });
  res.end(body);
  record(context, req, 'other', 200, file.contentType);
}

function servableTypes(registry: CodecRegistry): string[] {
  return registry
    .list()
    .filter((c) => c.servable && c.name !== 'json-documents')
    .map((c) => c.accept);
}

/** LISTs and GETs are served as JSON (the replay server has no protobuf List schemas). */
function sendJsonOrNotAcceptable(context: HandlerContext, req: IncomingMessage, res: ServerResponse, kind: RequestRecord['kind'], object: object): void {
  const json = negotiate(context.registry, req.headers.accept, (c) => c.name === 'json');
  if (json === undefined) {
    const contentType = sendStatus(res, undefined, failureStatus(406, 'NotAcceptable', 'the replay server answers lists and objects as application/json only'));
    return record(context, req, kind, 406, contentType);
  }
  const body = JSON.stringify(object);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
  record(context, req, kind, 200, 'application/json');
}

function defaultReason(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    406: 'NotAcceptable',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}

/** What one watch sends next. */
type Frame = { event: WatchEvent; final?: boolean };

function startWatch(
  context: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  info: ResourceInfo,
  codec: Codec,
  matches: (object: KubeObject) => boolean,
  fault: FaultPlan,
): void {
  const { store, options } = context;
  const params = url.searchParams;
  const rvParam = params.get('resourceVersion') ?? '';
  const sendInitialEvents = params.get('sendInitialEvents') === 'true';
  const bookmarks = params.get('allowWatchBookmarks') === 'true';
  const fail = (code: number, reason: string, message: string): void => {
    const contentType = sendStatus(res, codec, failureStatus(code, reason, message));
    record(context, req, 'watch', code, contentType);
  };
  if (sendInitialEvents && (params.get('resourceVersionMatch') !== 'NotOlderThan' || !bookmarks)) {
    return fail(422, 'Invalid', 'sendInitialEvents=true needs resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true');
  }
  if (!sendInitialEvents && params.has('resourceVersionMatch')) {
    return fail(422, 'Invalid', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is set');
  }
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) return fail(400, 'BadRequest', `invalid resource version ${JSON.stringify(rvParam)}`);
  const timeoutParam = params.get('timeoutSeconds');
  const timeoutSeconds = timeoutParam === null ? undefined : Number(timeoutParam);
  if (timeoutSeconds !== undefined && !(timeoutSeconds >= 0)) return fail(400, 'BadRequest', `invalid timeoutSeconds ${JSON.stringify(timeoutParam)}`);

  const bookmarkObject = (resourceVersion: number, annotations?: Record<string, string>): KubeObject => ({
    kind: info.kind,
    apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`,
    metadata: { resourceVersion: String(resourceVersion), ...(annotations ? { annotations } : {}) },
  });

  // What to send first, and the version after which stored changes follow.
  const initial: WatchEvent[] = [];
  let cursor: number;
  let expired = fault.expire === true;
  const key = resourceKey(info.group, info.resource);
  if (rvParam === '' || rvParam === '0' || sendInitialEvents) {
    cursor = store.resourceVersion;
    for (const object of store.list(key)) if (matches(object)) initial.push({ type: 'ADDED', object });
    if (sendInitialEvents) initial.push({ type: 'BOOKMARK', object: bookmarkObject(cursor, { 'k8s.io/initial-events-end': 'true' }) });
  } else {
    cursor = Number(rvParam);
    if (cursor < store.compactedBefore) expired = true;
  }

  res.writeHead(200, { 'content-type': watchContentType(codec), 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  record(context, req, 'watch', 200, watchContentType(codec));
  context.state.active++;

  let closed = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let bookmarkDue = false;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    context.state.active--;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    clearInterval(bookmarkTimer);
    context.closing.delete(endNow);
    poke();
  };
  const endNow = (): void => {
    finish();
    res.destroy();
  };
  context.closing.add(endNow);
  const unsubscribe = store.subscribe(poke);
  res.on('close', finish);
  const bookmarkTimer = bookmarks
    ? setInterval(() => {
        bookmarkDue = true;
        poke();
      }, options.bookmarkIntervalMs ?? 60_000)
    : undefined;
  if (timeoutSeconds !== undefined) {
    timers.push(
      setTimeout(() => {
        finish();
        res.end();
      }, timeoutSeconds * 1000),
    );
  }

  const tooOld = (resourceVersion: number): Frame => ({
    event: {
      type: 'ERROR',
      object: failureStatus(410, 'Expired', `too old resource version: ${resourceVersion} (${store.compactedBefore})`),
    },
    final: true,
  });

  let firehoseLeft = options.firehose?.events ?? 0;
  let firehoseRv = 0;
  /** The next frame to send, or undefined when there is nothing yet. */
  const nextFrame = (): Frame | undefined => {
    if (expired) {
      expired = false;
      return tooOld(cursor);
    }
    const first = initial.shift();
    if (first !== undefined) return { event: first };
    if (cursor < store.compactedBefore) return tooOld(cursor);
    for (;;) {
      const batch = store.eventsAfter(cursor, 1);
      const stored = batch[0];
      if (stored === undefined) break;
      cursor = stored.resourceVersion;
      if (stored.resource === key && matches(stored.event.object)) return { event: stored.event };
    }
    cursor = Math.max(cursor, store.resourceVersion);
    if (firehoseLeft > 0) {
      if (firehoseRv === 0) firehoseRv = cursor;
      firehoseLeft--;
      return { event: { type: 'MODIFIED', object: firehosePod(++firehoseRv, options.firehose?.objectBytes ?? 1024) }, final: firehoseLeft === 0 };
    }
    if (bookmarkDue) {
      bookmarkDue = false;
      return { event: { type: 'BOOKMARK', object: bookmarkObject(cursor) } };
    }
    return undefined;
  };

  const encoder: Encoder<WatchEvent> = codec.createEncoder();
  void pump();

  async function pump(): Promise<void> {
    let sent = 0;
    try {
      while (!closed) {
        const frame = nextFrame();
        if (frame === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (fault.stallAfterEvents !== undefined && sent >= fault.stallAfterEvents) {
          // Stalled: nothing more, connection left open until the client or a timeout ends it.
          while (!closed) await new Promise<void>((resolve) => (wake = resolve));
          return;
        }
        if (fault.delayMs !== undefined && fault.delayMs > 0) {
          await new Promise<void>((resolve) => timers.push(setTimeout(resolve, fault.delayMs)));
          if (closed) return;
        }
        const bytes = encoder.encode(frame.event);
        if (fault.dropAfterEvents !== undefined && sent >= fault.dropAfterEvents) {
          const cut = Math.min(Math.max(fault.dropAtByte ?? Math.floor(bytes.length / 2), 1), bytes.length - 1);
          const socket = res.socket;
          res.write(bytes.subarray(0, cut), () => socket?.destroy());
          finish();
          return;
        }
        sent++;
        if (!res.write(bytes)) await drained(res);
        if (frame.final === true || (fault.closeAfterEvents !== undefined && sent >= fault.closeAfterEvents)) {
          finish();
          res.end();
          return;
        }
      }
    } catch {
      endNow();
    }
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Deterministic Pods: `pod-0000` ... spread over the namespaces, labelled by index. */
export function generatePods(count: number, namespaces: readonly string[] = ['default']): KubeObject[] {
  const pods: KubeObject[] = [];
  for (let i = 0; i < count; i++) {
    const name = `pod-${String(i).padStart(4, '0')}`;
    pods.push(podObject(name, namespaces[i % namespaces.length] ?? 'default', i));
  }
  return pods;
}

function podObject(name: string, namespace: string, i: number): KubeObject {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      creationTimestamp: '2026-01-02T03:04:05Z',
      labels: { app: i % 2 === 0 ? 'web' : 'db', index: String(i) },
    },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27', resources: {} }], restartPolicy: 'Always' },
    status: { phase: 'Running', podIP: `10.0.${(i >> 8) & 255}.${i & 255}` },
  };
}

function firehosePod(resourceVersion: number, objectBytes: number): KubeObject {
  const pod = podObject(`load-${resourceVersion % 1000}`, 'load', resourceVersion % 1000);
  pod.metadata = { ...pod.metadata, resourceVersion: String(resourceVersion), annotations: { padding: 'x'.repeat(Math.max(0, objectBytes - 600)) } };
  return pod;
}
