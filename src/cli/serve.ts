import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WatchEvent } from '../core/event.js';
import { decodeAll } from '../core/pipeline.js';
import { inspectorRoutes } from '../inspector/routes.js';
import { type FaultPlan, type ReplayServer, type ResourceInfo, startReplayServer } from '../server/index.js';
import { codecFor } from './codecs.js';
import { parseLimit } from './decode.js';
import { SERVE_USAGE, UsageError } from './usage.js';

/** `watchwire serve`: the replay server on loopback until Ctrl-C. */
export async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      events: { type: 'string' },
      'content-type': { type: 'string', default: 'json-documents' },
      pods: { type: 'string' },
      namespaces: { type: 'string', default: 'default,demo' },
      'bookmark-interval-ms': { type: 'string' },
      'tick-ms': { type: 'string' },
      'history-limit': { type: 'string' },
      'no-watch-list': { type: 'boolean', default: false },
      'continue-expire-after-ms': { type: 'string' },
      'continue-expire-after-pages': { type: 'string' },
      kubeconfig: { type: 'string' },
      'drop-after-events': { type: 'string' },
      'stall-after-events': { type: 'string' },
      'close-after-events': { type: 'string' },
      'delay-ms': { type: 'string' },
      status: { type: 'string' },
      'status-times': { type: 'string' },
      'retry-after': { type: 'string' },
      expire: { type: 'boolean', default: false },
      ui: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_USAGE);
    return;
  }
  if (positionals.length > 0) throw new UsageError('serve takes no positional arguments');
  const port = parseLimit(values.port, '--port') ?? 0;
  let events: WatchEvent[] = [];
  if (values.events !== undefined) {
    const codec = codecFor(values['content-type'], '--content-type');
    events = decodeAll(codec, readFileSync(values.events));
  }
  const pods = parseLimit(values.pods, '--pods') ?? (values.events === undefined ? 10 : 0);
  const namespaces = values.namespaces.split(',').filter((ns) => ns !== '');
  if (namespaces.length === 0) throw new UsageError('--namespaces needs at least one namespace');
  const fault: FaultPlan = {};
  const n = (flag: string): number | undefined => parseLimit(values[flag as keyof typeof values] as string | undefined, `--${flag}`);
  const drop = n('drop-after-events');
  const stall = n('stall-after-events');
  const close = n('close-after-events');
  const delay = n('delay-ms');
  const status = n('status');
  if (drop !== undefined) fault.dropAfterEvents = drop;
  if (stall !== undefined) fault.stallAfterEvents = stall;
  if (close !== undefined) fault.closeAfterEvents = close;
  if (delay !== undefined) fault.delayMs = delay;
  if (values.expire) fault.expire = true;
  if (status !== undefined) {
    const times = n('status-times');
    const retryAfter = n('retry-after');
    fault.status = { code: status, ...(times === undefined ? {} : { times }), ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) };
  }
  const bookmarkIntervalMs = n('bookmark-interval-ms');
  const historyLimit = n('history-limit');
  if (historyLimit === 0) throw new UsageError('--history-limit needs at least 1');
  const expireAfterMs = n('continue-expire-after-ms');
  const expireAfterPages = n('continue-expire-after-pages');
  const continueExpiry = {
    ...(expireAfterMs === undefined ? {} : { afterMs: expireAfterMs }),
    ...(expireAfterPages === undefined ? {} : { afterPages: expireAfterPages }),
  };
  // Read before listening: a missing bundle is an error at start, not a broken page later.
  const ui = values.ui ? inspectorRoutes() : undefined;
  const server = await startReplayServer({
    host: values.host,
    port,
    events,
    generate: { pods, namespaces },
    ...(bookmarkIntervalMs === undefined ? {} : { bookmarkIntervalMs }),
    ...(historyLimit === undefined ? {} : { historyLimit }),
    ...(values['no-watch-list'] ? { watchList: false } : {}),
    ...(Object.keys(continueExpiry).length === 0 ? {} : { continueExpiry }),
    ...(Object.keys(fault).length === 0 ? {} : { faults: fault }),
    ...(ui === undefined ? {} : { static: ui }),
  });
  const served = servedWithObjects(server);
  // The inspector is more telling with live changes: one a second unless --tick-ms says otherwise.
  const tickMs = n('tick-ms') ?? (ui === undefined ? undefined : 1000);
  let tick: ReturnType<typeof setInterval> | undefined;
  const ticked = served[0];
  if (tickMs !== undefined && tickMs > 0 && ticked !== undefined) {
    // Live changes: touch the stored objects of the first served resource (Pods when there are any) one after another, deterministic order.
    let i = 0;
    tick = setInterval(() => {
      const current = server.store.list(storeKey(ticked));
      const object = current[i++ % Math.max(current.length, 1)];
      if (object !== undefined) {
        server.append('MODIFIED', { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, 'watchwire/tick': String(i) } } });
      }
    }, tickMs);
  }
  if (values.kubeconfig !== undefined) writeFileSync(values.kubeconfig, kubeconfigFor(server.url));
  process.stdout.write(banner(server, served, values.kubeconfig) + (ui === undefined ? '' : `  ui:    ${server.url}/  (the inspector: watch in each format, compare their cost)\n`));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (tick !== undefined) clearInterval(tick);
  await server.close();
}

