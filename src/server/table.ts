/**
 * The server-side Table form (`meta.k8s.io/v1` `Table`), which kubectl asks
 * for with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...,application/json`
 * on LIST, GET and WATCH and prints as is: the server decides the columns.
 * Pods get the columns an API server prints for them (Name, Ready, Status,
 * Restarts, Age; IP, Node, Nominated Node, Readiness Gates at priority 1,
 * which kubectl shows with `-o wide`); other kinds get the default Name and
 * Created At. `includeObject` chooses what each row carries: `None`,
 * `Metadata` (the default: a PartialObjectMetadata) or the whole `Object`.
 */
import type { IncomingMessage } from 'node:http';
import type { Codec } from '../core/codec.js';
import type { KubeObject, WatchEvent } from '../core/event.js';
import { parseAccept } from '../negotiate.js';
import type { ResourceInfo } from './resources.js';

export type TableVersion = 'v1' | 'v1beta1';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A request for Tables: which meta.k8s.io version, what each row carries. */
export interface TableRequest {
  version: TableVersion;
  includeObject: IncludeObject;
  /** The response's Content-Type: `application/json;as=Table;v=VERSION;g=meta.k8s.io`. */
  contentType: string;
  /** Clock for the Age column (tests fix it). */
  now?: number;
}

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  object?: KubeObject;
}

export interface Table extends KubeObject {
  kind: 'Table';
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

const INCLUDE_OBJECT: readonly IncludeObject[] = ['None', 'Metadata', 'Object'];

/**
 * Whether the request asks for Tables: the first acceptable Accept entry the
 * server can answer is a JSON Table. A Table entry in another encoding or
 * version is passed over, as an API server passes over what it cannot serve
 * (kubectl sends `application/json` last as the fallback). Throws a
 * RangeError (→ 400) for an `includeObject` value the API does not know.
 */
export function tableRequest(accept: string | undefined, params: URLSearchParams): TableRequest | undefined {
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
    if (as !== 'Table' || g !== 'meta.k8s.io' || mediaType.essence !== 'application/json') continue;
    if (v !== 'v1' && v !== 'v1beta1') continue;
    const include = params.get('includeObject') ?? 'Metadata';
    if (!(INCLUDE_OBJECT as readonly string[]).includes(include)) {
      throw new RangeError(`includeObject: Unsupported value: "${include}": supported values: "Metadata", "None", "Object"`);
    }
    return { version: v, includeObject: include as IncludeObject, contentType: `application/json;as=Table;v=${v};g=meta.k8s.io` };
  }
  return undefined;
}

/** A whole response (a LIST or GET answer, or the 400 for a bad `includeObject`). */
export interface TableResponse {
  code: number;
  contentType: string;
  body: Uint8Array;
}

/**
 * The Table answer to a LIST or GET when the request asks for one, else
 * undefined (answer as usual). `body` is the List (`kind` ending in `List`,
 * with `items`) or the object the request would otherwise get.
 */
export function tableResponse(accept: string | undefined, params: URLSearchParams, info: ResourceInfo, body: KubeObject, now?: number): TableResponse | undefined {
  let request: TableRequest | undefined;
  try {
    request = tableRequest(accept, params);
  } catch (e) {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: (e as Error).message, reason: 'BadRequest', code: 400 };
    return { code: 400, contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify(status)) };
  }
  if (request === undefined) return undefined;
  if (now !== undefined) request.now = now;
  const isList = Array.isArray((body as { items?: unknown }).items) && typeof body.kind === 'string' && body.kind.endsWith('List');
  const rendered = isList ? listAsTable(request, info, body as { items: KubeObject[] }) : objectAsTable(request, info, body);
  return { code: 200, contentType: request.contentType, body: new TextEncoder().encode(JSON.stringify(rendered)) };
}

function paramsOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://replay.invalid').searchParams;
}

