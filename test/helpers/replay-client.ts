/** Helpers for the client and server tests: a replay server per test, a watch with its signals, collecting events. */
import { type Watch, type WatchEvent, type WatchOptions, type WatchSignal, watch } from 'watchwire';
import { type ReplayServer, type ReplayServerOptions, startReplayServer } from 'watchwire/server';

export const FORMATS = ['json', 'cbor', 'protobuf'] as const;

/** The cluster-wide pods URL of a server. */
export function podsUrl(server: ReplayServer, namespace?: string): string {
  return namespace === undefined ? `${server.url}/api/v1/pods` : `${server.url}/api/v1/namespaces/${namespace}/pods`;
}

/** A signal log whose `types()` gives the signal types in order. */
export class SignalLog {
  readonly all: WatchSignal[] = [];
  readonly push = (signal: WatchSignal): void => {
    this.all.push(signal);
  };
  types(): string[] {
    return this.all.map((s) => s.type);
  }
  of<T extends WatchSignal['type']>(type: T): Extract<WatchSignal, { type: T }>[] {
    return this.all.filter((s): s is Extract<WatchSignal, { type: T }> => s.type === type);
  }
}

/** Takes events until `until` says stop (then aborts the watch) or the iterable ends. */
export async function take(
  events: AsyncIterable<WatchEvent>,
  controller: AbortController,
  until: (event: WatchEvent, all: WatchEvent[]) => boolean,
  timeoutMs = 5000,
): Promise<WatchEvent[]> {
  const all: WatchEvent[] = [];
  const timer = setTimeout(() => controller.abort(new Error('test timeout')), timeoutMs);
  try {
    for await (const event of events) {
      all.push(event);
      if (until(event, all)) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return all;
}

/** The resourceVersion of an event's object. */
export function rvOf(event: WatchEvent): string | undefined {
  return event.object.metadata?.resourceVersion;
}

/** The changes a server stored, as events (what a perfect client would deliver). */
export function serverChanges(server: ReplayServer, afterRv = 0): WatchEvent[] {
  return server.store
    .changes()
    .filter((c) => c.resourceVersion > afterRv)
    .map((c) => c.event);
}

/** A Pod to append. */
export function pod(name: string, namespace = 'default', extra: Record<string, unknown> = {}): { kind: string; apiVersion: string; metadata: Record<string, unknown>; [k: string]: unknown } {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace, labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx' }] }, ...extra };
}

/** Backoff for tests: milliseconds instead of seconds, no jitter. */
export const FAST_BACKOFF = { initialMs: 5, maxMs: 20, random: () => 0 };

/** Runs `body` against a fresh replay server, closed afterwards whatever happens. */
export async function withServer<T>(options: ReplayServerOptions, body: (server: ReplayServer) => Promise<T>): Promise<T> {
  const server = await startReplayServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** What most client tests hold: the watch, its signals, its controller, and `collect` (take() bound to both). */
export interface WatchSession {
  w: Watch;
  signals: SignalLog;
  controller: AbortController;
  /** Events until `until` says stop (then the watch is aborted). */
  collect(until: (event: WatchEvent, all: WatchEvent[]) => boolean, timeoutMs?: number): Promise<WatchEvent[]>;
}

/** A watch of the server's pods (`url` and the rest overridable), its signals logged, stopped by its own controller. */
export function watchPods(server: ReplayServer, options: Omit<WatchOptions, 'signal'> = {}): WatchSession {
  const signals = new SignalLog();
  const controller = new AbortController();
  const w = watch({ url: podsUrl(server), onSignal: signals.push, ...options, signal: controller.signal });
  return { w, signals, controller, collect: (until, timeoutMs) => take(w, controller, until, timeoutMs) };
}
