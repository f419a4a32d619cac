/**
 * A thin layer over Benchmark.js: every figure is one Benchmark run whose
 * `fn` does a whole unit of work (decode a corpus, frame an object, serve a
 * watch) and checks its own result; the figure is that unit's rate with
 * Benchmark.js's relative margin of error.
 */
import Benchmark from 'benchmark';

export interface Work {
  /** Events one cycle delivers (0 for framing-only work). */
  events: number;
  /** Bytes one cycle reads. */
  bytes: number;
}

export interface Figure extends Work {
  suite: string;
  name: string;
  /** Cycles per second. */
  hz: number;
  /** Benchmark.js relative margin of error, in percent. */
  rme: number;
  samples: number;
  /** Mean seconds per cycle. */
  mean: number;
  /**
   * Mean CPU seconds per cycle (user + system, process.cpuUsage; for a child
   * process, its own). On a shared machine wall time also counts the time the
   * process waited for a core; CPU time does not.
   */
  cpu?: number;
  note?: string;
  /** Set when the row could not be measured (codec not registered, peer missing, ...). */
  unavailable?: string;
}

export interface Timing {
  /** Benchmark.js maxTime per figure, seconds. */
  maxTime: number;
  minSamples: number;
  /** Rounds over a suite's rows (see runInRounds). */
  rounds: number;
}

export const FULL_TIMING: Timing = { maxTime: 2.5, minSamples: 4, rounds: 3 };
export const QUICK_TIMING: Timing = { maxTime: 0.4, minSamples: 2, rounds: 1 };

/** One row of a suite, measured when called. */
export type Job = () => Figure | Promise<Figure>;

/**
 * Runs a suite's rows `rounds` times, rotating their order each round, and
 * keeps for each row the round with the median rate. On a shared machine the
 * load drifts over a run; measuring every row in every round, interleaved,
 * keeps a drift from landing on one side of a ratio only.
 */
export async function runInRounds(jobs: readonly Job[], rounds: number): Promise<Figure[]> {
  const results: Figure[][] = jobs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < jobs.length; k++) {
      const j = (k + r) % jobs.length;
      results[j]!.push(await jobs[j]!());
    }
  }
  return results.map((figures) => {
    if (figures.length === 1 || figures[0]!.unavailable !== undefined) return figures[0]!;
    const sorted = [...figures].sort((a, b) => a.hz - b.hz);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const spread = figures.map((f) => Math.round(f.hz * Math.max(f.events, 1))).join(' / ');
    // CPU time: the median of the rounds on its own (not the wall-median round's).
    const cpus = figures.map((f) => f.cpu).filter((c): c is number => c !== undefined).sort((a, b) => a - b);
    if (cpus.length === figures.length) median.cpu = cpus[Math.floor(cpus.length / 2)]!;
    return { ...median, note: `median of ${figures.length} rounds (${median.events > 1 ? 'events/s' : 'ops/s'}: ${spread})` };
  });
}

