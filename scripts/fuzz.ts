/**
 * `npm run fuzz`: the hostile-input harness of the test suite
 * (test/helpers/fuzz.ts), time-boxed and with a fresh seed.
 *
 *   npm run fuzz                                 # 15 minutes over json, yaml, protobuf, cbor
 *   npm run fuzz -- --minutes 4 --format cbor    # one format (repeat --format, or a,b)
 *   npm run fuzz -- --seed 1234                  # replay a run's cases
 *
 * The minutes are shared between the formats, one after the other. Each
 * format runs in --jobs worker threads (default 2, one per core here), so a
 * case that hangs can be caught: the
 * worker stamps every case in shared memory, and a stamp that does not move
 * for --hang-seconds (default 20) ends the worker and records the case as a
 * hang. Each failure is written as fuzz/findings/<format>-<seed>-<batch>-<i>.json
 * (one per distinct failure), which test/fuzz-regressions.test.ts replays.
 * Prints the seed, cases run, cases/s and failures per format; exits 1 if
 * anything failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import {
  FUZZ_FORMATS,
  type FuzzCase,
  FuzzFailure,
  type FuzzFormat,
  caseToRepro,
  describeCase,
  fuzzCases,
  knownIssuesSeen,
  runFuzzCase,
} from '../test/helpers/fuzz.js';

/** Cases generated per fast-check sample call: seed + batch number regenerates them. */
const BATCH = 250;
/** What a format gets in the default run: 15 minutes over 4 formats. */
const DEFAULT_SECONDS_PER_FORMAT = (15 * 60) / 4;
/** Distinct failures written per format, at most. */
const MAX_FINDINGS = 20;

/** Workers load this file through tsx's loader (execArgv --import does not reach workers on Node 20). */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;

interface WorkerInput {
  format: FuzzFormat;
  seed: number;
  firstBatch: number;
  /** Batches this worker runs: firstBatch, firstBatch + stride, ... (one lane of --jobs). */
  stride: number;
  deadline: number;
  selfTestHang: boolean;
  /** [batch, index in batch, cases run] */
  stamp: SharedArrayBuffer;
}

type WorkerMessage =
  | { type: 'failure'; batch: number; index: number; message: string; repro: ReturnType<typeof caseToRepro> }
  | { type: 'done'; known: [string, number][] };

function batchOf(format: FuzzFormat, seed: number, batch: number): FuzzCase[] {
  return fc.sample(fuzzCases(format), { seed: (seed + batch * 7919) | 0, numRuns: BATCH });
}

// ---- worker: run cases until the deadline -------------------------------------------------

function workerMain(input: WorkerInput): void {
  const stamp = new Int32Array(input.stamp);
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  for (let batch = input.firstBatch; Date.now() < input.deadline; batch += input.stride) {
    const cases = batchOf(input.format, input.seed, batch);
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      Atomics.store(stamp, 0, batch);
      Atomics.store(stamp, 1, i);
      try {
        // --self-test-hang: prove the watchdog works (the first case spins forever).
        if (input.selfTestHang && batch === input.firstBatch && i === 0) for (;;);
        runFuzzCase(c);
      } catch (e) {
        const message = e instanceof FuzzFailure ? e.message : `harness error: ${e instanceof Error ? e.stack : String(e)}`;
        post({ type: 'failure', batch, index: i, message, repro: caseToRepro(c, message.split('\n')[0], input.seed) });
      }
      Atomics.add(stamp, 2, 1);
      if ((i & 31) === 0 && Date.now() >= input.deadline) break;
    }
  }
  post({ type: 'done', known: [...knownIssuesSeen] });
}

// ---- main: one worker per format, watchdog, report ----------------------------------------

interface Args {
  minutes: number;
  formats: FuzzFormat[];
  seed: number;
  hangSeconds: number;
  out: string;
  jobs: number;
  selfTestHang: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { minutes: 15, formats: [], seed: Math.floor(Math.random() * 2 ** 31), hangSeconds: 20, out: 'fuzz/findings', jobs: 2, selfTestHang: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      i++;
      return value;
    };
    if (flag === '--minutes') args.minutes = Number(need());
    else if (flag === '--format') args.formats.push(...(need().split(',') as FuzzFormat[]));
    else if (flag === '--seed') args.seed = Number(need());
    else if (flag === '--hang-seconds') args.hangSeconds = Number(need());
    else if (flag === '--out') args.out = need();
    else if (flag === '--jobs') args.jobs = Number(need());
    else if (flag === '--self-test-hang') args.selfTestHang = true;
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: npm run fuzz -- [--minutes N (15)] [--format json|json-documents|yaml|protobuf|cbor ...] [--seed S] [--hang-seconds N (20)] [--jobs N (2 workers per format)] [--out DIR] [--self-test-hang]');
      process.exit(0);
    } else throw new Error(`unknown option ${flag}`);
  }
  if (args.formats.length === 0) args.formats = ['json', 'yaml', 'protobuf', 'cbor'];
  for (const f of args.formats) if (!(FUZZ_FORMATS as readonly string[]).includes(f)) throw new Error(`unknown format ${f}; one of ${FUZZ_FORMATS.join(', ')}`);
  if (!(args.minutes > 0)) throw new Error('--minutes must be positive');
  if (!Number.isSafeInteger(args.seed)) throw new Error('--seed must be an integer');
  if (!(Number.isSafeInteger(args.jobs) && args.jobs >= 1)) throw new Error('--jobs must be a positive integer');
  return args;
}

