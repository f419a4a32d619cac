/**
 * Peak RSS while streaming a large watch (1 GiB in the full run) to a slow
 * consumer over loopback HTTP, in its own process so the baseline is clean.
 *
 * argv: <format> <totalBytes> [fetch|nodeFetch] ; prints one JSON line with the result.
 * The server writes the corpus again and again (views of one buffer, so the
 * server allocates nothing per write) and honours backpressure; the client is
 * watchwire's public API: fetch (or nodeFetch from watchwire/node) + decodeStream with default limits
 * (maxFrameBytes 16 MiB). The consumer sleeps 1 ms every 10 events, far
 * slower than loopback, so bytes pile up wherever something buffers without
 * bound.
 *
 * Peak RSS counts garbage the GC has not collected yet as well as data held.
 * To tell them apart, the run stops three times (at a quarter, half and three
 * quarters of the events) for a full GC (--expose-gc) and notes the JS heap
 * and ArrayBuffer memory still live above the baseline: what the client
 * retains. (1 GiB of protobuf over fetch, peak above idle without these
 * GCs 7.4 MiB, with them 12.2 MiB: within a run's noise.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LIMITS, createRegistry, decodeStream, encodeAll } from 'watchwire';
import { nodeFetch } from 'watchwire/node';
import { makeEvents, makePod } from './corpus.js';
import { chunk } from './materialise.js';

const [format = 'json', totalArg = String(1024 ** 3), transport = 'fetch'] = process.argv.slice(2);
const fetchFn = transport === 'nodeFetch' ? nodeFetch : (input: string) => fetch(input);
const total = Number(totalArg);
const codec = createRegistry().get(format);
const events = makeEvents(200, 0x5eed04, 'Pod', makePod).filter((e) => e.type !== 'BOOKMARK');
const unit = encodeAll(codec, events);
const repeats = Math.ceil(total / unit.length);
const pieces = chunk(unit, 64 * 1024).map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': codec.mediaType });
  const want = req.url?.includes('warmup') ? 1 : repeats;
  let round = 0;
  let i = 0;
  const write = (): void => {
    while (round < want) {
      if (res.destroyed) return;
      const ok = res.write(pieces[i++]!);
      if (i === pieces.length) {
        i = 0;
        round++;
      }
      if (!ok) {
        res.once('drain', write);
        return;
      }
    }
    res.end();
  };
  res.on('error', () => {});
  write();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/pods?watch=true`;

async function consume(url: string, slow: boolean, onSample: (n: number) => void): Promise<number> {
  const response = await fetchFn(url, {});
  let n = 0;
  for await (const event of decodeStream(response.body!, codec)) {
    if (event.object === undefined) throw new Error('bad event');
    n++;
    if (n % 10 === 0) {
      onSample(n);
      if (slow) await sleep(1);
    }
  }
  return n;
}

// Warm up (module loading, fetch's first connection, the JIT on the slow path) before the baseline.
for (let i = 0; i < 4; i++) await consume(`${base}&warmup=1`, i > 0, () => {});
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
await sleep(300);
gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
let atPeak = process.memoryUsage();
const baselineUsage = process.memoryUsage();
const sample = (): void => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) {
    peak = rss;
    atPeak = process.memoryUsage();
  }
};
const expected = repeats * events.length;
const liveAt = new Set([1, 2, 3].map((q) => Math.floor((expected * q) / 40) * 10));
let liveHeap = 0;
let liveBuffers = 0;
const sampleOrGc = (n: number): void => {
  sample();
  if (gc === undefined || !liveAt.has(n)) return;
  // Twice: after one, ArrayBuffers freed by it may still be counted (their sweeping finishes later).
  gc();
  gc();
  const m = process.memoryUsage();
  liveHeap = Math.max(liveHeap, m.heapUsed - baselineUsage.heapUsed);
  liveBuffers = Math.max(liveBuffers, m.external + m.arrayBuffers - baselineUsage.external - baselineUsage.arrayBuffers);
};
const timer = setInterval(sample, 10);
const started = performance.now();
const count = await consume(base, true, sampleOrGc);
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
sample();
server.close();
server.closeAllConnections();
if (count !== expected) throw new Error(`rss run: ${count} events, expected ${expected}`);
process.stdout.write(
  `${JSON.stringify({
    format,
    bytes: repeats * unit.length,
    events: count,
    seconds,
    baseline,
    peak,
    maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
    // Where the growth is at the peak: the JS heap (mostly garbage the GC has not yet collected) or buffers.
    heapGrowth: atPeak.heapTotal - baselineUsage.heapTotal,
    externalGrowth: atPeak.external + atPeak.arrayBuffers - baselineUsage.external - baselineUsage.arrayBuffers,
    // What is retained: the most left above the baseline after the forced GCs (undefined without --expose-gc).
    ...(gc === undefined ? {} : { liveHeapGrowth: liveHeap, liveBuffersGrowth: liveBuffers }),
  })}\n`,
);
if (gc !== undefined) {
  process.stderr.write(`  live after a forced GC (at 1/4, 1/2, 3/4 of the events), most above idle: JS heap ${(liveHeap / 2 ** 20).toFixed(1)} MiB, buffers ${(liveBuffers / 2 ** 20).toFixed(1)} MiB\n`);
}
