/**
 * Which REST resource an object belongs to: apiVersion + kind → group,
 * version, plural, scope. The replay server learns its resources from the
 * objects it is given; a caller can declare others (or override a plural).
 */
import type { KubeObject } from '../core/event.js';

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower-case: `pods`. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** Kinds whose objects have no namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'IngressClass',
  'RuntimeClass',
  'CertificateSigningRequest',
]);

/** Plurals that the simple English rules get wrong. */
const IRREGULAR: Readonly<Record<string, string>> = {
  Endpoints: 'endpoints',
  EndpointSlice: 'endpointslices',
};

/** `Pod` → `pods`, `Ingress` → `ingresses`, `NetworkPolicy` → `networkpolicies`. */
export function pluralOf(kind: string): string {
  const irregular = IRREGULAR[kind];
  if (irregular !== undefined) return irregular;
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** `apps/v1` → {group: 'apps', version: 'v1'}; `v1` → core. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function resourceOf(object: KubeObject): ResourceInfo {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    throw new TypeError(`object without apiVersion/kind: ${JSON.stringify(object.metadata?.name ?? '?')}`);
  }
  const { group, version } = splitApiVersion(apiVersion);
  return { group, version, resource: pluralOf(kind), kind, namespaced: !CLUSTER_SCOPED.has(kind) };
}

/** Key of a resource, version-free (one stored version per resource). */
export function resourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

/** `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}
