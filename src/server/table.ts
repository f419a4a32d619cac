/**
 * The server-side Table form (`meta.k8s.io/v1` `Table`), which kubectl asks
 * for with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...,application/json`
 * on LIST, GET and WATCH and prints as is: the server decides the columns.
 * The columns are the API server's for the kind (src/server/table-printers.ts:
 * Pods' NAME, READY, STATUS, RESTARTS, AGE and the priority-1 ones `-o wide`
 * shows; the common built-in kinds; Name and Created At otherwise).
 * `includeObject` chooses what each row carries: `None`, `Metadata` (the
 * default: a PartialObjectMetadata) or the whole `Object`.
 */
import type { IncomingMessage } from 'node:http';
import type { Codec } from '../core/codec.js';
import type { KubeObject, WatchEvent } from '../core/event.js';
import { type CodecRegistry, parseAccept } from '../negotiate.js';
import type { ResourceInfo } from './resources.js';
import { type TableColumnDefinition, type TableRow, printerFor } from './table-printers.js';

export { humanDuration } from './table-printers.js';
export type { TableColumnDefinition, TableRow } from './table-printers.js';

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
    if (g !== 'meta.k8s.io' || mediaType.essence !== 'application/json' || (v !== 'v1' && v !== 'v1beta1')) continue;
    // A metadata-only form asked first (src/server/partial-metadata.ts) is not a Table.
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return undefined;
    if (as !== 'Table') continue;
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
    return { code: 400, contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify(badRequest(e as Error))) };
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
 * The codec of a watch whose Accept names only Tables (negotiation passes
 * over `as=` entries): JSON, the encoding Tables are served in. Undefined
 * when the Accept does not ask for a Table.
 */
export function tableWatchCodec(registry: CodecRegistry, accept: string | undefined): Codec | undefined {
  let request: TableRequest | undefined;
  try {
    request = tableRequest(accept, new URLSearchParams());
  } catch {
    return undefined;
  }
  return request === undefined ? undefined : registry.list().find((c) => c.name === 'json');
}

/** The 400 Status for a Table request with an `includeObject` the API does not know (a watch checks it before it starts). */
export function tableRequestError(req: IncomingMessage): KubeObject | undefined {
  try {
    tableRequest(req.headers.accept, paramsOf(req));
    return undefined;
  } catch (e) {
    return badRequest(e as Error);
  }
}

function badRequest(e: Error): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: 'BadRequest', code: 400 };
}

/**
 * The watch hook: a converter of events to Tables when the request asks for
 * Tables and the watch is JSON (the only Table encoding served), else
 * undefined. (A bad `includeObject` was refused by {@link tableRequestError} before.)
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
  const printer = printerFor(info);
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
