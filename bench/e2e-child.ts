/**
 * The client side of the end-to-end suite, in its own process so its peak RSS
 * is its own: watchwire's `watch()` client against the replay server.
 *
 * argv: JSON {url, from, quick, concurrent, perWatch, formats, expected, expectedFirst}
 * Prints one line: marker + JSON {figures, concurrent}.
 */
import { type WatchEvent, watch } from 'watchwire';
import { type Figure, FULL_TIMING, QUICK_TIMING, Tally, measureAsync, runInRounds } from './harness.js';

interface Params {
  url: string;
  from: string;
  quick: boolean;
  concurrent: number;
  perWatch: number;
  formats: string[];
  expected: { count: number; sum: number };
  expectedFirst: { count: number; sum: number };
  bytes: Record<string, number>;
}

export const E2E_MARK = '@@watchwire-e2e@@';
const params = JSON.parse(process.argv[2]!) as Params;
const timing = params.quick ? QUICK_TIMING : FULL_TIMING;
const SUITE = 'end to end (replay server, loopback HTTP)';

/** One watch from the start of history, ending after `limit` events; returns the tally. */
async function oneWatch(format: string, limit: number, tally: Tally): Promise<void> {
  const controller = new AbortController();
  const w = watch({ url: `${params.url}/api/v1/pods`, resourceVersion: params.from, formats: [format], allowWatchBookmarks: false, signal: controller.signal });
  let n = 0;
  for await (const event of w as AsyncIterable<WatchEvent>) {
    tally.add(event.type, event.object);
    if (++n === limit) break;
  }
  controller.abort();
}

const tally = new Tally();
const jobs = params.formats.map((format) => () =>
  measureAsync(SUITE, `one watch, watchwire watch() client, ${format}`, { events: params.expected.count, bytes: params.bytes[format] ?? 0 }, timing, async () => {
    tally.reset();
    await oneWatch(format, params.expected.count, tally);
    tally.check(params.expected, `one watch (${format})`);
  }),
);
const figures: Figure[] = await runInRounds(jobs, timing.rounds);

// Many concurrent watches: each takes the first `perWatch` events; events/s over all, peak RSS above idle.
(globalThis as { gc?: () => void }).gc?.();
await new Promise((r) => setTimeout(r, 200));
const runs: { seconds: number; peakAbove: number }[] = [];
const baseline = process.memoryUsage.rss();
for (let rep = 0; rep < (params.quick ? 1 : 3); rep++) {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  const tallies = Array.from({ length: params.concurrent }, () => new Tally());
  await Promise.all(tallies.map((t) => oneWatch('json', params.perWatch, t)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  tallies.forEach((t, i) => t.check(params.expectedFirst, `concurrent watch ${i}`));
  runs.push({ seconds, peakAbove: peak - baseline });
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 200));
}
process.stdout.write(`${E2E_MARK}${JSON.stringify({ figures, concurrent: { watches: params.concurrent, perWatch: params.perWatch, baseline, runs } })}\n`);
process.exit(0);
