/**
 * Discovery as a Kubernetes API server answers it, for the resources the
 * replay server serves: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/G`,
 * `/apis/G/V`, the aggregated form (`APIGroupDiscoveryList`, v2 and
 * v2beta1) when the Accept asks for it, `/openapi/v2` and `/openapi/v3`
 * (empty documents: enough for clients that fetch them, nothing to explain
 * with), and the health checks. kubectl, the Python client and client-node
 * read these before their first LIST or WATCH.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AcceptEntry, parseAccept } from '../negotiate.js';
import type { ResourceInfo } from './resources.js';

/** The version the replay server claims: kubectl picks behaviour (and the gcloud dispatcher a binary) by it. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+watchwire',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

/** The only verbs the replay server answers (it is read-only). */
const VERBS = ['get', 'list', 'watch'] as const;

/** Short names and categories as the API server lists them (kubectl resolves `po`, `deploy`, `all` through these). */
const SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  '/pods': ['po'],
  '/services': ['svc'],
  '/namespaces': ['ns'],
  '/nodes': ['no'],
  '/configmaps': ['cm'],
  '/endpoints': ['ep'],
  '/events': ['ev'],
  '/persistentvolumeclaims': ['pvc'],
  '/persistentvolumes': ['pv'],
  '/serviceaccounts': ['sa'],
  '/replicationcontrollers': ['rc'],
  '/limitranges': ['limits'],
  '/resourcequotas': ['quota'],
  'apps/deployments': ['deploy'],
  'apps/replicasets': ['rs'],
  'apps/daemonsets': ['ds'],
  'apps/statefulsets': ['sts'],
  'batch/cronjobs': ['cj'],
  'networking.k8s.io/ingresses': ['ing'],
  'networking.k8s.io/networkpolicies': ['netpol'],
  'policy/poddisruptionbudgets': ['pdb'],
  'autoscaling/horizontalpodautoscalers': ['hpa'],
  'apiextensions.k8s.io/customresourcedefinitions': ['crd', 'crds'],
  'scheduling.k8s.io/priorityclasses': ['pc'],
  'storage.k8s.io/storageclasses': ['sc'],
  'certificates.k8s.io/certificatesigningrequests': ['csr'],
  'events.k8s.io/events': ['ev'],
};

/** Resources in the `all` category (`kubectl get all`). */
const CATEGORY_ALL = new Set([
  '/pods',
  '/services',
  '/replicationcontrollers',
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
  'autoscaling/horizontalpodautoscalers',
]);

const JSON_TYPE = 'application/json';
const AGGREGATED_VERSIONS = ['v2', 'v2beta1'] as const;
/**
 * What client-go asks for the OpenAPI v2 document: gnostic's protobuf, named
 * with `@` (before 1.27) or `.` (since). The answer is always named with `.`:
 * Go's mime parser refuses the `@` form in a Content-Type, and client-go
 * parses every response's Content-Type.
 */
const OPENAPI_V2_PROTOBUF_ASKED = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];
const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const OPENAPI_V3_JSON = 'application/json';

/** One response, decided before anything is written. */
export interface DiscoveryAnswer {
  status: number;
  contentType: string;
  body: Uint8Array;
}

/** The paths this module answers (everything else stays with the resource handler). */
export function isDiscoveryPath(pathname: string): boolean {
  return (
    /^\/(version|healthz|readyz|livez)(\/.*)?$/.test(pathname) ||
    /^\/openapi\/v[23](\/.*)?$/.test(pathname) ||
    /^\/api\/?$/.test(pathname) ||
    /^\/api\/[^/]+\/?$/.test(pathname) ||
    /^\/apis(\/[^/]+){0,2}\/?$/.test(pathname)
  );
}

/**
 * Answers a discovery request, or returns undefined when the path is not a
 * discovery path (the caller then handles it as a resource request).
 */
