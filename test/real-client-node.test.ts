/**
 * `@kubernetes/client-node` (the JavaScript client; a devDependency, so
 * always installed) against the replay server, in JSON as it speaks it:
 * `listNamespacedPod` / `listPodForAllNamespaces` paging with limit and
 * continue into its models, `readNamespacedPod` and its ApiException 404,
 * `Watch` from a resourceVersion with bookmarks and a server-side timeout,
 * and `makeInformer` through add/update/delete, a server-ended watch it
 * resumes, and a 410 it answers with a re-list. The server runs in this
 * process so the test can change its state between steps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Pod, Watch, makeInformer } from '@kubernetes/client-node';
import { type ReplayServer, startReplayServer } from 'watchwire/server';

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'watchwire', server: url, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'watchwire', cluster: 'watchwire', user: 'nobody' }],
    currentContext: 'watchwire',
  });
  return kc;
}

/** Resolves when `predicate` holds, polling; rejects after `ms`. */
async function until(predicate: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('@kubernetes/client-node against the replay server', () => {
  let server: ReplayServer;
  let kc: KubeConfig;
  let api: CoreV1Api;
  before(async () => {
    server = await startReplayServer({ generate: { pods: 7, namespaces: ['default', 'demo'] }, bookmarkIntervalMs: 100 });
    kc = kubeConfigFor(server.url);
    api = kc.makeApiClient(CoreV1Api);
  });
  after(() => server?.close());

  test('listNamespacedPod pages with limit and _continue; items are V1Pod models (dates as Date)', async () => {
    const names: string[] = [];
    const versions = new Set<string | undefined>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await api.listNamespacedPod({ namespace: 'default', limit: 3, ...(token === undefined ? {} : { _continue: token }) });
      pages++;
      versions.add(page.metadata?.resourceVersion);
      for (const pod of page.items) names.push(pod.metadata!.name!);
      if (pages === 1) assert.equal(page.metadata?.remainingItemCount, 1);
      token = page.metadata?._continue;
    } while (token !== undefined && token !== '');
    assert.equal(pages, 2);
    assert.deepEqual(names, ['pod-0000', 'pod-0002', 'pod-0004', 'pod-0006']);
    assert.equal(versions.size, 1);
    const pod = (await api.listNamespacedPod({ namespace: 'default', limit: 1 })).items[0]!;
    assert.ok(pod.metadata!.creationTimestamp instanceof Date);
    assert.equal(pod.metadata!.creationTimestamp.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(pod.spec!.containers[0]!.image, 'nginx:1.27');
    assert.equal(pod.status!.podIP, '10.0.0.0');
  });

  test('listPodForAllNamespaces with selectors; readNamespacedPod; a missing Pod is ApiException 404', async () => {
    const web = await api.listPodForAllNamespaces({ labelSelector: 'app=web', limit: 10 });
    assert.deepEqual(
      web.items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`),
      ['default/pod-0000', 'default/pod-0002', 'default/pod-0004', 'default/pod-0006'],
    );
    const demo = await api.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=demo' });
    assert.equal(demo.items.length, 3);
    const pod = await api.readNamespacedPod({ name: 'pod-0003', namespace: 'demo' });
    assert.equal(pod.metadata!.labels!.app, 'db');
    await assert.rejects(api.readNamespacedPod({ name: 'nope', namespace: 'demo' }), (e: { code?: number; body?: unknown }) => {
      assert.equal(e.code, 404);
      assert.match(String(e.body), /"reason":"NotFound"/);
      return true;
    });
  });

  test('Watch from a resourceVersion: the changes in order, BOOKMARKs when allowed, done() at timeoutSeconds', async () => {
    const start = server.resourceVersion;
    const seen: [string, string | undefined, string | undefined][] = [];
    const finished = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(
        '/api/v1/namespaces/demo/pods',
        { resourceVersion: String(start), allowWatchBookmarks: true, timeoutSeconds: 1 },
        (type: string, object: V1Pod) => seen.push([type, object.metadata?.name, object.metadata?.resourceVersion]),
        resolve,
      );
    });
    await until(() => server.activeWatches === 1, 'the watch to connect');
    const pod = server.store.get('/pods', 'demo', 'pod-0001')!;
    server.append('MODIFIED', { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata!.labels, touched: 'yes' } } });
    server.append('DELETED', server.store.get('/pods', 'demo', 'pod-0003')!);
    server.append('MODIFIED', server.store.get('/pods', 'default', 'pod-0000')!); // another namespace: not seen
    const err = await finished;
    assert.equal(err, null);
    const changes = seen.filter(([type]) => type !== 'BOOKMARK');
    assert.deepEqual(changes, [
      ['MODIFIED', 'pod-0001', String(start + 1)],
      ['DELETED', 'pod-0003', String(start + 2)],
    ]);
    assert.ok(seen.some(([type]) => type === 'BOOKMARK'), JSON.stringify(seen));
    // Deleted objects stay deleted for the next test.
    server.append('ADDED', { ...pod, metadata: { ...pod.metadata, name: 'pod-0003' } });
  });

  test('makeInformer: list, then add/update/delete; resumes a server-ended watch; answers a 410 with a re-list', async () => {
    const lists = () => server.requests.filter((r) => r.kind === 'list' && r.url.startsWith('/api/v1/namespaces/default/pods')).length;
    const listsBefore = lists();
    // Watch 1 ends cleanly after 2 events (the informer resumes from its last version); watch 2 gets ERROR 410.
    let watchIndex = -1;
    server.setFaults((request) => {
      if (request.kind !== 'watch' || !request.url.pathname.startsWith('/api/v1/namespaces/default/')) return undefined;
      watchIndex++;
      if (watchIndex === 0) return { closeAfterEvents: 2 };
      if (watchIndex === 1) return { expire: true };
      return undefined;
    });
    const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => api.listNamespacedPod({ namespace: 'default' }));
    const log: string[] = [];
    informer.on('add', (pod) => log.push(`add ${pod.metadata!.name}`));
    informer.on('update', (pod) => log.push(`update ${pod.metadata!.name} ${pod.metadata!.labels?.step ?? ''}`));
    informer.on('delete', (pod) => log.push(`delete ${pod.metadata!.name}`));
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    try {
      await informer.start();
      await until(() => log.length === 4 && server.activeWatches >= 1, 'the initial list');
      assert.deepEqual(log, ['add pod-0000', 'add pod-0002', 'add pod-0004', 'add pod-0006']);
      const step = (name: string, value: string) => {
        const pod = server.store.get('/pods', 'default', name)!;
        server.append('MODIFIED', { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata!.labels, step: value } } });
      };
      step('pod-0000', 'one');
      server.append('DELETED', server.store.get('/pods', 'default', 'pod-0002')!);
      // Watch 1 has ended after those two; watch 2 is answered 410; the informer re-lists and watches again.
      await until(() => lists() === listsBefore + 2 && server.activeWatches >= 1 && watchIndex >= 2, 'the re-list after 410');
      step('pod-0004', 'two');
      server.append('ADDED', { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'pod-new', namespace: 'default' }, spec: { containers: [] } });
      await until(() => log.includes('add pod-new'), 'the changes after the re-list');
      assert.deepEqual(log.slice(4, 6), ['update pod-0000 one', 'delete pod-0002']);
      assert.ok(log.includes('update pod-0004 two'));
      assert.deepEqual(errors, []);
      // The informer's cache is the server's state.
      const cached = informer.list('default').map((p) => `${p.metadata!.name} ${p.metadata!.resourceVersion}`).sort();
      const stored = server.store.list('/pods').filter((p) => p.metadata?.namespace === 'default').map((p) => `${p.metadata!.name} ${p.metadata!.resourceVersion}`).sort();
      assert.deepEqual(cached, stored);
    } finally {
      await informer.stop();
      server.setFaults(undefined);
    }
  });
});
