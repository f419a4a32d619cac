/**
 * The CLI as a user times it (issue 14): `watchwire decode --content-type T
 * --output none < file` as a whole process, on a stream of copies of the
 * upstream fixture Pod in each format, beside split-by-newline + JSON.parse
 * over the same JSON bytes, also as a whole process. Each row is a child
 * process per round, rows interleaved, the median round kept; CPU time is the
 * child's own (user + system, from the parent's waited-for-children times).
 * Users run Node 22 and 24 too, where JIT tiers and the compile cache differ:
 * the same rows run under those binaries when `npm run test:runtimes` has
 * unpacked them (node_modules/.cache/watchwire-runtimes), each in its own suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Codec, type WatchEvent, createRegistry, encodeAll } from 'watchwire';
import type { Ratio } from '../report.js';
import type { Figure, Timing } from '../harness.js';
import { shuffledCborStream } from '../shuffled-cbor.js';

export const CLI_SUITE = 'CLI decode --output none, whole process (upstream fixture Pod stream)';
/**
 * The same rows on distinct Pods (the pods corpus's generator, as many as
 * the fixture stream has): what a user meets on a real watch, where strings
 * repeat far less than in copies of one object and the string caches and
 * shapes of the binary formats miss more. This Node only, no targets (the
 * issue's CLI targets are on the fixture stream).
 */
export const DISTINCT_CLI_SUITE = 'CLI decode --output none, whole process (distinct Pods of the pods corpus)';
export const SPLIT_ROW = 'split-by-newline + JSON.parse, whole process (same JSON bytes)';
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const RUNTIMES_DIR = fileURLToPath(new URL('../../node_modules/.cache/watchwire-runtimes/', import.meta.url));

/** A Node binary the CLI rows run under, and the suite its rows go to. */
export interface CliRuntime {
  suite: string;
  exec: string;
}

/** This Node (the suite's plain name), then Node 22 and 24 where test:runtimes unpacked them; a note for each missing one. */
export function cliRuntimes(): { runtimes: CliRuntime[]; notes: string[] } {
  const runtimes: CliRuntime[] = [{ suite: CLI_SUITE, exec: process.execPath }];
  const notes: string[] = [];
  for (const major of [22, 24]) {
    if (process.versions.node.startsWith(`${major}.`)) continue;
    const exec = `${RUNTIMES_DIR}node-${major}/package/bin/node`;
    if (!existsSync(exec)) {
      notes.push(`CLI rows on Node ${major} not run: no ${exec} (\`npm run test:runtimes\` unpacks it)`);
      continue;
    }
    const version = spawnSync(exec, ['--version'], { encoding: 'utf8' }).stdout.trim();
    runtimes.push({ suite: `${CLI_SUITE}, Node ${version.replace(/^v/, '')}`, exec });
  }
  return { runtimes, notes };
}

export function cliRow(format: string, drop = false): string {
  return `watchwire decode --content-type ${format}${drop ? ' --drop-fields metadata.managedFields' : ''}`;
}
/** The protobuf row with one decoder tier forced: what bounds `auto` on a stream this short (it keeps the table tier). */
export function tierRow(tier: 'table' | 'compiled'): string {
  return `${cliRow('protobuf')} --protobuf-tier ${tier}`;
}
export const SHUFFLED_CLI_ROW = 'watchwire decode --content-type cbor, keys shuffled per object + 55799 + f16 (another encoder)';

interface Run {
  row: string;
  suite: string;
  exec: string;
  file: string;
  args: string[];
}

/** Seconds of CPU that waited-for children have used (Linux /proc), or undefined elsewhere. */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of stat(5) (cutime, cstime), counted from field 3 here; clock ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