export function discoveryAnswer(
  resources: Iterable<ResourceInfo>,
  pathname: string,
  accept: string | undefined,
  host?: string,
  query?: URLSearchParams,
): DiscoveryAnswer | undefined {
  if (!isDiscoveryPath(pathname)) return undefined;
  const path = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  const served = [...resources];
  const health = /^\/(healthz|readyz|livez)(\/.*)?$/.exec(path);
  if (health !== null) {
    // `?verbose` lists the checks as the API server does; the replay server has one, ping.
    const check = health[1]!;
    return text(200, query?.has('verbose') === true && health[2] === undefined ? `[+]ping ok\n${check} check passed\n` : 'ok');
  }
  if (path === '/version') return jsonAnswer(accept, SERVER_VERSION);
  if (path.startsWith('/openapi/')) return openApiAnswer(served, path, accept);

  const groups = groupVersions(served);
  if (path === '/api' || path === '/apis') {
    const core = path === '/api';
    const aggregated = aggregatedVersion(accept);
    if (aggregated !== undefined) {
      const items = [...groups].filter(([group]) => (group === '') === core).map(([group, versions]) => aggregatedGroup(group, versions));
      const body = { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${aggregated}`, metadata: {}, items };
      return encoded(200, `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`, body);
    }
    if (!acceptsJson(accept)) return notAcceptable();
    if (core) {
      const serverAddress = host ?? '127.0.0.1';
      return encoded(200, JSON_TYPE, {
        kind: 'APIVersions',
        versions: [...(groups.get('')?.keys() ?? [])],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      });
    }
    const list = [...groups].filter(([group]) => group !== '').map(([group, versions]) => apiGroup(group, [...versions.keys()]));
    return encoded(200, JSON_TYPE, { kind: 'APIGroupList', apiVersion: 'v1', groups: list });
  }
  const segments = path.split('/').slice(1);
  // /api/V, /apis/G, /apis/G/V
  const group = segments[0] === 'api' ? '' : segments[1]!;
  const version = segments[0] === 'api' ? segments[1] : segments[2];
  const versions = groups.get(group);
  if (versions === undefined || (version !== undefined && !versions.has(version))) return notFound();
  if (!acceptsJson(accept)) return notAcceptable();
  if (version === undefined) return encoded(200, JSON_TYPE, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, [...versions.keys()]) });
  const groupVersion = group === '' ? version : `${group}/${version}`;
  return encoded(200, JSON_TYPE, {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: versions.get(version)!.map(apiResource),
  });
}

/** Writes an answer. Returns it (undefined when the path was not discovery's). */
export function serveDiscovery(
  resources: Iterable<ResourceInfo>,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): DiscoveryAnswer | undefined {
  const answer = discoveryAnswer(resources, pathname, req.headers.accept, req.headers.host, new URL(req.url ?? '/', 'http://replay.invalid').searchParams);
  if (answer === undefined) return undefined;
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': String(answer.body.length), 'cache-control': 'no-cache, private' });
  res.end(answer.body);
  return answer;
}

/** group → version → resources: core group first, groups and resources sorted, versions preferred first. */
function groupVersions(resources: readonly ResourceInfo[]): Map<string, Map<string, ResourceInfo[]>> {
  const sorted = [...resources].sort((a, b) => cmp(a.group, b.group) || byVersionPriority(a.version, b.version) || cmp(a.resource, b.resource));
  const groups = new Map<string, Map<string, ResourceInfo[]>>();
  for (const info of sorted) {
    let versions = groups.get(info.group);
    if (versions === undefined) groups.set(info.group, (versions = new Map()));
    let list = versions.get(info.version);
    if (list === undefined) versions.set(info.version, (list = []));
    list.push(info);
  }
  return groups;
}

/**
 * Kubernetes' version order, most preferred first: GA before beta before
 * alpha, then the higher major, then the higher pre-release number (v2,
 * v1, v1beta2, v1beta1, v1alpha1); names of other forms last, by name.
 */
function byVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    return m === null ? undefined : [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra === undefined || rb === undefined) return ra !== undefined ? -1 : rb !== undefined ? 1 : cmp(a, b);
  return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function apiGroup(group: string, versions: readonly string[]): object {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

function key(info: ResourceInfo): string {
  return `${info.group}/${info.resource}`;
}

function apiResource(info: ResourceInfo): object {
  const shortNames = SHORT_NAMES[key(info)];
  return {
    name: info.resource,
    singularName: info.kind.toLowerCase(),
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: VERBS,
    ...(shortNames === undefined ? {} : { shortNames }),
    ...(CATEGORY_ALL.has(key(info)) ? { categories: ['all'] } : {}),
  };
}

function aggregatedGroup(group: string, versions: Map<string, ResourceInfo[]>): object {
  return {
    metadata: group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
    versions: [...versions].map(([version, list]) => ({
      version,
      resources: list.map((info) => {
        const shortNames = SHORT_NAMES[key(info)];
        return {
          resource: info.resource,
          responseKind: { group: info.group, version: info.version, kind: info.kind },
          scope: info.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: info.kind.toLowerCase(),
          verbs: VERBS,
          ...(shortNames === undefined ? {} : { shortNames }),
          ...(CATEGORY_ALL.has(key(info)) ? { categories: ['all'] } : {}),
        };
      }),
      freshness: 'Current',
    })),
  };
}

function entries(accept: string | undefined): AcceptEntry[] {
  try {
    return parseAccept(accept === undefined || accept.trim() === '' ? '*/*' : accept).filter((e) => e.q > 0);
  } catch {
    return [];
  }
}

/** The aggregated discovery version the Accept asks for first, if it is one this server has. */
function aggregatedVersion(accept: string | undefined): (typeof AGGREGATED_VERSIONS)[number] | undefined {
  for (const { mediaType } of entries(accept)) {
    const { g, v, as } = mediaType.params;
    if (mediaType.essence !== JSON_TYPE || as !== 'APIGroupDiscoveryList' || g !== 'apidiscovery.k8s.io') continue;
    const version = AGGREGATED_VERSIONS.find((known) => known === v);
    if (version !== undefined) return version;
  }
  return undefined;
}

/** Plain JSON is allowed: `application/json` without `as=`, `application/*` or `*\/*`. */
function acceptsJson(accept: string | undefined): boolean {
  return entries(accept).some(
    ({ mediaType }) => mediaType.essence === '*/*' || mediaType.essence === 'application/*' || (mediaType.essence === JSON_TYPE && mediaType.params.as === undefined),
  );
}

function openApiAnswer(resources: readonly ResourceInfo[], path: string, accept: string | undefined): DiscoveryAnswer {
  if (path === '/openapi/v2') {
    // A plain substring test: the `@` in this media type is not a token character, so a strict Accept parser refuses it.
    const asked = (accept ?? '').toLowerCase();
    if (OPENAPI_V2_PROTOBUF_ASKED.some((type) => asked.includes(type))) {
      return { status: 200, contentType: OPENAPI_V2_PROTOBUF, body: openApiV2Protobuf() };
    }
    return jsonAnswer(accept, { swagger: '2.0', info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion }, paths: {}, definitions: {} });
  }
  const groups = groupVersions(resources);
  const prefixes: string[] = [];
  for (const [group, versions] of groups) for (const version of versions.keys()) prefixes.push(group === '' ? `api/${version}` : `apis/${group}/${version}`);
  if (path === '/openapi/v3') {
    const paths = Object.fromEntries(prefixes.map((p) => [p, { serverRelativeURL: `/openapi/v3/${p}?hash=0` }]));
    return jsonAnswer(accept, { paths });
  }
  const prefix = path.slice('/openapi/v3/'.length);
  if (!prefixes.includes(prefix)) return notFound();
  return {
    status: 200,
    contentType: OPENAPI_V3_JSON,
    body: utf8(JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion }, paths: {}, components: { schemas: {} } })),
  };
}

