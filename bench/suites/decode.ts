/**
 * Decode throughput on the Pod and ConfigMap corpora: the JSON.parse limit,
 * every watchwire format fed 64 KiB chunks, and the peers' exact
 * line-splitting + parsing paths run in memory on the same chunks.
 */
import { CborSeqFramer, DEFAULT_LIMITS, type FieldSelection, StreamDecoder, decodeAll, v8KeyGuard } from 'watchwire';
import { type Figure, type Job, Tally, type Timing, measureAsync, measureSync, runInRounds, unavailable } from '../harness.js';
import { BENCH_LIMITS, CHUNK_BYTES, type Corpus, FORMATS, type Format, canonical, cborNative, chunk, frameAll } from '../materialise.js';
import { shuffledCborStream } from '../shuffled-cbor.js';
import { clientNodeLinePath, fluentClientSplitPath, naiveReadlineLoop } from '../peers/paths.js';

export const LIMIT_ROW = 'JSON.parse limit (pre-split lines)';
/**
 * Issue 14's JSON baseline: what the CLI's whole-process split row does, in
 * memory: the stream's bytes decoded as one string, split by newline, each
 * line parsed. Less strict than LIMIT_ROW, whose lines are strings already.
 */
export const SPLIT_BYTES_ROW = 'split-by-newline + JSON.parse over the same bytes (one TextDecoder pass)';
/** watchwire json with the V8 key guard on, whatever this engine: its cost where it runs. */
export const GUARD_ROW = 'watchwire json, V8 key guard forced on (what Node 24+ and browsers run)';

/** The row name of a watchwire format; CBOR says which cbor-x mode this process runs. */
export function formatRow(format: Format): string {
  if (format !== 'cbor') return `watchwire ${format}`;
  return `watchwire cbor (${cborNative() ? 'native' : 'no native'})`;
}

export function suiteName(corpus: Corpus): string {
  return `decode ${corpus.name}`;
}

/** The field selection the dropFields rows time: what most consumers of Pods never read. */
export const DROP_MANAGED_FIELDS: FieldSelection = { dropFields: ['metadata.managedFields'] };

/** The row name of a format with dropFields metadata.managedFields. */
export function dropRow(format: Format): string {
  return `${formatRow(format)}, dropFields metadata.managedFields`;
}

export const SHUFFLED_CBOR_ROW = 'watchwire cbor, keys shuffled per object + 55799 + f16 (another encoder)';

/**
 * Rows that show what bounds two of issue 14's targets, measured beside them
 * (no targets of their own; the ratios in run.ts say what each shows).
 * Key order: the same events with every string a byte string and no tags or
 * f16, once in watchwire's key order and once shuffled per object: the same
 * bytes per object, in another order. The framer's head walk builds nothing
 * (no objects, no strings, no hidden classes), so what order costs it is
 * what order costs any walk of the bytes: a branch per head that the CPU can
 * no longer predict.
 */
export const ORDER_BOUND = {
  walkSorted: 'bound: CBOR head walk only (CborSeqFramer, nothing built), keys in order, byte strings',
  walkShuffled: 'bound: CBOR head walk only, keys shuffled per object (the same bytes per object)',
  decodeSorted: 'bound: watchwire cbor, keys in order, byte strings (no tags, no f16)',
  decodeShuffled: 'bound: watchwire cbor, keys shuffled per object (the same bytes per object, no tags, no f16)',
} as const;
/**
 * FieldsV1 (managedFields' field sets) travels in protobuf as JSON text,
 * which the decoder must JSON.parse (no faster parser exists in JS: the CBOR
 * reader builds the same trees no faster, measured): this row times that
 * parse alone, over the same texts, so run.ts can say what protobuf and JSON
 * cost without it.
 */
export const FIELDSV1_ROW = 'bound: TextDecoder + JSON.parse of the events\' FieldsV1 alone (the JSON inside protobuf)';

/** One watchwire format over the corpus in 64 KiB chunks, checked; `selection` is passed to the decoder. */
export function measureFormat(corpus: Corpus, format: Format, timing: Timing, row = formatRow(format), selection: FieldSelection = {}): Figure {
  const suite = suiteName(corpus);
  const encoded = corpus.formats.get(format);
  if (encoded === undefined) return unavailable(suite, row, corpus.missing.get(format) ?? 'not available');
  return measureChunks(corpus, encoded.codec, encoded.chunks, encoded.bytes.length, timing, row, selection);
}

