/**
 * LIST and GET as the API server answers them: which state to read
 * (`resourceVersion` unset → the latest; `0` → any, the current one here;
 * `N` with NotOlderThan → at least N, after a short wait for it; `Exact`, or
 * `N` with a limit → the state at N), paging with `limit` + `continue` over
 * one snapshot, `remainingItemCount`, and the 400/410/504 answers of the
 * storage layer and the watch cache.
 */
import type { KubeObject, Status } from '../core/event.js';
import type { CodecRegistry } from '../negotiate.js';
import { type ContinueToken, decodeContinue, encodeContinue } from './continue-token.js';
import type { FaultPlan } from './faults.js';
import { parseResourceVersion, type RequestQuery } from './query.js';
import { type Exchange, sendBody, sendObject, sendStatus } from './respond.js';
import { apiVersionOf, type ResourceInfo, resourceKey } from './resources.js';
import {
  badRequest,
  CONTINUE_TOO_OLD_WITH_TOKEN,
  expired,
  isStatus,
  LIST_TOO_OLD,
  notFound,
  tooLargeResourceVersion,
} from './status.js';
import type { ObjectStore } from './store.js';
import { convertedResponseFor } from './conversion.js';
import { negotiateObject } from './negotiation.js';

/** When continue tokens expire before compaction would expire them (to test a client's 410 path). */
export interface ContinueExpiry {
  /** A token is expired this long after the first page of its list was served. */
  afterMs?: number;
  /** The token handed out with page N (1-based) or later is expired: `1` fails every continue request. */
  afterPages?: number;
}

export interface ReadEnvironment {
  store: ObjectStore;
  registry: CodecRegistry;
  /** How long a read waits for a resourceVersion the store has not reached (the watch cache waits 3 s). */
  tooLargeWaitMs: number;
  continueExpiry: ContinueExpiry | undefined;
}

/** What a LIST or GET is about. */
export interface ReadTarget {
  info: ResourceInfo;
  namespace: string | undefined;
  query: RequestQuery;
  fault: FaultPlan | undefined;
}

/** The watch cache's retry advice when a version is not reached (resourceVersionTooHighRetrySeconds). */
const TOO_LARGE_RETRY_SECONDS = 1;

function fail(env: ReadEnvironment, exchange: Exchange, status: Status): void {
  sendStatus(exchange, negotiateObject(env.registry, exchange.req.headers.accept), status);
}

/** The store id of a key below the listed prefix, and back: `ns/name` cluster-wide, `name` in a namespace, `name` when cluster-scoped. */
function keyCodec(target: ReadTarget): { toId(key: string): string; toKey(id: string): string } {
  if (target.namespace !== undefined) {
    const prefix = `${target.namespace}/`;
    return { toId: (key) => prefix + key, toKey: (id) => id.slice(prefix.length) };
  }
  if (!target.info.namespaced) return { toId: (key) => `/${key}`, toKey: (id) => id.slice(1) };
  return { toId: (key) => key, toKey: (id) => id };
}

/** The version to read a LIST at, from its query (and continue token), or the Status to answer. */
async function snapshotOf(env: ReadEnvironment, target: ReadTarget): Promise<{ resourceVersion: number; token?: ContinueToken } | Status> {
  const { store } = env;
  const { query, fault } = target;
  if (query.continueToken !== '') {
    const token = decodeContinue(query.continueToken);
    if (token instanceof Error) return badRequest(`invalid continue token: ${token.message}`);
    if (query.resourceVersion !== '' && query.resourceVersion !== '0') return badRequest('specifying resource version is not allowed when using continue');
    const resourceVersion = token.resourceVersion > 0 ? token.resourceVersion : store.resourceVersion;
    if (resourceVersion > store.resourceVersion) return tooLargeResourceVersion(resourceVersion, store.resourceVersion, TOO_LARGE_RETRY_SECONDS);
    if (resourceVersion < store.compactedBefore || fault?.expire === true || expiredEarly(env.continueExpiry, token)) {
      // As etcd's compacted-while-paging answer: 410, and a token that continues at the latest version (rv -1).
      const fresh = encodeContinue(token.start.replace(/\u0000$/, ''), -1, env.continueExpiry === undefined ? {} : { pages: 0, issuedAt: Date.now() });
      return expired(CONTINUE_TOO_OLD_WITH_TOKEN, fresh);
    }
    return { resourceVersion, token };
  }
  if (fault?.expire === true) return expired(LIST_TOO_OLD);
  if (query.resourceVersion === '' || query.resourceVersion === '0') return { resourceVersion: store.resourceVersion };
  const requested = parseResourceVersion(query.resourceVersion);
  if (typeof requested !== 'number') return requested;
  const exact = query.resourceVersionMatch === 'Exact' || (query.resourceVersionMatch === '' && query.limit > 0);
  if (requested > store.resourceVersion && !(await store.waitFor(requested, env.tooLargeWaitMs))) {
    return tooLargeResourceVersion(requested, store.resourceVersion, TOO_LARGE_RETRY_SECONDS);
  }
  if (!exact) return { resourceVersion: store.resourceVersion };
  if (requested < store.compactedBefore) return expired(LIST_TOO_OLD);
  return { resourceVersion: requested };
}

