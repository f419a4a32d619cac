/**
 * The replay server's API semantics against what a Kubernetes API server
 * does (issue 16 items 1-3, issue 13 item 6): boolean parameters, LIST/GET
 * in every format, paging over a snapshot, continue tokens, resourceVersion
 * rules, field selectors, selector changes on a watch, watch-list on/off,
 * too large resource versions, 406, faults on LIST.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_LIMITS,
  type KubeObject,
  type WatchEvent,
  createRegistry,
  decodeAll,
  decodeCborObject,
  decodeProtobufObject,
  encodeProtobufObject,
  yamlCodec,
} from 'watchwire';
import { type ReplayServer, type ReplayServerOptions, generatePods, startReplayServer } from 'watchwire/server';

const registry = createRegistry();
const json = registry.get('json');

/** Pods as protobuf writes them (every non-omitempty field present), so every format decodes to the same objects. */
function canonicalPods(count: number, namespaces = ['a', 'b']): KubeObject[] {
  return generatePods(count, namespaces).map((pod, i) => {
    const withNode = { ...pod, spec: { ...(pod.spec as object), nodeName: `node-${i % 3}` } };
    return decodeProtobufObject(encodeProtobufObject(withNode));
  });
}

async function withServer<T>(options: ReplayServerOptions, body: (server: ReplayServer) => Promise<T>): Promise<T> {
  const server = await startReplayServer({ tooLargeResourceVersionWaitMs: 60, ...options });
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  bytes: Uint8Array;
  json: () => any;
}

async function get(url: string, accept?: string): Promise<Answer> {
  const response = await fetch(url, accept === undefined ? {} : { headers: { accept } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, bytes, json: () => JSON.parse(new TextDecoder().decode(bytes)) };
}

const pods = (server: ReplayServer, query = '', namespace?: string): string =>
  `${server.url}/api/v1/${namespace === undefined ? '' : `namespaces/${namespace}/`}pods${query === '' ? '' : `?${query}`}`;

/** Objects as a List item carries them (no kind/apiVersion). */
function asItem(object: KubeObject): KubeObject {
  const { kind: _k, apiVersion: _a, ...rest } = object;
  return rest;
}

let shared: ReplayServer;
before(async () => {
  shared = await startReplayServer({ objects: canonicalPods(6), tooLargeResourceVersionWaitMs: 60, bookmarkIntervalMs: 30 });
});
after(() => shared.close());

test('boolean parameters: absent → false; 0/false in any case → false; anything else, empty included → true', async () => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ['0', false],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['', true],
    ['1', true],
    ['true', true],
    ['True', true],
    ['yes', true],
  ];
  for (const [value, watching] of cases) {
    const query = value === undefined ? 'timeoutSeconds=0' : `watch=${value}&timeoutSeconds=0`;
    const answer = await get(pods(shared, query));
    assert.equal(answer.status, 200, String(value));
    const last = shared.requests[shared.requests.length - 1]!;
    assert.equal(last.kind, watching ? 'watch' : 'list', `watch=${String(value)}`);
    if (!watching) assert.equal(answer.json().kind, 'PodList');
  }
  // What the Python client sends: a watch with bookmarks, and a watch-list with True.
  const python = await get(pods(shared, `watch=True&allowWatchBookmarks=True&resourceVersion=${shared.resourceVersion}&timeoutSeconds=0.1`));
  const bookmarks = decodeAll(json, python.bytes);
  assert.ok(bookmarks.length >= 1 && bookmarks.every((e) => e.type === 'BOOKMARK'), `${bookmarks.length} events`);
  const list = await get(pods(shared, 'watch=True&sendInitialEvents=True&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=True&timeoutSeconds=0.1', 'a'));
  assert.equal(list.status, 200);
  const events = decodeAll(json, list.bytes);
  assert.deepEqual(
    events.slice(0, 4).map((e) => e.type),
    ['ADDED', 'ADDED', 'ADDED', 'BOOKMARK'],
  );
});