/** StreamDecoder over `chunks`, checked against the corpus (dropFields keeps names, so the checksum holds). */
function measureChunks(corpus: Corpus, codec: Parameters<typeof StreamDecoder.events>[0], chunks: readonly Uint8Array[], bytes: number, timing: Timing, row: string, selection: FieldSelection): Figure {
  const tally = new Tally();
  const options = { ...BENCH_LIMITS, ...selection };
  return measureSync(suiteName(corpus), row, { events: corpus.events.length, bytes }, timing, () => {
    tally.reset();
    const decoder = StreamDecoder.events(codec, (e) => tally.add(e.type, e.object), options);
    for (let i = 0; i < chunks.length; i++) decoder.push(chunks[i]!);
    decoder.end();
    tally.check(corpus.expected, row);
  });
}

/** The JSON.parse limit alone (for the child process, whose heap and history are clean). */
export function measureLimit(corpus: Corpus, timing: Timing): Figure {
  const json = corpus.formats.get('json')!;
  const tally = new Tally();
  const lines = corpus.jsonLines;
  return measureSync(suiteName(corpus), LIMIT_ROW, { events: corpus.events.length, bytes: json.bytes.length }, timing, () => {
    tally.reset();
    for (let i = 0; i < lines.length; i++) {
      const doc = JSON.parse(lines[i]!) as { type: string; object: { metadata?: { name?: string } } };
      tally.add(doc.type, doc.object);
    }
    tally.check(corpus.expected, LIMIT_ROW);
  });
}

/**
 * The extra rows of issue 14: each format with dropFields metadata.managedFields,
 * and (where CBOR is available) the same events as another encoder may write
 * them, verified to decode to the same events before they are timed.
 */
export function issue14Jobs(corpus: Corpus, timing: Timing): Job[] {
  const jobs: Job[] = [];
  for (const format of FORMATS) jobs.push(() => measureFormat(corpus, format, timing, dropRow(format), DROP_MANAGED_FIELDS));
  const cbor = corpus.formats.get('cbor');
  if (cbor === undefined) {
    jobs.push(() => unavailable(suiteName(corpus), SHUFFLED_CBOR_ROW, corpus.missing.get('cbor') ?? 'not available'));
    return jobs;
  }
  const bytes = shuffledCborStream(corpus.events, 0x5eed14);
  const decoded = decodeAll(cbor.codec, bytes, BENCH_LIMITS);
  for (let i = 0; i < corpus.events.length; i++) {
    if (canonical(decoded[i]) !== canonical(corpus.events[i])) throw new Error(`${corpus.name}: shuffled CBOR event ${i} does not decode to the corpus event`);
  }
  const chunks = chunk(bytes, CHUNK_BYTES);
  jobs.push(() => measureChunks(corpus, cbor.codec, chunks, bytes.length, timing, SHUFFLED_CBOR_ROW, {}));
  jobs.push(...orderBoundJobs(corpus, cbor.codec, timing));
  jobs.push(fieldsV1Job(corpus, timing));
  return jobs;
}

function orderBoundJobs(corpus: Corpus, codec: Parameters<typeof StreamDecoder.events>[0], timing: Timing): Job[] {
  const jobs: Job[] = [];
  const streams = [
    { walk: ORDER_BOUND.walkSorted, decode: ORDER_BOUND.decodeSorted, bytes: shuffledCborStream(corpus.events, 0x5eed15, { shuffle: false, tags: false, f16: false }) },
    { walk: ORDER_BOUND.walkShuffled, decode: ORDER_BOUND.decodeShuffled, bytes: shuffledCborStream(corpus.events, 0x5eed15, { tags: false, f16: false }) },
  ];
  if (streams[0]!.bytes.length !== streams[1]!.bytes.length) throw new Error(`${corpus.name}: the key-order bound streams differ in length`);
  for (const { walk, decode, bytes } of streams) {
    const chunks = chunk(bytes, CHUNK_BYTES);
    jobs.push(() => measureChunks(corpus, codec, chunks, bytes.length, timing, decode, {}));
    jobs.push(() =>
      measureSync(suiteName(corpus), walk, { events: corpus.events.length, bytes: bytes.length }, timing, () => {
        const { frames, bytes: framed } = frameAll(new CborSeqFramer(BENCH_LIMITS.maxFrameBytes, DEFAULT_LIMITS.maxDepth), chunks);
        if (frames !== corpus.events.length || framed !== bytes.length) throw new Error(`${walk}: ${frames} frames of ${framed} bytes, expected ${corpus.events.length} of ${bytes.length}`);
      }),
    );
  }
  return jobs;
}

