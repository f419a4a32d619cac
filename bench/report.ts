/**
 * Turns figures into the console table, the ratio table, the target verdicts
 * and bench/RESULTS.md.
 */
import { cpus } from 'node:os';
import { type Figure, eventsPerCpuSecond, eventsPerSecond, megabytesPerSecond } from './harness.js';

export interface RssResult {
  format: string;
  bytes: number;
  events: number;
  seconds: number;
  baseline: number;
  peak: number;
  maxFrameBytes: number;
  heapGrowth?: number;
  externalGrowth?: number;
  /** Most JS heap / ArrayBuffer memory left above the baseline after forced full GCs mid-run: what the client retains. */
  liveHeapGrowth?: number;
  liveBuffersGrowth?: number;
  /** The client's fetch: the global one or watchwire/node's nodeFetch. */
  transport?: string;
}

export interface Ratio {
  what: string;
  /** The figure's rate divided by the baseline's (events/s), or the stated quotient. */
  value: number | undefined;
  /** The same quotient from CPU time (events per CPU second), when both figures have it: what targets are judged on then. */
  cpu?: number;
  baseline: string;
  /** For targets: the threshold and the direction. */
  target?: { op: '>=' | '<=' | '<'; threshold: number; unit: string };
  /** 'MiB' for sizes; ratios otherwise. */
  unit?: string;
  note?: string;
}

export interface Report {
  mode: 'full' | 'quick';
  started: Date;
  seconds: number;
  figures: Figure[];
  ratios: Ratio[];
  rss: RssResult[];
  notes: string[];
}

const MIB = 1024 * 1024;

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A live-memory figure, or a dash for a child run without --expose-gc. */
function live(bytes: number | undefined): string {
  return bytes === undefined ? '–' : `${fmt(bytes / MIB, 1)} MiB`;
}

export function ratioText(r: Ratio): string {
  const unit = r.unit ?? r.target?.unit;
  if (r.value === undefined) return 'n/a';
  const wall = `${fmt(r.value, unit === 'MiB' ? 1 : 2)}${unit === 'MiB' ? ' MiB' : '×'}`;
  return r.cpu === undefined ? wall : `${fmt(r.cpu, 2)}× CPU (${wall} wall)`;
}

export function verdict(r: Ratio): string {
  if (r.target === undefined) return '';
  const value = r.cpu ?? r.value;
  if (value === undefined) return 'not measured';
  const { op, threshold } = r.target;
  const met = op === '>=' ? value >= threshold : op === '<=' ? value <= threshold : value < threshold;
  return met ? 'met' : 'NOT MET';
}

function targetText(r: Ratio): string {
  if (r.target === undefined) return '';
  return `${r.target.op.replace('>=', '≥').replace('<=', '≤')} ${fmt(r.target.threshold, r.target.threshold % 1 === 0 ? (r.target.unit === 'MiB' ? 0 : 1) : 2)}${r.target.unit === 'MiB' ? ' MiB' : '×'}`;
}

/** The machine, as RESULTS.md states it. */
export function machine(): { node: string; cpu: string; cores: number } {
  const list = cpus();
  return { node: process.version, cpu: list[0]?.model.trim() ?? 'unknown', cores: list.length };
}

function figureCells(f: Figure): string[] {
  if (f.unavailable !== undefined) return [f.name, '–', '–', '–', '–', f.unavailable];
  const rate = f.events > 1 ? fmt(eventsPerSecond(f)) : `${fmt(f.mean * 1000, 1)} ms/op`;
  const perCpu = eventsPerCpuSecond(f);
  const cpu = perCpu === undefined ? '–' : f.events > 1 ? fmt(perCpu) : `${fmt(f.cpu! * 1000, 1)} ms/op`;
  return [f.name, rate, `±${fmt(f.rme, 1)}%`, fmt(megabytesPerSecond(f), 1), cpu, `${f.samples} samples${f.note ? `; ${f.note}` : ''}`];
}

