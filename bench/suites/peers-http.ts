/**
 * The peers through their public Watch APIs against a loopback HTTP server
 * serving the same JSON bytes (64 KiB writes), beside watchwire doing the
 * same job through its own public API.
 */
import { type Figure, type Job, Tally, type Timing, measureAsync, runInRounds, unavailable } from '../harness.js';
import { type Corpus, FORMATS } from '../materialise.js';
import { type WatchClient, clientNodeWatch, fluentClientWatch, naiveHttpReadline, watchwireDecodeStream, watchwireStreamDecoder } from '../peers/clients.js';
import type { CorpusServer } from '../peers/server.js';
import { peerVersion } from '../peers/versions.js';

export const HTTP_WATCHWIRE_ROW = 'watchwire json: fetch + decodeStream (public API)';
export const HTTP_CLIENT_NODE_ROW = `@kubernetes/client-node ${peerVersion('@kubernetes/client-node')} Watch (public API)`;
export const HTTP_FLUENT_ROW = `kubernetes-fluent-client ${peerVersion('kubernetes-fluent-client')} Watch (public API)`;

export function httpSuiteName(corpus: Corpus): string {
  return `loopback HTTP watch ${corpus.name}`;
}

export async function runPeersHttpSuite(corpus: Corpus, server: CorpusServer, timing: Timing): Promise<Figure[]> {
  const suite = httpSuiteName(corpus);
  const figures: Figure[] = [];
  const jobs: Job[] = [];
  const tally = new Tally();
  const clients: { name: string; format: (typeof FORMATS)[number]; make: () => Promise<WatchClient> | WatchClient }[] = [];
  for (const format of FORMATS) {
    const encoded = corpus.formats.get(format);
    if (format === 'yaml') continue; // no server streams YAML
    const name = format === 'json' ? HTTP_WATCHWIRE_ROW : `watchwire ${format}: fetch + decodeStream (public API)`;
    if (encoded === undefined) {
      figures.push(unavailable(suite, name, corpus.missing.get(format) ?? 'not available'));
      continue;
    }
    clients.push({ name, format, make: () => watchwireDecodeStream(encoded.codec) });
    if (format === 'json') clients.push({ name: 'watchwire json: fetch + StreamDecoder callback', format, make: () => watchwireStreamDecoder(encoded.codec) });
  }
  clients.push({ name: HTTP_CLIENT_NODE_ROW, format: 'json', make: clientNodeWatch });
  clients.push({ name: HTTP_FLUENT_ROW, format: 'json', make: fluentClientWatch });
  clients.push({ name: 'naive http.get + readline + JSON.parse loop', format: 'json', make: () => naiveHttpReadline });

  for (const client of clients) {
    const encoded = corpus.formats.get(client.format)!;
    let run: WatchClient;
    try {
      run = await client.make();
    } catch (e) {
      figures.push(unavailable(suite, client.name, `not available: cannot load on Node ${process.version}: ${String(e).slice(0, 200)}`));
      continue;
    }
    jobs.push(() => {
      server.serve(encoded.chunks, encoded.codec.mediaType);
      return measureAsync(suite, client.name, { events: corpus.events.length, bytes: encoded.bytes.length }, timing, async () => {
        tally.reset();
        await run(server.url, corpus.events.length, (type, object) => tally.add(type, object));
        tally.check(corpus.expected, client.name);
      });
    });
  }
  return [...figures, ...(await runInRounds(jobs, timing.rounds))];
}