function expiredEarly(expiry: ContinueExpiry | undefined, token: ContinueToken): boolean {
  if (expiry === undefined) return false;
  if (expiry.afterPages !== undefined && (token.pages ?? 0) >= expiry.afterPages) return true;
  return expiry.afterMs !== undefined && token.issuedAt !== undefined && Date.now() - token.issuedAt >= expiry.afterMs;
}

/** The List object for one page. */
function listPage(env: ReadEnvironment, target: ReadTarget, resourceVersion: number, token: ContinueToken | undefined): KubeObject {
  const { info, query } = target;
  const keys = keyCodec(target);
  const prefix = target.namespace === undefined ? '' : `${target.namespace}/`;
  const entries = env.store.entriesAt(resourceKey(info.group, info.resource), resourceVersion, token === undefined ? undefined : keys.toId(token.start), prefix);
  const items: KubeObject[] = [];
  let lastId: string | undefined;
  let more = false;
  for (let i = 0; i < entries.length; i++) {
    const { id, object } = entries[i]!;
    if (!query.matches(object)) continue;
    if (query.limit > 0 && items.length === query.limit) {
      more = true;
      break;
    }
    // Items of a List carry no kind/apiVersion, as the API server writes them.
    const { kind: _kind, apiVersion: _apiVersion, ...item } = object;
    items.push(item);
    lastId = id;
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
  if (more && lastId !== undefined) {
    const pages = (token?.pages ?? 0) + 1;
    const expiry = env.continueExpiry;
    metadata.continue = encodeContinue(keys.toKey(lastId), resourceVersion, expiry === undefined ? {} : { pages, issuedAt: token?.issuedAt ?? Date.now() });
    // Upstream counts the keys after the page only when no selector filters (a count of matches would need a full scan).
    // In a namespace the count is of that namespace's keys (the namespace is part of the key prefix upstream). (S2's fix, found by kubectl get --raw)
    if (query.unfiltered) {
      metadata.remainingItemCount = (target.namespace === undefined ? entries.length : entries.filter((e) => query.matches(e.object)).length) - query.limit;
    }
  }
  return { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata, items };
}

export async function serveList(env: ReadEnvironment, exchange: Exchange, target: ReadTarget): Promise<void> {
  const snapshot = await snapshotOf(env, target);
  if (exchange.res.destroyed) return;
  if (isStatus(snapshot)) return fail(env, exchange, snapshot);
  const { resourceVersion, token } = snapshot;
  const page = listPage(env, target, resourceVersion, token);
  // kubectl's server-side Table, the metadata-only forms (src/server/conversion.ts, S2's).
  const table = convertedResponseFor(exchange.req, target.info, page);
  if (table !== undefined) return sendBody(exchange, table.code, table.contentType, table.body, target.fault);
  await sendObject(exchange, env.registry, page, target.fault);
}

export async function serveGet(env: ReadEnvironment, exchange: Exchange, target: ReadTarget, name: string): Promise<void> {
  const { store } = env;
  const { info, query, fault } = target;
  if (fault?.expire === true) return fail(env, exchange, expired(LIST_TOO_OLD));
  if (query.resourceVersion !== '' && query.resourceVersion !== '0') {
    const requested = parseResourceVersion(query.resourceVersion);
    if (typeof requested !== 'number') return fail(env, exchange, requested);
    if (requested > store.resourceVersion && !(await store.waitFor(requested, env.tooLargeWaitMs))) {
      return fail(env, exchange, tooLargeResourceVersion(requested, store.resourceVersion, TOO_LARGE_RETRY_SECONDS));
    }
  }
  if (exchange.res.destroyed) return;
  const object = store.get(resourceKey(info.group, info.resource), target.namespace, name);
  if (object === undefined) return fail(env, exchange, notFound(info.resource, name, info.group));
  const table = convertedResponseFor(exchange.req, info, object);
  if (table !== undefined) return sendBody(exchange, table.code, table.contentType, table.body, fault);
  await sendObject(exchange, env.registry, object, fault);
}
