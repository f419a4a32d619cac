/**
 * The official Python client (Debian's python3-kubernetes, for
 * /usr/bin/python3) against `watchwire serve`: LIST with paging
 * (limit/_continue), objects deserialised into its typed models, GET and its
 * 404, selectors, `watch.Watch().stream` resuming by resource_version across
 * server-ended connections, bookmarks, timeout_seconds, and its 410 handling
 * (one retry, then ApiException 410, then a re-list). Each script prints
 * one JSON line that the test checks. Skips with the reason when the
 * client is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ReplayServer, startReplayServer } from 'watchwire/server';
import { type Serve, findPython, run, startServe } from './real-clients.ts';

const found = findPython();

/** Runs a Python script with the server URL as argv[1]; returns its last stdout line as JSON. */
async function python(script: string, url: string, timeoutMs = 30_000, args: string[] = []): Promise<any> {
  if (!('python' in found)) throw new Error(found.reason);
  const result = await run(found.python, ['-c', PRELUDE + script, url, ...args], { timeoutMs });
  assert.equal(result.code, 0, `python exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

const PRELUDE = `
import json, sys, time
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
cfg = client.Configuration()
cfg.host = sys.argv[1]
v1 = client.CoreV1Api(client.ApiClient(cfg))
`;

describe(`Python client${'version' in found ? ` ${found.version}` : ''} against watchwire serve`, { skip: 'reason' in found ? found.reason : false }, () => {
  describe('reads', () => {
    let serve: Serve;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'watchwire-python-'));
      serve = await startServe(['--pods', '7', '--namespaces', 'default,demo', '--kubeconfig', join(dir, 'config')]);
    });
    after(async () => {
      await serve?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('config.load_kube_config reads the kubeconfig serve --kubeconfig wrote (as in the README)', async () => {
      const out = await python(
        `
from kubernetes import config
config.load_kube_config(sys.argv[2])
print(json.dumps([p.metadata.name for p in client.CoreV1Api().list_namespaced_pod('demo').items]))
`,
        serve.url,
        30_000,
        [join(dir, 'config')],
      );
      assert.deepEqual(out, ['pod-0001', 'pod-0003', 'pod-0005']);
    });

    test('list_namespaced_pod pages with limit/_continue into V1PodList and V1Pod models', async () => {
      const out = await python(
        `
pages = []
token = None
while True:
    page = v1.list_namespaced_pod('default', limit=3, _continue=token)
    pages.append({'type': type(page).__name__, 'names': [p.metadata.name for p in page.items],
                  'item_types': sorted({type(p).__name__ for p in page.items}),
                  'rv': page.metadata.resource_version, 'remaining': page.metadata.remaining_item_count})
    token = page.metadata._continue
    if not token:
        break
pod = v1.list_namespaced_pod('default', limit=1).items[0]
print(json.dumps({'pages': pages, 'pod': {
    'name': pod.metadata.name, 'namespace': pod.metadata.namespace, 'labels': pod.metadata.labels,
    'created_year': pod.metadata.creation_timestamp.year, 'created_type': type(pod.metadata.creation_timestamp).__name__,
    'image': pod.spec.containers[0].image, 'container_type': type(pod.spec.containers[0]).__name__,
    'phase': pod.status.phase, 'pod_ip': pod.status.pod_ip, 'status_type': type(pod.status).__name__}}))
`,
        serve.url,
      );
      const pages = out.pages as { type: string; names: string[]; item_types: string[]; rv: string; remaining: number | null }[];
      assert.deepEqual(
        pages.map((p) => p.names),
        [['pod-0000', 'pod-0002', 'pod-0004'], ['pod-0006']],
      );
      assert.ok(pages.every((p) => p.type === 'V1PodList' && p.item_types.join() === 'V1Pod'));
      // Every page is read at the first page's resourceVersion (one snapshot).
      assert.equal(new Set(pages.map((p) => p.rv)).size, 1);
      assert.equal(pages[0]!.remaining, 1);
      assert.deepEqual(out.pod, {
        name: 'pod-0000',
        namespace: 'default',
        labels: { app: 'web', index: '0' },
        created_year: 2026,
        created_type: 'datetime',
        image: 'nginx:1.27',
        container_type: 'V1Container',
        phase: 'Running',
        pod_ip: '10.0.0.0',
        status_type: 'V1PodStatus',
      });
    });

    test('read_namespaced_pod, its 404 as ApiException, selectors, a bad continue token as 400', async () => {
      const out = await python(
        `
pod = v1.read_namespaced_pod('pod-0003', 'demo')
try:
    v1.read_namespaced_pod('nope', 'demo')
    missing = None
except ApiException as e:
    missing = {'status': e.status, 'reason': json.loads(e.body)['reason']}
try:
    v1.list_namespaced_pod('default', limit=2, _continue='not-a-token')
    bad = None
except ApiException as e:
    bad = {'status': e.status, 'reason': json.loads(e.body)['reason']}
web = v1.list_pod_for_all_namespaces(label_selector='app=web')
demo = v1.list_pod_for_all_namespaces(field_selector='metadata.namespace=demo,status.phase=Running')
print(json.dumps({'pod': [type(pod).__name__, pod.metadata.name, pod.status.pod_ip], 'missing': missing, 'bad': bad,
                  'web': [p.metadata.name for p in web.items], 'demo': [p.metadata.name for p in demo.items]}))
`,
        serve.url,
      );
      assert.deepEqual(out, {
        pod: ['V1Pod', 'pod-0003', '10.0.0.3'],
        missing: { status: 404, reason: 'NotFound' },
        bad: { status: 400, reason: 'BadRequest' },
        web: ['pod-0000', 'pod-0002', 'pod-0004', 'pod-0006'],
        demo: ['pod-0001', 'pod-0003', 'pod-0005'],
      });
    });
  });

  describe('watches', () => {
    let serve: Serve;
    before(async () => {
      // A change every 30 ms; every watch ends cleanly after 4 events, so the client must resume.
      serve = await startServe(['--pods', '3', '--namespaces', 'default', '--tick-ms', '30', '--close-after-events', '4', '--bookmark-interval-ms', '150']);
    });
    after(() => serve?.stop());

    test('Watch().stream(list_namespaced_pod, resource_version=...) resumes across server-ended connections: no gap, no duplicate', async () => {
      const out = await python(
        `
start = v1.list_namespaced_pod('default').metadata.resource_version
w = watch.Watch()
seen = []
for event in w.stream(v1.list_namespaced_pod, 'default', resource_version=start):
    o = event['object']
    seen.append([event['type'], type(o).__name__, o.metadata.name, int(o.metadata.resource_version)])
    if len(seen) == 14:
        w.stop()
print(json.dumps({'start': int(start), 'seen': seen, 'resume_from': int(w.resource_version)}))
`,
        serve.url,
      );
      const start = out.start as number;
      const seen = out.seen as [string, string, string, number][];
      assert.equal(seen.length, 14);
      // 14 events over 4 connections (4 + 4 + 4 + 2): each resumed at the last version it saw.
      assert.deepEqual(
        seen.map((e) => e[3]),
        Array.from({ length: 14 }, (_, i) => start + 1 + i),
      );
      assert.ok(seen.every(([type, model, name]) => type === 'MODIFIED' && model === 'V1Pod' && /^pod-000[012]$/.test(name)));
      assert.equal(out.resume_from, start + 14);
    });

  });

  describe('bookmarks', () => {
    let serve: Serve;
    before(async () => {
      // No changes at all: what a watch gets is bookmarks only, every 100 ms, when it allows them.
      serve = await startServe(['--pods', '2', '--namespaces', 'default', '--bookmark-interval-ms', '100']);
    });
    after(() => serve?.stop());

    test('allow_watch_bookmarks=True (sent as "True") gets BOOKMARK events; without it none; timeout_seconds ends the stream by itself', async () => {
      const out = await python(
        `
rv = v1.list_namespaced_pod('default').metadata.resource_version
def run(**kwargs):
    started = time.time()
    events = [[e['type'], e['raw_object']['metadata'].get('resourceVersion'), type(e['object']).__name__]
              for e in watch.Watch().stream(v1.list_namespaced_pod, 'default', resource_version=rv, timeout_seconds=1, **kwargs)]
    return {'events': events, 'seconds': time.time() - started}
print(json.dumps({'rv': rv, 'with': run(allow_watch_bookmarks=True), 'without': run()}))
`,
        serve.url,
      );
      const withBookmarks = out.with as { events: [string, string, string][]; seconds: number };
      const without = out.without as { events: unknown[]; seconds: number };
      assert.ok(withBookmarks.events.length >= 3, JSON.stringify(withBookmarks));
      // The client leaves a BOOKMARK's object as a dict; its version is the store's (nothing changed).
      assert.ok(withBookmarks.events.every(([type, rv, model]) => type === 'BOOKMARK' && rv === out.rv && model === 'dict'));
      assert.deepEqual(without.events, []);
      for (const run of [withBookmarks, without]) assert.ok(run.seconds >= 0.9 && run.seconds < 5, String(run.seconds));
    });
  });

  describe('expiry', () => {
    // In this process, so the test sees the requests the client made.
    let serve: ReplayServer;
    let tick: ReturnType<typeof setInterval>;
    before(async () => {
      // A change every 20 ms and only about 32 kept: a version a second old is compacted away.
      serve = await startReplayServer({ generate: { pods: 3 }, historyLimit: 32 });
      let i = 0;
      tick = setInterval(() => {
        const pod = serve.store.list('/pods')[i++ % 3]!;
        serve.append('MODIFIED', { ...pod, metadata: { ...pod.metadata, annotations: { tick: String(i) } } });
      }, 20);
    });
    after(async () => {
      clearInterval(tick);
      await serve?.close();
    });

    test('a too-old resource_version: one retry, then ApiException 410; a re-list and a watch from its version work', async () => {
      const out = await python(
        `
old = v1.list_namespaced_pod('default').metadata.resource_version
time.sleep(1.5)
w = watch.Watch()
try:
    for event in w.stream(v1.list_namespaced_pod, 'default', resource_version=old):
        pass
    expired = None
except ApiException as e:
    expired = {'status': e.status, 'reason': e.reason}
fresh = v1.list_namespaced_pod('default').metadata.resource_version
after = []
w = watch.Watch()
for event in w.stream(v1.list_namespaced_pod, 'default', resource_version=fresh):
    after.append(int(event['object'].metadata.resource_version))
    if len(after) == 3:
        w.stop()
print(json.dumps({'old': int(old), 'expired': expired, 'fresh': int(fresh), 'after': after}))
`,
        serve.url,
      );
      assert.deepEqual(out.expired, { status: 410, reason: (out.expired as { reason: string }).reason });
      assert.match((out.expired as { reason: string }).reason, /^Expired: too old resource version/);
      const fresh = out.fresh as number;
      assert.ok(fresh > (out.old as number) + 32);
      assert.deepEqual(out.after, [fresh + 1, fresh + 2, fresh + 3]);
      // What the client sent: a watch from the old version, the same again (its one retry), a LIST, a watch from the fresh version.
      const sent = serve.requests
        .filter((r) => r.kind !== 'other')
        .slice(1)
        .map((r) => [r.kind, new URL(r.url, 'http://x').searchParams.get('resourceVersion')]);
      assert.deepEqual(sent, [
        ['watch', String(out.old)],
        ['watch', String(out.old)],
        ['list', null],
        ['watch', String(fresh)],
      ]);
    });
  });
});
