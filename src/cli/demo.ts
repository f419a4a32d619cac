import { isDeepStrictEqual } from 'node:util';
import { decodeAll, encodeAll } from '../core/pipeline.js';
import { createRegistry } from '../formats/index.js';
import { sampleEvents } from './sample.js';

/**
 * `watchwire demo`: encodes a sample watch history in every registered format,
 * decodes it again in 1 KiB chunks, prints the events and one stats line per
 * format. Needs no cluster and no network.
 */
export async function demoCommand(): Promise<void> {
  const events = sampleEvents();
  for (const codec of createRegistry().list()) {
    if (codec.name === 'json-documents') continue;
    const bytes = encodeAll(codec, events);
    const started = performance.now();
    const decoded = decodeAll(codec, bytes);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`# ${codec.name} (${codec.mediaType})\n`);
    for (const event of decoded) {
      const meta = event.object.metadata ?? {};
      process.stdout.write(`${event.type.padEnd(8)} ${event.object.kind ?? '?'} ${meta.namespace ?? ''}/${meta.name ?? ''} rv=${meta.resourceVersion ?? ''}\n`);
    }
    const same = isDeepStrictEqual(decoded, events);
    process.stdout.write(JSON.stringify({ format: codec.name, events: decoded.length, bytes: bytes.length, seconds: Number(seconds.toFixed(6)), sameAsSource: same }) + '\n');
  }
}
