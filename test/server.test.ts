import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DecodeError, createRegistry, decodeAll, decodeStatusBody, type WatchEvent } from 'watchwire';
import { type ReplayServer, startReplayServer } from 'watchwire/server';
import { FORMATS, pod, podsUrl, serverChanges } from './helpers/replay-client.ts';

const registry = createRegistry();
const ACCEPT: Record<string, string> = {
  json: 'application/json',
  cbor: 'application/cbor',
  protobuf: 'application/vnd.kubernetes.protobuf;stream=watch',
};
const WATCH_TYPE: Record<string, string> = {
  json: 'application/json',
  cbor: 'application/cbor-seq',
  protobuf: 'application/vnd.kubernetes.protobuf;stream=watch',
};
const ERROR_TYPE: Record<string, string> = {
  json: 'application/json',
  cbor: 'application/cbor',
  protobuf: 'application/vnd.kubernetes.protobuf',
};

let server: ReplayServer;
before(async () => {
  server = await startReplayServer({
    generate: { pods: 6, namespaces: ['a', 'b'] },
    objects: [{ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', namespace: 'a' }, spec: { replicas: 2 } }],
    bookmarkIntervalMs: 40,
  });
});
after(() => server.close());

/** Reads a whole response (a watch that ends by itself: timeout, 410, fault). */
async function read(url: string, accept = 'application/json'): Promise<{ status: number; type: string; bytes: Uint8Array }> {
  const response = await fetch(url, { headers: { accept } });
  return { status: response.status, type: response.headers.get('content-type') ?? '', bytes: new Uint8Array(await response.arrayBuffer()) };
}

function names(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata?.namespace ?? ''}/${e.object.metadata?.name ?? ''}`);
}

test('LIST on namespaced, cluster-wide and named-group paths, with selectors', async () => {
  const all = await (await fetch(podsUrl(server))).json();
  assert.equal(all.kind, 'PodList');
  assert.equal(all.items.length, 6);
  assert.equal(all.metadata.resourceVersion, String(server.resourceVersion));
  const inA = await (await fetch(`${podsUrl(server, 'a')}?labelSelector=app%3Dweb`)).json();
  assert.deepEqual(inA.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['pod-0000', 'pod-0002', 'pod-0004']);
  const one = await (await fetch(`${podsUrl(server, 'b')}?fieldSelector=metadata.name%3Dpod-0003`)).json();
  assert.deepEqual(one.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['pod-0003']);
  const deployments = await (await fetch(`${server.url}/apis/apps/v1/namespaces/a/deployments`)).json();
  assert.equal(deployments.kind, 'DeploymentList');
  assert.equal(deployments.items[0].metadata.name, 'web');
  const missing = await read(`${server.url}/apis/apps/v1/statefulsets`);
  assert.equal(missing.status, 404);
  const bad = await read(`${podsUrl(server)}?fieldSelector=spec.nodeNam%3Dx`);
  assert.equal(bad.status, 400);
});

test('watch from a resourceVersion sends exactly the changes after it; timeoutSeconds ends it', async () => {
  const from = server.store.compactedBefore + 2;
  const { status, type, bytes } = await read(`${podsUrl(server)}?watch=1&resourceVersion=${from}&timeoutSeconds=0.2`);
  assert.equal(status, 200);
  assert.equal(type, 'application/json');
  assert.deepEqual(decodeAll(registry.get('json'), bytes), serverChanges(server, from));
});

test('watch without resourceVersion: current objects as ADDED (namespaced), then live changes', async () => {
  const response = await fetch(`${podsUrl(server, 'b')}?watch=true`);
  const reader = response.body!.getReader();
  const decoder = registry.get('json');
  let text = '';
  setTimeout(() => server.append('MODIFIED', { ...server.store.get('/pods', 'b', 'pod-0001')!, status: { phase: 'Succeeded' } }), 30);
  while (text.split('\n').length < 5) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  const events = decodeAll(decoder, new TextEncoder().encode(text.split('\n').slice(0, 4).join('\n') + '\n'));
  assert.deepEqual(names(events), ['ADDED b/pod-0001', 'ADDED b/pod-0003', 'ADDED b/pod-0005', 'MODIFIED b/pod-0001']);
});

test('a too old resourceVersion: 200, one ERROR 410 Expired event, then the end', async () => {
  const fresh = await startReplayServer({ generate: { pods: 3 } });
  try {
    fresh.compact(fresh.resourceVersion - 1);
    const { status, bytes } = await read(`${podsUrl(fresh)}?watch=1&resourceVersion=100`);
    assert.equal(status, 200);
    const events = decodeAll(registry.get('json'), bytes);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'ERROR');
    assert.equal(events[0]!.object.code, 410);
    assert.equal(events[0]!.object.reason, 'Expired');
    assert.match(String(events[0]!.object.message), /too old resource version: 100/);
  } finally {
    await fresh.close();
  }
});

test('the expire fault: one ERROR 410 on every kind of watch (from a version, without one, a watch-list)', async () => {
  const fresh = await startReplayServer({ generate: { pods: 3 }, faults: { expire: true } });
  try {
    for (const query of [`resourceVersion=${fresh.resourceVersion}`, '', 'resourceVersion=0', 'sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan']) {
      const { status, bytes } = await read(`${podsUrl(fresh)}?watch=1&timeoutSeconds=1&${query}`);
      assert.equal(status, 200, query);
      const events = decodeAll(registry.get('json'), bytes);
      assert.deepEqual(events.map((e) => `${e.type} ${String(e.object.code)}`), ['ERROR 410'], query);
    }
  } finally {
    await fresh.close();
  }
});

for (const format of FORMATS) {
  test(`negotiation: Accept ${ACCEPT[format]} → ${WATCH_TYPE[format]}, the same events as JSON`, async () => {
    const url = `${podsUrl(server)}?watch=1&resourceVersion=100&timeoutSeconds=0.15`;
    const answer = await read(url, `${ACCEPT[format]}, application/json;q=0.5`);
    assert.equal(answer.status, 200);
    assert.equal(answer.type, WATCH_TYPE[format]);
    const events = decodeAll(registry.forContentType(answer.type), answer.bytes);
    assert.deepEqual(events, serverChanges(server, 100).filter((e) => e.object.kind === 'Pod'));
  });

  test(`errors before the stream are one Status in the negotiated format (${format})`, async () => {
    const fresh = await startReplayServer({ faults: { status: { code: 429, retryAfterSeconds: 3 } } });
    try {
      const response = await fetch(`${podsUrl(fresh)}?watch=1`, { headers: { accept: ACCEPT[format]! } });
      assert.equal(response.status, 429);
      assert.equal(response.headers.get('retry-after'), '3');
      const type = response.headers.get('content-type')!;
      assert.equal(type, ERROR_TYPE[format]);
      const body = new Uint8Array(await response.arrayBuffer());
      if (format === 'protobuf') assert.deepEqual([...body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
      if (format === 'cbor') assert.deepEqual([...body.subarray(0, 3)], [0xd9, 0xd9, 0xf7]);
      const status = decodeStatusBody(registry, type, body);
      assert.equal(status?.kind, 'Status');
      assert.equal(status?.code, 429);
      assert.equal(status?.reason, 'TooManyRequests');
    } finally {
      await fresh.close();
    }
  });
}

test('406 with a Status for a YAML-only watch or nothing acceptable; q-values pick the format', async () => {
  for (const accept of ['application/yaml', 'text/html', 'application/json;q=0']) {
    const answer = await read(`${podsUrl(server)}?watch=1`, accept);
    assert.equal(answer.status, 406, accept);
    assert.equal(answer.type, 'application/json');
    assert.equal(JSON.parse(new TextDecoder().decode(answer.bytes)).reason, 'NotAcceptable');
  }
  const picked = await fetch(`${podsUrl(server)}?watch=1&timeoutSeconds=0`, { headers: { accept: 'application/yaml, application/json;q=0.2, application/cbor;q=0.8' } });
  assert.equal(picked.headers.get('content-type'), 'application/cbor-seq');
  await picked.body?.cancel();
  const wildcard = await fetch(`${podsUrl(server)}?watch=1&timeoutSeconds=0`, { headers: { accept: '*/*' } });
  assert.equal(wildcard.headers.get('content-type'), 'application/json');
  await wildcard.body?.cancel();
});

test('sendInitialEvents: ADDED for every object, then the annotated BOOKMARK; validated like an API server', async () => {
  const url = `${podsUrl(server, 'a')}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=0.1`;
  const events = decodeAll(registry.get('json'), (await read(url)).bytes);
  const end = events.findIndex((e) => e.type === 'BOOKMARK');
  assert.deepEqual(names(events.slice(0, end)), ['ADDED a/pod-0000', 'ADDED a/pod-0002', 'ADDED a/pod-0004']);
  assert.deepEqual(events[end]!.object.metadata?.annotations, { 'k8s.io/initial-events-end': 'true' });
  assert.equal((await read(`${podsUrl(server)}?watch=1&sendInitialEvents=true`)).status, 422);
});

test('allowWatchBookmarks: periodic BOOKMARKs carry the current resourceVersion only', async () => {
  const url = `${podsUrl(server)}?watch=1&resourceVersion=${server.resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=0.15`;
  const events = decodeAll(registry.get('json'), (await read(url)).bytes);
  assert.ok(events.length >= 2, `${events.length} bookmarks`);
  for (const e of events) {
    assert.equal(e.type, 'BOOKMARK');
    assert.deepEqual(e.object, { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(server.resourceVersion) } });
  }
});

test('faults: a drop cuts a frame in the middle; 500 once then normal service', async () => {
  const fresh = await startReplayServer({ generate: { pods: 4 }, faults: (r) => (r.index === 0 ? { dropAfterEvents: 2, dropAtByte: 7 } : r.index === 1 ? { status: { code: 500 } } : undefined) });
  try {
    const response = await fetch(`${podsUrl(fresh)}?watch=1&resourceVersion=100`);
    const chunks: Uint8Array[] = [];
    await assert.rejects(async () => {
      for await (const chunk of response.body!) chunks.push(chunk);
    });
    const bytes = Buffer.concat(chunks);
    const lines = bytes.toString().split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2]!.length, 7);
    assert.throws(() => decodeAll(registry.get('json'), bytes), (e: unknown) => e instanceof DecodeError && e.code === 'truncated');
    assert.equal((await read(`${podsUrl(fresh)}?watch=1`)).status, 500);
    const ok = await read(`${podsUrl(fresh)}?watch=1&resourceVersion=100&timeoutSeconds=0.05`);
    assert.equal(decodeAll(registry.get('json'), ok.bytes).length, 4);
  } finally {
    await fresh.close();
  }
});

test('close() ends open watches', async () => {
  const fresh = await startReplayServer();
  const response = await fetch(`${podsUrl(fresh)}?watch=1`);
  assert.equal(fresh.activeWatches, 1);
  const reading = (async () => {
    for await (const _ of response.body!) {
      // nothing is sent
    }
  })();
  await fresh.close();
  await reading.catch(() => {});
  assert.equal(fresh.activeWatches, 0);
});

test('appending a change reaches a watcher live, with the next resourceVersion', async () => {
  const before = server.resourceVersion;
  const response = await fetch(`${podsUrl(server, 'a')}?watch=1&resourceVersion=${before}`);
  const stored = server.append('ADDED', pod('live', 'a'));
  assert.equal(stored.resourceVersion, before + 1);
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  const [event] = decodeAll(registry.get('json'), value!);
  assert.equal(event!.object.metadata?.name, 'live');
  assert.equal(event!.object.metadata?.resourceVersion, String(before + 1));
});
