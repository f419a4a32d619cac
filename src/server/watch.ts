/**
 * WATCH as the API server's watch cache serves it: where the stream starts
 * (`resourceVersion` unset or `0` → the current objects as ADDED; `N` → the
 * changes after N, or one ERROR 410 when N is compacted; watch-list →
 * the current objects then the `k8s.io/initial-events-end` BOOKMARK),
 * selectors applied to both sides of a change (an update that leaves the
 * selection is a DELETED, one that enters it an ADDED), periodic BOOKMARKs,
 * `timeoutSeconds`, and faults. Frames ready at once are written together.
 */
import type { ServerResponse } from 'node:http';
import type { Codec, Encoder } from '../core/codec.js';
import type { KubeObject, Status, WatchEvent } from '../core/event.js';
import type { EncodeCache } from './encode-cache.js';
import type { FaultPlan } from './faults.js';
import { watchContentType } from './negotiation.js';
import { parseResourceVersion, type RequestQuery } from './query.js';
import { type Exchange, record, sendStatus } from './respond.js';
import { apiVersionOf, type ResourceInfo, resourceKey } from './resources.js';
import { firehosePod } from './generate.js';
import { failureStatus, isStatus, tooLargeResourceVersion } from './status.js';
import type { ObjectStore, StoredEvent } from './store.js';
import { conversionError, convertedWatchFor } from './conversion.js';

export interface WatchEnvironment {
  store: ObjectStore;
  encodeCache: EncodeCache;
  bookmarkIntervalMs: number;
  /** How long a watch-list waits for a resourceVersion the store has not reached. */
  tooLargeWaitMs: number;
  firehose: { events: number; objectBytes?: number } | undefined;
  /** Callbacks that end open watches when the server closes. */
  closing: Set<() => void>;
  /** Counts open watch responses. */
  opened(delta: 1 | -1): void;
}

export interface WatchTarget {
  info: ResourceInfo;
  /** The path's namespace; also part of `query.matches`. */
  namespace: string | undefined;
  query: RequestQuery;
  codec: Codec;
  fault: FaultPlan;
}

/** Where a watch starts: events to send first, the version after which stored changes follow, or an error to send as the only event. */
interface WatchStart {
  initial: WatchEvent[];
  cursor: number;
  error?: Status;
}

/** What one watch sends next. */
type Frame = { event: WatchEvent; stored?: StoredEvent; final?: boolean };

/** Bytes gathered before one write: enough to amortise a write, small enough to keep latency and memory low. */
const BATCH_BYTES = 64 * 1024;

function bookmarkObject(info: ResourceInfo, resourceVersion: number, annotations?: Record<string, string>): KubeObject {
  return { kind: info.kind, apiVersion: apiVersionOf(info), metadata: { resourceVersion: String(resourceVersion), ...(annotations ? { annotations } : {}) } };
}

function tooOld(store: ObjectStore, resourceVersion: number): Status {
  return failureStatus(410, 'Expired', `too old resource version: ${resourceVersion} (${store.compactedBefore})`);
}

/** Decides where the stream starts (waiting, for a watch-list, until the store has the version asked for). */
async function startOf(env: WatchEnvironment, target: WatchTarget): Promise<WatchStart | Status> {
  const { store } = env;
  const { query, info } = target;
  const key = resourceKey(info.group, info.resource);
  const current = (): WatchEvent[] => store.list(key).flatMap((object) => (query.matches(object) ? [{ type: 'ADDED' as const, object }] : []));
  const requested = query.resourceVersion === '' || query.resourceVersion === '0' ? undefined : parseResourceVersion(query.resourceVersion);
  if (typeof requested === 'object') return requested;
  // The fault answers 410 whatever was asked for: a watch-list or a watch without a version too (FaultPlan.expire).
  if (target.fault.expire === true) return { initial: [], cursor: requested ?? store.resourceVersion, error: tooOld(store, requested ?? store.resourceVersion) };

  if (query.sendInitialEvents === true) {
    if (requested !== undefined && !(await store.waitFor(requested, env.tooLargeWaitMs))) {
      return { initial: [], cursor: store.resourceVersion, error: tooLargeResourceVersion(requested, store.resourceVersion, 1) };
    }
    const cursor = store.resourceVersion;
    const initial = current();
    // The end-of-initial-events bookmark needs bookmarks allowed (client-go always asks for both).
    if (query.allowWatchBookmarks) initial.push({ type: 'BOOKMARK', object: bookmarkObject(info, cursor, { 'k8s.io/initial-events-end': 'true' }) });
    return { initial, cursor };
  }
  if (requested === undefined) {
    // sendInitialEvents=false: from now, nothing synthetic; absent: the legacy synthetic ADDED events.
    return { initial: query.sendInitialEvents === false ? [] : current(), cursor: store.resourceVersion };
  }
  if (requested < store.compactedBefore) return { initial: [], cursor: requested, error: tooOld(store, requested) };
  // A version the store has not reached: the watch is open and waits for it (the watch cache does not block a plain watch).
  return { initial: [], cursor: requested };
}

