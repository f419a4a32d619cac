/**
 * The informer bench's server, in its own process (its encoding work and
 * memory are not the informer's): the replay server holding N realistic
 * ~10 KB Pods (managedFields included). Prints `url <URL> <resourceVersion>`
 * once listening; exits when stdin closes.
 *
 *   node --import tsx suites/informer-server.ts <pods>
 */
import { type KubeObject, createRegistry, decodeAll, encodeAll } from 'watchwire';
import { startReplayServer } from 'watchwire/server';
import { Rng, makePod } from '../corpus.js';
import { BENCH_LIMITS } from '../materialise.js';

const count = Number(process.argv[2] ?? 10_000);
const rng = new Rng(0x1f0e13);
const generated = Array.from({ length: count }, (_, i) => ({ type: 'ADDED' as const, object: makePod(rng, i) }));
// Once through protobuf, which writes every field as a server does: every format then decodes to the same objects.
const protobuf = createRegistry().list().find((c) => c.name === 'protobuf');
const objects: KubeObject[] = (protobuf === undefined ? generated : decodeAll(protobuf, encodeAll(protobuf, generated), BENCH_LIMITS)).map((e) => e.object);
const server = await startReplayServer({ objects, historyLimit: 2 * count + 10, bookmarkIntervalMs: 60_000 });
process.stdout.write(`url ${server.url} ${server.resourceVersion}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
