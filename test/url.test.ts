import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  applyWatchQuery,
  escapeFieldValue,
  formatFieldSelector,
  formatLabelSelector,
  listUrl,
  matchesFieldSelector,
  matchesLabelSelector,
  objectUrl,
  parseApiPath,
  parseFieldSelector,
  parseLabelSelector,
  watchUrl,
} from 'watchwire';

const server = 'http://127.0.0.1:8001';

test('core group: /api/v1, namespaced and cluster-wide', () => {
  assert.equal(watchUrl(server, { version: 'v1', resource: 'pods', namespace: 'default' }).toString(), `${server}/api/v1/namespaces/default/pods?watch=1`);
  assert.equal(watchUrl(server, { group: '', version: 'v1', resource: 'pods' }).toString(), `${server}/api/v1/pods?watch=1`);
});

test('named groups: /apis/GROUP/VERSION', () => {
  assert.equal(
    watchUrl(server, { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'kube-system' }).pathname,
    '/apis/apps/v1/namespaces/kube-system/deployments',
  );
  assert.equal(listUrl(server, { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' }).pathname, '/apis/rbac.authorization.k8s.io/v1/clusterroles');
});

test('one object by name: namespaced URL + metadata.name field selector, never the cluster-wide trap', () => {
  const url = watchUrl(server, { version: 'v1', resource: 'pods', namespace: 'ns1', name: 'web-0' });
  assert.equal(url.pathname, '/api/v1/namespaces/ns1/pods');
  assert.equal(url.searchParams.get('fieldSelector'), 'metadata.name=web-0');
  assert.equal(url.search, '?watch=1&fieldSelector=metadata.name%3Dweb-0');
  assert.throws(() => watchUrl(server, { version: 'v1', resource: 'pods', name: 'web-0' }), /every namespace/);
  const node = watchUrl(server, { version: 'v1', resource: 'nodes', name: 'node-1', clusterScoped: true });
  assert.equal(node.pathname, '/api/v1/nodes');
  assert.equal(node.searchParams.get('fieldSelector'), 'metadata.name=node-1');
  // The name joins other field selectors with AND.
  const both = listUrl(server, { version: 'v1', resource: 'pods', namespace: 'a', name: 'x' }, { fieldSelector: { 'status.phase': 'Running' } });
  assert.equal(both.searchParams.get('fieldSelector'), 'metadata.name=x,status.phase=Running');
});

test('object URLs and subresources', () => {
  assert.equal(objectUrl(server, { version: 'v1', resource: 'pods', namespace: 'd', name: 'p', subresource: 'log' }).pathname, '/api/v1/namespaces/d/pods/p/log');
  assert.equal(objectUrl(server, { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'd', name: 'web', subresource: 'scale' }).pathname, '/apis/apps/v1/namespaces/d/deployments/web/scale');
  assert.throws(() => watchUrl(server, { version: 'v1', resource: 'pods', namespace: 'd', name: 'p', subresource: 'status' }), /subresources/);
  assert.throws(() => objectUrl(server, { version: 'v1', resource: 'pods', namespace: 'a/b', name: 'p' }), /invalid namespace/);
  assert.throws(() => objectUrl(server, { version: 'v1', resource: 'pods', namespace: 'a', name: '..' }), /invalid name/);
});

test('a server URL with a path prefix keeps it', () => {
  assert.equal(watchUrl('https://rancher.example/k8s/clusters/c-1/', { version: 'v1', resource: 'pods' }).pathname, '/k8s/clusters/c-1/api/v1/pods');
});

test('watch query: every parameter, sendInitialEvents implies NotOlderThan', () => {
  const url = watchUrl(server, { version: 'v1', resource: 'pods' }, { resourceVersion: '123', allowWatchBookmarks: true, timeoutSeconds: 300, labelSelector: { app: 'web' } });
  assert.deepEqual(Object.fromEntries(url.searchParams), { watch: '1', labelSelector: 'app=web', resourceVersion: '123', allowWatchBookmarks: 'true', timeoutSeconds: '300' });
  const list = watchUrl(server, { version: 'v1', resource: 'pods' }, { sendInitialEvents: true, allowWatchBookmarks: true });
  assert.equal(list.searchParams.get('sendInitialEvents'), 'true');
  assert.equal(list.searchParams.get('resourceVersionMatch'), 'NotOlderThan');
  assert.throws(() => watchUrl(server, { version: 'v1', resource: 'pods' }, { sendInitialEvents: true, resourceVersionMatch: 'Exact' }), /NotOlderThan/);
  assert.throws(() => watchUrl(server, { version: 'v1', resource: 'pods' }, { timeoutSeconds: 1.5 }), /timeoutSeconds/);
  // Moving the resourceVersion on a caller's URL keeps its selectors and drops what is no longer asked.
  const moved = applyWatchQuery(new URL(list), { resourceVersion: '9' });
  assert.equal(moved.searchParams.get('resourceVersion'), '9');
  assert.equal(moved.searchParams.has('sendInitialEvents'), false);
  assert.equal(moved.searchParams.has('resourceVersionMatch'), false);
});

test('list query: limit and continue', () => {
  const url = listUrl(server, { version: 'v1', resource: 'pods' }, { limit: 500, continue: 'abc', resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' });
  assert.equal(url.search, '?resourceVersion=0&resourceVersionMatch=NotOlderThan&limit=500&continue=abc');
});

test('label selectors: every operator, metav1 LabelSelector, validation instead of escaping', () => {
  assert.equal(formatLabelSelector({ app: 'web', 'app.kubernetes.io/name': 'db' }), 'app=web,app.kubernetes.io/name=db');
  assert.equal(
    formatLabelSelector([
      { key: 'tier', operator: 'In', values: ['a', 'b'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'x', operator: 'Exists' },
      { key: 'y', operator: 'DoesNotExist' },
      { key: 'z', operator: 'NotEquals', values: ['1'] },
      { key: 'n', operator: 'Gt', values: ['3'] },
    ]),
    'tier in (a,b),env notin (prod),x,!y,z!=1,n>3',
  );
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }), 'app=web,tier in (x)');
  // A value that would change the selector's meaning is refused, not sent.
  assert.throws(() => formatLabelSelector({ app: 'web,admin=true' }), /invalid value/);
  assert.throws(() => formatLabelSelector({ 'bad key': 'x' }), /invalid label key/);
  assert.throws(() => formatLabelSelector([{ key: 'a', operator: 'In', values: [] }]), /at least one/);
  const url = watchUrl(server, { version: 'v1', resource: 'pods' }, { labelSelector: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] });
  assert.equal(url.search, '?watch=1&labelSelector=tier+in+%28a%2Cb%29');
  assert.equal(url.searchParams.get('labelSelector'), 'tier in (a,b)');
});

test('field selectors: backslash escapes for \\ , = and percent encoding in the URL', () => {
  assert.equal(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  assert.equal(formatFieldSelector({ 'metadata.name': 'x=y', 'status.phase': 'Running' }), 'metadata.name=x\\=y,status.phase=Running');
  assert.equal(formatFieldSelector([{ field: 'spec.nodeName', operator: '!=', value: '' }]), 'spec.nodeName!=');
  const url = listUrl(server, { version: 'v1', resource: 'pods', namespace: 'd', name: 'we,ird=&name' });
  assert.equal(url.searchParams.get('fieldSelector'), 'metadata.name=we\\,ird\\=&name');
  assert.ok(url.search.includes('fieldSelector=metadata.name%3Dwe%5C%2Cird%5C%3D%26name'));
});

test('field selector escaping round-trips through the parser (property)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
      const text = formatFieldSelector([
        { field: 'metadata.name', operator: '=', value: a },
        { field: 'metadata.namespace', operator: '!=', value: b },
      ]);
      assert.deepEqual(parseFieldSelector(text), [
        { field: 'metadata.name', operator: '=', value: a },
        { field: 'metadata.namespace', operator: '!=', value: b },
      ]);
    }),
    { seed: 6, numRuns: 300 },
  );
});