/** The event a watcher with this selection sees for a stored change, or undefined (the watch cache's convertToWatchEvent). */
function eventFor(stored: StoredEvent, matches: (object: KubeObject) => boolean): WatchEvent | undefined {
  const { type, object } = stored.event;
  const previous = stored.previous;
  if (type === 'DELETED') return matches(previous ?? object) ? stored.event : undefined;
  const now = matches(object);
  const before = previous !== undefined && matches(previous);
  if (now) return before || type === 'ADDED' ? stored.event : { type: 'ADDED', object };
  if (!before) return undefined;
  // Left the selection: a DELETED with the old content at the change's version.
  return { type: 'DELETED', object: { ...previous, metadata: { ...previous.metadata, resourceVersion: String(stored.resourceVersion) } } };
}

export async function serveWatch(env: WatchEnvironment, exchange: Exchange, target: WatchTarget): Promise<void> {
  // A Table watch with a bad includeObject is a 400, as on LIST (src/server/conversion.ts, S2's).
  const badTable = conversionError(exchange.req);
  if (badTable !== undefined) return sendStatus(exchange, target.codec, badTable as Status);
  const start = await startOf(env, target);
  if (exchange.res.destroyed) return;
  if (isStatus(start)) return sendStatus(exchange, target.codec, start);
  const { res } = exchange;
  const contentType = watchContentType(target.codec);
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  record(exchange, 200, contentType);
  new WatchStream(env, res, target, start).run();
}

/** One open watch response: picks frames, encodes them, writes them in batches, ends on timeout, fault or close. */
class WatchStream {
  private closed = false;
  private wake: (() => void) | undefined;
  private bookmarkDue = false;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  private bookmarkTimer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: () => void = () => {};
  private readonly encoder: Encoder<WatchEvent>;
  private readonly asTable: ((event: WatchEvent) => WatchEvent) | undefined;
  private readonly key: string;
  private readonly cached: boolean;
  private readonly unfiltered: boolean;
  private cursor: number;
  private pendingError: Status | undefined;
  private initialIndex = 0;
  private firehoseLeft: number;
  private firehoseRv = 0;
  private sent = 0;
  private readonly endNow = (): void => {
    this.finish();
    this.res.destroy();
  };

  constructor(
    private readonly env: WatchEnvironment,
    private readonly res: ServerResponse,
    private readonly target: WatchTarget,
    private readonly start: WatchStart,
  ) {
    this.encoder = target.codec.createEncoder();
    this.asTable = convertedWatchFor(res.req, target.info, target.codec);
    this.key = resourceKey(target.info.group, target.info.resource);
    this.cached = env.encodeCache.serves(target.codec);
    this.unfiltered = target.query.unfiltered && target.namespace === undefined;
    this.cursor = start.cursor;
    this.pendingError = start.error;
    this.firehoseLeft = env.firehose?.events ?? 0;
  }

  run(): void {
    const { env, res, target } = this;
    env.opened(1);
    env.closing.add(this.endNow);
    this.unsubscribe = env.store.subscribe(this.poke);
    res.on('close', () => this.finish());
    if (target.query.allowWatchBookmarks) {
      this.bookmarkTimer = setInterval(() => {
        this.bookmarkDue = true;
        this.poke();
      }, env.bookmarkIntervalMs);
    }
    const timeout = target.query.timeoutSeconds;
    if (timeout !== undefined) {
      this.timers.push(
        setTimeout(() => {
          this.finish();
          res.end();
        }, timeout * 1000),
      );
    }
    void this.pump().catch(this.endNow);
  }

