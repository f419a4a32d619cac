/**
 * An idle informer must not keep an object it has already deleted from its
 * store: the watch loop's for-await kept the last event it handled in its
 * suspended frame until the next one came, which on a quiet resource is
 * never (the same fault as test/watch-idle-retention.test.ts, one level up).
 * Against the real replay server over loopback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type KubeObject, createInformer, createRegistry } from 'watchwire';
import { type ReplayServer, startReplayServer } from 'watchwire/server';
import { podsUrl } from './helpers/replay-client.ts';

const PODS = 4;

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Deletes every Pod on the server. Its own function, so the test body never holds one. */
function deleteAll(server: ReplayServer): void {
  for (const pod of server.store.list('/pods')) server.append('DELETED', pod);
}

for (const format of ['json', 'protobuf', 'cbor']) {
  test(`${format}: an idle informer keeps none of the objects it deleted`, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // No bookmarks for the test's length: after the deletes the watch is silent.
    const server = await startReplayServer({ generate: { pods: PODS, namespaces: ['default'] }, bookmarkIntervalMs: 600_000 });
    const deleted: WeakRef<KubeObject>[] = [];
    const informer = createInformer({ url: podsUrl(server), registry: createRegistry(), formats: [format], watchList: false, backoff: { initialMs: 1, maxMs: 5, random: () => 0 } });
    informer.subscribe({ onDelete: (o) => void deleted.push(new WeakRef(o)) });
    try {
      await informer.start();
      assert.equal(informer.list().length, PODS);
      deleteAll(server);
      await until('the deletes', () => deleted.length === PODS);
      assert.equal(informer.list().length, 0);
      // The informer now waits on a silent watch.
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
      const kept = deleted.map((ref, i) => (ref.deref() === undefined ? -1 : i)).filter((i) => i >= 0);
      assert.deepEqual(kept, [], `the idle informer still holds deleted objects ${kept.join(', ')}`);
    } finally {
      informer.stop();
      await server.close();
    }
  });
}
