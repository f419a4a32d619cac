/**
 * `node --expose-gc --import tsx bench/json-ab.ts [pods|configmaps] [dist-dir ...]`
 *
 * A cross-check of the "watchwire json vs JSON.parse limit" ratio that holds up on a
 * busy machine: the rows run interleaved (A, B, C, A, B, C, ...) in one process, each
 * timed in CPU time of this process (other processes' load does not count), and each
 * row keeps its fastest round. Benchmark.js (npm run bench) times wall clock, which on
 * a shared 2-core machine can move a ratio by ±30 %. CPU time also counts V8's GC helper
 * threads, so rows that allocate more (TextDecoder's strings, watchwire's frames) look a
 * little slower here than in wall-clock time on an idle machine.
 *
 * Extra arguments name other builds of watchwire (a copy of dist/ from another
 * commit, for a before/after): each becomes a row of its own. Each build first
 * decodes every format with decodeAll, as the suites' corpus check does, so V8
 * has seen the same history in every build.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FULL_SIZES, makeCorpora } from './corpus.js';
import { Tally } from './harness.js';
import { BENCH_LIMITS, materialise } from './materialise.js';

type Watchwire = typeof import('watchwire');

const name = process.argv[2] ?? 'pods';
const spec = makeCorpora(FULL_SIZES).find((s) => s.name === name);
if (spec === undefined) throw new Error(`no corpus ${name}`);
const corpus = materialise(spec);
const json = corpus.formats.get('json')!;
const tally = new Tally();
const lines = corpus.jsonLines;
const byteLines = lines.map((l) => new TextEncoder().encode(l));
const utf8 = new TextDecoder();

const rows: [string, () => void][] = [
  [
    'JSON.parse limit (pre-split lines)',
    () => {
      tally.reset();
      for (let i = 0; i < lines.length; i++) {
        const doc = JSON.parse(lines[i]!) as { type: string; object: { metadata?: { name?: string } } };
        tally.add(doc.type, doc.object);
      }
      tally.check(corpus.expected, 'limit');
    },
  ],
  [
    'TextDecoder + JSON.parse (pre-split byte lines)',
    () => {
      tally.reset();
      for (let i = 0; i < byteLines.length; i++) {
        const doc = JSON.parse(utf8.decode(byteLines[i]!)) as { type: string; object: { metadata?: { name?: string } } };
        tally.add(doc.type, doc.object);
      }
      tally.check(corpus.expected, 'bytes');
    },
  ],
];

function watchwireRow(label: string, ww: Watchwire): [string, () => void] {
  const codec = ww.createRegistry().get('json')!;
  return [
    label,
    () => {
      tally.reset();
      const decoder = ww.StreamDecoder.events(codec, (e) => tally.add(e.type, e.object), BENCH_LIMITS);
      for (let i = 0; i < json.chunks.length; i++) decoder.push(json.chunks[i]!);
      decoder.end();
      tally.check(corpus.expected, label);
    },
  ];
}

rows.push(watchwireRow('watchwire json (this build)', (await import('watchwire')) as Watchwire));
for (const dir of process.argv.slice(3)) {
  const ww = (await import(pathToFileURL(resolve(dir, 'index.js')).href)) as Watchwire;
  const registry = ww.createRegistry();
  for (const [format, encoded] of corpus.formats) {
    const codec = registry.get(format);
    if (codec !== undefined) ww.decodeAll(codec, encoded.bytes, BENCH_LIMITS);
  }
  rows.push(watchwireRow(`watchwire json (${dir})`, ww));
}

const gc = (globalThis as { gc?: () => void }).gc;
const best = rows.map(() => Infinity);
for (const [, run] of rows) run(); // warm-up, and a wrong result fails before timing
for (let round = 0; round < 15; round++) {
  for (let k = 0; k < rows.length; k++) {
    const j = (k + round) % rows.length;
    gc?.();
    const start = process.cpuUsage();
    rows[j]![1]();
    const used = process.cpuUsage(start);
    best[j] = Math.min(best[j]!, (used.user + used.system) / 1000);
  }
}
const limit = best[0]!;
for (let j = 0; j < rows.length; j++) {
  const ms = best[j]!;
  process.stdout.write(`${rows[j]![0].padEnd(52)} ${ms.toFixed(1).padStart(8)} ms CPU  ${Math.round((corpus.events.length / ms) * 1000).toLocaleString('en-US').padStart(9)} events/s  ${(limit / ms).toFixed(2)}x the limit\n`);
}
