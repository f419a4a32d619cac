/**
 * The informer: time to sync N realistic Pods (~10 KB, managedFields
 * included) from watchwire's replay server (in a child process) per format,
 * by watch-list and by paged LIST; and heap bytes per cached Pod, as
 * stored, with a transform that drops metadata.managedFields, and with
 * `dropFields` (the decoder's field selection). Every timed sync checks the
 * store holds N Pods and the last one is the server's.
 *
 * Registered in bench/run.ts by one line; runs in a full run and with
 * `--only=informer` (N = 10 000; `--quick`: 1 000).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type KubeObject, createInformer, createRegistry } from 'watchwire';
import { type Figure, type Timing, measureAsync, unavailable } from '../harness.js';
import type { Report } from '../report.js';

export const INFORMER_SUITE = 'informer sync (replay server, loopback HTTP)';
const here = fileURLToPath(new URL('..', import.meta.url));
const FORMATS = ['json', 'protobuf', 'cbor'] as const;

interface Server {
  url: string;
  close(): Promise<void>;
}

async function startServer(pods: number): Promise<Server> {
  const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', 'suites/informer-server.ts', String(pods)], { cwd: here, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`informer server child exited with ${code}`)));
  });
  return {
    url: line.split(' ')[1]!,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/** GC until the heap stops shrinking, with turns of the event loop between (closed sockets and streams free their objects late). */
async function settledHeap(): Promise<number> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('heap per cached Pod needs --expose-gc (npm run bench passes it)');
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    collect();
    await new Promise((r) => setTimeout(r, 20));
    const used = process.memoryUsage().heapUsed;
    if (used > last - 64 * 1024 && i >= 2) return used;
    last = used;
  }
  return last;
}

/** fetch that notes the Content-Type of every LIST response (a server may answer JSON to a protobuf LIST). */
function recordingFetch(seen: Set<string>): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).includes('watch=')) seen.add((response.headers.get('content-type') ?? '').split(';')[0]!);
    return response;
  };
}

/** client-node's informer on the loopback server: `makeInformer(kc, path, () => api.listPodForAllNamespaces())`. */
async function clientNodeInformer(baseUrl: string): Promise<() => { start(): Promise<void>; stop(): Promise<void>; list(): unknown[] }> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: baseUrl, skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  const api = kc.makeApiClient(k8s.CoreV1Api);
  return () => k8s.makeInformer(kc, '/api/v1/pods', () => api.listPodForAllNamespaces()) as unknown as { start(): Promise<void>; stop(): Promise<void>; list(): unknown[] };
}

