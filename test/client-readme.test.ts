/**
 * The README's watch loop, run as written against the replay server with a
 * dropped connection and a 410 in the way: the cache it keeps must end equal
 * to the server's objects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KubeObject, watch } from 'watchwire';
import { startReplayServer } from 'watchwire/server';
import { pod } from './helpers/replay-client.ts';

test('README: a watch loop with a cache, resume and re-list', async () => {
  const server = await startReplayServer({
    generate: { pods: 5 },
    faults: (r) => (r.kind !== 'watch' ? undefined : r.index === 0 ? { dropAfterEvents: 1 } : r.index === 1 ? { expire: true } : undefined),
  });
  const url = `${server.url}/api/v1/namespaces/default/pods`;
  const controller = new AbortController();
  const { signal } = controller;
  setTimeout(() => server.append('ADDED', pod('new')), 100);
  setTimeout(() => server.append('DELETED', server.store.get('/pods', 'default', 'pod-0001')!), 150);
  const log: string[] = [];
  // Stop once the cache holds what the server holds after the second re-list (the default backoff is 0.4-0.8 s).
  const poll = setInterval(() => {
    const names = [...cache.keys()].sort().join(',');
    if (log.filter((t) => t === 'relist').length === 2 && names === 'new,pod-0000,pod-0002,pod-0003,pod-0004') controller.abort();
  }, 20);
  const giveUp = setTimeout(() => controller.abort(), 8000);

  // --- README snippet (log → console.error there) ---
  const cache = new Map<string, KubeObject>();
  for await (const event of watch({
    url, // e.g. http://127.0.0.1:8001/api/v1/namespaces/default/pods (kubectl proxy)
    signal, // abort to stop: the loop ends, the connection closes
    onList: (list) => {
      cache.clear(); // first LIST, and again after 410 Expired
      for (const o of list.items) cache.set(o.metadata!.name!, o);
    },
    onSignal: (s) => log.push(s.type), // connected, resumed, relist, backoff, stalled...
  })) {
    const name = event.object.metadata?.name;
    if (event.type === 'DELETED' && name) cache.delete(name);
    else if ((event.type === 'ADDED' || event.type === 'MODIFIED') && name) cache.set(name, event.object);
  }
  // --- end of snippet ---

  clearInterval(poll);
  clearTimeout(giveUp);
  await server.close();
  assert.deepEqual([...cache.keys()].sort(), ['new', 'pod-0000', 'pod-0002', 'pod-0003', 'pod-0004']);
  assert.deepEqual(cache.get('new'), server.store.get('/pods', 'default', 'new'));
  assert.deepEqual(log.filter((t) => ['relist', 'resumed', 'expired'].includes(t)), ['relist', 'resumed', 'expired', 'relist']);
});
