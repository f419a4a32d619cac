/**
 * One full watch per call, through each client's public API, against the
 * loopback corpus server: what a user of that client runs in production.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Codec, type FetchLike, StreamDecoder, type WatchEvent, decodeStream, watch } from 'watchwire';
import { nodeFetch } from 'watchwire/node';
import type { PeerCallback } from './paths.js';

export type WatchClient = (baseUrl: string, expected: number, callback: PeerCallback) => Promise<void>;

const WATCH_PATH = '/api/v1/pods';

/** The two transports a watchwire user has: the global fetch (browser-safe) and nodeFetch (watchwire/node, node:http). */
export type Transport = 'fetch' | 'nodeFetch';
const transports: Record<Transport, FetchLike> = { fetch: (input, init) => fetch(input, init), nodeFetch };

/** watchwire's async-iterable API: `for await (const event of decodeStream(res.body, codec))`. */
export function watchwireDecodeStream(codec: Codec, transport: Transport = 'fetch'): WatchClient {
  const fetchFn = transports[transport];
  return async (baseUrl, _expected, callback) => {
    const response = await fetchFn(`${baseUrl}${WATCH_PATH}?watch=true`, { headers: { accept: codec.accept } });
    if (response.body === null) throw new Error('no body');
    for await (const event of decodeStream(response.body, codec)) callback(event.type, event.object);
  };
}

/** watchwire's push API: each body chunk into a StreamDecoder with a callback sink. */
export function watchwireStreamDecoder(codec: Codec, transport: Transport = 'fetch'): WatchClient {
  const fetchFn = transports[transport];
  return async (baseUrl, _expected, callback) => {
    const response = await fetchFn(`${baseUrl}${WATCH_PATH}?watch=true`, { headers: { accept: codec.accept } });
    if (response.body === null) throw new Error('no body');
    const decoder = StreamDecoder.events(codec, (event) => callback(event.type, event.object));
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      decoder.push(value);
    }
    decoder.end();
  };
}

/**
 * watchwire's watch() client (negotiation, resume bookkeeping, stall timer):
 * from resourceVersion 1, so every event of a corpus whose versions grow is
 * newer; ends when the expected count has arrived, or when the server ends
 * the stream (the client would resume; the count check then says what was missed).
 */
export function watchwireWatch(format: string, transport: Transport): WatchClient {
  const fetchFn = transports[transport];
  return async (baseUrl, expected, callback) => {
    const controller = new AbortController();
    let seen = 0;
    const w = watch({
      url: `${baseUrl}${WATCH_PATH}`,
      resourceVersion: '1',
      formats: [format],
      fetch: fetchFn,
      signal: controller.signal,
      onSignal: (signal) => {
        if (signal.type === 'disconnected') controller.abort();
      },
    });
    try {
      for await (const event of w as AsyncIterable<WatchEvent>) {
        callback(event.type, event.object);
        if (++seen === expected) break;
      }
    } finally {
      controller.abort();
    }
  };
}

function kubeconfigFor(baseUrl: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'bench', cluster: { server: baseUrl, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'bench', user: {} }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
    'current-context': 'bench',
  };
}

/** @kubernetes/client-node's `Watch` (undici fetch + readline + JSON.parse). */
export async function clientNodeWatch(): Promise<WatchClient> {
  const k8s = await import('@kubernetes/client-node');
  const configs = new Map<string, InstanceType<typeof k8s.KubeConfig>>();
  return (baseUrl, _expected, callback) => {
    let kc = configs.get(baseUrl);
    if (kc === undefined) {
      kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'bench', server: baseUrl, skipTLSVerify: true }],
        users: [{ name: 'bench' }],
        contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
        currentContext: 'bench',
      });
      configs.set(baseUrl, kc);
    }
    const watch = new k8s.Watch(kc);
    return new Promise<void>((resolve, reject) => {
      watch
        .watch(WATCH_PATH, {}, (type: string, object: { metadata?: { name?: string } }) => callback(type, object), (err: unknown) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
        )
        .catch(reject);
    });
  };
}

/**
 * kubernetes-fluent-client's `K8s(Pod).Watch(callback)`: a LIST, then the
 * watch (undici fetch, TextDecoder + split, async per-line handler). It reads
 * its cluster from the default kubeconfig, so KUBECONFIG points at a file
 * naming the loopback server. On end of stream it re-lists and reconnects by
 * design, so a watch here ends when the expected count has arrived.
 */
export async function fluentClientWatch(): Promise<WatchClient> {
  const kfc = await import('kubernetes-fluent-client');
  const dir = mkdtempSync(join(tmpdir(), 'watchwire-bench-'));
  let configured = '';
  return (baseUrl, expected, callback) => {
    if (configured !== baseUrl) {
      const file = join(dir, 'kubeconfig.json');
      writeFileSync(file, JSON.stringify(kubeconfigFor(baseUrl)));
      process.env.KUBECONFIG = file;
      configured = baseUrl;
    }
    return new Promise<void>((resolve, reject) => {
      let seen = 0;
      let settled = false;
      const watcher = kfc.K8s(kfc.kind.Pod).Watch((payload: unknown, phase: unknown) => {
        if (settled) return;
        callback(String(phase), payload as { metadata?: { name?: string } });
        if (++seen === expected) finish();
      });
      const timer = setTimeout(() => finish(new Error(`fluent-client watch: ${seen} of ${expected} events after 60 s`)), 60_000);
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        watcher.close();
        if (error) reject(error);
        else resolve();
      };
      if (process.env.BENCH_DEBUG_KFC) for (const ev of Object.values(kfc.WatchEvent)) watcher.events.on(ev, (...a: unknown[]) => console.error('kfc event', ev, String(a[0]).slice(0, 300)));
      watcher.events.on(kfc.WatchEvent.DATA_ERROR, (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
      watcher.start().catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    });
  };
}

/** The naive loop over node:http: `for await (const line of readline(res)) JSON.parse(line)`. */
export const naiveHttpReadline: WatchClient = (baseUrl, _expected, callback) =>
  new Promise<void>((resolve, reject) => {
    get(`${baseUrl}${WATCH_PATH}?watch=true`, (res) => {
      (async () => {
        const lines = createInterface({ input: res, crlfDelay: Infinity });
        for await (const line of lines) {
          if (line.length === 0) continue;
          const event = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
          callback(event.type, event.object);
        }
      })().then(resolve, reject);
    }).on('error', reject);
  });
