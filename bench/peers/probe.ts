/**
 * Transport probe: one watch of the Pod (or ConfigMap) corpus over loopback
 * HTTP per cycle, the corpus server in a child process so this process is the
 * client only. Variants run interleaved in rounds; the output gives, per
 * variant, the median wall rate and the median (and min) client CPU time per
 * event, which a shared machine disturbs far less than wall time. Every cycle
 * checks its event count and the last object's name.
 *
 *   node --import tsx bench/peers/probe.ts [variant,...] [--rounds=N] [--reps=N] [--configmaps] [--sizes]
 *     [--inproc]   the server in this process (as the bench's loopback HTTP suite runs it)
 *     [--pollute]  decode the corpus in protobuf, CBOR and YAML first (as the bench process has)
 *     [--heap=N]   hold N decoded copies of the corpus (the bench process holds every corpus)
 *     [--replay]   against bench/replay-child.ts instead (one HTTP chunk per event); fetchWatch/nodeWatch only
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/peers/probe.ts nodeWatch --rounds=1 --reps=20
 *
 * Variants: transports alone (fetchBytes, nodeBytes, httpBytes), watchwire over
 * each (fetch|node|http × DecodeStream|Push, fetchWatch, nodeWatch), memDecode
 * (no transport), and the peers (naive, clientNode, fluent). watch() variants
 * need growing resourceVersions: Pods only.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { StreamDecoder, createRegistry, decodeAll, decodeStream, encodeAll, watch } from 'watchwire';
import { FULL_SIZES, makeConfigMap, makeEvents, makePod } from '../corpus.js';
import { chunk } from '../materialise.js';
import { startCorpusServer } from './server.js';
import { nodeFetch } from 'watchwire/node';
import { clientNodeWatch, fluentClientWatch } from './clients.js';

const json = createRegistry().get('json');
if (process.argv.includes('--server')) {
  const events = process.argv.includes('--configmaps') ? makeEvents(FULL_SIZES.configmaps, 0x5eed02, 'ConfigMap', makeConfigMap) : makeEvents(FULL_SIZES.pods, 0x5eed01, 'Pod', makePod);
  const bytes = encodeAll(json, events);
  const server = await startCorpusServer();
  server.serve(chunk(bytes, 64 * 1024), json.mediaType);
  process.stdout.write(`${server.url} ${bytes.length} ${events.length} ${events.at(-1)!.object.metadata!.name}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} else {
  // --inproc: the server in this process, as the bench's loopback HTTP suite runs it.
  const inproc = process.argv.includes('--inproc');
  const replay = process.argv.includes('--replay');
  let fromRv = '1';
  const child = replay
    ? spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../replay-child.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] })
    : inproc ? undefined : spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--server', ...process.argv.filter((a) => a === '--configmaps')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let first: string;
  if (child === undefined) {
    const events = process.argv.includes('--configmaps') ? makeEvents(FULL_SIZES.configmaps, 0x5eed02, 'ConfigMap', makeConfigMap) : makeEvents(FULL_SIZES.pods, 0x5eed01, 'Pod', makePod);
    const bytes = encodeAll(json, events);
    const server = await startCorpusServer();
    server.serve(chunk(bytes, 64 * 1024), json.mediaType);
    first = `${server.url} ${bytes.length} ${events.length} ${events.at(-1)!.object.metadata!.name}`;
  } else if (replay) {
    // The replay server (bench/replay-child.ts): one HTTP chunk per event, as the API server writes; watch() variants only.
    const [, url, rv] = (await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))).split(' ') as [string, string, string];
    const changes = makeEvents(FULL_SIZES.pods, 0x5eed01, 'Pod', makePod).filter((e) => e.type !== 'BOOKMARK');
    fromRv = rv;
    first = `${url} 0 ${changes.length} ${changes.at(-1)!.object.metadata!.name}`;
  } else {
    first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  }
  const [base, size, count, lastName] = first.split(' ') as [string, string, string, string];
  const url = `${base}/api/v1/pods?watch=true`;
  const N = Number(count);
  const sizes: number[] = [];
  const check = (n: number, last: { metadata?: { name?: string } } | undefined) => {
    if (n !== N || last?.metadata?.name !== lastName) throw new Error(`got ${n} events, last ${last?.metadata?.name}`);
  };
  const variants: Record<string, () => Promise<void>> = {
    async fetchDecodeStream() {
      const r = await fetch(url, { headers: { accept: json.accept } });
      let n = 0, last;
      for await (const e of decodeStream(r.body!, json)) { n++; last = e.object; }
      check(n, last);
    },
    async fetchWatch() {
      const c = new AbortController();
      let n = 0, last;
      for await (const e of watch({ url: `${base}/api/v1/pods`, resourceVersion: fromRv, formats: ['json'], allowWatchBookmarks: false, signal: c.signal })) {
        n++; last = e.object;
        if (n === N) break;
      }
      check(n, last);
    },
    async fetchBytes() {
      const r = await fetch(url, { headers: { accept: json.accept } });
      const reader = r.body!.getReader();
      let total = 0;
      for (;;) { const { done, value } = await reader.read(); if (done) break; total += value.length; sizes.push(value.length); }
      if (total !== Number(size)) throw new Error('size');
    },
    async httpBytes() {
      await new Promise<void>((resolve, reject) => get(url, (res) => {
        let total = 0;
        res.on('data', (c: Buffer) => { total += c.length; sizes.push(c.length); });
        res.on('end', () => (total === Number(size) ? resolve() : reject(new Error('size'))));
      }).on('error', reject));
    },
    async naive() {
      await new Promise<void>((resolve, reject) => get(url, (res) => {
        (async () => {
          let n = 0, last;
          for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
            if (line.length === 0) continue;
            const e = JSON.parse(line); n++; last = e.object;
          }
          check(n, last);
        })().then(resolve, reject);
      }).on('error', reject));
    },
    async httpDecodeStream() {
      await new Promise<void>((resolve, reject) => get(url, (res) => {
        (async () => {
          let n = 0, last;
          for await (const e of decodeStream(res, json)) { n++; last = e.object; }
          check(n, last);
        })().then(resolve, reject);
      }).on('error', reject));
    },
    async httpPush() {
      await new Promise<void>((resolve, reject) => get(url, (res) => {
        let n = 0, last: { metadata?: { name?: string } } | undefined;
        const d = StreamDecoder.events(json, (e) => { n++; last = e.object; });
        res.on('data', (c: Buffer) => d.push(c));
        res.on('end', () => { try { d.end(); check(n, last); resolve(); } catch (e) { reject(e); } });
      }).on('error', reject));
    },
    async fetchPush() {
      const r = await fetch(url, { headers: { accept: json.accept } });
      let n = 0, last: { metadata?: { name?: string } } | undefined;
      const d = StreamDecoder.events(json, (e) => { n++; last = e.object; });
      const reader = r.body!.getReader();
      for (;;) { const { done, value } = await reader.read(); if (done) break; d.push(value); }
      d.end(); check(n, last);
    },
    async nodeDecodeStream() {
      const r = await nodeFetch(url, { headers: { accept: json.accept } });
      let n = 0, last;
      for await (const e of decodeStream(r.body!, json)) { n++; last = e.object; }
      check(n, last);
    },
    async nodeWatch() {
      const c = new AbortController();
      let n = 0, last;
      for await (const e of watch({ url: `${base}/api/v1/pods`, fetch: nodeFetch, resourceVersion: fromRv, formats: ['json'], allowWatchBookmarks: false, signal: c.signal })) {
        n++; last = e.object;
        if (n === N) break;
      }
      check(n, last);
    },
    async nodePush() {
      const r = await nodeFetch(url, { headers: { accept: json.accept } });
      let n = 0, last: { metadata?: { name?: string } } | undefined;
      const d = StreamDecoder.events(json, (e) => { n++; last = e.object; });
      const reader = r.body!.getReader();
      for (;;) { const { done, value } = await reader.read(); if (done) break; d.push(value); }
      d.end(); check(n, last);
    },
    async nodeBytes() {
      const r = await nodeFetch(url, { headers: { accept: json.accept } });
      const reader = r.body!.getReader();
      let total = 0;
      for (;;) { const { done, value } = await reader.read(); if (done) break; total += value.length; sizes.push(value.length); }
      if (total !== Number(size)) throw new Error('size');
    },
    async memDecode() {
      // no transport: decode the same bytes in 64 KiB chunks (bytes fetched once)
      if (!memChunks) { const r = await fetch(url); memChunks = chunk(new Uint8Array(await r.arrayBuffer()), 65536); }
      let n = 0, last: { metadata?: { name?: string } } | undefined;
      const d = StreamDecoder.events(json, (e) => { n++; last = e.object; });
      for (const c of memChunks) d.push(c);
      d.end(); check(n, last);
    },
  };
  let memChunks: Uint8Array[] | undefined;

  const cn = await clientNodeWatch();
  const kfc = await fluentClientWatch();
  variants.clientNode = async () => { let n = 0, last: { metadata?: { name?: string } } | undefined; await cn(base, N, (_t, o) => { n++; last = o; }); check(n, last); };
  variants.fluent = async () => { let n = 0, last: { metadata?: { name?: string } } | undefined; await kfc(base, N, (_t, o) => { n++; last = o; }); check(n, last); };
  const arg = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const names = arg ? arg.split(',') : Object.keys(variants);
  const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);
  const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 5);
  const rates: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  if (process.argv.includes('--pollute')) {
    // What the bench process has done before this suite: every codec decoded (call sites in the pipeline see them all).
    const r = await fetch(url);
    const all = decodeAll(json, new Uint8Array(await r.arrayBuffer()));
    for (const name of ['protobuf', 'cbor', 'yaml']) {
      const codec = createRegistry().list().find((c) => c.name === name);
      if (codec === undefined) continue;
      const bytes = encodeAll(codec, name === 'yaml' ? all.slice(0, 100) : all);
      for (let i = 0; i < 3; i++) {
        const d = StreamDecoder.events(codec, () => {});
        for (const c of chunk(bytes, 65536)) d.push(c);
        d.end();
      }
    }
  }
  const retained: unknown[] = [];
  const heapCopies = Number(process.argv.find((a) => a.startsWith('--heap='))?.slice(7) ?? 0);
  if (heapCopies > 0) {
    // A heap like the bench process's (every corpus decoded and held): GC marking costs grow with it.
    const r = await fetch(url);
    const bytes = new Uint8Array(await r.arrayBuffer());
    for (let i = 0; i < heapCopies; i++) retained.push(decodeAll(json, bytes));
    console.log(`retained heap: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  }
  for (const name of names) { await variants[name]!(); await variants[name]!(); } // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length]!;
      const t = performance.now();
      const c0 = process.cpuUsage();
      for (let i = 0; i < reps; i++) await variants[name]!();
      const s = (performance.now() - t) / 1000;
      const c = process.cpuUsage(c0);
      (rates[name] ??= []).push((N * reps) / s);
      (cpu[name] ??= []).push((c.user + c.system) / (N * reps));
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const base0 = names.includes('naive') ? med(rates.naive!) : med(rates[names[0]!]!);
  for (const name of names) console.log(`${name.padEnd(20)} ${med(rates[name]!).toFixed(0).padStart(7)} ev/s  ${(med(rates[name]!) / base0).toFixed(2)}x  cpu ${med(cpu[name]!).toFixed(1).padStart(6)} us/ev (min ${Math.min(...cpu[name]!).toFixed(1).padStart(6)})  [${rates[name]!.map((x) => x.toFixed(0)).join(' ')}]`);
  if (process.argv.includes('--sizes') && sizes.length) { const s = [...sizes].sort((a, b) => a - b); console.log('chunk sizes: n', s.length, 'median', s[s.length >> 1], 'p10', s[Math.floor(s.length * 0.1)], 'p90', s[Math.floor(s.length * 0.9)], 'max', s.at(-1)); }
  child?.stdin!.end();
  process.exit(0);
}
