/**
 * The client side of the end-to-end suite, in its own process so its peak RSS
 * is its own: watchwire's `watch()` client against the replay server, over
 * each transport (the global fetch, and nodeFetch from watchwire/node).
 *
 * argv: JSON {url, from, quick, concurrent, perWatch, formats, expected, expectedFirst, expectedLast, expectedFirstLast}
 * Prints one line: marker + JSON {figures, concurrent}.
 */
import { type FetchLike, type WatchEvent, watch } from 'watchwire';
import { nodeFetch } from 'watchwire/node';
import { type Figure, FULL_TIMING, QUICK_TIMING, Tally, measureAsync, runInRounds } from './harness.js';
import { canonical } from './materialise.js';
import { CpuPerEvent } from './peers/cpu.js';

interface Params {
  url: string;
  from: string;
  quick: boolean;
  concurrent: number;
  perWatch: number;
  formats: string[];
  expected: { count: number; sum: number };
  expectedFirst: { count: number; sum: number };
  /** canonical() of the last object of the whole history, and of the first perWatch events. */
  expectedLast: string;
  expectedFirstLast: string;
  bytes: Record<string, number>;
}

type Transport = 'fetch' | 'nodeFetch';
const TRANSPORTS: Record<Transport, FetchLike> = { fetch: (input, init) => fetch(input, init), nodeFetch };

export const E2E_MARK = '@@watchwire-e2e@@';
const params = JSON.parse(process.argv[2]!) as Params;
const timing = params.quick ? QUICK_TIMING : FULL_TIMING;
const SUITE = 'end to end (replay server, loopback HTTP)';

/** One watch from the start of history, ending after `limit` events; adds them to the tally, returns the last object. */
async function oneWatch(format: string, limit: number, tally: Tally, transport: Transport, onEvent?: () => void): Promise<unknown> {
  const controller = new AbortController();
  const w = watch({ url: `${params.url}/api/v1/pods`, resourceVersion: params.from, formats: [format], allowWatchBookmarks: false, signal: controller.signal, fetch: TRANSPORTS[transport] });
  let n = 0;
  let last: unknown;
  for await (const event of w as AsyncIterable<WatchEvent>) {
    tally.add(event.type, event.object);
    last = event.object;
    onEvent?.();
    if (++n === limit) break;
  }
  controller.abort();
  return last;
}

function checkLast(last: unknown, expected: string, what: string): void {
  if (canonical(last) !== expected) throw new Error(`${what}: the last object delivered differs from the server's last change`);
}

const tally = new Tally();
// json over both transports (the transport's own cost shows there); the binary formats over nodeFetch.
const rows: { format: string; transport: Transport }[] = [
  ...params.formats.map((format) => ({ format, transport: 'nodeFetch' as const })),
  ...(params.formats.includes('json') ? [{ format: 'json', transport: 'fetch' as const }] : []),
];
const cpuOf = new Map<string, CpuPerEvent>();
const jobs = rows.map(({ format, transport }) => {
  const name = `one watch, watchwire watch() client over ${transport}, ${format}`;
  const cpu = new CpuPerEvent();
  cpuOf.set(name, cpu);
  return async () => {
    cpu.startRound();
    const figure = await measureAsync(SUITE, name, { events: params.expected.count, bytes: params.bytes[format] ?? 0 }, timing, async () => {
      tally.reset();
      const started = process.cpuUsage();
      const last = await oneWatch(format, params.expected.count, tally, transport);
      cpu.add(process.cpuUsage(started), params.expected.count);
      tally.check(params.expected, `one watch (${format}, ${transport})`);
      checkLast(last, params.expectedLast, `one watch (${format}, ${transport})`);
    });
    cpu.endRound();
    return figure;
  };
});
const figures: Figure[] = await runInRounds(jobs, timing.rounds);
// CPU time of this process (the client only: the server runs in its own) is far less sensitive than wall time to a shared machine.
for (const figure of figures) figure.note = `${figure.note ?? ''}; client CPU ${cpuOf.get(figure.name)!.median().toFixed(1)} µs/event (median of rounds)`;

// Many concurrent watches: each takes the first `perWatch` events; events/s over all, peak RSS above idle.
// The transports alternate run by run (fetch, nodeFetch, fetch, ...), each run measured from the same idle baseline.
(globalThis as { gc?: () => void }).gc?.();
await new Promise((r) => setTimeout(r, 200));
const runs: Record<Transport, { seconds: number; peakAbove: number; cpuMicrosPerEvent: number }[]> = { fetch: [], nodeFetch: [] };
const baseline = process.memoryUsage.rss();
const idle = process.memoryUsage();
for (let rep = 0; rep < (params.quick ? 1 : 3); rep++) {
  for (const transport of (rep % 2 === 0 ? ['nodeFetch', 'fetch'] : ['fetch', 'nodeFetch']) as Transport[]) {
    let peak = process.memoryUsage.rss();
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const tallies = Array.from({ length: params.concurrent }, () => new Tally());
    const lasts = await Promise.all(tallies.map((t) => oneWatch('json', params.perWatch, t, transport)));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    tallies.forEach((t, i) => t.check(params.expectedFirst, `concurrent watch ${i} (${transport})`));
    lasts.forEach((last, i) => checkLast(last, params.expectedFirstLast, `concurrent watch ${i} (${transport})`));
    runs[transport].push({ seconds, peakAbove: peak - baseline, cpuMicrosPerEvent: (cpu.user + cpu.system) / (params.concurrent * params.perWatch) });
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
}
// Peak RSS counts garbage not yet collected as well as data held. One more run per transport, not
// timed, stops once halfway through the events for a full GC: what is still live then is what the
// client holds for its open watches.
const live: Partial<Record<Transport, { heap: number; buffers: number }>> = {};
const gc = (globalThis as { gc?: () => void }).gc;
if (gc !== undefined) {
  for (const transport of ['nodeFetch', 'fetch'] as Transport[]) {
    const half = Math.floor((params.concurrent * params.perWatch) / 2);
    let delivered = 0;
    const onEvent = (): void => {
      if (++delivered !== half) return;
      // Twice: after one, ArrayBuffers freed by it may still be counted (their sweeping finishes later).
      gc();
      gc();
      const m = process.memoryUsage();
      live[transport] = { heap: m.heapUsed - idle.heapUsed, buffers: m.external + m.arrayBuffers - idle.external - idle.arrayBuffers };
    };
    const tallies = Array.from({ length: params.concurrent }, () => new Tally());
    await Promise.all(tallies.map((t) => oneWatch('json', params.perWatch, t, transport, onEvent)));
    tallies.forEach((t, i) => t.check(params.expectedFirst, `concurrent watch ${i} (${transport}, live run)`));
    gc();
    await new Promise((r) => setTimeout(r, 200));
  }
}
process.stdout.write(`${E2E_MARK}${JSON.stringify({ figures, concurrent: { watches: params.concurrent, perWatch: params.perWatch, baseline, runs, live } })}\n`);
process.exit(0);
