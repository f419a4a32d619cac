/**
 * A fetch for Node built on node:http / node:https (Node only: exported from
 * `watchwire/node`, never from the browser-safe entry).
 *
 * Why: over loopback, Node's fetch (undici) spends more CPU per byte than
 * node:http (its parser runs in WebAssembly and every chunk crosses a Web
 * byte stream), and a watch is one long body. This fetch hands the socket's
 * chunks to the reader as they arrive, with no copy and no Web stream in
 * between, and keeps fetch's semantics where the watch client relies on them:
 * the promise rejects with `signal.reason` on abort and with
 * `TypeError('fetch failed')` when no response came; HTTP error statuses are
 * responses (the client types them as WatchHttpError); a body read rejects
 * with `TypeError('terminated')` when the connection breaks mid-body.
 *
 * What it is not: a full fetch. No redirects (a 3xx is returned as it is),
 * no compression, no request streams; the body implements what watchwire and
 * most readers use (`getReader`, `cancel`, async iteration, `pipeTo`/`pipeThrough`/`tee`
 * through a real ReadableStream made on demand), and the response `json`,
 * `text`, `arrayBuffer`, `bytes`.
 */
import { type Agent, type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { type RequestOptions as HttpsRequestOptions, request as httpsRequest } from 'node:https';
import { parseJsonText } from '../core/json-parse.js';
import { chunksOf } from '../stream/source.js';
import type { FetchLike } from '../client/http.js';

export interface NodeFetchOptions {
  /** An http.Agent / https.Agent (keep-alive, socket limits, TLS client certificates). Default: Node's global agent. */
  agent?: Agent;
  /** TLS options for https URLs (a cluster's CA, client certificate and key), when no agent carries them. */
  tls?: Pick<HttpsRequestOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'>;
  /**
   * Bytes held for a reader that is not reading before the socket is paused
   * (TCP backpressure then slows the server). Default 64 KiB.
   */
  highWaterMark?: number;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

type ReadResult = ReadableStreamReadResult<Uint8Array>;
interface Waiter {
  resolve: (result: ReadResult) => void;
  reject: (error: unknown) => void;
}

const DONE: ReadResult = Object.freeze({ done: true, value: undefined }) as ReadResult;

/**
 * The chunks of one response body, in the order the socket gave them. The
 * response flows ('data' events, no buffering inside Node) while the queue is
 * below the high-water mark, and is paused above it.
 */
class BodySource {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private waiters: Waiter[] = [];
  private ended = false;
  private failure: unknown;
  private hasFailed = false;
  cancelled = false;

  constructor(
    private readonly res: IncomingMessage,
    private readonly highWaterMark: number,
    /** Called once when the body is done for whatever reason (ended, failed, cancelled). */
    private readonly settled: () => void,
  ) {
    res.on('data', (chunk: Buffer) => {
      const waiter = this.waiters.shift();
      if (waiter !== undefined) {
        waiter.resolve({ done: false, value: chunk });
        return;
      }
      this.queue.push(chunk);
      this.queued += chunk.length;
      if (this.queued >= this.highWaterMark) res.pause();
    });
    res.on('end', () => {
      this.ended = true;
      this.flushWaiters();
      this.settled();
    });
    res.on('error', (error: Error) => this.fail(new TypeError('terminated', { cause: error })));
    res.on('close', () => {
      if (!this.ended) this.fail(new TypeError('terminated', { cause: new Error('connection closed before the body ended') }));
    });
  }

  /** Ends the body with `error` (the first failure wins); queued chunks are dropped, as a Web stream does on error. */
  fail(error: unknown): void {
    if (this.ended || this.hasFailed || this.cancelled) return;
    this.hasFailed = true;
    this.failure = error;
    this.queue.length = 0;
    this.queued = 0;
    this.flushWaiters();
    this.res.destroy();
    this.settled();
  }

  read(): Promise<ReadResult> {
    const value = this.queue.shift();
    if (value !== undefined) {
      this.queued -= value.length;
      if (this.queued < this.highWaterMark && this.res.isPaused() && !this.cancelled) this.res.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.hasFailed) return Promise.reject(this.failure);
    if (this.ended || this.cancelled) return Promise.resolve(DONE);
    if (this.res.isPaused()) this.res.resume();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stops reading and frees the connection (the socket is destroyed, not pooled: the body was not read to its end). */
  cancel(): void {
    if (this.cancelled || this.ended || this.hasFailed) return;
    this.cancelled = true;
    this.queue.length = 0;
    this.queued = 0;
    this.flushWaiters();
    this.res.destroy();
    this.settled();
  }

  private flushWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (this.hasFailed) waiter.reject(this.failure);
      else waiter.resolve(DONE);
    }
  }
}

/** The default reader over a BodySource: what `getReader()` gives. */
class NodeBodyReader {
  private released = false;
  readonly closed: Promise<undefined>;
  private resolveClosed!: (value: undefined) => void;

  constructor(
    private readonly source: BodySource,
    private readonly unlock: () => void,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  read(): Promise<ReadResult> {
    if (this.released) return Promise.reject(new TypeError('the reader was released'));
    return this.source.read();
  }

  cancel(_reason?: unknown): Promise<void> {
    if (this.released) return Promise.reject(new TypeError('the reader was released'));
    this.source.cancel();
    this.resolveClosed(undefined);
    return Promise.resolve();
  }

  releaseLock(): void {
    if (this.released) return;
    this.released = true;
    this.unlock();
  }
}

/**
 * The body of a NodeResponse: enough of a ReadableStream for watchwire's
 * readers (`getReader`, `cancel`, `for await`), and a real ReadableStream
 * made on demand for the rest (`pipeTo`, `pipeThrough`, `tee`).
 */
class NodeBody {
  locked = false;
  private disturbed = false;

  constructor(private readonly source: BodySource) {}

  get used(): boolean {
    return this.disturbed;
  }

  getReader(options?: { mode?: undefined }): NodeBodyReader {
    if (options?.mode !== undefined) throw new TypeError('only the default reader is supported by nodeFetch bodies');
    if (this.locked) throw new TypeError('ReadableStream is locked');
    this.locked = true;
    this.disturbed = true;
    return new NodeBodyReader(this.source, () => (this.locked = false));
  }

  cancel(_reason?: unknown): Promise<void> {
    if (this.locked) return Promise.reject(new TypeError('ReadableStream is locked'));
    this.disturbed = true;
    this.source.cancel();
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    // The same reader loop as every other source: cancel and release when the consumer stops early.
    return chunksOf(this as unknown as ReadableStream<Uint8Array>);
  }

  values(): AsyncGenerator<Uint8Array, void, undefined> {
    return this[Symbol.asyncIterator]();
  }

  /** A real Web ReadableStream reading this body (locks it). */
  toWeb(): ReadableStream<Uint8Array> {
    const reader = this.getReader();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const result = await reader.read();
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      },
      cancel: () => reader.cancel(),
    });
  }

  pipeTo(destination: WritableStream<Uint8Array>, options?: StreamPipeOptions): Promise<void> {
    return this.toWeb().pipeTo(destination, options);
  }

  pipeThrough<T>(transform: ReadableWritablePair<T, Uint8Array>, options?: StreamPipeOptions): ReadableStream<T> {
    return this.toWeb().pipeThrough(transform, options);
  }

  tee(): [ReadableStream<Uint8Array>, ReadableStream<Uint8Array>] {
    return this.toWeb().tee();
  }
}