const FORMATS: { name: string; accept: string; type: string; decode: (bytes: Uint8Array) => KubeObject }[] = [
  { name: 'json', accept: 'application/json', type: 'application/json', decode: (b) => JSON.parse(new TextDecoder().decode(b)) },
  { name: 'yaml', accept: 'application/yaml', type: 'application/yaml', decode: (b) => yamlCodec.objects!.createDecoder(DEFAULT_LIMITS).decode(b) },
  { name: 'protobuf', accept: 'application/vnd.kubernetes.protobuf', type: 'application/vnd.kubernetes.protobuf', decode: (b) => decodeProtobufObject(b) },
  { name: 'cbor', accept: 'application/cbor', type: 'application/cbor', decode: (b) => decodeCborObject(b) },
];

test('LIST and GET in every format decode to the same objects; items carry no kind/apiVersion', async () => {
  const expected = shared.state().map(asItem);
  const one = shared.state({ namespace: 'b' })[0]!;
  for (const format of FORMATS) {
    const list = await get(pods(shared), `${format.accept}, application/json;q=0.5`);
    assert.equal(list.status, 200, format.name);
    assert.equal(list.type, format.type);
    const decoded = format.decode(list.bytes) as { kind?: string; apiVersion?: string; metadata?: { resourceVersion?: string }; items: KubeObject[] };
    assert.equal(decoded.kind, 'PodList', format.name);
    assert.equal(decoded.apiVersion, 'v1');
    assert.equal(decoded.metadata?.resourceVersion, String(shared.resourceVersion));
    assert.deepEqual(decoded.items, expected, format.name);
    const object = await get(`${pods(shared, '', 'b')}/${one.metadata!.name!}`, format.accept);
    assert.equal(object.status, 200);
    assert.equal(object.type, format.type);
    assert.deepEqual(format.decode(object.bytes), one, format.name);
  }
});

test('negotiation of LIST/GET: */* and no Accept → JSON, q-values pick, nothing servable → 406 with a Status, a kind without a protobuf schema falls back', async () => {
  assert.equal((await get(pods(shared), '*/*')).type, 'application/json');
  assert.equal((await get(pods(shared))).type, 'application/json');
  assert.equal((await get(pods(shared), 'application/cbor;q=0.4, application/yaml;q=0.9')).type, 'application/yaml');
  for (const accept of ['text/html', 'application/json;q=0']) {
    const refused = await get(pods(shared), accept);
    assert.equal(refused.status, 406, accept);
    assert.equal(refused.type, 'application/json');
    assert.equal(refused.json().reason, 'NotAcceptable');
    assert.match(refused.json().message, /only the following media types are accepted: application\/json, application\/yaml/);
  }
  await withServer({ objects: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'a' } }] }, async (server) => {
    const answer = await get(`${server.url}/apis/example.com/v1/widgets`, 'application/vnd.kubernetes.protobuf, application/json');
    assert.equal(answer.type, 'application/json');
    assert.equal(answer.json().kind, 'WidgetList');
    assert.equal((await get(`${server.url}/apis/example.com/v1/widgets`, 'application/vnd.kubernetes.protobuf')).status, 406);
  });
});

test('paging: limit + continue over live changes returns exactly the first page’s snapshot', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 7 }),
      fc.array(fc.tuple(fc.constantFrom('add', 'modify', 'delete'), fc.nat(40)), { minLength: 0, maxLength: 12 }),
      fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
      async (limit, changes, namespace) => {
        await withServer({ objects: canonicalPods(17) }, async (server) => {
          const snapshot = server.state(namespace === undefined ? {} : { namespace }).map(asItem);
          const first = (await get(pods(server, `limit=${limit}`, namespace))).json();
          const seen: KubeObject[] = [...first.items];
          let token: string | undefined = first.metadata.continue;
          const rv = first.metadata.resourceVersion;
          let step = 0;
          while (token !== undefined) {
            // Changes between pages: adds, updates and deletes anywhere in the key space.
            for (const [op, n] of changes.slice(step, step + 2)) {
              const current = server.state();
              const target = current[n % Math.max(current.length, 1)];
              if (op === 'add' || target === undefined) server.append('ADDED', { ...canonicalPods(1)[0]!, metadata: { name: `new-${n}-${step}`, namespace: n % 2 ? 'a' : 'b' } });
              else if (op === 'modify') server.append('MODIFIED', { ...target, metadata: { ...target.metadata, labels: { changed: 'yes' } } });
              else server.append('DELETED', target);
            }
            step += 2;
            const page = (await get(pods(server, `limit=${limit}&continue=${encodeURIComponent(token)}`, namespace))).json();
            assert.equal(page.metadata.resourceVersion, rv);
            assert.ok(page.items.length <= limit);
            seen.push(...page.items);
            token = page.metadata.continue;
          }
          assert.deepEqual(seen, snapshot);
        });
      },
    ),
    { seed: 20261203, numRuns: 40 },
  );
});

