/**
 * Request URLs as the Kubernetes API defines them. Browser-safe: only the
 * global URL and URLSearchParams.
 *
 * - core group (`group` empty or absent): `/api/v1/...`; named groups: `/apis/GROUP/VERSION/...`
 * - namespaced: `/.../namespaces/NS/RESOURCE`; cluster-wide: `/.../RESOURCE`
 * - one object in a watch or list: the namespaced collection with
 *   `fieldSelector=metadata.name=NAME`. A `metadata.name` selector on a
 *   cluster-wide URL matches that name in every namespace, so a name without
 *   a namespace is refused unless the resource says `clusterScoped: true`.
 */
import { type FieldSelectorInput, type LabelSelectorInput, formatFieldSelector, formatLabelSelector, joinSelectors } from './selectors.js';

/** Which resource a request is about. */
export interface ResourceRef {
  /** API group; empty or absent for the core group (`/api/v1`). */
  group?: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** The resource's plural name, lower-case: `pods`, `deployments`. */
  resource: string;
  /** Namespace; absent for cluster-wide requests and cluster-scoped kinds. */
  namespace?: string;
  /** One object by name. */
  name?: string;
  /** A subresource of one object (`status`, `scale`, `log`): only for object URLs. */
  subresource?: string;
  /** The kind has no namespace (nodes, namespaces, clusterroles): a name alone is then fine. */
  clusterScoped?: boolean;
}

/** `resourceVersionMatch` values the API knows. */
export type ResourceVersionMatch = 'NotOlderThan' | 'Exact';

/** Query parameters of a LIST. */
export interface ListQuery {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Page size; the server answers a `continue` token when there is more. */
  limit?: number;
  continue?: string;
  timeoutSeconds?: number;
}

/** Query parameters of a WATCH (`watch=1` is always set). */
export interface WatchQuery {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  /** Start after this version; absent = now, with the current objects first as ADDED. */
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  allowWatchBookmarks?: boolean;
  /** Server-side duration of the watch; the server then ends the response cleanly. */
  timeoutSeconds?: number;
  /**
   * Watch-list: the current objects as ADDED, then a BOOKMARK annotated
   * `k8s.io/initial-events-end`. Needs `resourceVersionMatch=NotOlderThan`,
   * which is set when absent.
   */
  sendInitialEvents?: boolean;
}

const SEGMENT = /^[^/]+$/;

function segment(value: string, what: string): string {
  // `.` and `..` would be resolved away by URL parsing; the API refuses them as names anyway.
  if (!SEGMENT.test(value) || value === '.' || value === '..') throw new RangeError(`invalid ${what} ${JSON.stringify(value)}`);
  return encodeURIComponent(value);
}

/** `/api/v1` for the core group, `/apis/GROUP/VERSION` for the others. */
export function apiPrefix(group: string | undefined, version: string): string {
  const v = segment(version, 'version');
  return group === undefined || group === '' ? `/api/${v}` : `/apis/${segment(group, 'group')}/${v}`;
}

/** Path of the collection (namespaced when `namespace` is set); `name` is ignored. */
export function collectionPath(ref: ResourceRef): string {
  const ns = ref.namespace === undefined ? '' : `/namespaces/${segment(ref.namespace, 'namespace')}`;
  return `${apiPrefix(ref.group, ref.version)}${ns}/${segment(ref.resource, 'resource')}`;
}

/** Path of one object (and its subresource): `/api/v1/namespaces/NS/pods/NAME[/SUB]`. */
export function objectPath(ref: ResourceRef): string {
  if (ref.name === undefined) throw new RangeError('objectPath needs a name');
  checkScope(ref);
  const sub = ref.subresource === undefined ? '' : `/${segment(ref.subresource, 'subresource')}`;
  return `${collectionPath(ref)}/${segment(ref.name, 'name')}${sub}`;
}

function checkScope(ref: ResourceRef): void {
  if (ref.name !== undefined && ref.namespace === undefined && ref.clusterScoped !== true) {
    throw new RangeError(
      `a name without a namespace selects that name in every namespace; give namespace, or clusterScoped: true for a cluster-scoped kind (resource ${JSON.stringify(ref.resource)}, name ${JSON.stringify(ref.name)})`,
    );
  }
}

/** A URL on `server` (which may carry a path prefix, e.g. a proxy's `/k8s/clusters/c1`). */
export function joinServer(server: string | URL, path: string): URL {
  const base = new URL(server);
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(base.origin);
  url.pathname = `${prefix}${path}`;
  return url;
}

/** Selectors for a collection request, with the name as a `metadata.name` field selector. */
function selectorsFor(ref: ResourceRef, query: { labelSelector?: LabelSelectorInput; fieldSelector?: FieldSelectorInput }): {
  labelSelector: string;
  fieldSelector: string;
} {
  checkScope(ref);
  if (ref.subresource !== undefined) throw new RangeError('subresources are not lists or watches: use objectUrl');
  const byName = ref.name === undefined ? undefined : formatFieldSelector([{ field: 'metadata.name', operator: '=', value: ref.name }]);
  return {
    labelSelector: query.labelSelector === undefined ? '' : formatLabelSelector(query.labelSelector),
    fieldSelector: joinSelectors(byName, query.fieldSelector === undefined ? undefined : formatFieldSelector(query.fieldSelector)),
  };
}