/** What nodeFetch resolves with: the parts of a fetch Response a client reads. */
class NodeResponse {
  readonly type = 'basic';
  readonly redirected = false;
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly body: NodeBody | null;

  constructor(res: IncomingMessage, url: string, body: NodeBody | null) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status <= 299;
    this.url = url;
    const headers = new Headers();
    const raw = res.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    this.headers = headers;
    this.body = body;
  }

  get bodyUsed(): boolean {
    return this.body?.used ?? false;
  }

  async bytes(): Promise<Uint8Array> {
    if (this.body === null) return new Uint8Array(0);
    if (this.body.used) throw new TypeError('Body is unusable: Body has already been read');
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const part of this.body) {
      parts.push(part);
      size += part.length;
    }
    return Buffer.concat(parts, size);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    // Through the JSON codec's guard for V8's escaped-key bug (see json-parse.ts), as every decoded body.
    const bytes = await this.bytes();
    return parseJsonText(new TextDecoder().decode(bytes), bytes);
  }

  async blob(): Promise<Blob> {
    return new Blob([(await this.bytes()) as Uint8Array<ArrayBuffer>], { type: this.headers.get('content-type') ?? '' });
  }

  clone(): never {
    throw new TypeError('nodeFetch responses cannot be cloned');
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('nodeFetch sends only string, Uint8Array or ArrayBuffer bodies');
}

/** A fetch over node:http / node:https with these options; see the module comment. */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchLike {
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 1) throw new RangeError(`highWaterMark must be a positive integer, got ${String(highWaterMark)}`);
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input);
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      let body: string | Uint8Array | undefined;
      const headers: Record<string, string> = {};
      try {
        body = requestBody(init.body);
        new Headers(init.headers).forEach((value, name) => {
          headers[name] = value;
        });
      } catch (error) {
        reject(error);
        return;
      }
      const isHttps = url.protocol === 'https:';
      if (!isHttps && url.protocol !== 'http:') {
        reject(new TypeError('fetch failed', { cause: new Error(`nodeFetch: unsupported protocol ${url.protocol}`) }));
        return;
      }
      let source: BodySource | undefined;
      let responded = false;
      const onAbort = (): void => {
        const reason = abortReason(signal!);
        if (!responded) reject(reason);
        if (source !== undefined) source.fail(reason);
        else req.destroy();
      };
      const detach = (): void => signal?.removeEventListener('abort', onAbort);
      const requestOptions = {
        method: init.method ?? 'GET',
        headers,
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        ...(isHttps ? options.tls : {}),
      };
      let req: ClientRequest;
      try {
        req = (isHttps ? httpsRequest : httpRequest)(url, requestOptions);
      } catch (error) {
        reject(new TypeError('fetch failed', { cause: error }));
        return;
      }
      req.on('error', (error) => {
        if (!responded) {
          detach();
          reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error }));
        }
      });
      req.on('response', (res) => {
        responded = true;
        const method = requestOptions.method.toUpperCase();
        const empty = method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
        if (empty) {
          detach();
          res.resume();
          resolve(new NodeResponse(res, url.toString(), null) as unknown as Response);
          return;
        }
        source = new BodySource(res, highWaterMark, detach);
        resolve(new NodeResponse(res, url.toString(), new NodeBody(source)) as unknown as Response);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
}

/**
 * A fetch over node:http / node:https with Node's global agent; give it to
 * `watch({ fetch: nodeFetch })` or `listObjects({ fetch: nodeFetch })`.
 */
export const nodeFetch: FetchLike = createNodeFetch();