test('continue tokens: upstream form, remainingItemCount, malformed → 400, compacted → 410 with a token that continues at the latest', async () => {
  await withServer({ objects: canonicalPods(5) }, async (server) => {
    const first = (await get(pods(server, 'limit=2'))).json();
    const token = JSON.parse(Buffer.from(first.metadata.continue, 'base64url').toString());
    assert.deepEqual(token, { v: 'meta.k8s.io/v1', rv: server.resourceVersion, start: 'a/pod-0002\u0000' });
    assert.equal(first.metadata.remainingItemCount, 3);
    assert.equal((await get(pods(server, 'limit=2&labelSelector=app%3Dweb'))).json().metadata.remainingItemCount, undefined);
    const namespaced = (await get(pods(server, 'limit=1', 'b'))).json();
    assert.equal(JSON.parse(Buffer.from(namespaced.metadata.continue, 'base64url').toString()).start, 'pod-0001\u0000');
    assert.equal(namespaced.metadata.remainingItemCount, 1, 'counts the namespace only');

    for (const bad of ['!!!', Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString('base64url'), Buffer.from('{"v":"x","rv":1,"start":"a"}').toString('base64url'), Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"../x"}').toString('base64url')]) {
      const answer = await get(pods(server, `limit=2&continue=${bad}`));
      assert.equal(answer.status, 400, bad);
      assert.match(answer.json().message, /^invalid continue token: continue key is not valid/);
    }
    assert.equal((await get(pods(server, `limit=2&continue=${first.metadata.continue}&resourceVersion=3`))).status, 400);

    server.append('ADDED', { ...canonicalPods(1)[0]!, metadata: { name: 'late', namespace: 'a' } });
    server.compact();
    const gone = await get(pods(server, `limit=2&continue=${first.metadata.continue}`));
    assert.equal(gone.status, 410);
    const status = gone.json();
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token/);
    assert.deepEqual(JSON.parse(Buffer.from(status.metadata.continue, 'base64url').toString()), { v: 'meta.k8s.io/v1', rv: -1, start: 'a/pod-0002\u0000' });
    const rest = (await get(pods(server, `limit=10&continue=${status.metadata.continue}`))).json();
    assert.equal(rest.metadata.resourceVersion, String(server.resourceVersion));
    assert.deepEqual(
      rest.items.map((p: KubeObject) => `${p.metadata!.namespace}/${p.metadata!.name}`),
      ['a/pod-0004', 'b/pod-0001', 'b/pod-0003'],
    );
  });
});

test('continueExpiry: tokens expire after N pages or N ms (the 410 path without a compaction)', async () => {
  await withServer({ objects: canonicalPods(6), continueExpiry: { afterPages: 2 } }, async (server) => {
    const one = (await get(pods(server, 'limit=2'))).json();
    const two = (await get(pods(server, `limit=2&continue=${one.metadata.continue}`))).json();
    assert.equal(two.items.length, 2);
    const three = await get(pods(server, `limit=2&continue=${two.metadata.continue}`));
    assert.equal(three.status, 410);
    assert.ok(three.json().metadata.continue);
  });
  await withServer({ objects: canonicalPods(6), continueExpiry: { afterMs: 30 } }, async (server) => {
    const one = (await get(pods(server, 'limit=2'))).json();
    assert.equal((await get(pods(server, `limit=2&continue=${one.metadata.continue}`))).status, 200);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal((await get(pods(server, `limit=2&continue=${one.metadata.continue}`))).status, 410);
  });
});

