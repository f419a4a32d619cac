/**
 * The server-side Table form (what `kubectl get` prints): the Pod columns
 * and cells as an API server computes them for the states a Pod goes
 * through, the AGE durations, and the Table over HTTP on LIST (paged), GET
 * and WATCH with kubectl's Accept, `includeObject`, v1beta1, and the
 * fallbacks to the plain form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from 'watchwire';
import { type ReplayServer, type Table, humanDuration, startReplayServer, tableResponse } from 'watchwire/server';

const KUBECTL_TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const POD_INFO = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true };

test('humanDuration writes AGE as kubectl does, precision dropping with size', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [number, string][] = [
    [0, '0s'],
    [-1500, '0s'],
    [-2500, '<invalid>'],
    [45 * s, '45s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [200 * s, '3m20s'],
    [10 * m, '10m'],
    [179 * m, '179m'],
    [180 * m, '3h'],
    [5 * h + 12 * m, '5h12m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [8 * d + 5 * h, '8d'],
    [335 * d, '335d'],
    [730 * d, '2y'],
    [745 * d, '2y15d'],
    [9 * 365 * d, '9y'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms} ms`);
});

function pod(status: object, spec: object = {}, metadata: object = {}): KubeObject {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: '2026-06-01T11:00:00Z', ...metadata },
    spec: { containers: [{ name: 'a' }], ...spec },
    status,
  };
}

function row(object: KubeObject): unknown[] {
  const answer = tableResponse('application/json;as=Table;v=v1;g=meta.k8s.io', new URLSearchParams(), POD_INFO, object, NOW)!;
  const table = JSON.parse(new TextDecoder().decode(answer.body)) as Table;
  return table.rows[0]!.cells;
}

const running = { running: { startedAt: '2026-06-01T11:00:00Z' } };

test('Pod cells: READY, STATUS and RESTARTS through the states a Pod goes through', () => {
  const threeMinutesAgo = new Date(NOW - 3 * 60_000).toISOString();
  const cases: [string, KubeObject, unknown[]][] = [
    ['no status yet', pod({ phase: 'Pending' }), ['p', '0/1', 'Pending', '0', '60m']],
    [
      'one of two ready',
      pod(
        {
          phase: 'Running',
          containerStatuses: [
            { name: 'a', ready: true, restartCount: 0, state: running },
            { name: 'b', ready: false, restartCount: 0, state: running },
          ],
        },
        { containers: [{ name: 'a' }, { name: 'b' }] },
      ),
      ['p', '1/2', 'Running', '0', '60m'],
    ],
    [
      'crash looping, last restart 3m ago',
      pod({
        phase: 'Running',
        containerStatuses: [{ name: 'a', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: threeMinutesAgo } } }],
      }),
      ['p', '0/1', 'CrashLoopBackOff', '5 (3m ago)', '60m'],
    ],
    [
      'an init container running',
      pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', ready: false, restartCount: 0, state: running }] }, { initContainers: [{ name: 'i' }, { name: 'j' }] }),
      ['p', '0/1', 'Init:0/2', '0', '60m'],
    ],
    [
      'an init container failed',
      pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', restartCount: 2, state: { terminated: { exitCode: 1 } } }] }, { initContainers: [{ name: 'i' }] }),
      ['p', '0/1', 'Init:ExitCode:1', '2', '60m'],
    ],
    [
      'completed',
      pod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
      ['p', '0/1', 'Completed', '0', '60m'],
    ],
    [
      'killed by a signal',
      pod({ phase: 'Failed', containerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] }),
      ['p', '0/1', 'Signal:9', '0', '60m'],
    ],
    [
      'one container completed, another still running and the Pod Ready',
      pod(
        {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: 'a', ready: true, restartCount: 0, state: running },
            { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
        { containers: [{ name: 'a' }, { name: 'b' }] },
      ),
      ['p', '1/2', 'Running', '0', '60m'],
    ],
    [
      'being deleted',
      pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: running }] }, {}, { deletionTimestamp: '2026-06-01T11:59:00Z' }),
      ['p', '1/1', 'Terminating', '0', '60m'],
    ],
  ];
  for (const [what, object, cells] of cases) assert.deepEqual(row(object).slice(0, 5), cells, what);
});

test('Pod wide cells: IP (podIPs first), NODE, NOMINATED NODE, READINESS GATES', () => {
  assert.deepEqual(row(pod({ phase: 'Running' })).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  const scheduled = pod(
    { phase: 'Running', podIP: '10.1.1.1', podIPs: [{ ip: '10.1.1.1' }, { ip: 'fd00::1' }], nominatedNodeName: 'n2', conditions: [{ type: 'example.com/ready', status: 'True' }] },
    { nodeName: 'n1', readinessGates: [{ conditionType: 'example.com/ready' }, { conditionType: 'example.com/other' }] },
  );
  assert.deepEqual(row(scheduled).slice(5), ['10.1.1.1', 'n1', 'n2', '1/2']);
  assert.equal(row(pod({ phase: 'Running', podIP: '10.2.2.2' }))[5], '10.2.2.2');
});

async function getTable(server: ReplayServer, path: string, accept = KUBECTL_TABLE_ACCEPT): Promise<{ status: number; contentType: string; body: any }> {
  const response = await fetch(`${server.url}${path}`, { headers: { accept } });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.json() };
}

describe('the Table form over HTTP', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer({
      generate: { pods: 5 },
      objects: [{ kind: 'Widget', apiVersion: 'example.com/v1', metadata: { name: 'settings', namespace: 'default', creationTimestamp: '2026-01-02T03:04:05Z' } }],
    });
  });
  after(() => server?.close());

  test('LIST with kubectl\'s Accept: a meta.k8s.io/v1 Table, all columns (priority 1 for -o wide), rows carrying PartialObjectMetadata', async () => {
    const { status, contentType, body } = await getTable(server, '/api/v1/namespaces/default/pods?limit=2');
    assert.equal(status, 200);
    assert.equal(contentType, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    assert.equal(body.kind, 'Table');
    assert.equal(body.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(
      body.columnDefinitions.map((c: any) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Status', 0],
        ['Restarts', 0],
        ['Age', 0],
        ['IP', 1],
        ['Node', 1],
        ['Nominated Node', 1],
        ['Readiness Gates', 1],
      ],
    );
    assert.equal(body.columnDefinitions[0].format, 'name');
    assert.deepEqual(
      body.rows.map((r: any) => [r.cells[0], r.cells[1], r.cells[2], r.cells[5]]),
      [
        ['pod-0000', '1/1', 'Running', '10.0.0.0'],
        ['pod-0001', '1/1', 'Running', '10.0.0.1'],
      ],
    );
    assert.deepEqual(Object.keys(body.rows[0].object), ['kind', 'apiVersion', 'metadata']);
    assert.equal(body.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(body.rows[0].object.metadata.labels.app, 'web');
    // The list's paging metadata carries over: kubectl --chunk-size pages through Tables.
    assert.equal(typeof body.metadata.continue, 'string');
    assert.equal(body.metadata.remainingItemCount, 3);
    const next = await getTable(server, `/api/v1/namespaces/default/pods?limit=2&continue=${encodeURIComponent(body.metadata.continue)}`);
    assert.deepEqual(
      next.body.rows.map((r: any) => r.cells[0]),
      ['pod-0002', 'pod-0003'],
    );
  });

  test('includeObject: None (no object), Object (the whole object with kind), anything else 400 (on a watch too)', async () => {
    const none = await getTable(server, '/api/v1/pods?includeObject=None');
    assert.ok(none.body.rows.every((r: any) => !('object' in r)));
    const whole = await getTable(server, '/api/v1/pods?includeObject=Object');
    assert.deepEqual([whole.body.rows[0].object.kind, whole.body.rows[0].object.apiVersion, whole.body.rows[0].object.spec.containers[0].image], ['Pod', 'v1', 'nginx:1.27']);
    const bad = await getTable(server, '/api/v1/pods?includeObject=All');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    const badWatch = await getTable(server, '/api/v1/pods?watch=1&includeObject=All');
    assert.equal(badWatch.status, 400);
    assert.match(badWatch.body.message, /includeObject: Unsupported value: "All"/);
  });

  test('GET: a Table of one row at the object\'s version; v1beta1 when asked only that; kinds without a printer (a custom kind): Name and Created At', async () => {
    const one = await getTable(server, '/api/v1/namespaces/default/pods/pod-0003');
    assert.equal(one.body.rows.length, 1);
    assert.equal(one.body.rows[0].cells[0], 'pod-0003');
    assert.equal(one.body.metadata.resourceVersion, server.store.get('/pods', 'default', 'pod-0003')!.metadata!.resourceVersion);
    const beta = await getTable(server, '/api/v1/pods', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io');
    assert.equal(beta.contentType, 'application/json;as=Table;v=v1beta1;g=meta.k8s.io');
    assert.equal(beta.body.apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal(beta.body.rows[0].object.apiVersion, 'meta.k8s.io/v1beta1');
    const config = await getTable(server, '/apis/example.com/v1/widgets');
    assert.deepEqual(
      config.body.columnDefinitions.map((c: any) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Created At', 'date'],
      ],
    );
    assert.deepEqual(config.body.rows[0].cells, ['settings', '2026-01-02T03:04:05Z']);
  });

  test('a Table the server cannot write falls through to the next Accept entry; plain JSON stays plain', async () => {
    const unknownVersion = await getTable(server, '/api/v1/pods', 'application/json;as=Table;v=v2;g=meta.k8s.io,application/json');
    assert.equal(unknownVersion.body.kind, 'PodList');
    const protobufTable = await getTable(server, '/api/v1/pods', 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json');
    assert.equal(protobufTable.body.kind, 'PodList');
    const plain = await getTable(server, '/api/v1/pods', 'application/json');
    assert.equal(plain.body.kind, 'PodList');
    // Tables alone, no fallback: LIST and WATCH are still served (a watch's Tables are JSON).
    assert.equal((await getTable(server, '/api/v1/pods', 'application/json;as=Table;v=v1;g=meta.k8s.io')).body.kind, 'Table');
    const controller = new AbortController();
    const onlyTables = await fetch(`${server.url}/api/v1/pods?watch=1`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }, signal: controller.signal });
    assert.equal(onlyTables.status, 200);
    const first = new TextDecoder().decode((await onlyTables.body!.getReader().read()).value);
    controller.abort();
    assert.equal(JSON.parse(first.split('\n')[0]!).object.kind, 'Table');
  });

  test('WATCH with kubectl\'s Accept: events carry Tables of one row, column definitions on the first only', async () => {
    const controller = new AbortController();
    const start = server.resourceVersion;
    const response = await fetch(`${server.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${start}`, { headers: { accept: KUBECTL_TABLE_ACCEPT }, signal: controller.signal });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const p0 = server.store.get('/pods', 'default', 'pod-0000')!;
    server.append('MODIFIED', { ...p0, status: { ...(p0.status as object), phase: 'Succeeded' } });
    server.append('DELETED', server.store.get('/pods', 'default', 'pod-0001')!);
    let text = '';
    while (text.split('\n').length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const events = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => [e.type, e.object.kind, e.object.rows.length, e.object.columnDefinitions.length]), [
      ['MODIFIED', 'Table', 1, 9],
      ['DELETED', 'Table', 1, 0],
    ]);
    assert.deepEqual(events[0].object.rows[0].cells.slice(0, 3), ['pod-0000', '1/1', 'Succeeded']);
    assert.equal(events[0].object.rows[0].conditions[0].type, 'Completed');
    assert.equal(events[1].object.metadata.resourceVersion, String(start + 2));
  });
});

function cellsOf(group: string, kind: string, object: KubeObject): unknown[] {
  const info = { group, version: 'v1', resource: `${kind.toLowerCase()}s`, kind, namespaced: true };
  const answer = tableResponse('application/json;as=Table;v=v1;g=meta.k8s.io', new URLSearchParams(), info, object, NOW)!;
  return (JSON.parse(new TextDecoder().decode(answer.body)) as Table).rows[0]!.cells;
}

test('the other printers: Service external IPs per type, Node status, workload selectors, DaemonSet and ReplicaSet counts', () => {
  const meta = { name: 'x', namespace: 'default', creationTimestamp: '2026-06-01T11:00:00Z' };
  const service = (spec: object, status: object = {}) => cellsOf('', 'Service', { kind: 'Service', apiVersion: 'v1', metadata: meta, spec, status });
  assert.deepEqual(service({ clusterIP: '10.0.0.1', ports: [{ port: 53, protocol: 'UDP' }] }), ['x', 'ClusterIP', '10.0.0.1', '<none>', '53/UDP', '60m', '<none>']);
  assert.deepEqual(service({ type: 'ExternalName', externalName: 'db.example.com' }).slice(1, 5), ['ExternalName', '<none>', 'db.example.com', '<none>']);
  assert.equal(service({ type: 'LoadBalancer', externalIPs: ['1.2.3.4'] }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }] } })[3], '5.6.7.8,lb.example.com,1.2.3.4');
  const node = (conditions: object[], extra: object = {}) => cellsOf('', 'Node', { kind: 'Node', apiVersion: 'v1', metadata: { ...meta, ...extra }, status: { conditions } });
  assert.equal(node([{ type: 'Ready', status: 'False' }])[1], 'NotReady');
  assert.equal(node([{ type: 'Ready', status: 'Unknown' }])[1], 'NotReady');
  assert.equal(node([])[1], 'Unknown');
  assert.equal(node([], { labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/infra': '', 'kubernetes.io/role': 'edge' } })[2], 'edge,infra,worker');
  const selector = { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev', 'test'] }, { key: 'gpu', operator: 'Exists' }, { key: 'spot', operator: 'DoesNotExist' }] };
  const rs = cellsOf('apps', 'ReplicaSet', { kind: 'ReplicaSet', apiVersion: 'apps/v1', metadata: meta, spec: { selector, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { replicas: 1 } });
  assert.deepEqual(rs, ['x', 1, 1, 0, '60m', 'c', 'i', 'app=a,env notin (dev,test),gpu,!spot']);
  const ds = cellsOf('apps', 'DaemonSet', { kind: 'DaemonSet', apiVersion: 'apps/v1', metadata: meta, spec: { template: { spec: { containers: [] } } }, status: { desiredNumberScheduled: 3, numberReady: 2 } });
  assert.deepEqual(ds, ['x', 3, 0, 2, 0, 0, '<none>', '60m', '', '', '<none>']);
  // A kind in a group it does not belong to gets the default columns: printers are by group and kind.
  assert.deepEqual(cellsOf('example.com', 'Deployment', { kind: 'Deployment', apiVersion: 'example.com/v1', metadata: meta }), ['x', '2026-06-01T11:00:00Z']);
});

describe('the metadata-only forms over HTTP (client-go\'s metadata client)', () => {
  // The Accept client-go's metadata client sends: protobuf first (passed over here), then JSON, then plain JSON.
  const LIST_ACCEPT = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
  const OBJECT_ACCEPT = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer({ generate: { pods: 3 } });
  });
  after(() => server?.close());

  test('LIST: a PartialObjectMetadataList (paging metadata kept), items reduced to kind and metadata', async () => {
    const { status, contentType, body } = await getTable(server, '/api/v1/pods?limit=2', LIST_ACCEPT);
    assert.equal(status, 200);
    assert.equal(contentType, 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    assert.deepEqual([body.kind, body.apiVersion, typeof body.metadata.continue], ['PartialObjectMetadataList', 'meta.k8s.io/v1', 'string']);
    assert.deepEqual(
      body.items.map((i: any) => [i.kind, i.apiVersion, i.metadata.name, Object.keys(i)]),
      [
        ['PartialObjectMetadata', 'meta.k8s.io/v1', 'pod-0000', ['kind', 'apiVersion', 'metadata']],
        ['PartialObjectMetadata', 'meta.k8s.io/v1', 'pod-0001', ['kind', 'apiVersion', 'metadata']],
      ],
    );
    assert.equal(body.items[0].metadata.labels.app, 'web');
  });

  test('GET and WATCH: PartialObjectMetadata objects; a list-form Accept on a GET falls back to the plain object', async () => {
    const one = await getTable(server, '/api/v1/namespaces/default/pods/pod-0002', OBJECT_ACCEPT);
    assert.equal(one.contentType, 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
    assert.deepEqual(Object.keys(one.body), ['kind', 'apiVersion', 'metadata']);
    assert.equal((await getTable(server, '/api/v1/namespaces/default/pods/pod-0002', LIST_ACCEPT)).body.kind, 'Pod');
    const controller = new AbortController();
    const start = server.resourceVersion;
    const response = await fetch(`${server.url}/api/v1/pods?watch=1&resourceVersion=${start}`, { headers: { accept: OBJECT_ACCEPT }, signal: controller.signal });
    assert.equal(response.status, 200);
    server.append('MODIFIED', server.store.get('/pods', 'default', 'pod-0001')!);
    const line = new TextDecoder().decode((await response.body!.getReader().read()).value).split('\n')[0]!;
    controller.abort();
    const event = JSON.parse(line);
    assert.deepEqual([event.type, event.object.kind, event.object.metadata.name, event.object.metadata.resourceVersion, 'spec' in event.object], [
      'MODIFIED',
      'PartialObjectMetadata',
      'pod-0001',
      String(start + 1),
      false,
    ]);
  });

  test('the first acceptable entry decides between a Table and the metadata form', async () => {
    const tableFirst = await getTable(server, '/api/v1/pods', `application/json;as=Table;v=v1;g=meta.k8s.io,${LIST_ACCEPT}`);
    assert.equal(tableFirst.body.kind, 'Table');
    const metadataFirst = await getTable(server, '/api/v1/pods', `application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,${KUBECTL_TABLE_ACCEPT}`);
    assert.equal(metadataFirst.body.kind, 'PartialObjectMetadataList');
  });
});
