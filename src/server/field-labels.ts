/**
 * Which fields a field selector may name, per kind, and their values on an
 * object: the API server's field label sets (a Pod's `ToSelectableFields`,
 * the core/v1 field label conversions; `metadata.name` and
 * `metadata.namespace` for every other kind). A field outside the set is a
 * 400 with the message the API server gives.
 */
import type { KubeObject } from '../core/event.js';

type FieldGetter = (object: KubeObject) => string;

function path(...keys: string[]): FieldGetter {
  return (object) => {
    let value: unknown = object;
    for (const key of keys) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined || value === null ? '' : String(value);
  };
}

const METADATA: Readonly<Record<string, FieldGetter>> = {
  'metadata.name': path('metadata', 'name'),
  'metadata.namespace': path('metadata', 'namespace'),
};

/** `status.podIP` is the first of `status.podIPs` (the internal form), `podIP` when that list is absent. */
const podIP: FieldGetter = (pod) => {
  const ips = (pod.status as { podIPs?: { ip?: unknown }[] } | undefined)?.podIPs;
  const first = Array.isArray(ips) ? ips[0]?.ip : undefined;
  return typeof first === 'string' ? first : path('status', 'podIP')(pod);
};

/** Kinds with more than the metadata fields, and the error their conversion gives. */
const BY_KIND: Readonly<Record<string, { fields: Readonly<Record<string, FieldGetter>>; aliases?: Readonly<Record<string, string>> }>> = {
  Pod: {
    fields: {
      ...METADATA,
      'spec.nodeName': path('spec', 'nodeName'),
      'spec.restartPolicy': path('spec', 'restartPolicy'),
      'spec.schedulerName': path('spec', 'schedulerName'),
      'spec.serviceAccountName': path('spec', 'serviceAccountName'),
      // A Pod without hostNetwork selects as "false".
      'spec.hostNetwork': (pod) => String((pod.spec as { hostNetwork?: unknown } | undefined)?.hostNetwork === true),
      'status.phase': path('status', 'phase'),
      'status.podIP': podIP,
      'status.nominatedNodeName': path('status', 'nominatedNodeName'),
    },
    // Old v1 clients send spec.host.
    aliases: { 'spec.host': 'spec.nodeName' },
  },
  Node: { fields: { 'metadata.name': METADATA['metadata.name']!, 'spec.unschedulable': (node) => String((node.spec as { unschedulable?: unknown } | undefined)?.unschedulable === true) } },
  Namespace: { fields: { 'metadata.name': METADATA['metadata.name']!, 'status.phase': path('status', 'phase') } },
  Secret: { fields: { ...METADATA, type: path('type') } },
};

export interface FieldLabels {
  /** The canonical field name, or an Error with the API server's message. */
  resolve(field: string): string | Error;
  /** The value of a (canonical) field on an object. */
  value(object: KubeObject, field: string): string;
}

export function fieldLabelsOf(kind: string): FieldLabels {
  const special = BY_KIND[kind];
  const fields = special?.fields ?? METADATA;
  return {
    resolve(field) {
      const canonical = special?.aliases?.[field] ?? field;
      if (Object.hasOwn(fields, canonical)) return canonical;
      return special === undefined
        ? new Error(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`)
        : new Error(`field label not supported: ${field}`);
    },
    value: (object, field) => fields[field]!(object),
  };
}