/**
 * A gnostic OpenAPI v2 Document with `swagger: "2.0"` (field 1) and
 * `info` (field 2: title 1, version 2): client-go parses it into an empty
 * schema set, so `kubectl` commands that load it run (without validation).
 */
function openApiV2Protobuf(): Uint8Array {
  const field = (no: number, bytes: Uint8Array): number[] => [(no << 3) | 2, bytes.length, ...bytes];
  const info = [...field(1, utf8('Kubernetes')), ...field(2, utf8(SERVER_VERSION.gitVersion))];
  return new Uint8Array([...field(1, utf8('2.0')), ...field(2, new Uint8Array(info))]);
}

function jsonAnswer(accept: string | undefined, body: object): DiscoveryAnswer {
  return acceptsJson(accept) ? encoded(200, JSON_TYPE, body) : notAcceptable();
}

function encoded(status: number, contentType: string, body: object): DiscoveryAnswer {
  return { status, contentType, body: utf8(JSON.stringify(body)) };
}

function text(status: number, body: string): DiscoveryAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body: utf8(body) };
}

function notFound(): DiscoveryAnswer {
  return encoded(404, JSON_TYPE, failureStatus(404, 'NotFound', 'the server could not find the requested resource'));
}

function notAcceptable(): DiscoveryAnswer {
  return encoded(406, JSON_TYPE, failureStatus(406, 'NotAcceptable', 'discovery is served as application/json (plain, or as=APIGroupDiscoveryList v2/v2beta1)'));
}

function failureStatus(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function utf8(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}