interface FormatReport {
  format: FuzzFormat;
  cases: number;
  seconds: number;
  failures: number;
  written: string[];
  hangs: number;
  known: Map<string, number>;
}

/** A failure's kind without its numbers: one file per kind of failure. */
const signature = (message: string): string => message.split('\n')[0]!.replace(/\d+/g, 'N');

async function fuzzFormat(format: FuzzFormat, args: Args, seconds: number): Promise<FormatReport> {
  const report: FormatReport = { format, cases: 0, seconds: 0, failures: 0, written: [], hangs: 0, known: new Map() };
  const signatures = new Set<string>();
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const record = (c: FuzzCase | ReturnType<typeof caseToRepro>, batch: number, index: number, message: string): void => {
    report.failures++;
    const sig = signature(message);
    console.log(`  FAIL ${format} batch ${batch} case ${index}: ${message.split('\n')[0]}`);
    if (signatures.has(sig) || report.written.length >= MAX_FINDINGS) return;
    signatures.add(sig);
    const repro = 'format' in c && typeof c.bytes === 'string' ? c : caseToRepro(c as FuzzCase, message.split('\n')[0], args.seed);
    mkdirSync(args.out, { recursive: true });
    const file = `${args.out}/${format}-${args.seed}-${batch}-${index}.json`;
    writeFileSync(file, JSON.stringify(repro, null, 2) + '\n');
    report.written.push(file);
  };
  /** One lane: a worker running batches lane, lane + jobs, ...; restarted after a hang or crash. */
  const lane = async (firstLaneBatch: number): Promise<void> => {
    let firstBatch = firstLaneBatch;
    while (Date.now() < deadline) {
      const stamp = new SharedArrayBuffer(12);
      const view = new Int32Array(stamp);
      const input: WorkerInput = { format, seed: args.seed, firstBatch, stride: args.jobs, deadline, stamp, selfTestHang: args.selfTestHang && firstBatch === firstLaneBatch };
      const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: input });
      const outcome = await new Promise<'done' | 'hang' | 'crash'>((resolve) => {
        let last = -1;
        let still = 0;
        const timer = setInterval(() => {
          const run = Atomics.load(view, 2);
          if (run !== last) {
            last = run;
            still = 0;
            return;
          }
          if (++still >= args.hangSeconds) {
            clearInterval(timer);
            void worker.terminate();
            resolve('hang');
          }
        }, 1000);
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'failure') record(m.repro, m.batch, m.index, m.message);
          else {
            for (const [id, n] of m.known) report.known.set(id, (report.known.get(id) ?? 0) + n);
            clearInterval(timer);
            resolve('done');
          }
        });
        worker.on('error', (e) => {
          clearInterval(timer);
          console.log(`  worker for ${format} crashed: ${e.stack ?? String(e)}`);
          resolve('crash');
        });
      });
      const run = Atomics.load(view, 2);
      report.cases += run;
      if (outcome === 'done') return;
      if (outcome === 'crash' && run === 0) throw new Error(`the ${format} worker crashed before running a case`);
      const batch = Atomics.load(view, 0);
      const index = Atomics.load(view, 1);
      const c = batchOf(format, args.seed, batch)[index]!;
      if (outcome === 'hang') report.hangs++;
      record(c, batch, index, `${outcome === 'hang' ? `no progress for ${args.hangSeconds} s (hang)` : 'the worker crashed (out of memory or a native error)'} on ${describeCase(c)}`);
      await worker.terminate();
      firstBatch = batch + args.jobs;
    }
  };
  await Promise.all(Array.from({ length: args.jobs }, (_, j) => lane(j)));
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const perFormat = (args.minutes * 60) / args.formats.length;
  console.log(
    `watchwire fuzz: seed ${args.seed}, ${args.minutes} min over ${args.formats.join(', ')} (${perFormat.toFixed(0)} s each, ${args.jobs} workers); replay with --seed ${args.seed}`,
  );
  const reports: FormatReport[] = [];
  for (const format of args.formats) {
    const report = await fuzzFormat(format, args, perFormat);
    reports.push(report);
    const rate = report.cases / report.seconds;
    console.log(
      `${format.padEnd(15)} ${String(report.cases).padStart(9)} cases in ${report.seconds.toFixed(0)} s = ${rate.toFixed(0)} cases/s ` +
        `(~${Math.round(rate * DEFAULT_SECONDS_PER_FORMAT).toLocaleString('en')} in a default 15-min run), ${report.failures} failures${report.hangs ? ` (${report.hangs} hangs)` : ''}` +
        (report.known.size ? `, known issues: ${[...report.known].map(([id, n]) => `${id} x${n}`).join(', ')}` : ''),
    );
    for (const file of report.written) console.log(`  wrote ${file}`);
  }
  const total = reports.reduce((n, r) => n + r.cases, 0);
  const failures = reports.reduce((n, r) => n + r.failures, 0);
  console.log(`total: ${total} cases, ${failures} failures, seed ${args.seed}`);
  process.exitCode = failures > 0 ? 1 : 0;
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  });
} else {
  workerMain(workerData as WorkerInput);
}