/** The resources that have objects, Pods first (an empty `pods` is served but not worth a URL). */
function servedWithObjects(server: ReplayServer): ResourceInfo[] {
  const withObjects = [...server.store.resources.values()].filter((info) => server.store.list(storeKey(info)).length > 0);
  return withObjects.sort((a, b) => Number(isPods(b)) - Number(isPods(a)));
}

function isPods(info: ResourceInfo): boolean {
  return info.group === '' && info.resource === 'pods';
}

function storeKey(info: ResourceInfo): string {
  return `${info.group}/${info.resource}`;
}

function collectionUrl(base: string, info: ResourceInfo): string {
  return `${base}${info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`}/${info.resource}`;
}

/** What `kubectl get` calls the resource: `pods`, `deployments.apps`. */
function kubectlName(info: ResourceInfo): string {
  return info.group === '' ? info.resource : `${info.resource}.${info.group}`;
}

/**
 * The start-up lines: the address, one LIST and WATCH URL per resource with
 * objects, and the commands to try with watchwire and kubectl.
 * `--kubeconfig=/dev/null` keeps the user's own kubeconfig (and its
 * credentials) out of requests to this plain-http server.
 */
export function banner(server: Pick<ReplayServer, 'url' | 'resourceVersion'>, served: readonly ResourceInfo[], kubeconfig?: string): string {
  const lines = [`watchwire: replay server on ${server.url} (resourceVersion ${server.resourceVersion})`];
  for (const info of served) {
    const url = collectionUrl(server.url, info);
    lines.push(`  list:    ${url}`, `  watch:   ${url}?watch=1`);
  }
  if (served.length === 0) lines.push('  (no objects: give --pods N or --events FILE)');
  const first = served[0];
  if (first !== undefined) {
    const scope = first.namespaced ? ' -A' : '';
    lines.push(`  try:     watchwire watch ${collectionUrl(server.url, first)}`);
    lines.push(`  kubectl: kubectl --kubeconfig=/dev/null --server=${server.url} get ${kubectlName(first)}${scope} -w`);
    if (kubeconfig !== undefined) lines.push(`           KUBECONFIG=${kubeconfig} kubectl get ${kubectlName(first)}${scope}`);
  }
  return lines.join('\n') + '\n';
}

/** A kubeconfig for the server: plain http, no credentials. */
export function kubeconfigFor(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: watchwire',
    '  cluster:',
    `    server: ${url}`,
    // client-node refuses plain http unless this is set; kubectl and the Python client accept it either way.
    '    insecure-skip-tls-verify: true',
    'contexts:',
    '- name: watchwire',
    '  context:',
    '    cluster: watchwire',
    '    namespace: default',
    'current-context: watchwire',
    'users: []',
    '',
  ].join('\n');
}