test('resourceVersion on LIST/GET: unset/0 latest, Exact the state at N (410 once compacted), NotOlderThan or Exact beyond → wait, then 504', async () => {
  await withServer({ objects: canonicalPods(3) }, async (server) => {
    const before = server.resourceVersion;
    const removed = server.state()[0]!;
    server.append('DELETED', removed);
    assert.equal((await get(pods(server))).json().items.length, 2);
    assert.equal((await get(pods(server, 'resourceVersion=0'))).json().items.length, 2);
    const exact = (await get(pods(server, `resourceVersion=${before}&resourceVersionMatch=Exact`))).json();
    assert.equal(exact.metadata.resourceVersion, String(before));
    assert.deepEqual(exact.items[0], asItem(removed));
    // Legacy: resourceVersion=N with a limit is Exact.
    assert.equal((await get(pods(server, `resourceVersion=${before}&limit=5`))).json().items.length, 3);
    const notOlder = (await get(pods(server, `resourceVersion=${before}&resourceVersionMatch=NotOlderThan`))).json();
    assert.equal(notOlder.metadata.resourceVersion, String(server.resourceVersion));

    for (const query of [`resourceVersion=${before + 50}&resourceVersionMatch=NotOlderThan`, `resourceVersion=${before + 50}&resourceVersionMatch=Exact`, `resourceVersion=${before + 50}`]) {
      const started = Date.now();
      const answer = await get(pods(server, query));
      assert.ok(Date.now() - started >= 50, 'waited first');
      assert.equal(answer.status, 504, query);
      assert.equal(answer.headers.get('retry-after'), '1');
      const status = answer.json();
      assert.equal(status.reason, 'Timeout');
      assert.equal(status.message, `Timeout: Too large resource version: ${before + 50}, current: ${server.resourceVersion}`);
      assert.deepEqual(status.details, { retryAfterSeconds: 1 });
    }
    const getFuture = await get(`${pods(server, '', 'a')}/pod-0002?resourceVersion=${before + 50}`);
    assert.equal(getFuture.status, 504);
    // GetOptions has no resourceVersionMatch: a GET ignores it.
    assert.equal((await get(`${pods(server, '', 'a')}/pod-0002?resourceVersionMatch=Exact`)).status, 200);
    // A version reached while waiting is served.
    const waiting = get(pods(server, `resourceVersion=${server.resourceVersion + 1}&resourceVersionMatch=NotOlderThan`));
    setTimeout(() => server.append('ADDED', { ...canonicalPods(1)[0]!, metadata: { name: 'arrives', namespace: 'a' } }), 10);
    assert.equal((await waiting).status, 200);

    server.compact();
    const old = await get(pods(server, `resourceVersion=${before}&resourceVersionMatch=Exact`));
    assert.equal(old.status, 410);
    assert.equal(old.json().message, 'The resourceVersion for the provided list is too old.');
    assert.equal((await get(pods(server, 'resourceVersion=abc'))).status, 400);
  });
});