export async function runInformerSuite(timing: Timing, quick: boolean): Promise<{ figures: Figure[]; notes: string[]; heap: { variant: string; bytesPerPod: number }[] }> {
  const pods = quick ? 1_000 : 10_000;
  const registry = createRegistry();
  const server = await startServer(pods);
  const url = `${server.url}/api/v1/pods`;
  const figures: Figure[] = [];
  const notes: string[] = [];
  const heap: { variant: string; bytesPerPod: number }[] = [];
  let lastName: string | undefined;
  const sync = async (options: { format: string; watchList: boolean; listFormats?: string[]; seen?: Set<string>; transform?: (o: KubeObject) => KubeObject; dropFields?: string[] }) => {
    const informer = createInformer({
      url,
      registry,
      formats: [options.format],
      watchList: options.watchList,
      pageSize: 500,
      ...(options.listFormats === undefined ? {} : { listFormats: options.listFormats }),
      ...(options.seen === undefined ? {} : { fetch: recordingFetch(options.seen) }),
      ...(options.transform === undefined ? {} : { transform: options.transform }),
      ...(options.dropFields === undefined ? {} : { dropFields: options.dropFields }),
      limits: { maxFrameBytes: 64 * 1024 * 1024 },
    });
    await informer.start();
    if (informer.size !== pods) throw new Error(`informer holds ${informer.size} Pods, expected ${pods}`);
    const last = informer.list().at(-1)?.metadata?.name;
    lastName ??= last;
    if (last !== lastName) throw new Error(`last Pod ${last}, expected ${lastName}`);
    return informer;
  };
  try {
    for (const format of FORMATS) {
      for (const watchList of [true, false]) {
        const seen = new Set<string>();
        const name = `sync ${pods.toLocaleString('en-US')} Pods, ${format}, ${watchList ? 'watch-list' : 'paged LIST (limit 500)'}`;
        const figure = await measureAsync(INFORMER_SUITE, name, { events: pods, bytes: 0 }, timing, async () => {
          const informer = await sync({ format, watchList, seen });
          informer.stop();
          await informer.done;
        });
        const answered = [...seen].filter(Boolean);
        if (!watchList && answered.length > 0) figure.note = `LIST answered as ${answered.join(', ')}`;
        figures.push(figure);
      }
    }
    // YAML: a server lists in it (no server streams it), so only the LIST path.
    const probe = await fetch(`${url}?limit=1`, { headers: { accept: 'application/yaml' } });
    await probe.arrayBuffer();
    if (probe.ok && (probe.headers.get('content-type') ?? '').includes('yaml')) {
      // One timed sync, not a Benchmark.js series: js-yaml reads about 200 Pods/s here, a series would take minutes.
      const t0 = performance.now();
      const informer = await sync({ format: 'json', listFormats: ['yaml'], watchList: false });
      const seconds = (performance.now() - t0) / 1000;
      informer.stop();
      await informer.done;
      const figure: Figure = {
        suite: INFORMER_SUITE,
        name: `sync ${pods.toLocaleString('en-US')} Pods, yaml paged LIST (limit 500), json watch`,
        events: pods,
        bytes: 0,
        hz: 1 / seconds,
        rme: 0,
        samples: 1,
        mean: seconds,
        note: 'one timed sync (js-yaml)',
      };
      process.stderr.write(`  ${INFORMER_SUITE} / ${figure.name}: ${Math.round(pods / seconds).toLocaleString('en-US')} events/s (one sync)\n`);
      figures.push(figure);
    } else {
      figures.push(unavailable(INFORMER_SUITE, 'sync, yaml paged LIST', `the replay server answers a YAML LIST with HTTP ${probe.status} ${probe.headers.get('content-type') ?? ''}`));
    }

    const clientNode = await clientNodeInformer(server.url);
    // Heap per cached Pod: heapUsed after GC with the informer synced, minus before, over the Pods.
    const dropManagedFields = (o: KubeObject): KubeObject => {
      const { managedFields: _m, ...metadata } = o.metadata ?? {};
      return { ...o, metadata };
    };
    const variants: { variant: string; format: string; transform?: (o: KubeObject) => KubeObject; dropFields?: string[]; peer?: true }[] = [
      { variant: 'json, as decoded', format: 'json' },
      { variant: 'json, transform drops managedFields', format: 'json', transform: dropManagedFields },
      { variant: "json, dropFields: ['metadata.managedFields']", format: 'json', dropFields: ['metadata.managedFields'] },
      { variant: 'protobuf, as decoded', format: 'protobuf' },
      { variant: 'protobuf, transform drops managedFields', format: 'protobuf', transform: dropManagedFields },
      { variant: 'client-node makeInformer (json, typed objects)', format: 'json', peer: true },
    ];
    // In its own async function: a suspended frame keeps stale registers, so the informer of one
    // variant, held by the loop's frame, would still be alive while the next one's baseline is taken.
    const measure = async (v: (typeof variants)[number]): Promise<{ before: number; after: number }> => {
      const before = await settledHeap();
      if (v.peer === true) {
        const informer = clientNode();
        await informer.start();
        const after = await settledHeap();
        await informer.stop();
        return { before, after };
      }
      const informer = await sync({ format: v.format, watchList: true, ...(v.transform ? { transform: v.transform } : {}), ...(v.dropFields ? { dropFields: v.dropFields } : {}) });
      const after = await settledHeap();
      informer.stop();
      await informer.done;
      return { before, after };
    };
    for (const v of variants) {
      const { before, after } = await measure(v);
      const bytesPerPod = Math.round((after - before) / pods);
      heap.push({ variant: v.variant, bytesPerPod });
      process.stderr.write(`  ${INFORMER_SUITE} / heap per cached Pod, ${v.variant}: ${bytesPerPod.toLocaleString('en-US')} bytes (heap ${(before / 2 ** 20).toFixed(1)} -> ${(after / 2 ** 20).toFixed(1)} MiB)\n`);
    }
    // Last: a stopped client-node informer stays reachable (its whole cache), which would weigh on every heap figure after it.
    // The peer: client-node's makeInformer as its README shows it (listFn = the typed LIST call: one unpaged JSON LIST, then a watch).
    figures.push(
      await measureAsync(INFORMER_SUITE, `sync ${pods.toLocaleString('en-US')} Pods, client-node 2.0.1 makeInformer (listPodForAllNamespaces, json)`, { events: pods, bytes: 0 }, timing, async () => {
        const informer = clientNode();
        await informer.start();
        const size = informer.list().length;
        await informer.stop();
        if (size !== pods) throw new Error(`client-node informer holds ${size} Pods, expected ${pods}`);
      }),
    );
    notes.push(
      `Informer: ${pods.toLocaleString('en-US')} Pods of ~10 KB (managedFields included) from the replay server in a child process; each sync creates an informer, waits for synced, checks the count and the last Pod, stops it. Heap per cached Pod = heapUsed after GCs (repeated until it stops shrinking) with one synced informer alive, minus before, divided by the Pods (the server is another process): ${heap.map((h) => `${h.variant}: ${h.bytesPerPod.toLocaleString('en-US')} bytes`).join('; ')}.`,
    );
  } finally {
    await server.close();
  }
  return { figures, notes, heap };
}

