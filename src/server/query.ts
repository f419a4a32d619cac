/**
 * A LIST/GET/WATCH query read as the API server reads it: the conversion of
 * query parameters into ListOptions (booleans, integers, selectors; a bad
 * one is 400 BadRequest) and then its validation (a wrong combination is 422
 * Invalid, with the field errors upstream writes).
 */
import type { KubeObject, Status } from '../core/event.js';
import { type LabelRequirement, matchesFieldSelector, matchesLabelSelector, parseFieldSelector, parseLabelSelector } from '../kubernetes/selectors.js';
import { fieldLabelsOf } from './field-labels.js';
import { badRequest, type FieldError, invalidListOptions } from './status.js';

/**
 * A boolean query parameter as the API server converts one: absent → false;
 * `0` or `false` (any case) → false; anything else, the empty value
 * included, → true. (`watch=True`, as the Python client sends, is true.)
 */
export function queryBool(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  return value !== null && value !== '0' && value.toLowerCase() !== 'false';
}

/** A `*bool` parameter: undefined when absent, else as `queryBool`. */
export function queryOptionalBool(params: URLSearchParams, name: string): boolean | undefined {
  return params.has(name) ? queryBool(params, name) : undefined;
}

export interface RequestQuery {
  watch: boolean;
  /** `''` when absent. */
  resourceVersion: string;
  /** `''` when absent. */
  resourceVersionMatch: string;
  sendInitialEvents: boolean | undefined;
  allowWatchBookmarks: boolean;
  timeoutSeconds: number | undefined;
  /** 0: no limit. */
  limit: number;
  /** `''` when absent. */
  continueToken: string;
  /** Label and field selectors (and the path's namespace) as one test. */
  matches: (object: KubeObject) => boolean;
  /** True when no selector narrows the result (upstream sets remainingItemCount only then). */
  unfiltered: boolean;
}

/** Reads the query of a request on a collection of `kind`, or the 400 an API server answers. */
export function readQuery(params: URLSearchParams, kind: string, namespace: string | undefined): RequestQuery | Status {
  const integer = (name: string): number | undefined | Status => {
    const text = params.get(name);
    if (text === null || text === '') return undefined;
    // timeoutSeconds takes fractions here (tests end watches within a second); the API server takes integers only.
    const value = Number(text);
    return Number.isFinite(value) && (name === 'timeoutSeconds' || Number.isInteger(value)) ? value : badRequest(`invalid ${name} ${JSON.stringify(text)}: not an integer`);
  };
  const limit = integer('limit');
  if (typeof limit === 'object') return limit;
  const timeoutSeconds = integer('timeoutSeconds');
  if (typeof timeoutSeconds === 'object') return timeoutSeconds;
  if (timeoutSeconds !== undefined && timeoutSeconds < 0) return badRequest(`invalid timeoutSeconds ${JSON.stringify(params.get('timeoutSeconds'))}`);

  let labels: LabelRequirement[];
  let matchesFields: (object: KubeObject) => boolean;
  try {
    labels = parseLabelSelector(params.get('labelSelector') ?? '');
  } catch (e) {
    return badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
  try {
    const fieldLabels = fieldLabelsOf(kind);
    const fields = parseFieldSelector(params.get('fieldSelector') ?? '').map((f) => {
      const field = fieldLabels.resolve(f.field);
      if (field instanceof Error) throw field;
      return { ...f, field };
    });
    matchesFields = fields.length === 0 ? () => true : (object) => matchesFieldSelector(fields, (field) => fieldLabels.value(object, field));
  } catch (e) {
    return badRequest((e as Error).message);
  }
  const matches = (object: KubeObject): boolean =>
    (namespace === undefined || object.metadata?.namespace === namespace) && matchesLabelSelector(labels, object.metadata?.labels) && matchesFields(object);

  return {
    watch: queryBool(params, 'watch'),
    resourceVersion: params.get('resourceVersion') ?? '',
    resourceVersionMatch: params.get('resourceVersionMatch') ?? '',
    sendInitialEvents: queryOptionalBool(params, 'sendInitialEvents'),
    allowWatchBookmarks: queryBool(params, 'allowWatchBookmarks'),
    timeoutSeconds,
    limit: limit !== undefined && limit > 0 ? limit : 0,
    continueToken: params.get('continue') ?? '',
    matches,
    unfiltered: labels.length === 0 && (params.get('fieldSelector') ?? '').trim() === '',
  };
}

/**
 * The field errors of ValidateListOptions (apimachinery's internalversion
 * validation), as one 422 Status, or undefined. `watchList: false` is a
 * server without the WatchList feature: any `sendInitialEvents` is refused.
 */
export function validateQuery(query: RequestQuery, watchList: boolean): Status | undefined {
  const errors: FieldError[] = [];
  const forbid = (field: string, message: string): void => void errors.push({ field, type: 'FieldValueForbidden', detail: message });
  const unsupported = (field: string, value: string, supported: string[]): void =>
    void errors.push({ field, type: 'FieldValueNotSupported', value, supported });
  const match = query.resourceVersionMatch;
  if (query.watch) {
    if (query.sendInitialEvents !== undefined) {
      if (match !== 'NotOlderThan') forbid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
      if (!watchList) forbid('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled');
    }
    if (match !== '') {
      if (query.sendInitialEvents === undefined) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      if (match !== 'NotOlderThan') unsupported('resourceVersionMatch', match, ['NotOlderThan']);
      if (query.continueToken !== '') forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    }
  } else {
    if (match !== '') {
      if (query.resourceVersion === '') forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
      if (query.continueToken !== '') forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
      if (match !== 'Exact' && match !== 'NotOlderThan') unsupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']);
      if (match === 'Exact' && query.resourceVersion === '0') forbid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    if (query.sendInitialEvents !== undefined) forbid('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  }
  return errors.length === 0 ? undefined : invalidListOptions(errors);
}

/** A resourceVersion parameter as a number, or the 400 for one that is not a version. */
export function parseResourceVersion(text: string): number | Status {
  return /^\d+$/.test(text) && text.length < 16 ? Number(text) : badRequest(`invalid resource version: ${JSON.stringify(text)}`);
}