test('label selectors parse back and match', () => {
  const reqs = parseLabelSelector('app=web, tier in (a,b),!legacy,env!=prod,n>2');
  assert.equal(matchesLabelSelector(reqs, { app: 'web', tier: 'b', n: '3' }), true);
  assert.equal(matchesLabelSelector(reqs, { app: 'web', tier: 'b', n: '3', legacy: '' }), false);
  assert.equal(matchesLabelSelector(reqs, { app: 'web', tier: 'c', n: '3' }), false);
  assert.equal(matchesLabelSelector(reqs, { app: 'web', tier: 'a', env: 'prod', n: '3' }), false);
  assert.equal(matchesFieldSelector(parseFieldSelector('metadata.name=a\\,b'), () => 'a,b'), true);
  assert.throws(() => parseFieldSelector('metadata.name=a=b'), /unescaped/);
});

test('parseApiPath reads what the builder writes', () => {
  assert.deepEqual(parseApiPath('/api/v1/namespaces/d/pods'), { group: '', version: 'v1', resource: 'pods', namespace: 'd' });
  assert.deepEqual(parseApiPath('/apis/apps/v1/deployments'), { group: 'apps', version: 'v1', resource: 'deployments' });
  assert.deepEqual(parseApiPath('/api/v1/namespaces/d'), { group: '', version: 'v1', resource: 'namespaces', name: 'd' });
  assert.deepEqual(parseApiPath('/api/v1/namespaces/d/pods/p/log'), { group: '', version: 'v1', resource: 'pods', namespace: 'd', name: 'p', subresource: 'log' });
  assert.equal(parseApiPath('/healthz'), undefined);
});
