import { parseArgs } from 'node:util';
import type { WatchEvent } from '../core/event.js';
import { type FieldSelection, compileFieldFilter } from '../core/field-filter.js';
import type { StreamStats } from '../core/pipeline.js';
import { decodeObjectStream, decodeStream } from '../stream/async-iterable.js';
import { loadCodec } from './codec-loader.js';
import { inputBytes, openInput } from './input.js';
import { BatchedOutput } from './output.js';
import { UsageError } from './usage.js';

/**
 * Bytes of a read decoded before its events are printed (DecodeStreamOptions.stepBytes).
 * Every event is taken, so a step can be large (CBOR decodes the items that lie
 * whole in it as it frames them), but the objects of a step are all alive at
 * once: a whole 1 MiB read of protobuf (36 distinct Pods) made each scavenge
 * copy them. Measured, CPU of `decode --output none`, 4,000 Pods, medians of 5
 * interleaved runs (fixture / distinct): protobuf 0.76 / 0.67 s at 1 MiB, 0.70
 * / 0.62 at 256 KiB, 0.69 / 0.60 at 64 KiB; CBOR 0.76 / 0.59, 0.75 / 0.54,
 * 0.80 / 0.57; JSON 0.85 / 0.52 at 1 MiB and 256 KiB.
 */
const DECODE_STEP_BYTES = 256 * 1024;

export function parseLimit(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${flag} needs a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** `--drop-fields a.b,c --keep-fields ...` (each flag repeatable) as a field selection, checked now. */
export function fieldSelection(drop: string[] | undefined, keep: string[] | undefined): FieldSelection {
  const split = (flags: string[] | undefined) => (flags ?? []).flatMap((flag) => flag.split(',')).map((path) => path.trim()).filter((path) => path !== '');
  const selection: FieldSelection = {};
  const dropFields = split(drop);
  const keepFields = split(keep);
  if (dropFields.length > 0) selection.dropFields = dropFields;
  if (keepFields.length > 0) selection.keepFields = keepFields;
  try {
    compileFieldFilter(selection);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  return selection;
}

/** `watchwire decode`: a watch stream in, one JSON event per line out. */
export async function decodeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'content-type': { type: 'string' },
      objects: { type: 'boolean', default: false },
      output: { type: 'string', default: 'json' },
      'max-frame-bytes': { type: 'string' },
      'skip-bad-frames': { type: 'boolean', default: false },
      stats: { type: 'boolean', default: false },
      'drop-fields': { type: 'string', multiple: true },
      'keep-fields': { type: 'string', multiple: true },
      'protobuf-tier': { type: 'string' },
    },
  });
  const tier = values['protobuf-tier'];
  if (tier !== undefined && tier !== 'auto' && tier !== 'table' && tier !== 'compiled') throw new UsageError('--protobuf-tier must be auto, table or compiled');
  // A file's size tells 'auto' how long the stream is: a long one starts on the compiled tier (ProtobufObjectOptions.expectedBytes).
  const expectedBytes = inputBytes(positionals[0]);
  const codec = await loadCodec(values['content-type'], '--content-type', {
    ...(tier === undefined ? {} : { tier }),
    ...(expectedBytes === undefined ? {} : { expectedBytes }),
  });
  if (tier !== undefined && codec.name !== 'protobuf') throw new UsageError(`--protobuf-tier applies to protobuf, not ${codec.name}`);
  if (values.output !== 'json' && values.output !== 'none') throw new UsageError(`--output must be json or none`);
  if (positionals.length > 1) throw new UsageError('decode takes at most one FILE');
  if (values.objects && codec.objects === undefined) throw new UsageError(`--objects is not available for ${codec.name}`);
  const maxFrameBytes = parseLimit(values['max-frame-bytes'], '--max-frame-bytes');
  const selection = fieldSelection(values['drop-fields'], values['keep-fields']);

  const print = values.output === 'json';
  const out = new BatchedOutput(process.stdout);
  const started = performance.now();
  let stats: StreamStats = { bytes: 0, frames: 0, events: 0, skipped: 0 };
  const options = {
    ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
    ...(values['skip-bad-frames'] ? { onError: () => 'skip' as const } : {}),
    ...selection,
    onStats: (s: StreamStats) => (stats = { ...s }),
    stepBytes: DECODE_STEP_BYTES,
  };
  const input = openInput(positionals[0]);
  const values$: AsyncIterable<WatchEvent | object> = values.objects
    ? decodeObjectStream(input, codec, options)
    : decodeStream(input, codec, options);
  try {
    for await (const value of values$) {
      if (print) await out.write(JSON.stringify(value) + '\n');
    }
  } finally {
    await out.flush();
    if (values.stats) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(JSON.stringify({ events: stats.events, bytes: stats.bytes, seconds: Number(seconds.toFixed(6)) }) + '\n');
    }
  }
}
