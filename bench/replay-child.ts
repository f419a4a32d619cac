/**
 * Runs watchwire's replay server in its own process (so its encoding work and
 * memory are not counted against the client being measured), loaded with the
 * Pod corpus. Prints `url <URL> <resourceVersion>` once listening; exits when
 * stdin closes.
 */
import { createRegistry, decodeAll, encodeAll } from 'watchwire';
import { startReplayServer } from 'watchwire/server';
import { FULL_SIZES, QUICK_SIZES, makeEvents, makePod } from './corpus.js';
import { BENCH_LIMITS } from './materialise.js';

const quick = process.argv.includes('--quick');
const generated = makeEvents((quick ? QUICK_SIZES : FULL_SIZES).pods, 0x5eed01, 'Pod', makePod);
// The corpus's canonical form (materialise.ts): once through protobuf, which writes every field as a
// server does, so every format the server encodes decodes to the same objects the client checks.
const registry = createRegistry();
const protobuf = registry.list().find((c) => c.name === 'protobuf');
const events = protobuf === undefined ? generated : decodeAll(protobuf, encodeAll(protobuf, generated), BENCH_LIMITS);
const initialResourceVersion = 100;
const server = await startReplayServer({ events, initialResourceVersion, historyLimit: 1_000_000 });
process.stdout.write(`url ${server.url} ${initialResourceVersion}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
