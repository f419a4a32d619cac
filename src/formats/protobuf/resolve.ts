/**
 * The rule that names the protobuf message of a built-in object from its
 * apiVersion and kind (../shared/k8s/README.md, "Resolving"): the core group
 * is k8s.io.api.core.<V>, a named group G is k8s.io.api.<first label of G>.<V>
 * (internal.apiserver.k8s.io -> apiserverinternal, apiextensions.k8s.io -> the
 * apiextensions-apiserver package), and meta/v1 kinds (Status, WatchEvent,
 * the *Options, ...) are the fallback.
 */

const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1.';

/** Candidate message names for (apiVersion, kind), most specific first. */
export function candidateMessages(apiVersion: string, kind: string): string[] {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const names: string[] = [];
  if (group === '') names.push(`k8s.io.api.core.${version}.${kind}`);
  else if (group === 'apiextensions.k8s.io') names.push(`k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.${version}.${kind}`);
  else if (group === 'internal.apiserver.k8s.io') names.push(`k8s.io.api.apiserverinternal.${version}.${kind}`);
  else names.push(`k8s.io.api.${group.split('.')[0]}.${version}.${kind}`);
  names.push(META_V1 + kind);
  return names;
}

/**
 * The message an object with an empty TypeMeta is decoded as. Only meta/v1
 * WatchEvent is serialized without a kind (it embeds no TypeMeta), so it is
 * the one message that arrives with an empty envelope.
 */
export const UNTYPED_MESSAGE = `${META_V1}WatchEvent`;

const API_PREFIX = 'k8s.io.api.';
const APIEXTENSIONS_PREFIX = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.';
const APIMACHINERY_PREFIX = 'k8s.io.apimachinery.pkg.';

/**
 * The built-in group a message name belongs to, by the generator's naming
 * of its modules (generated/<group>.ts: `k8s.io.api.apps.v1.*` is apps-v1,
 * apiextensions' package is apiextensions-<V>, all of apimachinery is meta),
 * or undefined for a name outside them. Only a name: whether that group
 * exists is GROUP_NAMES's to say.
 */
export function groupOfMessage(name: string): string | undefined {
  if (name.startsWith(APIMACHINERY_PREFIX)) return 'meta';
  const prefix = name.startsWith(API_PREFIX) ? API_PREFIX : name.startsWith(APIEXTENSIONS_PREFIX) ? APIEXTENSIONS_PREFIX : undefined;
  if (prefix === undefined) return undefined;
  const parts = name.slice(prefix.length).split('.');
  if (prefix === APIEXTENSIONS_PREFIX) return parts.length === 2 ? `apiextensions-${parts[0]}` : undefined;
  return parts.length === 3 ? `${parts[0]}-${parts[1]}` : undefined;
}