function fieldsV1Job(corpus: Corpus, timing: Timing): Job {
  const encoder = new TextEncoder();
  const texts: Uint8Array[] = [];
  for (const event of corpus.events) {
    const entries = (event.object.metadata as { managedFields?: { fieldsV1?: unknown }[] } | undefined)?.managedFields ?? [];
    for (const entry of entries) if (entry.fieldsV1 !== undefined) texts.push(encoder.encode(JSON.stringify(entry.fieldsV1)));
  }
  const bytes = texts.reduce((n, t) => n + t.length, 0);
  const decoder = new TextDecoder();
  return () =>
    measureSync(suiteName(corpus), FIELDSV1_ROW, { events: corpus.events.length, bytes }, timing, () => {
      let objects = 0;
      for (let i = 0; i < texts.length; i++) if (typeof JSON.parse(decoder.decode(texts[i]!)) === 'object') objects++;
      if (objects !== texts.length) throw new Error(`${FIELDSV1_ROW}: ${objects} of ${texts.length} parsed to objects`);
    });
}

export async function runDecodeSuite(corpus: Corpus, timing: Timing, options: { peers: boolean; extra?: readonly Job[] }): Promise<Figure[]> {
  const suite = suiteName(corpus);
  const json = corpus.formats.get('json')!;
  const work = { events: corpus.events.length, bytes: json.bytes.length };
  const jobs: Job[] = [];
  const tally = new Tally();
  const lines = corpus.jsonLines;

  jobs.push(() =>
    measureSync(suite, LIMIT_ROW, work, timing, () => {
      tally.reset();
      for (let i = 0; i < lines.length; i++) {
        const doc = JSON.parse(lines[i]!) as { type: string; object: { metadata?: { name?: string } } };
        tally.add(doc.type, doc.object);
      }
      tally.check(corpus.expected, LIMIT_ROW);
    }),
  );

  const encoder = new TextEncoder();
  const byteLines = lines.map((l) => encoder.encode(l));
  const decoder = new TextDecoder();
  const bytesRow = 'TextDecoder + JSON.parse (pre-split byte lines)';
  jobs.push(() =>
    measureSync(suite, bytesRow, work, timing, () => {
      tally.reset();
      for (let i = 0; i < byteLines.length; i++) {
        const doc = JSON.parse(decoder.decode(byteLines[i]!)) as { type: string; object: { metadata?: { name?: string } } };
        tally.add(doc.type, doc.object);
      }
      tally.check(corpus.expected, bytesRow);
    }),
  );

  const streamBytes = json.bytes;
  jobs.push(() =>
    measureSync(suite, SPLIT_BYTES_ROW, work, timing, () => {
      tally.reset();
      const text = decoder.decode(streamBytes);
      for (const line of text.split('\n')) {
        if (line.length === 0) continue;
        const doc = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
        tally.add(doc.type, doc.object);
      }
      tally.check(corpus.expected, SPLIT_BYTES_ROW);
    }),
  );

  for (const format of FORMATS) jobs.push(() => measureFormat(corpus, format, timing));
  jobs.push(() => {
    // The guard is engine-gated (off on Node 20/22): forced on for this row only.
    const was = v8KeyGuard.enabled;
    v8KeyGuard.enabled = true;
    try {
      return measureFormat(corpus, 'json', timing, GUARD_ROW);
    } finally {
      v8KeyGuard.enabled = was;
    }
  });

  if (options.peers) {
    const paths = [
      { name: '@kubernetes/client-node Watch path (extracted: readline + JSON.parse)', run: clientNodeLinePath },
      { name: 'kubernetes-fluent-client Watch path (extracted: TextDecoder + split + JSON.parse)', run: fluentClientSplitPath },
      { name: 'naive readline + JSON.parse loop', run: naiveReadlineLoop },
    ];
    for (const path of paths) {
      jobs.push(() =>
        measureAsync(suite, path.name, work, timing, async () => {
          tally.reset();
          await path.run(json.chunks, (type, object) => tally.add(type, object));
          tally.check(corpus.expected, path.name);
        }),
      );
    }
  }
  jobs.push(...(options.extra ?? []));
  return runInRounds(jobs, timing.rounds);
}
