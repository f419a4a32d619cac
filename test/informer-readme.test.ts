/**
 * The README's two informer examples (controller loop, UI), run as written
 * against the replay server with a dropped connection and a 410 in the way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KubeObject, SharedInformerFactory, createInformer, createRegistry } from 'watchwire';
import { startReplayServer } from 'watchwire/server';
import { pod as makePod } from './helpers/replay-client.ts';

test('README: the controller loop reconciles every change against the cache', async () => {
  const server = await startReplayServer({
    objects: [makePod('web-1', 'default', { spec: { nodeName: 'node-1', containers: [] } }), makePod('db-1', 'default', { metadata: { name: 'db-1', namespace: 'default', labels: { app: 'db' } } })],
    // Cut during the initial state; a clean end after a change; then a 410 on the resume.
    faults: (r) => (r.kind !== 'watch' ? undefined : [{ dropAfterEvents: 1 }, { closeAfterEvents: 3 }, { expire: true }][r.index]),
    bookmarkIntervalMs: 20,
  });
  const controller = new AbortController();
  const { signal } = controller;
  const seen: [string, boolean, number][] = [];
  const reconcile = async (name: string, pod: KubeObject | undefined, onNode1: number): Promise<void> => {
    seen.push([name, pod !== undefined, onNode1]);
    if (name === 'web-1') server.append('ADDED', makePod('web-2', 'default', { spec: { nodeName: 'node-1', containers: [] } }));
    if (name === 'web-2' && pod !== undefined) server.append('DELETED', server.store.get('/pods', 'default', 'web-2')!);
    if (name === 'web-2' && pod === undefined) controller.abort();
  };
  const giveUp = setTimeout(() => controller.abort(), 8000);
  const { url: server_ } = server;

  await (async (server: string) => {
    // --- README snippet ---
    const pods = createInformer({
      server, // e.g. http://127.0.0.1:8001 (kubectl proxy); or url: '.../api/v1/namespaces/default/pods'
      resource: { version: 'v1', resource: 'pods' },
      namespace: 'default',
      labelSelector: { app: 'web' },
      registry: createRegistry(), // json, yaml, protobuf, cbor
      formats: ['protobuf', 'json'],
      dropFields: ['metadata.managedFields'], // most of a Pod's bytes: never decoded into the cache
      indexers: { node: (pod) => (pod.spec as { nodeName?: string } | undefined)?.nodeName },
      signal,
    });
    void pods.start(); // resolves once synced
    for await (const change of pods.changes()) {
      if (change.type === 'synced') continue; // the initial state is in: pods.hasSynced
      // Reconcile against the cache, not the event: it is the latest state (undefined once deleted).
      const { name, namespace } = change.object.metadata!;
      await reconcile(name!, pods.get(name!, namespace), pods.byIndex('node', 'node-1').length);
    }
    // --- end of snippet ---
  })(server_);

  clearTimeout(giveUp);
  await server.close();
  assert.ok(server.requests.filter((r) => r.kind === 'watch').length >= 4, `the cut and the 410 did happen: ${JSON.stringify(server.requests.map((r) => [r.kind, r.status]))} ${JSON.stringify(seen)}`);
  assert.deepEqual(seen, [
    ['web-1', true, 1],
    ['web-2', true, 2],
    ['web-2', false, 1],
  ]);
});

test('README: UI widgets share one informer; the last one out closes the watch', async () => {
  const server = await startReplayServer({ objects: [makePod('a'), makePod('b')], bookmarkIntervalMs: 20 });
  const drawn: string[][] = [];
  const draw = (names: string[]): void => {
    drawn.push(names);
  };
  const run = async (server: string) => {
    // --- README snippet ---
    const informers = new SharedInformerFactory({ server, registry: createRegistry() });
    const podsInformer = informers.informer({ resource: { version: 'v1', resource: 'pods' } });

    let pending: ReturnType<typeof setTimeout> | undefined;
    const render = (): void => {
      pending ??= setTimeout(() => {
        // one redraw per burst of changes
        pending = undefined;
        draw(table.list('default').map((p) => p.metadata!.name!));
      }, 16);
    };
    const table = podsInformer.join({ onAdd: render, onUpdate: render, onDelete: render });
    await table.synced;
    // ... on unmount:
    // --- end of snippet (leave below) ---
    return { table, podsInformer, informers };
  };
  const { table, podsInformer, informers } = await run(server.url);
  assert.equal(informers.informer({ resource: { version: 'v1', resource: 'pods' } }), podsInformer, 'the same resource, the same shared informer');
  const other = podsInformer.join();
  assert.equal(other.list().length, 2, 'a late joiner has the state at once');
  server.append('ADDED', makePod('c'));
  await waitFor(() => drawn.some((names) => names.includes('c')));
  other.leave();
  assert.equal(server.activeWatches, 1);
  table.leave();
  await waitFor(() => server.activeWatches === 0);
  assert.deepEqual(drawn.at(-1)?.sort(), ['a', 'b', 'c']);
  await server.close();
});

async function waitFor(check: () => boolean): Promise<void> {
  const end = performance.now() + 3000;
  while (!check()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