function setIf(params: URLSearchParams, name: string, value: string | number | boolean | undefined): void {
  if (value === undefined || value === '') params.delete(name);
  else params.set(name, String(value));
}

function checkTimeout(seconds: number | undefined): void {
  if (seconds !== undefined && (!Number.isSafeInteger(seconds) || seconds < 0)) {
    throw new RangeError(`timeoutSeconds must be a non-negative integer, got ${seconds}`);
  }
}

/**
 * Sets the watch parameters on `url` (in place, and returns it): used for a
 * URL the caller built, and by the client to move `resourceVersion` on each
 * resume. Parameters left undefined are removed, except selectors, which
 * are kept as the URL has them when not given.
 */
export function applyWatchQuery(url: URL, query: WatchQuery): URL {
  const params = url.searchParams;
  checkTimeout(query.timeoutSeconds);
  params.set('watch', '1');
  if (query.labelSelector !== undefined) setIf(params, 'labelSelector', formatLabelSelector(query.labelSelector));
  if (query.fieldSelector !== undefined) setIf(params, 'fieldSelector', formatFieldSelector(query.fieldSelector));
  setIf(params, 'resourceVersion', query.resourceVersion);
  let match = query.resourceVersionMatch;
  if (query.sendInitialEvents === true) {
    if (match !== undefined && match !== 'NotOlderThan') throw new RangeError('sendInitialEvents needs resourceVersionMatch=NotOlderThan');
    match = 'NotOlderThan';
  }
  setIf(params, 'resourceVersionMatch', match);
  setIf(params, 'allowWatchBookmarks', query.allowWatchBookmarks === true ? 'true' : undefined);
  setIf(params, 'sendInitialEvents', query.sendInitialEvents === true ? 'true' : undefined);
  setIf(params, 'timeoutSeconds', query.timeoutSeconds);
  return url;
}

/** The URL of a watch on `ref` (a collection, or one object through its name). */
export function watchUrl(server: string | URL, ref: ResourceRef, query: WatchQuery = {}): URL {
  const { labelSelector, fieldSelector } = selectorsFor(ref, query);
  const url = joinServer(server, collectionPath(ref));
  return applyWatchQuery(url, { ...query, labelSelector, fieldSelector });
}

/** The URL of a LIST of `ref` (a collection, or one object through its name). */
export function listUrl(server: string | URL, ref: ResourceRef, query: ListQuery = {}): URL {
  const { labelSelector, fieldSelector } = selectorsFor(ref, query);
  checkTimeout(query.timeoutSeconds);
  if (query.limit !== undefined && (!Number.isSafeInteger(query.limit) || query.limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${query.limit}`);
  }
  const url = joinServer(server, collectionPath(ref));
  const params = url.searchParams;
  setIf(params, 'labelSelector', labelSelector);
  setIf(params, 'fieldSelector', fieldSelector);
  setIf(params, 'resourceVersion', query.resourceVersion);
  setIf(params, 'resourceVersionMatch', query.resourceVersionMatch);
  setIf(params, 'limit', query.limit);
  setIf(params, 'continue', query.continue);
  setIf(params, 'timeoutSeconds', query.timeoutSeconds);
  return url;
}

/** The URL of one object (GET/PUT/DELETE), or of its subresource. */
export function objectUrl(server: string | URL, ref: ResourceRef): URL {
  return joinServer(server, objectPath(ref));
}

/** What a collection path names: the inverse of `collectionPath`, for servers and the CLI. */
export interface ParsedApiPath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * Reads `/api/v1/namespaces/NS/pods[/NAME[/SUB]]` or `/apis/G/V/...`;
 * undefined for other paths. The segment after `namespaces/NS` is the
 * resource; `/api/v1/namespaces/NS` alone is the Namespace object.
 */
export function parseApiPath(pathname: string): ParsedApiPath | undefined {
  const parts = pathname.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    return undefined;
  }
  const [version, ...tail] = rest as [string, ...string[]];
  if (tail[0] === 'namespaces' && tail.length >= 3) {
    const [, namespace, resource, name, subresource, ...extra] = tail as [string, string, string, ...string[]];
    if (extra.length > 0) return undefined;
    return { group, version, resource, namespace, ...(name === undefined ? {} : { name }), ...(subresource === undefined ? {} : { subresource }) };
  }
  const [resource, name, subresource, ...extra] = tail as [string, ...string[]];
  if (extra.length > 0) return undefined;
  return { group, version, resource, ...(name === undefined ? {} : { name }), ...(subresource === undefined ? {} : { subresource }) };
}