/** {@link tableResponse} for a request (the replay server's LIST and GET hook). */
export function tableResponseFor(req: IncomingMessage, info: ResourceInfo, body: KubeObject): TableResponse | undefined {
  return tableResponse(req.headers.accept, paramsOf(req), info, body);
}

/**
 * The watch hook: a converter of events to Tables when the request asks for
 * Tables and the watch is JSON (the only Table encoding served), else
 * undefined. A bad `includeObject` on a watch falls back to the plain form.
 */
export function tableWatchFor(req: IncomingMessage | undefined, info: ResourceInfo, codec: Codec): ((event: WatchEvent) => WatchEvent) | undefined {
  if (req === undefined || codec.name !== 'json') return undefined;
  let request: TableRequest | undefined;
  try {
    request = tableRequest(req.headers.accept, paramsOf(req));
  } catch {
    return undefined;
  }
  return request === undefined ? undefined : tableWatchEvents(request, info);
}

/** A LIST as a Table: the list's metadata (resourceVersion, continue, remainingItemCount) and one row per item. */
export function listAsTable(request: TableRequest, info: ResourceInfo, list: { metadata?: KubeObject['metadata'] } & { items?: readonly KubeObject[] }): Table {
  const items = list.items ?? [];
  return table(request, info, items, list.metadata ?? {}, true);
}

/** A GET as a Table of one row; its resourceVersion is the object's. */
export function objectAsTable(request: TableRequest, info: ResourceInfo, object: KubeObject): Table {
  const resourceVersion = object.metadata?.resourceVersion;
  return table(request, info, [object], resourceVersion === undefined ? {} : { resourceVersion }, true);
}

/**
 * Watch events as Tables, as an API server streams them for `kubectl get -w`:
 * each ADDED/MODIFIED/DELETED object becomes a Table of one row; only the
 * first carries the column definitions (kubectl keeps the last ones it saw).
 * ERROR events keep their Status; a BOOKMARK becomes an empty Table with its
 * resourceVersion.
 */
export function tableWatchEvents(request: TableRequest, info: ResourceInfo): (event: WatchEvent) => WatchEvent {
  let headers = true;
  return (event) => {
    if (event.type === 'ERROR') return event;
    const object = event.object;
    if (event.type === 'BOOKMARK') {
      const metadata = object.metadata?.resourceVersion === undefined ? {} : { resourceVersion: object.metadata.resourceVersion };
      return { type: event.type, object: table(request, info, [], metadata, false) };
    }
    const rendered = table(request, info, [object], object.metadata?.resourceVersion === undefined ? {} : { resourceVersion: object.metadata.resourceVersion }, headers);
    headers = false;
    return { type: event.type, object: rendered };
  };
}

