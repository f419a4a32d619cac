/**
 * Quick side-by-side measurement (not a test): the same watch of realistic
 * Pods (helpers/cbor-pods.ts) decoded through watchwire as JSON lines and as
 * Kubernetes CBOR, plus the alternative that was measured and rejected for the
 * CBOR hot path: a pre-pass that rewrites byte-string heads to text-string
 * heads, then cbor-x's Decoder (a lower bound for that design: the pre-pass
 * here does no validation, no duplicate-key or __proto__ handling).
 *
 * Runs itself twice, with cbor-x's native extension and without it
 * (CBOR_NATIVE_ACCELERATION_DISABLED=true, read by cbor-x at load time).
 *
 *   npm run build && node --import tsx test/helpers/cbor-bench.ts [events]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as cborx from 'cbor-x';
import { type Codec, StreamDecoder, type WatchEvent, cborCodec, encodeAll, jsonCodec, resolveLimits } from 'watchwire';
import { podEvents } from './cbor-pods.js';

const count = Number(process.argv[2] ?? 2000);

const ROWS = ['watchwire JSON lines', 'watchwire CBOR (cbor-seq)', 'watchwire CBOR reader, frames', 'flip pre-pass + cbor-x, frames'];

if (process.env.WATCHWIRE_CBOR_BENCH_ROW === undefined) {
  // Each row in a fresh process (as a real watcher uses one codec), twice, best kept:
  // the machine may be shared, and the best run is the least disturbed.
  for (const disabled of [false, true]) {
    const rates = ROWS.map(() => 0);
    let header = '';
    for (let pass = 0; pass < 2; pass++) {
      ROWS.forEach((_, row) => {
        const env = { ...process.env, WATCHWIRE_CBOR_BENCH_ROW: String(row), ...(disabled ? { CBOR_NATIVE_ACCELERATION_DISABLED: 'true' } : {}) };
        const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(count)], { env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
        const [line1 = '', line2 = '0'] = r.stdout.trim().split('\n');
        header = line1;
        rates[row] = Math.max(rates[row]!, Number(line2));
      });
    }
    console.log(header);
    ROWS.forEach((name, row) => {
      const rate = rates[row]!;
      const bytesPerEvent = Number(/(\d+) B\/event$/.exec(row === 0 ? header.replace(/, CBOR.*/, '') : header)?.[1] ?? 0);
      console.log(`  ${name.padEnd(32)} ${rate.toFixed(0).padStart(7)} events/s ${((rate * bytesPerEvent) / 1e6).toFixed(1).padStart(6)} MB/s  ${(rate / rates[0]!).toFixed(2)}x JSON`);
    });
  }
} else {
  measure(Number(process.env.WATCHWIRE_CBOR_BENCH_ROW));
}

function chunked(bytes: Uint8Array, size = 64 * 1024): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function viaPipeline(codec: Codec, chunks: Uint8Array[]): () => number {
  return () => {
    let n = 0;
    const decoder = StreamDecoder.events(codec, () => n++);
    for (const chunk of chunks) decoder.push(chunk);
    decoder.end();
    return n;
  };
}

/** Copies the item and turns every byte-string head into a text-string head (no checks at all). */
function flipByteStrings(src: Uint8Array): Uint8Array {
  const out = src.slice();
  let p = 0;
  while (p < out.length) {
    const initial = out[p]!;
    const major = initial >> 5;
    const ai = initial & 31;
    let size = 1;
    let length = ai;
    if (ai === 24) (length = out[p + 1]!), (size = 2);
    else if (ai === 25) (length = (out[p + 1]! << 8) | out[p + 2]!), (size = 3);
    else if (ai === 26) (length = ((out[p + 1]! << 24) | (out[p + 2]! << 16) | (out[p + 3]! << 8) | out[p + 4]!) >>> 0), (size = 5);
    else if (ai === 27) size = 9;
    if (major === 2) out[p] = initial | 0x20;
    p += major === 2 || major === 3 ? size + length : size;
  }
  return out;
}

function measure(row: number): void {
  let events: WatchEvent[] | undefined = podEvents(count);
  const json = encodeAll(jsonCodec, events);
  const cbor = encodeAll(cborCodec, events);
  const frames = row >= 2 ? events.map((e) => cborCodec.createEncoder().encode(e)) : [];
  // Only the bytes stay alive while measuring, as in a real watch.
  events = undefined;
  const cborxDecoder = new cborx.Decoder({ useRecords: false, mapsAsObjects: true });
  const reader = cborCodec.createDecoder(resolveLimits({}));
  const runs: (() => number)[] = [
    () => viaPipeline(jsonCodec, chunked(json))(),
    () => viaPipeline(cborCodec, chunked(cbor))(),
    () => frames.reduce((n, f) => n + (reader.decode(f) ? 1 : 0), 0),
    () => frames.reduce((n, f) => n + (cborxDecoder.decode(flipByteStrings(f)) ? 1 : 0), 0),
  ];
  const run = runs[row]!;
  let best = 0;
  for (let round = 0; round < 20; round++) {
    const started = performance.now();
    const n = run();
    best = Math.max(best, (n / (performance.now() - started)) * 1000);
  }
  console.log(`cbor-x native extension: ${cborx.isNativeAccelerationEnabled}; ${count} Pod events, JSON ${(json.length / count).toFixed(0)} B/event, CBOR ${(cbor.length / count).toFixed(0)} B/event`);
  console.log(best.toFixed(0));
}