  private readonly poke = (): void => {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  private waitForWork(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.env.opened(-1);
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    clearInterval(this.bookmarkTimer);
    this.env.closing.delete(this.endNow);
    this.poke();
  }

  /** The next stored change this watch sees, advancing the cursor; undefined when caught up. */
  private nextStored(): Frame | undefined {
    const { store } = this.env;
    for (;;) {
      const stored = store.eventAt(this.cursor + 1);
      if (stored === undefined) return undefined;
      this.cursor = stored.resourceVersion;
      if (stored.resource !== this.key) continue;
      if (this.unfiltered) return { event: stored.event, stored };
      const event = eventFor(stored, this.target.query.matches);
      if (event !== undefined) return event === stored.event ? { event, stored } : { event };
    }
  }

  /** The next frame to send, or undefined when there is nothing yet. */
  private nextFrame(): Frame | undefined {
    const { store, firehose } = this.env;
    if (this.pendingError !== undefined) {
      const error = this.pendingError;
      this.pendingError = undefined;
      return { event: { type: 'ERROR', object: error }, final: true };
    }
    const initial = this.start.initial;
    if (this.initialIndex < initial.length) return { event: initial[this.initialIndex++]! };
    if (this.cursor < store.compactedBefore) return { event: { type: 'ERROR', object: tooOld(store, this.cursor) }, final: true };
    const stored = this.nextStored();
    if (stored !== undefined) return stored;
    if (this.firehoseLeft > 0) {
      if (this.firehoseRv === 0) this.firehoseRv = Math.max(this.cursor, store.resourceVersion);
      this.firehoseLeft--;
      return { event: { type: 'MODIFIED', object: firehosePod(++this.firehoseRv, firehose?.objectBytes ?? 1024) }, final: this.firehoseLeft === 0 };
    }
    // A bookmark says "you have everything up to here": never before the store has reached the version watched from.
    if (this.bookmarkDue && store.resourceVersion >= this.cursor) {
      this.bookmarkDue = false;
      this.cursor = store.resourceVersion;
      return { event: { type: 'BOOKMARK', object: bookmarkObject(this.target.info, this.cursor) } };
    }
    return undefined;
  }

  private encode(frame: Frame): Uint8Array {
    // kubectl get -w asks for Tables, metadata informers for PartialObjectMetadata (src/server/conversion.ts, S2's).
    if (this.asTable !== undefined) return this.encoder.encode(this.asTable(frame.event));
    return this.cached && frame.stored !== undefined ? this.env.encodeCache.encode(this.target.codec, frame.stored) : this.encoder.encode(frame.event);
  }

  /** Frames until caught up, in batches; waits for changes; applies the plan's faults frame by frame. */
  private async pump(): Promise<void> {
    const { res } = this;
    const fault = this.target.fault;
    const perFrame = fault.delayMs !== undefined && fault.delayMs > 0;
    const batch: Uint8Array[] = [];
    let batchBytes = 0;
    let ending = false;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      // One write per batch, not res.cork() around many: on Node 22+ a corked chunked response
      // can answer write() with false while the socket itself needs no drain, and then no
      // 'drain' ever comes (the watch hung there). One write's answer is the socket's.
      const ok = res.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes));
      batch.length = 0;
      batchBytes = 0;
      if (!ok && !this.closed) await drained(res);
    };
    while (!this.closed) {
      const frame = ending ? undefined : this.nextFrame();
      if (frame === undefined) {
        await flush();
        if (ending) {
          this.finish();
          res.end();
          return;
        }
        if (!this.closed && this.nextFrameReady()) continue;
        await this.waitForWork();
        continue;
      }
      if (fault.stallAfterEvents !== undefined && this.sent >= fault.stallAfterEvents) {
        // Stalled: nothing more, the connection left open until the client or a timeout ends it.
        await flush();
        while (!this.closed) await this.waitForWork();
        return;
      }
      if (perFrame) {
        await flush();
        await new Promise<void>((resolve) => this.timers.push(setTimeout(resolve, fault.delayMs)));
        if (this.closed) return;
      }
      const bytes = this.encode(frame);
      if (fault.dropAfterEvents !== undefined && this.sent >= fault.dropAfterEvents) {
        await flush();
        const cut = Math.min(Math.max(fault.dropAtByte ?? Math.floor(bytes.length / 2), 1), bytes.length - 1);
        const socket = res.socket;
        res.write(bytes.subarray(0, cut), () => socket?.destroy());
        this.finish();
        return;
      }
      this.sent++;
      batch.push(bytes);
      batchBytes += bytes.length;
      if (frame.final === true || (fault.closeAfterEvents !== undefined && this.sent >= fault.closeAfterEvents)) ending = true;
      else if (batchBytes >= BATCH_BYTES) await flush();
    }
  }

  /** True when a change arrived while the last batch was being written (no wake-up would come for it). */
  private nextFrameReady(): boolean {
    const { store } = this.env;
    return this.env.store.eventAt(this.cursor + 1) !== undefined || this.cursor < store.compactedBefore || this.firehoseLeft > 0 || this.bookmarkDue;
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