function table(request: TableRequest, info: ResourceInfo, objects: readonly KubeObject[], metadata: NonNullable<KubeObject['metadata']>, withColumns: boolean): Table {
  const printer = info.group === '' && info.kind === 'Pod' ? POD_PRINTER : DEFAULT_PRINTER;
  const now = request.now ?? Date.now();
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${request.version}`,
    metadata,
    columnDefinitions: withColumns ? printer.columns : [],
    rows: objects.map((object) => {
      const row: TableRow = { cells: printer.cells(object, now) };
      const conditions = printer.conditions?.(object);
      if (conditions !== undefined) row.conditions = conditions;
      const carried = rowObject(request, info, object);
      if (carried !== undefined) row.object = carried;
      return row;
    }),
  };
}

function rowObject(request: TableRequest, info: ResourceInfo, object: KubeObject): KubeObject | undefined {
  if (request.includeObject === 'None') return undefined;
  if (request.includeObject === 'Metadata') {
    return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${request.version}`, metadata: object.metadata ?? {} };
  }
  // Items of a List carry no kind/apiVersion; a row's object does.
  return { ...object, kind: info.kind, apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}` };
}

interface Printer {
  columns: TableColumnDefinition[];
  cells(object: KubeObject, now: number): unknown[];
  conditions?(object: KubeObject): TableRow['conditions'];
}

function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME_DESCRIPTION = 'Name must be unique within a namespace (metadata.name).';
const CREATED_DESCRIPTION = 'When the object was created (metadata.creationTimestamp).';

/** What an API server prints for kinds without their own printer. */
const DEFAULT_PRINTER: Printer = {
  columns: [column('Name', 'string', NAME_DESCRIPTION, 0, 'name'), column('Created At', 'date', CREATED_DESCRIPTION)],
  cells: (object) => [object.metadata?.name ?? '', object.metadata?.creationTimestamp ?? null],
};

const POD_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Ready', 'string', 'Ready containers of all containers in the pod.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'Container restarts, and how long ago the last one was.'),
    column('Age', 'string', CREATED_DESCRIPTION),
    column('IP', 'string', 'The pod IP (status.podIPs[0]).', 1),
    column('Node', 'string', 'The node the pod is bound to (spec.nodeName).', 1),
    column('Nominated Node', 'string', 'The node the scheduler nominated for preemption (status.nominatedNodeName).', 1),
    column('Readiness Gates', 'string', 'Readiness gates whose condition is True, of all gates (spec.readinessGates).', 1),
  ],
  cells: podCells,
  conditions: (object) => {
    const phase = (object.status as PodStatus | undefined)?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};

interface ContainerState {
  waiting?: { reason?: string };
  running?: object;
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface PodStatus {
  phase?: string;
  reason?: string;
  podIP?: string;
  podIPs?: { ip?: string }[];
  nominatedNodeName?: string;
  conditions?: { type?: string; status?: string; reason?: string }[];
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
}

interface PodSpec {
  nodeName?: string;
  containers?: unknown[];
  initContainers?: { name?: string; restartPolicy?: string }[];
  readinessGates?: { conditionType?: string }[];
}

/** The cells kubectl shows for a Pod, computed as the API server's Pod printer does (facts from its behaviour). */
function podCells(pod: KubeObject, now: number): unknown[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as PodStatus;
  const conditions = status.conditions ?? [];
  const total = spec.containers?.length ?? 0;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  const noteRestart = (c: ContainerStatus): void => {
    const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (finished > lastRestart) lastRestart = finished;
  };
  let reason = status.reason || status.phase || '';
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  // Sidecars (init containers with restartPolicy Always) keep running and count as containers' restarts.
  const sidecars = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let sidecarRestarts = 0;
  let sidecarLastRestart = 0;
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    restarts += c.restartCount ?? 0;
    noteRestart(c);
    const sidecar = sidecars.has(c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
      if (finished > sidecarLastRestart) sidecarLastRestart = finished;
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated !== undefined && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated !== undefined) {
      reason = terminated.reason ? `Init:${terminated.reason}` : terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${spec.initContainers?.length ?? inits.length}`;
    }
    initializing = true;
    break;
  }
  const initialized = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let running = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i]!;
      restarts += c.restartCount ?? 0;
      noteRestart(c);
      const { waiting, terminated } = c.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated !== undefined) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (c.ready === true && c.state?.running !== undefined) {
        running = true;
        ready++;
      }
    }
    if (reason === 'Completed' && running) reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp !== undefined) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  }
  const restartsCell = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);

  const ip = status.podIPs?.[0]?.ip || status.podIP || '<none>';
  const gates = spec.readinessGates ?? [];
  let gatesCell = '<none>';
  if (gates.length > 0) {
    const met = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
    gatesCell = `${met}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '',
    `${ready}/${total}`,
    reason,
    restartsCell,
    age(pod.metadata?.creationTimestamp as string | undefined, now),
    ip,
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    gatesCell,
  ];
}

function age(timestamp: string | undefined, now: number): string {
  const at = Date.parse(timestamp ?? '');
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}

/**
 * A duration as kubectl's AGE column writes it: `45s`, `3m20s`, `25m`,
 * `5h12m`, `20h`, `3d4h`, `335d`, `2y15d`, `9y`; precision drops as the
 * duration grows.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}
