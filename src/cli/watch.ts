import { parseArgs } from 'node:util';
import { WatchExpiredError, WatchHttpError } from '../client/errors.js';
import { Watch, type WatchSignal, type WatchStats } from '../client/watch.js';
import type { WatchEvent } from '../core/event.js';
import { cliRegistry } from './codec-loader.js';
import { parseLimit } from './decode.js';
import { BatchedOutput } from './output.js';
import { UsageError } from './usage.js';

/** One event as a line a person reads: type, kind, namespace/name, resourceVersion. */
export function eventLine(event: WatchEvent): string {
  const meta = event.object.metadata ?? {};
  const where = meta.name === undefined ? '' : `${meta.namespace === undefined ? '' : `${meta.namespace}/`}${meta.name}`;
  return `${event.type.padEnd(8)} ${event.object.kind ?? '?'} ${where}${where ? ' ' : ''}rv=${meta.resourceVersion ?? ''}\n`;
}

/** A signal as a short line for stderr; undefined for the chatty ones. */
export function signalLine(signal: WatchSignal): string | undefined {
  switch (signal.type) {
    case 'connecting':
      return `connecting #${signal.connection}${signal.resourceVersion === undefined ? '' : ` from rv=${signal.resourceVersion}`}${signal.sendInitialEvents ? ' (sendInitialEvents)' : ''}`;
    case 'connected':
      return `connected: ${signal.format} (${signal.contentType})`;
    case 'resumed':
      return `resumed after rv=${signal.resourceVersion}`;
    case 'initial-events-end':
      return `initial events done at rv=${signal.resourceVersion ?? '?'}`;
    case 'expired':
      return `expired (410) at rv=${signal.resourceVersion ?? '?'}`;
    case 'relist':
      return `re-listed at rv=${signal.resourceVersion} (${signal.reason})`;
    case 'restart':
      return `restarting without resourceVersion (${signal.reason})`;
    case 'duplicate':
      return `dropped duplicate ${signal.eventType} rv=${signal.resourceVersion}`;
    case 'stalled':
      return `stalled: no bytes for ${signal.idleMs} ms`;
    case 'disconnected':
      return `disconnected (${signal.reason}) after ${signal.events} events, ${signal.bytes} bytes`;
    case 'backoff':
      return `waiting ${signal.delayMs} ms (${signal.reason})`;
    case 'error':
      return `${signal.willRetry ? 'error, will retry' : 'error'}: ${signal.error instanceof Error ? signal.error.message : String(signal.error)}`;
  }
}

/** `watchwire watch URL`: watch a real API server (e.g. `kubectl proxy` on http://127.0.0.1:8001). */
export async function watchCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'resource-version': { type: 'string' },
      'initial-events': { type: 'boolean', default: false },
      header: { type: 'string', multiple: true },
      token: { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'stall-timeout-ms': { type: 'string' },
      'max-events': { type: 'string' },
      output: { type: 'string', default: 'text' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('watch needs one URL, e.g. http://127.0.0.1:8001/api/v1/namespaces/default/pods');
  let url: URL;
  try {
    url = new URL(positionals[0]!);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(positionals[0])}`);
  }
  if (values.output !== 'text' && values.output !== 'json') throw new UsageError('--output must be text or json');
  const registry = await cliRegistry();
  const formats = values.format?.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (formats !== undefined) {
    for (const f of formats) {
      try {
        registry.get(f);
      } catch {
        throw new UsageError(`unknown format ${JSON.stringify(f)} (known: ${registry.list().map((c) => c.name).join(', ')})`);
      }
    }
  }
  const headers = new Headers();
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header needs "Name: value", got ${JSON.stringify(header)}`);
    headers.append(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
  }
  if (values.token !== undefined) headers.set('authorization', `Bearer ${values.token}`);
  const timeoutSeconds = parseLimit(values['timeout-seconds'], '--timeout-seconds');
  const stallTimeoutMs = parseLimit(values['stall-timeout-ms'], '--stall-timeout-ms');
  const maxEvents = parseLimit(values['max-events'], '--max-events');

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const out = new BatchedOutput(process.stdout, 1);
  const started = performance.now();
  const w = new Watch({
    url,
    registry,
    headers,
    signal: controller.signal,
    // A person watching wants the current objects again after an expiry, not an error.
    onExpired: 'restart',
    ...(values['resource-version'] === undefined ? {} : { resourceVersion: values['resource-version'] }),
    ...(values['initial-events'] ? { initialEvents: true } : {}),
    ...(formats === undefined ? {} : { formats }),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    ...(stallTimeoutMs === undefined ? {} : { stallTimeoutMs }),
    onSignal: (signal) => {
      const line = values.quiet ? undefined : signalLine(signal);
      if (line !== undefined) process.stderr.write(`# ${line}\n`);
    },
  });
  let seen = 0;
  try {
    for await (const event of w) {
      await out.write(values.output === 'json' ? JSON.stringify(event) + '\n' : eventLine(event));
      if (maxEvents !== undefined && ++seen >= maxEvents) break;
    }
  } catch (e) {
    if (e instanceof WatchHttpError || e instanceof WatchExpiredError) {
      await out.flush();
      process.stderr.write(`watchwire: ${e.message}\n`);
      // main() sets the exit code from the command's outcome after we return; a refused watch is exit 1.
      process.once('exit', () => {
        process.exitCode = 1;
      });
      return;
    }
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await out.flush();
    process.stderr.write(statsLine(w.stats, performance.now() - started) + '\n');
  }
}

export function statsLine(stats: WatchStats, ms: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...extra, events: stats.events, bookmarks: stats.bookmarks, bytes: stats.bytes, connections: stats.connections, duplicates: stats.duplicates, relists: stats.relists, restarts: stats.restarts, stalls: stats.stalls, ms: Math.round(ms) });
}
