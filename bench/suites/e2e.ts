/**
 * End to end over loopback HTTP against watchwire's replay server (run in a
 * child process, loaded with the Pod corpus): watchwire's `watch()` client,
 * one watch per format, then many concurrent watches (events/s over all of
 * them and peak RSS of the client process above its idle baseline). The
 * client runs in a child process too, so its RSS is its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Figure, Timing } from '../harness.js';
import { Tally, unavailable } from '../harness.js';
import { type Corpus, canonical } from '../materialise.js';

export const E2E_SUITE = 'end to end (replay server, loopback HTTP)';
const E2E_MARK = '@@watchwire-e2e@@';
const here = fileURLToPath(new URL('..', import.meta.url));

/** Is the replay server exported (watchwire/server)? */
async function replayAvailable(): Promise<boolean> {
  try {
    const mod = (await import('watchwire/server')) as { startReplayServer?: unknown };
    return typeof mod.startReplayServer === 'function';
  } catch {
    return false;
  }
}

function tallyOf(events: Corpus['events']): { count: number; sum: number } {
  const t = new Tally();
  for (const e of events) t.add(e.type, e.object);
  return { count: t.count, sum: t.sum };
}

function withResourceVersion(object: Corpus['events'][number]['object'], resourceVersion: number): unknown {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(resourceVersion) } };
}

export interface E2eResult {
  figures: Figure[];
  notes: string[];
  /** Peak RSS above idle of the client process during the concurrent watches, bytes (worst run). */
  concurrentPeak?: { watches: number; bytes: number };
}

export async function runE2eSuite(corpus: Corpus, timing: Timing, options: { concurrent: number; quick: boolean }): Promise<E2eResult> {
  const concurrentName = (transport: string): string => `${options.concurrent} concurrent watches, watchwire watch() client over ${transport}, json`;
  if (!(await replayAvailable())) {
    const reason = 'not available: watchwire/server (startReplayServer) is not built';
    return { figures: [unavailable(E2E_SUITE, 'one watch', reason), unavailable(E2E_SUITE, concurrentName('nodeFetch'), reason)], notes: [] };
  }
  const server = spawn(process.execPath, ['--import', 'tsx', 'replay-child.ts', ...(options.quick ? ['--quick'] : [])], {
    cwd: here,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: server.stdout! });
      lines.once('line', resolve);
      server.once('exit', (code) => reject(new Error(`replay server child exited with ${code}`)));
    });
    const [, url, from] = first.split(' ');
    const changes = corpus.events.filter((e) => e.type !== 'BOOKMARK');
    const perWatch = Math.min(100, changes.length);
    const formats = ['json', 'protobuf', 'cbor'].filter((f) => corpus.formats.has(f as 'json'));
    const params = {
      url,
      from,
      quick: options.quick,
      concurrent: options.concurrent,
      perWatch,
      formats,
      expected: tallyOf(changes),
      expectedFirst: tallyOf(changes.slice(0, perWatch)),
      // The server stamps change k (from 0) with resourceVersion from + 1 + k; the rest of the object is the corpus's.
      expectedLast: canonical(withResourceVersion(changes.at(-1)!.object, Number(from) + changes.length)),
      expectedFirstLast: canonical(withResourceVersion(changes[perWatch - 1]!.object, Number(from) + perWatch)),
      bytes: Object.fromEntries(formats.map((f) => [f, corpus.formats.get(f as 'json')!.bytes.length])),
    };
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'e2e-child.ts', JSON.stringify(params)], {
      cwd: here,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith(E2E_MARK));
    if (child.status !== 0 || line === undefined) throw new Error(`end-to-end child failed (status ${child.status}): ${child.stdout.slice(-2000)}`);
    const result = JSON.parse(line.slice(E2E_MARK.length)) as {
      figures: Figure[];
      concurrent: {
        watches: number;
        perWatch: number;
        baseline: number;
        runs: Record<string, { seconds: number; peakAbove: number; cpuMicrosPerEvent: number }[]>;
        /** Above idle after a full GC halfway through a separate run: what the client retains (peak RSS counts garbage too). */
        live?: Record<string, { heap: number; buffers: number } | undefined>;
      };
    };
    const figures: Figure[] = [...result.figures];
    const peaks: Record<string, number> = {};
    for (const [transport, runs] of Object.entries(result.concurrent.runs)) {
      const times = runs.map((r) => r.seconds);
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      // Relative margin of error as Benchmark.js computes it (Student's t, 95 %), over the repetitions.
      const T95: Record<number, number> = { 1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776 };
      const sd = times.length > 1 ? Math.sqrt(times.reduce((a, t) => a + (t - mean) ** 2, 0) / (times.length - 1)) : 0;
      const rme = times.length > 1 ? ((sd / Math.sqrt(times.length)) * (T95[times.length - 1] ?? 2) * 100) / mean : 0;
      const peak = Math.max(...runs.map((r) => r.peakAbove));
      peaks[transport] = peak;
      const live = result.concurrent.live?.[transport];
      const liveNote = live === undefined ? '' : `; live after a forced GC halfway (a separate run): JS heap ${(live.heap / 2 ** 20).toFixed(0)} MiB + buffers ${(live.buffers / 2 ** 20).toFixed(0)} MiB above idle`;
      figures.push({
        suite: E2E_SUITE,
        name: concurrentName(transport),
        events: result.concurrent.watches * perWatch,
        bytes: Math.round((corpus.formats.get('json')!.bytes.length * perWatch) / corpus.events.length) * result.concurrent.watches,
        hz: 1 / mean,
        rme,
        samples: runs.length,
        mean,
        note: `${perWatch} events per watch; ${runs.length} run(s): ${times.map((t) => `${t.toFixed(2)} s`).join(' / ')}; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB above idle (${(result.concurrent.baseline / 2 ** 20).toFixed(0)} MiB); client CPU ${runs.map((r) => r.cpuMicrosPerEvent.toFixed(0)).join(' / ')} µs/event${liveNote}`,
      });
    }
    const peak = peaks.nodeFetch ?? Math.max(...Object.values(peaks));
    return {
      figures,
      notes: [
        `End to end: the replay server runs in its own process with the Pod corpus (${changes.length} changes; bookmarks are not stored); each "one watch" cycle watches from the start of that history until every change has arrived, and checks the count, a checksum of types and names, and the last object (whole); the concurrent runs open ${options.concurrent} watches at once, each ending after its first ${perWatch} events, alternating the transports (the global fetch; nodeFetch from watchwire/node, node:http). Peak RSS counts garbage not yet collected as well as data held: a last, untimed run per transport stops halfway for a full GC and notes what is still live. Server and client share this machine's ${2} cores.`,
      ],
      concurrentPeak: { watches: result.concurrent.watches, bytes: peak },
    };
  } finally {
    server.stdin!.end();
    server.kill();
  }
}
