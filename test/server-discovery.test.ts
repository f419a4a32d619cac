/**
 * Discovery on the replay server, over HTTP with the headers real clients
 * send (taken from `kubectl -v=8`: v1.20 asks plain JSON, v1.32 asks the
 * aggregated v2, then v2beta1, then plain): /version, /api, /api/v1, /apis,
 * /apis/G, /apis/G/V, the aggregated lists, OpenAPI, health, and 404
 * elsewhere; plus a property over random resource sets: every served
 * resource is listed exactly once, the same way in the plain and the
 * aggregated form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type ReplayServer, type ResourceInfo, SERVER_VERSION, discoveryAnswer, startReplayServer } from 'watchwire/server';

const KUBECTL_120_ACCEPT = 'application/json, */*';
const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const KUBECTL_132_ACCEPT = `${AGGREGATED_V2},${AGGREGATED_V2BETA1},application/json`;

async function get(server: ReplayServer, path: string, accept?: string): Promise<{ status: number; contentType: string; body: string }> {
  const response = await fetch(`${server.url}${path}`, accept === undefined ? {} : { headers: { accept } });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

async function json(server: ReplayServer, path: string, accept = KUBECTL_120_ACCEPT): Promise<Record<string, any>> {
  const { status, body } = await get(server, path, accept);
  assert.equal(status, 200, body);
  return JSON.parse(body) as Record<string, any>;
}

describe('discovery over HTTP', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer({
      generate: { pods: 2 },
      objects: [
        { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', namespace: 'default' } },
        { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'default' } },
        { kind: 'Widget', apiVersion: 'example.com/v1alpha1', metadata: { name: 'w', namespace: 'default' } },
      ],
    });
  });
  after(() => server?.close());

  test('/version', async () => {
    const version = await json(server, '/version');
    assert.deepEqual(version, { ...SERVER_VERSION });
    assert.match(version.gitVersion, /^v1\.\d+\.\d+/);
  });

  test('/api and /api/v1 (plain): APIVersions and an APIResourceList with verbs, kinds, scope, short names', async () => {
    const versions = await json(server, '/api');
    assert.equal(versions.kind, 'APIVersions');
    assert.deepEqual(versions.versions, ['v1']);
    assert.equal(versions.serverAddressByClientCIDRs[0].serverAddress, new URL(server.url).host);
    const list = await json(server, '/api/v1');
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.groupVersion, 'v1');
    assert.deepEqual(list.resources, [
      { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list', 'watch'], shortNames: ['ns'] },
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'], categories: ['all'] },
    ]);
    assert.equal((await get(server, '/api/v1/')).status, 200);
  });

  test('/apis, /apis/G, /apis/G/V (plain)', async () => {
    const groups = await json(server, '/apis');
    assert.equal(groups.kind, 'APIGroupList');
    assert.deepEqual(
      groups.groups.map((g: any) => [g.name, g.preferredVersion.groupVersion, g.versions.length]),
      [
        ['apps', 'apps/v1', 1],
        ['example.com', 'example.com/v1alpha1', 1],
      ],
    );
    const group = await json(server, '/apis/apps');
    assert.equal(group.kind, 'APIGroup');
    assert.deepEqual(group.versions, [{ groupVersion: 'apps/v1', version: 'v1' }]);
    const apps = await json(server, '/apis/apps/v1');
    assert.equal(apps.groupVersion, 'apps/v1');
    assert.deepEqual(apps.resources, [
      { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list', 'watch'], shortNames: ['deploy'], categories: ['all'] },
    ]);
    const custom = await json(server, '/apis/example.com/v1alpha1');
    assert.deepEqual(custom.resources[0], { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['get', 'list', 'watch'] });
  });

  test('aggregated discovery: v2 for kubectl 1.32\'s Accept, v2beta1 when only that is asked, plain when an unknown version falls back', async () => {
    const core = await get(server, '/api', KUBECTL_132_ACCEPT);
    assert.equal(core.contentType, AGGREGATED_V2);
    const list = JSON.parse(core.body);
    assert.equal(list.kind, 'APIGroupDiscoveryList');
    assert.equal(list.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.equal(list.items.length, 1);
    const pods = list.items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
    assert.deepEqual(pods, {
      resource: 'pods',
      responseKind: { group: '', version: 'v1', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    });
    assert.equal(list.items[0].versions[0].resources.find((r: any) => r.resource === 'namespaces').scope, 'Cluster');

    const beta = await get(server, '/apis', `${AGGREGATED_V2BETA1},application/json`);
    assert.equal(beta.contentType, AGGREGATED_V2BETA1);
    const groups = JSON.parse(beta.body);
    assert.equal(groups.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.deepEqual(
      groups.items.map((g: any) => [g.metadata.name, g.versions.map((v: any) => v.version)]),
      [
        ['apps', ['v1']],
        ['example.com', ['v1alpha1']],
      ],
    );

    const fallback = await get(server, '/api', 'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json');
    assert.equal(fallback.contentType, 'application/json');
    assert.equal(JSON.parse(fallback.body).kind, 'APIVersions');
    const refused = await get(server, '/api', 'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList');
    assert.equal(refused.status, 406);
    assert.equal(JSON.parse(refused.body).reason, 'NotAcceptable');
  });

  test('OpenAPI: v2 as gnostic protobuf when asked (else JSON), v3 index and per-group documents', async () => {
    // kubectl 1.20 asks with `@`; the answer's type uses `.` (Go's mime parser, which client-go runs on every Content-Type, refuses `@`).
    const pb = await fetch(`${server.url}/openapi/v2`, { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(pb.headers.get('content-type'), 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const bytes = new Uint8Array(await pb.arrayBuffer());
    // Field 1 (swagger, length-delimited) = "2.0", then field 2 (info).
    assert.deepEqual([...bytes.subarray(0, 5)], [0x0a, 3, 0x32, 0x2e, 0x30]);
    assert.equal(bytes[5], 0x12);
    assert.equal((await json(server, '/openapi/v2')).swagger, '2.0');
    const index = await json(server, '/openapi/v3');
    assert.deepEqual(Object.keys(index.paths), ['api/v1', 'apis/apps/v1', 'apis/example.com/v1alpha1']);
    const doc = await json(server, index.paths['apis/apps/v1'].serverRelativeURL);
    assert.equal(doc.openapi, '3.0.0');
    assert.equal((await get(server, '/openapi/v3/apis/nope/v1')).status, 404);
  });

  test('health: /healthz, /readyz, /livez (and their sub-checks) answer ok; ?verbose lists the checks', async () => {
    assert.equal((await get(server, '/readyz?verbose')).body, '[+]ping ok\nreadyz check passed\n');
    for (const path of ['/healthz', '/readyz', '/livez', '/livez/ping']) {
      const { status, body, contentType } = await get(server, path);
      assert.equal(status, 200, path);
      assert.equal(body, 'ok');
      assert.match(contentType, /^text\/plain/);
    }
  });

  test('a 404 Status for what is not served, recorded as "other"', async () => {
    for (const path of ['/apis/nope', '/apis/apps/v2', '/api/v2', '/nothing', '/apis/apps/v1/namespaces/default/statefulsets', '/api/v1/namespaces/default/pods/pod-0000/log']) {
      const { status, body } = await get(server, path);
      assert.equal(status, 404, path);
      const parsed = JSON.parse(body);
      assert.deepEqual([parsed.kind, parsed.status, parsed.reason, parsed.code], ['Status', 'Failure', 'NotFound', 404], path);
    }
    const seen = server.requests.filter((r) => r.url === '/apis/nope');
    assert.deepEqual(seen.map((r) => [r.kind, r.status]), [['other', 404]]);
  });
});

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const resourceInfo: fc.Arbitrary<ResourceInfo> = fc.record({
  group: fc.oneof(fc.constant(''), fc.constant('apps'), name.map((n) => `${n}.example.com`)),
  version: fc.constantFrom('v1', 'v1beta1', 'v2'),
  resource: name.map((n) => `${n}s`),
  kind: name.map((n) => n[0]!.toUpperCase() + n.slice(1)),
  namespaced: fc.boolean(),
});

test('a group served in several versions prefers GA, then beta, then alpha, the higher first', () => {
  const info = (version: string): ResourceInfo => ({ group: 'example.com', version, resource: 'widgets', kind: 'Widget', namespaced: true });
  const resources = ['v1alpha1', 'v1beta1', 'v1', 'v2beta1', 'v1beta2', 'v2', 'vnext'].map(info);
  const group = JSON.parse(new TextDecoder().decode(discoveryAnswer(resources, '/apis/example.com', 'application/json')!.body));
  assert.deepEqual(
    group.versions.map((v: { version: string }) => v.version),
    ['v2', 'v1', 'v2beta1', 'v1beta2', 'v1beta1', 'v1alpha1', 'vnext'],
  );
  assert.equal(group.preferredVersion.version, 'v2');
});

test('property: every served resource is listed once, alike in plain and aggregated discovery', () => {
  fc.assert(
    fc.property(fc.uniqueArray(resourceInfo, { minLength: 1, maxLength: 12, selector: (r) => `${r.group}/${r.version}/${r.resource}` }), (resources) => {
      const read = (path: string, accept = 'application/json') => JSON.parse(new TextDecoder().decode(discoveryAnswer(resources, path, accept)!.body));
      const plain: string[] = [];
      const versions = read('/api').versions as string[];
      const groupVersions: [string, string][] = versions.map((v) => ['', v]);
      for (const g of read('/apis').groups as { name: string; versions: { version: string }[] }[]) for (const v of g.versions) groupVersions.push([g.name, v.version]);
      for (const [group, version] of groupVersions) {
        const list = read(group === '' ? `/api/${version}` : `/apis/${group}/${version}`);
        for (const r of list.resources) plain.push(`${group}/${version}/${r.name}/${r.kind}/${r.namespaced}`);
      }
      const aggregated: string[] = [];
      for (const path of ['/api', '/apis']) {
        for (const item of read(path, AGGREGATED_V2).items) {
          for (const v of item.versions) {
            for (const r of v.resources) {
              assert.equal(r.responseKind.version, v.version);
              aggregated.push(`${item.metadata.name ?? ''}/${v.version}/${r.resource}/${r.responseKind.kind}/${r.scope === 'Namespaced'}`);
            }
          }
        }
      }
      const expected = resources.map((r) => `${r.group}/${r.version}/${r.resource}/${r.kind}/${r.namespaced}`).sort();
      assert.deepEqual([...plain].sort(), expected);
      assert.deepEqual([...aggregated].sort(), expected);
    }),
    { seed: 16, numRuns: 300 },
  );
});
