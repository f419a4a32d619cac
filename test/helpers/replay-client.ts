/** Helpers for the client and server tests (issue 6): a watch URL, collecting events, raw reads. */
import type { WatchEvent, WatchSignal } from 'watchwire';
import type { ReplayServer } from 'watchwire/server';

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
