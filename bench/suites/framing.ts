/**
 * Large-object framing: the 32 MiB object in 1 KiB chunks vs in one chunk,
 * for every framer (linear framing keeps the ratio near 1), and the same for
 * the peers' splitting approaches. Only framing is timed, not decoding.
 */
import { resolveLimits } from 'watchwire';
import { type Figure, type Job, type Timing, measureAsync, measureSync, runInRounds, unavailable } from '../harness.js';
import { BENCH_LIMITS, type Corpus, FORMATS, chunk, frameAll } from '../materialise.js';
import { fluentClientSplitOnly, readlineSplitOnly } from '../peers/paths.js';

export const FRAMING_SUITE = 'framing the large object';
export const ONE_KIB = 1024;

export function framingRow(what: string, chunked: boolean): string {
  return `${what}, ${chunked ? '1 KiB chunks' : 'one chunk'}`;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

export async function runFramingSuite(corpus: Corpus, quarter: Corpus, timing: Timing, peerSizes: readonly number[]): Promise<Figure[]> {
  const figures: Figure[] = [];
  const jobs: Job[] = [];
  const limits = resolveLimits(BENCH_LIMITS);
  for (const format of FORMATS) {
    const encoded = corpus.formats.get(format);
    const small = quarter.formats.get(format);
    if (encoded === undefined || small === undefined) {
      const reason = corpus.missing.get(format) ?? 'not available';
      figures.push(unavailable(FRAMING_SUITE, framingRow(`watchwire ${format} framer`, true), reason));
      figures.push(unavailable(FRAMING_SUITE, framingRow(`watchwire ${format} framer`, false), reason));
      continue;
    }
    // `copied`: one chunk, then the frame copied out once, the least any framer must do when the
    // bytes arrive in pieces (a fresh buffer, first-touch page faults included).
    // The quarter-size floor too: a fresh buffer's cost per byte is not constant (below 32 MiB
    // malloc recycles memory already faulted in; at 32 MiB and above every buffer is a fresh
    // mapping whose pages fault on first touch), so per-byte growth is judged against it.
    const cases = [
      { encoded, chunked: true, copied: false },
      { encoded, chunked: false, copied: false },
      { encoded, chunked: false, copied: true },
      { encoded: small, chunked: true, copied: false },
      { encoded: small, chunked: false, copied: true },
    ];
    for (const { encoded, chunked, copied } of cases) {
      // Each 1 KiB chunk its own buffer, as a socket delivers them: views of one buffer would be
      // joined again by the framer's ByteQueue (it joins adjacent views), and nothing pieced.
      const chunks = chunked ? chunk(encoded.bytes, ONE_KIB).map((c) => new Uint8Array(c)) : [encoded.bytes];
      const name = framingRow(`watchwire ${format} framer (${mib(encoded.bytes.length)})`, chunked) + (copied ? ' + one copy of the frame' : '');
      jobs.push(() =>
        measureSync(FRAMING_SUITE, name, { events: 1, bytes: encoded.bytes.length }, timing, () => {
          const { frames, bytes: framed } = frameAll(encoded.codec.createFramer(limits), chunks, copied);
          // One frame, holding (nearly) all the bytes: only a length prefix or terminator may be outside it.
          if (frames !== 1 || framed < encoded.bytes.length - 16) {
            throw new Error(`${name}: ${frames} frames, ${framed} of ${encoded.bytes.length} bytes`);
          }
        }),
      );
    }
  }
  figures.push(...(await runInRounds(jobs, timing.rounds)));

  const peerJobs: Job[] = [];
  // The peers split strings, not bytes: measured on prefixes of the same JSON line (plus '\n'),
  // at sizes where a quadratic approach still ends in seconds.
  const json = corpus.formats.get('json')!.bytes;
  for (const size of peerSizes) {
    const line = new Uint8Array(size);
    line.set(json.subarray(0, size - 1));
    line[size - 1] = 0x0a;
    const approaches = [
      { what: `kubernetes-fluent-client split approach (${mib(size)})`, run: async (c: Uint8Array[]) => fluentClientSplitOnly(c) },
      { what: `@kubernetes/client-node readline approach (${mib(size)})`, run: readlineSplitOnly },
    ];
    for (const approach of approaches) {
      for (const chunked of [true, false]) {
        const chunks = chunked ? chunk(line, ONE_KIB) : [line];
        const name = framingRow(approach.what, chunked);
        peerJobs.push(() =>
          measureAsync(FRAMING_SUITE, name, { events: 1, bytes: size }, { ...timing, minSamples: 2 }, async () => {
            const lines = await approach.run(chunks);
            if (lines !== 1) throw new Error(`${name}: ${lines} lines, expected 1`);
          }),
        );
      }
    }
  }
  figures.push(...(await runInRounds(peerJobs, 1)));
  return figures;
}