function toFigure(suite: string, name: string, work: Work, bench: Benchmark): Figure {
  if (bench.error !== undefined) {
    const error = bench.error as unknown;
    throw new Error(`benchmark "${suite} / ${name}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  const stats = bench.stats;
  const figure: Figure = { suite, name, ...work, hz: bench.hz, rme: stats.rme, samples: stats.sample.length, mean: stats.mean };
  progress(figure);
  return figure;
}

/** Times a synchronous unit of work. `fn` must throw if its result is wrong. */
export function measureSync(suite: string, name: string, work: Work, timing: Timing, fn: () => void): Figure {
  // Outside the timer: a wrong result fails before any timing, and the JIT warms up
  // (3 runs, or fewer when one run takes over a second: YAML on the Pod corpus).
  const warmupStart = performance.now();
  for (let i = 0; i < 3 && (i === 0 || performance.now() - warmupStart < 1000); i++) fn();
  collectGarbage();
  let calls = 0;
  const counted = () => {
    calls++;
    fn();
  };
  const before = process.cpuUsage();
  const bench = new Benchmark(name, { fn: counted, maxTime: timing.maxTime, minSamples: timing.minSamples, async: false });
  bench.run({ async: false });
  return withCpu(toFigure(suite, name, work, bench), process.cpuUsage(before), calls);
}

/** The figure with its CPU time per cycle: `used` over the `calls` cycles Benchmark.js ran (its own overhead is in, and is tiny). */
function withCpu(figure: Figure, used: NodeJS.CpuUsage, calls: number): Figure {
  return calls === 0 ? figure : { ...figure, cpu: (used.user + used.system) / 1e6 / calls };
}

/** Times an asynchronous unit of work (a deferred Benchmark). `fn` must reject if its result is wrong. */
export async function measureAsync(suite: string, name: string, work: Work, timing: Timing, fn: () => Promise<void>): Promise<Figure> {
  for (let i = 0; i < 2; i++) await fn();
  collectGarbage();
  let failure: unknown;
  let calls = 0;
  const before = process.cpuUsage();
  const bench = new Benchmark(name, {
    defer: true,
    maxTime: timing.maxTime,
    minSamples: timing.minSamples,
    fn(deferred: Benchmark.Deferred) {
      calls++;
      fn().then(
        () => deferred.resolve(),
        (e: unknown) => {
          // Benchmark.js cannot reject a deferred: remember the error and stop.
          failure ??= e;
          bench.abort();
          deferred.resolve();
        },
      );
    },
  });
  await new Promise<void>((resolve) => {
    bench.on('complete', () => resolve());
    bench.on('abort', () => resolve());
    bench.run({ async: true });
  });
  if (failure !== undefined) {
    throw new Error(`benchmark "${suite} / ${name}" failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`);
  }
  return withCpu(toFigure(suite, name, work, bench), process.cpuUsage(before), calls);
}

/** Starts each figure with a clean heap when run with --expose-gc (npm run bench does). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Live progress on stderr, so a long run shows where it is. */
function progress(f: Figure): void {
  const rate = f.events > 1 ? `${Math.round(eventsPerSecond(f)).toLocaleString('en-US')} events/s` : `${(f.mean * 1000).toFixed(1)} ms/op`;
  process.stderr.write(`  ${f.suite} / ${f.name}: ${rate} ±${f.rme.toFixed(1)}% (${f.samples} samples)\n`);
}

/** A row for something that could not be measured in this run, with the reason. */
export function unavailable(suite: string, name: string, reason: string): Figure {
  return { suite, name, events: 0, bytes: 0, hz: 0, rme: 0, samples: 0, mean: 0, unavailable: reason };
}

export function eventsPerSecond(f: Figure): number {
  return f.hz * f.events;
}

/** Events per CPU second, when the figure has its CPU time. */
export function eventsPerCpuSecond(f: Figure): number | undefined {
  return f.cpu === undefined || f.cpu <= 0 ? undefined : f.events / f.cpu;
}

export function megabytesPerSecond(f: Figure): number {
  return (f.hz * f.bytes) / 1e6;
}

/** FNV-1a over a string: the checksum of event names every benchmark verifies. */
export function fnv1a(text: string, hash = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Counts what a decoder delivers and folds each event's type and name into a
 * checksum, so a benchmark that decodes nothing, drops events or garbles
 * names fails instead of looking fast.
 */
export class Tally {
  count = 0;
  sum = 0;
  add(type: string, object: { metadata?: { name?: string; resourceVersion?: string } } | undefined): void {
    this.count++;
    const meta = object?.metadata;
    this.sum = (this.sum + fnv1a(meta?.name ?? meta?.resourceVersion ?? '', fnv1a(type))) >>> 0;
  }
  reset(): void {
    this.count = 0;
    this.sum = 0;
  }
  /** Throws unless the tally matches `expected`. */
  check(expected: { count: number; sum: number }, what: string): void {
    if (this.count !== expected.count || this.sum !== expected.sum) {
      throw new Error(
        `${what}: got ${this.count} events (checksum ${this.sum.toString(16)}), expected ${expected.count} (checksum ${expected.sum.toString(16)})`,
      );
    }
  }
}
