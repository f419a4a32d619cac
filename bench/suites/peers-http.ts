/**
 * The peers through their public Watch APIs against a loopback HTTP server
 * serving the same JSON bytes (64 KiB writes), beside watchwire doing the
 * same job through its own public API, over both of its transports: the
 * global fetch (browser-safe) and nodeFetch (watchwire/node, node:http).
 *
 * Fair by construction: one server, the same corpus bytes for every JSON
 * client, and every cycle checks what its client delivered: the event count,
 * a checksum of every event's type and name, and the last object compared
 * whole (sorted-key JSON) with the corpus's last object.
 */
import { type Figure, type Job, Tally, type Timing, measureAsync, runInRounds, unavailable } from '../harness.js';
import { isNewerResourceVersion } from 'watchwire';
import { type Corpus, FORMATS, canonical } from '../materialise.js';
import { type WatchClient, clientNodeWatch, fluentClientWatch, naiveHttpReadline, watchwireDecodeStream, watchwireStreamDecoder, watchwireWatch } from '../peers/clients.js';
import { CpuPerEvent } from '../peers/cpu.js';
import type { CorpusServer } from '../peers/server.js';
import { peerVersion } from '../peers/versions.js';

function versionsGrow(corpus: Corpus): boolean {
  let last: string | undefined;
  for (const event of corpus.events) {
    const rv = event.object.metadata?.resourceVersion;
    if (rv === undefined || !isNewerResourceVersion(rv, last)) return false;
    last = rv;
  }
  return true;
}

/** The row the peers' ratios are taken against: what a Node user of watchwire runs (nodeFetch + decodeStream). */
export const HTTP_WATCHWIRE_ROW = 'watchwire json: nodeFetch + decodeStream (public API)';
/** The same over the global fetch (undici on Node): what the browser-safe entry does by default. */
export const HTTP_WATCHWIRE_FETCH_ROW = 'watchwire json: fetch + decodeStream (public API)';
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
    const name = format === 'json' ? HTTP_WATCHWIRE_ROW : `watchwire ${format}: nodeFetch + decodeStream (public API)`;
    if (encoded === undefined) {
      figures.push(unavailable(suite, name, corpus.missing.get(format) ?? 'not available'));
      continue;
    }
    clients.push({ name, format, make: () => watchwireDecodeStream(encoded.codec, 'nodeFetch') });
    if (format === 'json') {
      clients.push({ name: HTTP_WATCHWIRE_FETCH_ROW, format, make: () => watchwireDecodeStream(encoded.codec, 'fetch') });
      clients.push({ name: 'watchwire json: nodeFetch + StreamDecoder callback', format, make: () => watchwireStreamDecoder(encoded.codec, 'nodeFetch') });
      for (const transport of ['nodeFetch', 'fetch'] as const) {
        const watchName = `watchwire json: watch() client over ${transport}`;
        // watch() drops an event whose resourceVersion is not newer than the last one delivered (its
        // duplicate guard), so it only delivers the whole corpus when the versions grow.
        if (versionsGrow(corpus)) clients.push({ name: watchName, format, make: () => watchwireWatch('json', transport) });
        else figures.push(unavailable(suite, watchName, "not comparable: this corpus's resourceVersions do not grow (its bookmarks go back), and watch() drops such events as duplicates by design"));
      }
    }
  }
  clients.push({ name: HTTP_CLIENT_NODE_ROW, format: 'json', make: clientNodeWatch });
  clients.push({ name: HTTP_FLUENT_ROW, format: 'json', make: fluentClientWatch });
  clients.push({ name: 'naive http.get + readline + JSON.parse loop', format: 'json', make: () => naiveHttpReadline });

  const expectedLast = canonical(corpus.events.at(-1)!.object);
  const cpuOf = new Map<string, CpuPerEvent>();
  let last: unknown;
  const record = (type: string, object: { metadata?: { name?: string } }): void => {
    tally.add(type, object);
    last = object;
  };
  for (const client of clients) {
    const encoded = corpus.formats.get(client.format)!;
    let run: WatchClient;
    try {
      run = await client.make();
    } catch (e) {
      figures.push(unavailable(suite, client.name, `not available: cannot load on Node ${process.version}: ${String(e).slice(0, 200)}`));
      continue;
    }
    const cpu = new CpuPerEvent();
    cpuOf.set(client.name, cpu);
    jobs.push(async () => {
      server.serve(encoded.chunks, encoded.codec.mediaType);
      cpu.startRound();
      const figure = await measureAsync(suite, client.name, { events: corpus.events.length, bytes: encoded.bytes.length }, timing, async () => {
        tally.reset();
        last = undefined;
        const started = process.cpuUsage();
        await run(server.url, corpus.events.length, record);
        cpu.add(process.cpuUsage(started), corpus.events.length);
        tally.check(corpus.expected, client.name);
        if (canonical(last) !== expectedLast) throw new Error(`${client.name}: the last object delivered differs from the corpus's last object`);
      });
      cpu.endRound();
      return figure;
    });
  }
  const measured = await runInRounds(jobs, timing.rounds);
  // CPU time is far less sensitive than wall time to the other processes of a shared machine.
  for (const figure of measured) {
    const cpu = cpuOf.get(figure.name);
    if (cpu !== undefined && figure.unavailable === undefined) figure.note = `${figure.note ?? ''}; process CPU ${cpu.median().toFixed(1)} µs/event (median of rounds, server included)`;
  }
  return [...figures, ...measured];
}
