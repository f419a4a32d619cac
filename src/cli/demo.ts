import { Watch, type WatchSignal } from '../client/watch.js';
import { createRegistry } from '../formats/index.js';
import { startReplayServer } from '../server/index.js';
import { sampleEvents } from './sample.js';
import { eventLine, signalLine, statsLine } from './watch.js';

/** Signals worth showing in the demo (the others carry timings and would make the output vary). */
const SHOWN: ReadonlySet<WatchSignal['type']> = new Set(['connected', 'resumed', 'expired', 'relist']);

/**
 * `watchwire demo` (`npm start`): for each format the server can stream,
 * starts the replay server on a free loopback port, watches it through
 * negotiation (Accept → Content-Type → codec), has the server drop the
 * first connection in the middle of a frame, resumes from the last
 * resourceVersion, receives two live changes, and prints every event and a
 * stats line. Needs no cluster; the event lines are the same on every run.
 */
export async function demoCommand(): Promise<void> {
  const registry = createRegistry();
  const formats = registry.list().filter((c) => c.servable && c.name !== 'json-documents');
  const history = sampleEvents();
  const changes = history.filter((e) => e.type !== 'BOOKMARK').length;
  for (const codec of formats) {
    const server = await startReplayServer({
      registry,
      events: history,
      initialResourceVersion: 1000,
      bookmarkIntervalMs: 3_600_000,
      // The first watch is cut in the middle of its fourth frame; the client must resume without loss.
      faults: (request) => (request.kind === 'watch' && request.index === 0 ? { dropAfterEvents: 3 } : undefined),
    });
    const controller = new AbortController();
    const started = performance.now();
    let contentType = '';
    const w = new Watch({
      url: `${server.url}/api/v1/namespaces/demo/pods`,
      registry,
      formats: [codec.name],
      resourceVersion: '1000',
      signal: controller.signal,
      backoff: { initialMs: 20, random: () => 0.5 },
      stallTimeoutMs: 5_000,
      onSignal: (signal) => {
        if (signal.type === 'connected') contentType = signal.contentType;
        if (SHOWN.has(signal.type)) process.stdout.write(`  # ${signalLine(signal)!}\n`);
      },
    });
    process.stdout.write(`# ${codec.name}: ${server.url}, Accept: ${w.acceptHeader}\n`);
    let received = 0;
    const expected = changes + 2;
    const deadline = setTimeout(() => controller.abort(), 10_000);
    try {
      for await (const event of w) {
        process.stdout.write(`  ${eventLine(event)}`);
        received++;
        if (received === changes) {
          // Caught up with the history: now two live changes.
          const web0 = server.store.get('/pods', 'demo', 'web-0')!;
          server.append('MODIFIED', { ...web0, status: { ...(web0.status as object), phase: 'Succeeded' } });
          server.append('DELETED', web0);
        }
        if (received === expected) break;
      }
    } finally {
      clearTimeout(deadline);
      await server.close();
    }
    if (received !== expected) throw new Error(`demo: ${codec.name} received ${received} of ${expected} events`);
    process.stdout.write(statsLine(w.stats, performance.now() - started, { format: codec.name, contentType }) + '\n');
  }
  await kubectlView(registry, history);
  process.stdout.write(
    '\nNext: npx watchwire serve --ui shows a watch in the browser, every format side by side.\n' +
      '      npx watchwire serve prints the kubectl command line to try against it, e.g.\n' +
      '      kubectl --kubeconfig=/dev/null --server=http://127.0.0.1:PORT get pods -A -w\n',
  );
}

/** kubectl's Accept for `get`: the server-side Table, with plain JSON as the fallback. */
const KUBECTL_GET_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/**
 * What `kubectl get pods -n demo` prints against the same server: the
 * request kubectl sends (its Accept asks for a server-side Table) and the
 * columns it prints from the answer, laid out as kubectl does (3 spaces
 * apart, priority-0 columns only).
 */
async function kubectlView(registry: ReturnType<typeof createRegistry>, history: ReturnType<typeof sampleEvents>): Promise<void> {
  const server = await startReplayServer({ registry, events: history, initialResourceVersion: 1000 });
  try {
    const response = await fetch(`${server.url}/api/v1/namespaces/demo/pods?limit=500`, { headers: { accept: KUBECTL_GET_ACCEPT } });
    const table = (await response.json()) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
    const shown = table.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => c.priority === 0);
    const grid = [shown.map((c) => c.name.toUpperCase()), ...table.rows.map((r) => shown.map((c) => String(r.cells[c.i] ?? '')))];
    const widths = shown.map((_, col) => Math.max(...grid.map((line) => line[col]!.length)));
    process.stdout.write(`\nkubectl get pods -n demo: GET /api/v1/namespaces/demo/pods?limit=500, Accept: ${KUBECTL_GET_ACCEPT}\n`);
    process.stdout.write(`  -> ${response.status} ${response.headers.get('content-type') ?? ''}, printed by kubectl as:\n`);
    for (const line of grid) process.stdout.write(`  ${line.map((cell, col) => (col === line.length - 1 ? cell : cell.padEnd(widths[col]! + 3))).join('')}\n`);
  } finally {
    await server.close();
  }
}