function runOnce(run: Run, events: number): { wall: number; cpu: number | undefined } {
  const fd = openSync(run.file, 'r');
  try {
    const cpu0 = childCpuSeconds();
    const t0 = performance.now();
    const result = spawnSync(run.exec, run.args, { stdio: [fd, 'ignore', 'pipe'], encoding: 'utf8' });
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = childCpuSeconds();
    if (result.status !== 0) throw new Error(`${run.row} failed (${result.status}): ${result.stderr.slice(0, 500)}`);
    const stats = result.stderr.trim().split('\n').pop() ?? '';
    const counted = (JSON.parse(stats) as { events: number }).events;
    if (counted !== events) throw new Error(`${run.row}: ${counted} events, expected ${events}`);
    return { wall, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
  } finally {
    closeSync(fd);
  }
}

/** Which rows a CLI suite runs besides each format's plain decode and the split baseline. */
export interface CliRows {
  /** --drop-fields metadata.managedFields per format. */
  drops: boolean;
  /** CBOR from another encoder (keys shuffled, tags, f16). */
  shuffled: boolean;
  /** Protobuf with each decoder tier forced. */
  tiers: boolean;
  /** What the streams hold, for the log line. */
  what: string;
}

export const FIXTURE_CLI_ROWS: CliRows = { drops: true, shuffled: true, tiers: true, what: 'fixture Pods' };
export const DISTINCT_CLI_ROWS: CliRows = { drops: true, shuffled: false, tiers: false, what: 'distinct Pods' };

export function runCliSuite(events: readonly WatchEvent[], timing: Timing, log: (text: string) => void, runtimes: readonly CliRuntime[], rows: CliRows = FIXTURE_CLI_ROWS): Figure[] {
  const dir = mkdtempSync(join(tmpdir(), 'watchwire-bench-cli-'));
  try {
    const registry = createRegistry();
    const codec = (name: string): Codec | undefined => registry.list().find((c) => c.name === name);
    const write = (name: string, bytes: Uint8Array) => {
      const file = join(dir, name);
      writeFileSync(file, bytes);

      return file;
    };
    const json = write('pods.jsonl', encodeAll(codec('json')!, events));
    const runs: Run[] = [];
    const decode = (format: string, file: string, row: string, extra: string[] = []) => {
      for (const { suite, exec } of runtimes) runs.push({ row, suite, exec, file, args: [CLI, 'decode', '--content-type', format, '--output', 'none', '--stats', ...extra] });
    };
    decode('json', json, cliRow('json'));
    if (rows.drops) decode('json', json, cliRow('json', true), ['--drop-fields', 'metadata.managedFields']);
    for (const format of ['cbor', 'protobuf']) {
      const c = codec(format);
      if (c === undefined) continue;
      const file = write(`pods.${format}`, encodeAll(c, events));
      decode(format, file, cliRow(format));
      if (rows.drops) decode(format, file, cliRow(format, true), ['--drop-fields', 'metadata.managedFields']);
      if (rows.tiers && format === 'protobuf') for (const tier of ['table', 'compiled'] as const) decode(format, file, tierRow(tier), ['--protobuf-tier', tier]);
    }
    if (rows.shuffled && codec('cbor') !== undefined) decode('cbor', write('pods-shuffled.cbor', shuffledCborStream(events, 0x5eed14)), SHUFFLED_CLI_ROW);
    const split = join(dir, 'split.mjs');
    writeFileSync(
      split,
      "import { readFileSync } from 'node:fs';\nlet n = 0;\nfor (const line of readFileSync(0, 'utf8').split('\\n')) if (line.length > 0) { JSON.parse(line); n++; }\nprocess.stderr.write(JSON.stringify({ events: n }) + '\\n');\n",
    );
    for (const { suite, exec } of runtimes) runs.push({ row: SPLIT_ROW, suite, exec, file: json, args: [split] });
    log(`CLI rows: ${events.length} ${rows.what} per stream (JSON ${(statSync(json).size / 1e6).toFixed(0)} MB), ${timing.rounds + 1} rounds of ${runs.length} processes`);

    // One round more than the in-process suites: a process is one sample.
    const rounds = timing.rounds + 1;
    const samples = runs.map(() => [] as { wall: number; cpu: number | undefined }[]);
    runOnce(runs[0]!, events.length); // warm the file cache
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < runs.length; k++) {
        const j = (k + r) % runs.length;
        samples[j]!.push(runOnce(runs[j]!, events.length));
      }
    }
    return runs.map((run, i) => {
      const s = samples[i]!;
      const walls = s.map((x) => x.wall).sort((a, b) => a - b);
      const cpus = s.map((x) => x.cpu).filter((c): c is number => c !== undefined).sort((a, b) => a - b);
      const wall = walls[Math.floor(walls.length / 2)]!;
      const figure: Figure = {
        suite: run.suite,
        name: run.row,
        events: events.length,
        bytes: statSync(run.file).size,
        hz: 1 / wall,
        rme: ((walls[walls.length - 1]! - walls[0]!) / 2 / wall) * 100,
        samples: s.length,
        mean: wall,
        note: `median of ${s.length} processes (wall s: ${s.map((x) => x.wall.toFixed(2)).join(' / ')}; CPU s: ${s.map((x) => x.cpu?.toFixed(2) ?? '?').join(' / ')})`,
      };
      if (cpus.length === s.length) figure.cpu = cpus[Math.floor(cpus.length / 2)]!;
      process.stderr.write(`  ${run.suite} / ${run.row}: ${wall.toFixed(2)} s wall, ${figure.cpu?.toFixed(2) ?? '?'} s CPU\n`);
      return figure;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CLI targets, from figures of this run. `both` gives wall and CPU ratios of two figures. */
export function cliRatios(figures: readonly Figure[], both: (a: Figure | undefined, b: Figure | undefined) => Pick<Ratio, 'value' | 'cpu'>): Ratio[] {
  const suites = [...new Set(figures.filter((f) => f.suite.startsWith(CLI_SUITE)).map((f) => f.suite))];
  return [...suites.flatMap((suite) => cliSuiteRatios(figures, suite, both)), ...distinctRatios(figures, both)];
}

/** Node 20's rows are named as before; another runtime's say which in the label. */
function cliSuiteRatios(figures: readonly Figure[], suite: string, both: (a: Figure | undefined, b: Figure | undefined) => Pick<Ratio, 'value' | 'cpu'>): Ratio[] {
  const row = (name: string) => figures.find((f) => f.suite === suite && f.name === name && f.unavailable === undefined);
  const label = suite === CLI_SUITE ? '[CLI, fixture Pods]' : `[CLI, fixture Pods, ${suite.slice(CLI_SUITE.length + 2)}]`;
  const out: Ratio[] = [];
  if (row(cliRow('json')) === undefined) return out;
  out.push({ what: `${label} ${cliRow('json')} vs ${SPLIT_ROW}`, ...both(row(cliRow('json')), row(SPLIT_ROW)), baseline: SPLIT_ROW, target: { op: '>=', threshold: 0.85, unit: '×' } });
  for (const [format, threshold] of [['cbor', 1.2], ['protobuf', 1.5]] as const) {
    if (row(cliRow(format)) === undefined) continue;
    out.push({ what: `${label} ${cliRow(format)} vs ${cliRow('json')}`, ...both(row(cliRow(format)), row(cliRow('json'))), baseline: cliRow('json'), target: { op: '>=', threshold, unit: '×' } });
    out.push({
      what: `${label} ${cliRow(format, true)} vs ${cliRow('json', true)}`,
      ...both(row(cliRow(format, true)), row(cliRow('json', true))),
      baseline: cliRow('json', true),
      ...(format === 'protobuf' ? { target: { op: '>=' as const, threshold: 2, unit: '×' } } : {}),
      note: 'the fixture has one small managedFields entry: little to drop (the pods corpus rows show the gain)',
    });
  }
  for (const tier of ['table', 'compiled'] as const) {
    if (row(tierRow(tier)) === undefined) continue;
    out.push({
      what: `${label} ${tierRow(tier)} vs ${cliRow('json')}`,
      ...both(row(tierRow(tier)), row(cliRow('json'))),
      baseline: cliRow('json'),
      note:
        tier === 'table'
          ? "what bounds the protobuf target here: auto keeps the table tier on a stream this short (the interpreter's per-field cost, about twice the compiled tier's once warm)"
          : "the generated decoders from the first event: their warm-up (interpreted runs, then TurboFan's compile) costs more than a stream this short gives back; in-process, warm, they are ~3x JSON (the fixture-pod decode rows)",
    });
  }
  if (row(SHUFFLED_CLI_ROW) !== undefined) {
    out.push({ what: `${label} time of ${SHUFFLED_CLI_ROW} / the same events as watchwire writes them`, ...both(row(cliRow('cbor')), row(SHUFFLED_CLI_ROW)), baseline: cliRow('cbor'), target: { op: '<=', threshold: 1.2, unit: '×' } });
  }
  return out;
}

/** The distinct-Pods rows against JSON and split, without targets: what a user meets beside what the targets measure. */
function distinctRatios(figures: readonly Figure[], both: (a: Figure | undefined, b: Figure | undefined) => Pick<Ratio, 'value' | 'cpu'>): Ratio[] {
  const row = (name: string) => figures.find((f) => f.suite === DISTINCT_CLI_SUITE && f.name === name && f.unavailable === undefined);
  const label = '[CLI, distinct Pods]';
  if (row(cliRow('json')) === undefined) return [];
  const note = 'no target: the CLI targets are on the fixture stream; this is the same command on Pods whose strings mostly differ';
  const out: Ratio[] = [{ what: `${label} ${cliRow('json')} vs ${SPLIT_ROW}`, ...both(row(cliRow('json')), row(SPLIT_ROW)), baseline: SPLIT_ROW, note }];
  for (const format of ['cbor', 'protobuf']) {
    if (row(cliRow(format)) === undefined) continue;
    out.push({ what: `${label} ${cliRow(format)} vs ${cliRow('json')}`, ...both(row(cliRow(format)), row(cliRow('json'))), baseline: cliRow('json'), note });
    if (row(cliRow(format, true)) !== undefined) out.push({ what: `${label} ${cliRow(format, true)} vs ${cliRow('json', true)}`, ...both(row(cliRow(format, true)), row(cliRow('json', true))), baseline: cliRow('json', true), note });
  }
  return out;
}