function bySuite(figures: readonly Figure[]): Map<string, Figure[]> {
  const suites = new Map<string, Figure[]>();
  for (const f of figures) {
    const list = suites.get(f.suite) ?? [];
    list.push(f);
    suites.set(f.suite, list);
  }
  return suites;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

/** The console table. */
export function consoleTable(report: Report): string {
  const out: string[] = [];
  for (const [suite, figures] of bySuite(report.figures)) {
    out.push('', `== ${suite}`);
    const rows = figures.map((f) => {
      const cells = figureCells(f);
      return f.unavailable !== undefined ? [cells[0]!, cells[5]!, '', '', '', ''] : cells.slice(0, 5);
    });
    const header = ['', 'events/s', '±', 'MB/s', 'per CPU s'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    widths[1] = Math.min(widths[1]!, 14);
    out.push(pad(header, widths));
    for (const r of rows) out.push(pad(r, widths));
  }
  if (report.rss.length > 0) {
    out.push('', '== peak RSS streaming to a slow consumer');
    for (const r of report.rss) {
      out.push(
        `${r.format}: ${fmt(r.bytes / MIB)} MiB, ${fmt(r.events)} events in ${fmt(r.seconds, 1)} s; peak ${fmt((r.peak - r.baseline) / MIB, 1)} MiB above idle baseline ${fmt(r.baseline / MIB, 1)} MiB (limit ${fmt((4 * r.maxFrameBytes) / MIB)} MiB)`,
      );
    }
  }
  out.push('', '== ratios (measured in this run)');
  for (const r of report.ratios) {
    const v = verdict(r);
    out.push(`${r.what}: ${ratioText(r)} vs ${r.baseline}${r.target ? `  [target ${targetText(r)}: ${v}]` : ''}`);
  }
  return out.join('\n');
}

/** bench/RESULTS.md */
export function resultsMarkdown(report: Report): string {
  const m = machine();
  const lines: string[] = [];
  lines.push('# watchwire benchmark results', '');
  lines.push(
    `Written by \`npm run bench${report.mode === 'quick' ? ' -- --quick' : ''}\` (${report.mode} mode, ${fmt(report.seconds)} s).`,
    '',
    `- Date: ${report.started.toISOString()}`,
    `- Node: ${m.node}`,
    `- CPU: ${m.cpu}, ${m.cores} cores`,
    '',
    '**The ratios are the result; the absolute figures are not.** This machine is shared and noisy: absolute',
    'rates move from run to run, but every ratio below compares figures measured in the same run, one after',
    'the other, on the same bytes. Rates are Benchmark.js means with its relative margin of error (±, 95 %).',
    'Each figure also has its CPU time (process.cpuUsage over the timed cycles; for CLI rows, the child process\'s own),',
    'and a ratio of two figures that both have it is given and judged on CPU time, with the wall-time ratio beside it:',
    'on a machine shared with other work, wall time also counts the time a process waited for a core.',
    '',
  );
  lines.push('## Targets', '', '| target | measured | baseline | verdict | note |', '|---|---:|---|---|---|');
  for (const r of report.ratios.filter((x) => x.target !== undefined)) {
    lines.push(`| ${r.what} ${targetText(r)} | ${ratioText(r)} | ${r.baseline} | ${verdict(r)} | ${r.note ?? ''} |`);
  }
  lines.push('', '## Ratios', '', '| figure | ratio | baseline |', '|---|---:|---|');
  for (const r of report.ratios.filter((x) => x.target === undefined)) lines.push(`| ${r.what} | ${ratioText(r)} | ${r.baseline} |`);
  lines.push('', '## Figures');
  for (const [suite, figures] of bySuite(report.figures)) {
    lines.push('', `### ${suite}`, '', '| | events/s (or ms/op) | ± | MB/s | events per CPU second (or CPU ms/op) | |', '|---|---:|---:|---:|---:|---|');
    for (const f of figures) lines.push(`| ${figureCells(f).join(' | ')} |`);
  }
  if (report.rss.length > 0) {
    lines.push(
      '',
      '### peak RSS streaming to a slow consumer',
      '',
      'One process holds the loopback server (writing views of one buffer, honouring backpressure) and the client (`fetch` + `decodeStream`, default limits); the consumer sleeps 1 ms every 10 events. The baseline is taken after a warm-up on the same path and a GC. "JS heap" and "buffers" say how much of the growth, at the peak, was V8 heap and ArrayBuffer/external memory; the rest is native (JIT code, malloc, stacks). "Live" is what was left above the baseline after full GCs forced at a quarter, half and three quarters of the run: data held rather than garbage not yet collected.',
      '',
      '| format | streamed | events | seconds | idle baseline | peak above baseline | of it JS heap | of it buffers | live JS heap | live buffers | limit (4 × maxFrameBytes) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of report.rss) {
      lines.push(
        `| ${r.format} | ${fmt(r.bytes / MIB)} MiB | ${fmt(r.events)} | ${fmt(r.seconds, 1)} | ${fmt(r.baseline / MIB, 1)} MiB | ${fmt((r.peak - r.baseline) / MIB, 1)} MiB | ${fmt((r.heapGrowth ?? 0) / MIB, 1)} MiB | ${fmt((r.externalGrowth ?? 0) / MIB, 1)} MiB | ${live(r.liveHeapGrowth)} | ${live(r.liveBuffersGrowth)} | ${fmt((4 * r.maxFrameBytes) / MIB)} MiB |`,
      );
    }
  }
  if (report.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const n of report.notes) lines.push(`- ${n}`);
  }
  lines.push('');
  return lines.join('\n');
}
