import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WatchEvent } from '../core/event.js';
import { decodeAll } from '../core/pipeline.js';
import { inspectorRoutes } from '../inspector/routes.js';
import { type FaultPlan, startReplayServer } from '../server/index.js';
import { codecFor } from './codecs.js';
import { parseLimit } from './decode.js';
import { UsageError } from './usage.js';

/** `watchwire serve`: the replay server on loopback until Ctrl-C. */
export async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      events: { type: 'string' },
      'content-type': { type: 'string', default: 'json-documents' },
      pods: { type: 'string' },
      'bookmark-interval-ms': { type: 'string' },
      'tick-ms': { type: 'string' },
      'drop-after-events': { type: 'string' },
      'stall-after-events': { type: 'string' },
      'delay-ms': { type: 'string' },
      status: { type: 'string' },
      'status-times': { type: 'string' },
      'retry-after': { type: 'string' },
      expire: { type: 'boolean', default: false },
      ui: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError('serve takes no positional arguments');
  const port = parseLimit(values.port, '--port') ?? 0;
  let events: WatchEvent[] = [];
  if (values.events !== undefined) {
    const codec = codecFor(values['content-type'], '--content-type');
    events = decodeAll(codec, readFileSync(values.events));
  }
  const pods = parseLimit(values.pods, '--pods') ?? (values.events === undefined ? 10 : 0);
  const fault: FaultPlan = {};
  const n = (flag: string): number | undefined => parseLimit(values[flag as keyof typeof values] as string | undefined, `--${flag}`);
  const drop = n('drop-after-events');
  const stall = n('stall-after-events');
  const delay = n('delay-ms');
  const status = n('status');
  if (drop !== undefined) fault.dropAfterEvents = drop;
  if (stall !== undefined) fault.stallAfterEvents = stall;
  if (delay !== undefined) fault.delayMs = delay;
  if (values.expire) fault.expire = true;
  if (status !== undefined) {
    const times = n('status-times');
    const retryAfter = n('retry-after');
    fault.status = { code: status, ...(times === undefined ? {} : { times }), ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) };
  }
  const bookmarkIntervalMs = n('bookmark-interval-ms');
  // Read before listening: a missing bundle is an error at start, not a broken page later.
  const ui = values.ui ? inspectorRoutes() : undefined;
  const server = await startReplayServer({
    host: values.host,
    port,
    events,
    generate: { pods, namespaces: ['default', 'demo'] },
    ...(bookmarkIntervalMs === undefined ? {} : { bookmarkIntervalMs }),
    ...(Object.keys(fault).length === 0 ? {} : { faults: fault }),
    ...(ui === undefined ? {} : { static: ui }),
  });
  // The inspector is more telling with live changes: one a second unless --tick-ms says otherwise.
  const tickMs = n('tick-ms') ?? (ui === undefined ? undefined : 1000);
  let tick: ReturnType<typeof setInterval> | undefined;
  if (tickMs !== undefined && tickMs > 0) {
    // Live changes: touch the stored Pods one after another, deterministic order.
    let i = 0;
    tick = setInterval(() => {
      const current = server.store.list('/pods');
      const pod = current[i++ % Math.max(current.length, 1)];
      if (pod !== undefined) {
        server.append('MODIFIED', { ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, 'watchwire/tick': String(i) } } });
      }
    }, tickMs);
  }
  process.stdout.write(
    `watchwire: replay server on ${server.url} (resourceVersion ${server.resourceVersion})\n` +
      `  watch: ${server.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${server.store.compactedBefore}\n` +
      `  list:  ${server.url}/api/v1/pods\n` +
      `  try:   watchwire watch ${server.url}/api/v1/pods\n` +
      (ui === undefined ? '' : `  ui:    ${server.url}/  (the inspector: watch in each format, compare their cost)\n`),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (tick !== undefined) clearInterval(tick);
  await server.close();
}
