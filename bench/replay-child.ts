/**
 * Runs watchwire's replay server in its own process (so its encoding work and
 * memory are not counted against the client being measured), loaded with the
 * Pod corpus. Prints `url <URL> <resourceVersion>` once listening; exits when
 * stdin closes.
 */
import { startReplayServer } from 'watchwire/server';
import { FULL_SIZES, QUICK_SIZES, makeEvents, makePod } from './corpus.js';

const quick = process.argv.includes('--quick');
const events = makeEvents((quick ? QUICK_SIZES : FULL_SIZES).pods, 0x5eed01, 'Pod', makePod);
const initialResourceVersion = 100;
const server = await startReplayServer({ events, initialResourceVersion, historyLimit: 1_000_000 });
process.stdout.write(`url ${server.url} ${initialResourceVersion}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