/** The one call bench/run.ts makes: runs the suite when asked (`--only=informer`) or in a run of every suite, adds to the report. */
export async function addInformerSuite(report: Report, only: ReadonlySet<string>, allSuites: readonly string[], timing: Timing): Promise<void> {
  if (!only.has('informer') && !allSuites.every((s) => only.has(s))) return;
  process.stderr.write('informer: sync time and heap per cached Pod\n');
  const { figures, notes, heap } = await runInformerSuite(timing, report.mode === 'quick');
  report.figures.push(...figures);
  report.notes.push(...notes);
  for (const format of ['json', 'protobuf']) {
    const plain = heap.find((h) => h.variant === `${format}, as decoded`);
    const dropped = heap.find((h) => h.variant === `${format}, transform drops managedFields`);
    if (plain && dropped) {
      report.ratios.push({ what: `informer heap per cached Pod (${format}), managedFields dropped by transform / kept`, value: dropped.bytesPerPod / plain.bytesPerPod, baseline: `${plain.bytesPerPod} bytes per Pod as decoded (${dropped.bytesPerPod} dropped)` });
    }
  }
  const byName = (needle: string) => figures.find((f) => f.name.includes(needle) && f.unavailable === undefined);
  const peer = byName('client-node');
  const peerHeap = heap.find((h) => h.variant.startsWith('client-node'));
  const ownHeap = heap.find((h) => h.variant === 'json, as decoded');
  for (const row of figures.filter((f) => f.unavailable === undefined && !f.name.includes('client-node') && !f.name.includes('yaml'))) {
    if (peer !== undefined) report.ratios.push({ what: `informer ${row.name.replace(/^sync [\d,]+ Pods, /, '')} vs client-node makeInformer: sync time`, value: row.mean / peer.mean, baseline: `client-node ${(peer.mean * 1000).toFixed(0)} ms, watchwire ${(row.mean * 1000).toFixed(0)} ms` });
  }
  if (peerHeap && ownHeap) report.ratios.push({ what: 'informer heap per cached Pod (json, as decoded) vs client-node makeInformer', value: ownHeap.bytesPerPod / peerHeap.bytesPerPod, baseline: `client-node ${peerHeap.bytesPerPod} bytes per Pod, watchwire ${ownHeap.bytesPerPod}` });
  for (const format of FORMATS) {
    const wl = byName(`, ${format}, watch-list`);
    const list = byName(`, ${format}, paged LIST`);
    if (wl && list) report.ratios.push({ what: `informer sync ${format}: watch-list time / paged LIST time`, value: wl.mean / list.mean, baseline: `paged LIST ${(list.mean * 1000).toFixed(0)} ms, watch-list ${(wl.mean * 1000).toFixed(0)} ms` });
  }
}