test('invalid ListOptions combinations: 422 Invalid with upstream field errors', async () => {
  const cases: [string, string][] = [
    ['resourceVersionMatch=Exact', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
    ['resourceVersion=0&resourceVersionMatch=Exact', 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    ['resourceVersion=5&resourceVersionMatch=Newest', 'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""'],
    ['sendInitialEvents=true', 'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    ['watch=1&resourceVersionMatch=NotOlderThan', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'],
    ['watch=1&sendInitialEvents=true', 'sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'.replace('sendInitialEvents: ', 'resourceVersionMatch: ')],
  ];
  for (const [query, message] of cases) {
    const answer = await get(pods(shared, query));
    assert.equal(answer.status, 422, query);
    const status = answer.json();
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.message, `ListOptions.meta.k8s.io "" is invalid: ${message}`, query);
    assert.equal(status.details.kind, 'ListOptions');
    assert.equal(status.details.group, 'meta.k8s.io');
  }
});

test('field selectors: the Pod field label set, metadata fields for other kinds, 400 otherwise', async () => {
  const names = async (query: string): Promise<string[]> => (await get(pods(shared, query))).json().items.map((p: KubeObject) => p.metadata!.name);
  assert.deepEqual(await names('fieldSelector=spec.nodeName%3Dnode-1'), ['pod-0004', 'pod-0001']);
  assert.deepEqual(await names('fieldSelector=spec.host%3Dnode-1'), ['pod-0004', 'pod-0001']);
  assert.deepEqual(await names('fieldSelector=status.phase%3DRunning,spec.nodeName!%3Dnode-0'), ['pod-0002', 'pod-0004', 'pod-0001', 'pod-0005']);
  assert.equal((await names('fieldSelector=spec.hostNetwork%3Dfalse')).length, 6);
  assert.deepEqual(await names('fieldSelector=status.podIP%3D10.0.0.3'), ['pod-0003']);
  assert.deepEqual(await names('fieldSelector=spec.restartPolicy%3DAlways,metadata.namespace%3Db,metadata.name%3Dpod-0005'), ['pod-0005']);
  for (const field of ['spec.schedulerName', 'spec.serviceAccountName', 'status.nominatedNodeName']) assert.equal((await names(`fieldSelector=${field}%3D`)).length, 6, field);
  const unsupported = await get(pods(shared, 'fieldSelector=spec.containers%3Dx'));
  assert.equal(unsupported.status, 400);
  assert.equal(unsupported.json().message, 'field label not supported: spec.containers');
  await withServer({ objects: [{ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', namespace: 'a' }, spec: { replicas: 2 } }] }, async (server) => {
    const url = `${server.url}/apis/apps/v1/deployments`;
    assert.equal((await get(`${url}?fieldSelector=metadata.name%3Dweb`)).json().items.length, 1);
    const refused = await get(`${url}?fieldSelector=spec.replicas%3D2`);
    assert.equal(refused.status, 400);
    assert.equal(refused.json().message, '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });
});

/** Reads a watch until it ends (timeoutSeconds) and decodes it. */
async function watchEvents(url: string): Promise<WatchEvent[]> {
  return decodeAll(json, (await get(url)).bytes);
}

test('selectors on a watch: an update leaving the selection is DELETED (old content, new version), one entering it ADDED', async () => {
  await withServer({ objects: canonicalPods(4) }, async (server) => {
    const from = server.resourceVersion;
    const web = server.state().find((p) => p.metadata!.labels!.app === 'web')!;
    const db = server.state().find((p) => p.metadata!.labels!.app === 'db')!;
    const left = server.append('MODIFIED', { ...web, metadata: { ...web.metadata, labels: { app: 'db' } } });
    const entered = server.append('MODIFIED', { ...db, metadata: { ...db.metadata, labels: { app: 'web' } } });
    const stayed = server.append('MODIFIED', { ...entered.event.object, status: { phase: 'Succeeded' } });
    server.append('MODIFIED', { ...left.event.object, status: { phase: 'Failed' } }); // outside before and after: nothing
    server.append('DELETED', stayed.event.object);
    const events = await watchEvents(pods(server, `watch=1&resourceVersion=${from}&labelSelector=app%3Dweb&timeoutSeconds=0.1`));
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata!.name, e.object.metadata!.resourceVersion]),
      [
        ['DELETED', web.metadata!.name, String(from + 1)],
        ['ADDED', db.metadata!.name, String(from + 2)],
        ['MODIFIED', db.metadata!.name, String(from + 3)],
        ['DELETED', db.metadata!.name, String(from + 5)],
      ],
    );
    assert.deepEqual(events[0]!.object.metadata!.labels, web.metadata!.labels, 'the DELETED carries the content that matched');
    // A field selector and a namespace, the same rule.
    const byNode = await watchEvents(pods(server, `watch=1&resourceVersion=${from}&fieldSelector=status.phase%3DSucceeded&timeoutSeconds=0.1`, db.metadata!.namespace));
    assert.deepEqual(byNode.map((e) => e.type), ['ADDED', 'DELETED']);
  });
});

test('watch-list: on by default (initial events, then the end bookmark); watchList: false refuses it as a server without the feature', async () => {
  const query = 'watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=0.1';
  const on = await watchEvents(pods(shared, query, 'b'));
  const end = on.findIndex((e) => e.type === 'BOOKMARK');
  assert.equal(end, 3);
  assert.deepEqual(on[end]!.object.metadata, { resourceVersion: String(shared.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } });
  // sendInitialEvents=false: from now, no synthetic events.
  assert.deepEqual(await watchEvents(pods(shared, 'watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&timeoutSeconds=0.05')), []);
  await withServer({ objects: canonicalPods(2), watchList: false }, async (server) => {
    const refused = await get(pods(server, query));
    assert.equal(refused.status, 422);
    const status = refused.json();
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.message, 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled');
    assert.deepEqual(status.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled', field: 'sendInitialEvents' }]);
    // The fallback a client then takes still works.
    assert.equal((await get(pods(server, 'limit=1'))).json().items.length, 1);
    assert.equal((await get(pods(server, 'watch=1&timeoutSeconds=0'))).status, 200);
  });
});

test('a watch from a future resourceVersion: a watch-list waits, then one ERROR 504 Too large; a plain watch stays open and delivers changes after it', async () => {
  await withServer({ objects: canonicalPods(2) }, async (server) => {
    const future = server.resourceVersion + 1000;
    const started = Date.now();
    const list = await get(pods(server, `watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${future}`));
    assert.ok(Date.now() - started >= 50);
    assert.equal(list.status, 200);
    const [error, ...rest] = decodeAll(json, list.bytes);
    assert.equal(rest.length, 0);
    assert.equal(error!.type, 'ERROR');
    assert.equal(error!.object.code, 504);
    assert.equal(error!.object.reason, 'Timeout');
    assert.equal(error!.object.message, `Timeout: Too large resource version: ${future}, current: ${server.resourceVersion}`);

    const near = server.resourceVersion + 2;
    const plain = get(pods(server, `watch=1&resourceVersion=${near}&allowWatchBookmarks=true&timeoutSeconds=0.3`));
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 3; i++) server.append('ADDED', { ...canonicalPods(1)[0]!, metadata: { name: `later-${i}`, namespace: 'a' } });
    const events = decodeAll(json, (await plain).bytes).filter((e) => e.type !== 'BOOKMARK');
    assert.deepEqual(events.map((e) => e.object.metadata!.name), ['later-2']);
  });
});

test('faults on LIST: 429/500 with Retry-After, 410 on a continue request, a body cut in the middle, a delay', async () => {
  let plan: (kind: string, url: URL) => object | undefined = () => undefined;
  await withServer({ objects: canonicalPods(6), faults: (r) => plan(r.kind, r.url) as never }, async (server) => {
    plan = (kind) => (kind === 'list' ? { status: { code: 429, retryAfterSeconds: 2 } } : undefined);
    const limited = await get(pods(server));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.equal(limited.json().reason, 'TooManyRequests');
    plan = (kind, url) => (kind === 'list' && url.searchParams.has('continue') ? { expire: true } : undefined);
    const first = (await get(pods(server, 'limit=2'))).json();
    const expired = await get(pods(server, `limit=2&continue=${first.metadata.continue}`));
    assert.equal(expired.status, 410);
    assert.ok(expired.json().metadata.continue);
    plan = (kind) => (kind === 'list' ? { dropAfterEvents: 0, dropAtByte: 10 } : undefined);
    await assert.rejects(get(pods(server)));
    plan = (kind) => (kind === 'get' ? { delayMs: 40 } : undefined);
    const started = Date.now();
    assert.equal((await get(`${pods(server, '', 'a')}/pod-0000`)).status, 200);
    assert.ok(Date.now() - started >= 35);
  });
});

test('state(): the current objects, copies, by resource and namespace', async () => {
  const state = shared.state({ namespace: 'a' });
  assert.deepEqual(
    state.map((p) => p.metadata!.name),
    ['pod-0000', 'pod-0002', 'pod-0004'],
  );
  state[0]!.metadata!.name = 'changed';
  assert.equal(shared.state({ namespace: 'a' })[0]!.metadata!.name, 'pod-0000');
  assert.deepEqual(shared.state({ group: 'apps', resource: 'deployments' }), []);
});

test('the shared encode cache: concurrent watches in every format get the stored changes, whatever the budget (evicting or off)', async () => {
  for (const encodeCacheBytes of [0, 20_000, 64 * 1024 * 1024]) {
    await withServer({ objects: canonicalPods(12), encodeCacheBytes }, async (server) => {
      for (const p of server.state().slice(0, 4)) server.append('MODIFIED', { ...p, status: { phase: 'Succeeded' } });
      const expected = server.store.changes().map((c) => c.event);
      const accepts = { json: 'application/json', protobuf: 'application/vnd.kubernetes.protobuf;stream=watch', cbor: 'application/cbor' } as const;
      const answers = await Promise.all(
        (Object.keys(accepts) as (keyof typeof accepts)[]).flatMap((format) =>
          [0, 1].map(async () => ({ format, answer: await get(pods(server, 'watch=1&resourceVersion=100&timeoutSeconds=0.2'), accepts[format]) })),
        ),
      );
      for (const { format, answer } of answers) {
        assert.deepEqual(decodeAll(registry.forContentType(answer.type), answer.bytes), expected, `${format}, budget ${encodeCacheBytes}`);
      }
    });
  }
});

test('a watch with selectors replays onto the LIST it started from to the LIST at its end (no MODIFIED or DELETED for an object outside, no ADDED for one inside)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.constantFrom('relabel', 'phase', 'delete', 'add'), fc.nat(30), fc.constantFrom('web', 'db')), { minLength: 1, maxLength: 25 }),
      fc.constantFrom('labelSelector=app%3Dweb', 'fieldSelector=status.phase%3DRunning', 'labelSelector=app!%3Ddb&fieldSelector=metadata.namespace%3Da'),
      async (changes, selector) => {
        await withServer({ objects: canonicalPods(8) }, async (server) => {
          const start = (await get(pods(server, selector))).json();
          for (const [op, n, value] of changes) {
            const current = server.state();
            const target = current[n % Math.max(current.length, 1)];
            if (op === 'add' || target === undefined) server.append('ADDED', { ...canonicalPods(1)[0]!, metadata: { name: `added-${n}-${server.resourceVersion}`, namespace: n % 2 ? 'a' : 'b', labels: { app: value } } });
            else if (op === 'relabel') server.append('MODIFIED', { ...target, metadata: { ...target.metadata, labels: { app: value } } });
            else if (op === 'phase') server.append('MODIFIED', { ...target, status: { phase: value === 'web' ? 'Running' : 'Pending' } });
            else server.append('DELETED', target);
          }
          const events = await watchEvents(pods(server, `watch=1&resourceVersion=${start.metadata.resourceVersion}&${selector}&timeoutSeconds=0.05`));
          const cache = new Map<string, KubeObject>(start.items.map((p: KubeObject) => [`${p.metadata!.namespace}/${p.metadata!.name}`, p]));
          for (const { type, object } of events) {
            const id = `${object.metadata!.namespace}/${object.metadata!.name}`;
            if (type === 'ADDED') assert.ok(!cache.has(id), `ADDED for ${id}, already there`);
            else assert.ok(cache.has(id), `${type} for ${id}, not there`);
            if (type === 'DELETED') cache.delete(id);
            else cache.set(id, asItem(object));
          }
          const end = (await get(pods(server, selector))).json();
          assert.deepEqual([...cache.values()].sort((a, b) => (`${a.metadata!.namespace}/${a.metadata!.name}` < `${b.metadata!.namespace}/${b.metadata!.name}` ? -1 : 1)), end.items);
        });
      },
    ),
    { seed: 20261204, numRuns: 40 },
  );
});
