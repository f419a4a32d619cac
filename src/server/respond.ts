/**
 * Writing whole responses (a LIST, a GET, an error Status) and recording
 * them, with the faults a plan puts on a non-streaming answer: a delay, a
 * stall, a body cut in the middle.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Codec } from '../core/codec.js';
import type { KubeObject, Status } from '../core/event.js';
import type { CodecRegistry } from '../negotiate.js';
import type { FaultPlan } from './faults.js';
import { encodeObject, encodeObjectBody, negotiateObject, objectMediaTypes } from './negotiation.js';
import { failureStatus } from './status.js';

/** One request the server saw (tests check what the client asked for). */
export interface RequestRecord {
  kind: 'watch' | 'list' | 'get' | 'other';
  url: string;
  accept: string | undefined;
  status: number;
  contentType: string | undefined;
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  kind: RequestRecord['kind'];
  requests: RequestRecord[];
}

export function record(exchange: Exchange, status: number, contentType: string | undefined): void {
  const { req, kind, requests } = exchange;
  requests.push({ kind, url: req.url ?? '', accept: req.headers.accept, status, contentType });
}

/** Headers an error Status implies: `Retry-After` when its details carry retryAfterSeconds (as the API server sets it). */
function statusHeaders(status: Status): Record<string, string> {
  const retry = (status.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof retry === 'number' && retry > 0 ? { 'retry-after': String(retry) } : {};
}

/** Sends a Status as the whole response, in `codec`'s format (JSON when none or it cannot). */
export function sendStatus(exchange: Exchange, codec: Codec | undefined, status: Status, headers: Record<string, string> = {}): void {
  const { body, contentType } = encodeObjectBody(codec, status);
  exchange.res.writeHead(status.code ?? 500, { 'content-type': contentType, 'content-length': String(body.length), ...statusHeaders(status), ...headers });
  exchange.res.end(body);
  record(exchange, status.code ?? 500, contentType);
}

/**
 * Sends a LIST or GET answer in the format the Accept header asks for. A
 * codec that cannot write the kind (protobuf for a custom resource) is
 * passed over, as the API server does not offer protobuf for it; nothing
 * acceptable → 406 with a Status (JSON).
 */
export async function sendObject(exchange: Exchange, registry: CodecRegistry, object: KubeObject, fault: FaultPlan | undefined): Promise<void> {
  const refused = new Set<Codec>();
  let encoded: { body: Uint8Array; contentType: string } | undefined;
  for (;;) {
    const codec = negotiateObject(registry, exchange.req.headers.accept, (c) => !refused.has(c));
    if (codec === undefined) break;
    try {
      encoded = encodeObject(codec, object);
      break;
    } catch {
      refused.add(codec);
    }
  }
  if (encoded === undefined) {
    const message = `only the following media types are accepted: ${objectMediaTypes(registry).join(', ')}`;
    return sendStatus(exchange, undefined, failureStatus(406, 'NotAcceptable', message));
  }
  await sendBody(exchange, 200, encoded.contentType, encoded.body, fault);
}

/** Writes a whole body, applying a plan's delay, stall or cut. */
export async function sendBody(exchange: Exchange, code: number, contentType: string, body: Uint8Array, fault: FaultPlan | undefined): Promise<void> {
  const { res } = exchange;
  if (fault?.delayMs !== undefined && fault.delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (res.destroyed) return;
  }
  if (fault?.stallAfterEvents !== undefined) {
    // Stalled: no answer at all; the connection stays open until the client gives up (or the server closes).
    record(exchange, 0, undefined);
    return;
  }
  res.writeHead(code, { 'content-type': contentType, 'content-length': String(body.length), 'cache-control': 'no-cache, private' });
  record(exchange, code, contentType);
  if (fault?.dropAfterEvents !== undefined) {
    // Cut: part of the body, then the connection drops (the client sees a body shorter than its content-length).
    const cut = Math.min(Math.max(fault.dropAtByte ?? Math.floor(body.length / 2), 1), Math.max(body.length - 1, 1));
    const socket = res.socket;
    res.write(body.subarray(0, cut), () => socket?.destroy());
    return;
  }
  res.end(body);
}
