/**
 * The Status objects the replay server answers with, worded as the API
 * server words them (apimachinery's errors package, the storage layer's
 * messages), so that clients matching on reason, code or message behave as
 * against a cluster.
 */
import type { Status } from '../core/event.js';

/** A meta/v1 Status for an error response or an ERROR event. */
export function failureStatus(code: number, reason: string, message: string, details?: Record<string, unknown>): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details === undefined ? {} : { details }), code };
}

/** Tells a Status from the other result of a step that may fail with one. */
export function isStatus(value: object): value is Status {
  return (value as { kind?: unknown }).kind === 'Status';
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function defaultReason(code: number): string {
  return REASONS[code] ?? 'Unknown';
}

export function badRequest(message: string): Status {
  return failureStatus(400, 'BadRequest', message);
}

export function notFound(resource: string, name: string, group = ''): Status {
  return failureStatus(404, 'NotFound', `${group === '' ? resource : `${resource}.${group}`} "${name}" not found`, { name, ...(group === '' ? {} : { group }), kind: resource });
}

/** 410 Expired; `continueToken` is the fresh token an expired paged list hands out (ListMeta.continue). */
export function expired(message: string, continueToken?: string): Status {
  const status = failureStatus(410, 'Expired', message);
  if (continueToken !== undefined) status.metadata = { continue: continueToken };
  return status;
}

export const LIST_TOO_OLD = 'The resourceVersion for the provided list is too old.';
export const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';
export const CONTINUE_TOO_OLD_WITH_TOKEN =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
  'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** The watch cache's answer to a version it has not reached after waiting: 504 Timeout, retry after `retryAfterSeconds`. */
export function tooLargeResourceVersion(requested: number, current: number, retryAfterSeconds: number): Status {
  return failureStatus(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, { retryAfterSeconds });
}

/** One field error of a validation (apimachinery's field.Error). */
export type FieldError =
  | { field: string; type: 'FieldValueForbidden'; detail: string }
  | { field: string; type: 'FieldValueNotSupported'; value: string; supported: string[] };

function describe(error: FieldError): string {
  if (error.type === 'FieldValueForbidden') return `Forbidden: ${error.detail}`;
  return `Unsupported value: ${JSON.stringify(error.value)}: supported values: ${error.supported.map((s) => JSON.stringify(s)).join(', ')}`;
}

/** 422 Invalid for ListOptions: `ListOptions.meta.k8s.io "" is invalid: FIELD: ...` with one cause per error. */
export function invalidListOptions(errors: readonly FieldError[]): Status {
  const texts = errors.map((e) => `${e.field}: ${describe(e)}`);
  const summary = texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
  return failureStatus(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${summary}`, {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes: errors.map((e) => ({ reason: e.type, message: describe(e), field: e.field })),
  });
}
