import { parseArgs } from 'node:util';
import type { Codec } from '../core/codec.js';
import type { WatchEvent } from '../core/event.js';
import { jsonCodec } from '../formats/json/codec.js';
import { decodeStream } from '../stream/async-iterable.js';
import { loadCodec } from './codec-loader.js';
import { parseLimit } from './decode.js';
import { openInput } from './input.js';
import { BatchedOutput } from './output.js';

async function writeAll(events: AsyncIterable<WatchEvent>, to: Codec): Promise<void> {
  const encoder = to.createEncoder();
  const out = new BatchedOutput(process.stdout);
  try {
    for await (const event of events) await out.write(encoder.encode(event));
  } finally {
    await out.flush();
  }
}

/** `watchwire encode`: JSON events (one per line) on stdin, TYPE on stdout. */
export async function encodeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'content-type': { type: 'string' }, 'max-frame-bytes': { type: 'string' } },
  });
  const to = await loadCodec(values['content-type'], '--content-type');
  const maxFrameBytes = parseLimit(values['max-frame-bytes'], '--max-frame-bytes');
  const input = openInput(positionals[0]);
  await writeAll(decodeStream(input, jsonCodec, maxFrameBytes === undefined ? {} : { maxFrameBytes }), to);
}

/** `watchwire transcode`: decode --from, encode --to, one event at a time. */
export async function transcodeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, 'max-frame-bytes': { type: 'string' } },
  });
  const from = await loadCodec(values.from, '--from');
  const to = await loadCodec(values.to, '--to');
  const maxFrameBytes = parseLimit(values['max-frame-bytes'], '--max-frame-bytes');
  const input = openInput(positionals[0]);
  await writeAll(decodeStream(input, from, maxFrameBytes === undefined ? {} : { maxFrameBytes }), to);
}
