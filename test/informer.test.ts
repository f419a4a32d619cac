/**
 * The informer against the real replay server over loopback: both ways to
 * the initial state in every format, reconcile after a 410, the fallback
 * when a server refuses watch-list, shared informers, the change iterator,
 * transforms and field selection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InformerChange, type InformerSignal, type KubeObject, createInformer, createRegistry, SharedInformer } from 'watchwire';
import { type ReplayServer, generatePods, startReplayServer } from 'watchwire/server';
import { FORMATS, podsUrl } from './helpers/replay-client.ts';

const registry = createRegistry();
const fast = { initialMs: 1, maxMs: 5, random: () => 0 };

/** Handler calls as short strings: `add ns/name`, `update ns/name`, `delete ns/name (unknown)`. */
function recorder(): { calls: string[]; handlers: Parameters<ReturnType<typeof createInformer>['subscribe']>[0] } {
  const calls: string[] = [];
  const id = (o: KubeObject): string => `${o.metadata?.namespace}/${o.metadata?.name}`;
  return {
    calls,
    handlers: {
      onAdd: (o) => calls.push(`add ${id(o)}`),
      onUpdate: (_old, o) => calls.push(`update ${id(o)}`),
      onDelete: (o, { finalStateUnknown }) => calls.push(`delete ${id(o)}${finalStateUnknown ? ' (unknown)' : ''}`),
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function withoutKindOfItems(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => structuredClone(o));
}

function modified(server: ReplayServer, name: string, phase: string): void {
  const current = server.store.get('/pods', 'default', name)!;
  server.append('MODIFIED', { ...current, status: { ...(current.status as object), phase } });
}

for (const format of FORMATS) {
  for (const watchList of [true, false]) {
    test(`${format}, ${watchList ? 'watch-list' : 'paged LIST'}: syncs, follows live changes, store equals the server`, async () => {
      const server = await startReplayServer({ generate: { pods: 7, namespaces: ['default', 'kube-system'] }, bookmarkIntervalMs: 20 });
      const signals: InformerSignal[] = [];
      const informer = createInformer({
        url: podsUrl(server),
        registry,
        formats: [format],
        watchList,
        pageSize: 3,
        backoff: fast,
        indexers: { app: (p) => p.metadata?.labels?.app },
        onSignal: (s) => signals.push(s),
      });
      const { calls, handlers } = recorder();
      informer.subscribe(handlers);
      try {
        assert.equal(informer.hasSynced, false);
        await informer.start();
        assert.equal(informer.hasSynced, true);
        assert.equal(calls.length, 7);
        assert.ok(calls.every((c) => c.startsWith('add ')));
        assert.deepEqual(informer.list(), server.store.list('/pods'));
        assert.equal(informer.byIndex('namespace', 'kube-system').length, 3);
        assert.equal(informer.list('default').length, 4);
        assert.deepEqual(new Set(informer.byIndex('app', 'web').map((p) => p.metadata?.name)), new Set(['pod-0000', 'pod-0002', 'pod-0004', 'pod-0006']));
        assert.equal(informer.get('pod-0001', 'kube-system')?.metadata?.name, 'pod-0001');
        const lists = server.requests.filter((r) => r.kind === 'list');
        if (watchList) {
          assert.equal(lists.length, 0, 'watch-list needs no LIST');
          assert.ok(signals.some((s) => s.type === 'initial-events-end'));
        } else {
          assert.ok(lists.length >= 1);
          assert.ok(lists.every((r) => r.url.includes('limit=3')), 'LIST pages of pageSize');
        }
        calls.length = 0;
        modified(server, 'pod-0000', 'Failed');
        server.append('DELETED', server.store.get('/pods', 'default', 'pod-0002')!);
        server.append('ADDED', { ...generatePods(1)[0]!, metadata: { ...generatePods(1)[0]!.metadata, name: 'late', uid: 'late-uid' } });
        await until('three changes', () => calls.length >= 3);
        assert.deepEqual(calls, ['update default/pod-0000', 'delete default/pod-0002', 'add default/late']);
        assert.deepEqual(informer.list().sort(byKey), withoutKindOfItems(server.store.list('/pods')).sort(byKey));
      } finally {
        informer.stop();
        await informer.done;
        await server.close();
      }
    });
  }
}

function byKey(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

for (const watchList of [true, false]) {
  test(`after a 410 (${watchList ? 'watch-list' : 'LIST'}): vanished objects get onDelete(finalStateUnknown), changed ones onUpdate, unchanged nothing`, async () => {
    const server = await startReplayServer({ generate: { pods: 4 }, bookmarkIntervalMs: 10_000 });
    const informer = createInformer({ url: podsUrl(server), registry, watchList, backoff: fast, stallTimeoutMs: 200 });
    const { calls, handlers } = recorder();
    informer.subscribe(handlers);
    try {
      await informer.start();
      calls.length = 0;
      // The server fails every watch while things change, then forgets the history: the resume gets 410.
      server.setFaults((r) => (r.kind === 'watch' ? { status: { code: 503 } } : undefined));
      await until('a failed watch', () => server.requests.some((r) => r.status === 503));
      server.append('DELETED', server.store.get('/pods', 'default', 'pod-0001')!);
      modified(server, 'pod-0002', 'Succeeded');
      const recreated = server.store.get('/pods', 'default', 'pod-0003')!;
      server.append('DELETED', recreated);
      server.append('ADDED', { ...recreated, metadata: { ...recreated.metadata, uid: 'new-uid' } });
      server.compact();
      server.setFaults(undefined);
      await until('the reconcile', () => calls.length >= 4);
      await new Promise((r) => setTimeout(r, 30));
      assert.deepEqual(calls.sort(), ['add default/pod-0003', 'delete default/pod-0001 (unknown)', 'delete default/pod-0003 (unknown)', 'update default/pod-0002'].sort());
      assert.deepEqual(informer.list().sort(byKey), server.store.list('/pods'));
      assert.equal(informer.get('pod-0003', 'default')?.metadata?.uid, 'new-uid');
      assert.ok(informer.stats.states >= 2);
    } finally {
      informer.stop();
      await informer.done;
      await server.close();
    }
  });
}

test("watchList 'auto': a server without watch-list (it answers 422) gets a paged LIST instead, from then on", async () => {
  const server = await startReplayServer({ generate: { pods: 3 }, watchList: false });
  const signals: InformerSignal[] = [];
  const informer = createInformer({ url: podsUrl(server), registry, backoff: fast, onSignal: (s) => signals.push(s) });
  try {
    await informer.start();
    assert.equal(informer.size, 3);
    assert.equal(informer.stats.mode, 'list');
    assert.ok(signals.some((s) => s.type === 'watch-list-unsupported'));
    modified(server, 'pod-0000', 'Failed');
    await until('the change', () => (informer.get('pod-0000', 'default')?.status as { phase?: string })?.phase === 'Failed');
    assert.equal(server.requests.filter((r) => r.kind === 'watch' && r.url.includes('sendInitialEvents')).length, 1, 'asked once');
  } finally {
    informer.stop();
    await informer.done;
    await server.close();
  }
});

test('watchList: true does not fall back: the refusal is the error', async () => {
  const server = await startReplayServer({ generate: { pods: 1 }, watchList: false });
  const informer = createInformer({ url: podsUrl(server), registry, watchList: true, backoff: fast });
  try {
    await assert.rejects(informer.start(), /HTTP 422/);
    await assert.rejects(informer.done, /HTTP 422/);
  } finally {
    await server.close();
  }
});

test('shared informer: one watch for all; a late joiner gets the state first; leaving stops nothing for others; the last out ends the watch', async () => {
  const server = await startReplayServer({ generate: { pods: 2 }, bookmarkIntervalMs: 20 });
  const shared = new SharedInformer({ url: podsUrl(server), registry, backoff: fast });
  const a = recorder();
  const b = recorder();
  const first = shared.join(a.handlers);
  await first.synced;
  server.append('ADDED', { ...generatePods(1)[0]!, metadata: { ...generatePods(1)[0]!.metadata, name: 'third' } });
  await until('third', () => first.get('third', 'default') !== undefined);
  const second = shared.join(b.handlers);
  assert.equal(second.hasSynced, true);
  assert.deepEqual(b.calls, ['add default/pod-0000', 'add default/pod-0001', 'add default/third'], 'the late joiner starts from the current state');
  assert.equal(server.activeWatches, 1, 'one watch for both');
  const iterator = second.changes({ replay: false });
  first.leave();
  modified(server, 'pod-0000', 'Failed');
  const next = await iterator.next();
  assert.equal((next.value as InformerChange<KubeObject>).type, 'update');
  assert.deepEqual(b.calls.slice(3), ['update default/pod-0000']);
  assert.equal(a.calls.length, 3, 'the one that left hears nothing more');
  assert.equal(server.activeWatches, 1, 'still watching for the other');
  second.leave();
  assert.deepEqual(await iterator.next(), { value: undefined, done: true }, "a subscriber's iterators end when it leaves");
  await until('the watch to end', () => server.activeWatches === 0);
  assert.equal(shared.subscribers, 0);
  const again = shared.join();
  await again.synced;
  assert.equal(again.list().length, 3, 'a join after the last one left starts a fresh informer');
  again.leave();
  await server.close();
});

test('changes(): the current state as add, then synced, then each change; break unsubscribes', async () => {
  const server = await startReplayServer({ generate: { pods: 2 } });
  const informer = createInformer({ url: podsUrl(server), registry, backoff: fast });
  void informer.start();
  const seen: string[] = [];
  try {
    for await (const item of informer.changes()) {
      seen.push(item.type === 'synced' ? 'synced' : `${item.type} ${item.object.metadata?.name}`);
      if (item.type === 'synced') server.append('DELETED', server.store.get('/pods', 'default', 'pod-0000')!);
      if (item.type === 'delete') break;
    }
    assert.deepEqual(seen, ['add pod-0000', 'add pod-0001', 'synced', 'delete pod-0000']);
  } finally {
    informer.stop();
    await informer.done;
    await server.close();
  }
});

/** A Pod with managedFields (what a real one carries, most of its bytes). */
function managedPod(name: string): KubeObject {
  const base = generatePods(1)[0]!;
  return {
    ...base,
    metadata: {
      ...base.metadata,
      name,
      managedFields: [
        { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': {} } } },
      ],
    },
  };
}

for (const format of FORMATS) {
  test(`${format}: transform and dropFields keep managedFields out of the store (watch-list and LIST)`, async () => {
    const server = await startReplayServer({ objects: [managedPod('m1'), managedPod('m2')] });
    try {
      for (const watchList of [true, false]) {
        const dropping = createInformer({ url: podsUrl(server), registry, formats: [format], watchList, dropFields: ['metadata.managedFields'], backoff: fast });
        const transforming = createInformer({
          url: podsUrl(server),
          registry,
          formats: [format],
          watchList,
          backoff: fast,
          transform: (o) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } }),
        });
        await Promise.all([dropping.start(), transforming.start()]);
        for (const informer of [dropping, transforming]) {
          assert.equal(informer.size, 2);
          for (const pod of informer.list()) {
            assert.equal(pod.metadata?.managedFields, undefined);
            assert.ok(pod.metadata?.uid, 'identity kept');
          }
          informer.stop();
          await informer.done;
        }
      }
    } finally {
      await server.close();
    }
  });
}

for (const watchList of [true, false]) {
  test(`label selector (${watchList ? 'watch-list' : 'LIST'}): an object relabelled out of it is deleted, back into it added`, async () => {
    const server = await startReplayServer({ generate: { pods: 4 }, bookmarkIntervalMs: 20, watchList });
    const informer = createInformer({ url: podsUrl(server), registry, labelSelector: { app: 'web' }, backoff: fast });
    const { calls, handlers } = recorder();
    informer.subscribe(handlers);
    const relabel = (name: string, app: string): void => {
      const current = server.store.get('/pods', 'default', name)!;
      server.append('MODIFIED', { ...current, metadata: { ...current.metadata, labels: { ...current.metadata?.labels, app } } });
    };
    try {
      await informer.start();
      assert.deepEqual(calls.sort(), ['add default/pod-0000', 'add default/pod-0002']);
      calls.length = 0;
      relabel('pod-0000', 'db');
      relabel('pod-0001', 'web');
      relabel('pod-0003', 'cache'); // outside before and after: nothing
      relabel('pod-0000', 'web');
      await until('four calls', () => calls.length >= 3);
      await new Promise((r) => setTimeout(r, 40));
      assert.deepEqual(calls, ['delete default/pod-0000', 'add default/pod-0001', 'add default/pod-0000']);
      const expected = server.state().filter((p) => p.metadata?.labels?.app === 'web');
      assert.deepEqual(informer.list().sort(byKey), expected.sort(byKey));
    } finally {
      informer.stop();
      await informer.done;
      await server.close();
    }
  });
}

test('a handler that throws is reported and stops nothing; a transform that throws stops the informer with its error', async () => {
  const server = await startReplayServer({ generate: { pods: 2 } });
  const reported: unknown[] = [];
  const informer = createInformer({ url: podsUrl(server), registry, backoff: fast, onHandlerError: (e) => reported.push(e) });
  const { calls, handlers } = recorder();
  informer.onAdd(() => {
    throw new Error('handler bug');
  });
  informer.subscribe(handlers);
  await informer.start();
  assert.equal(reported.length, 2);
  assert.equal(calls.length, 2, 'the other subscriber got every call');
  informer.stop();
  await informer.done;

  for (const watchList of [true, false]) {
    const failing = createInformer({
      url: podsUrl(server),
      registry,
      watchList,
      backoff: fast,
      transform: (o) => {
        if (o.metadata?.name === 'pod-0001') throw new Error('transform bug');
        return o;
      },
    });
    await assert.rejects(failing.start(), /transform bug/);
    await assert.rejects(failing.done, /transform bug/);
  }
  await server.close();
});
