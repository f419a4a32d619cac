/**
 * kubectl against `watchwire serve`: discovery, `get` in the server-side
 * Table form (plain and `-o wide`), `-o yaml|json|name|jsonpath`, `get
 * --raw`, `--chunk-size` paging, `get -w` streaming Tables, short names,
 * `api-resources`, `version`, and the errors kubectl reports. Runs every
 * kubectl found (Debian's kubernetes-client v1.20 that .ci/run unpacks, and
 * whatever `kubectl` is on the PATH, e.g. a v1.32 that reads the aggregated
 * discovery form); skips with the reason when there is none.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Kubectl, type Serve, findKubectls, run, startServe } from './real-clients.ts';

const kubectls = findKubectls();
const NONE = 'no kubectl installed (.ci/run unpacks Debian kubernetes-client into node_modules/.cache/watchwire-kubectl; or set WATCHWIRE_KUBECTL)';

if (kubectls.length === 0) test('kubectl against watchwire serve', { skip: NONE }, () => {});

for (const kubectl of kubectls) describe(`kubectl ${kubectl.version} (${kubectl.path}) against watchwire serve`, () => suite(kubectl));

function suite(kubectl: Kubectl): void {
  let serve: Serve;
  let dir: string;
  let kubeconfig: string;
  // Each kubectl its own discovery cache: one version's cache must not answer for another.
  const k = (args: string[], timeoutMs = 30_000) => run(kubectl.path, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, ...args], { timeoutMs });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watchwire-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
    // 6 Pods over two namespaces (default: pod-0000, 0002, 0004), a change every 100 ms for the watches.
    serve = await startServe(['--pods', '6', '--namespaces', 'default,demo', '--tick-ms', '100', '--kubeconfig', kubeconfig]);
  });
  after(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the banner prints a kubectl command line that works as printed', async () => {
    const line = /kubectl: kubectl (.*)$/m.exec(serve.banner)?.[1];
    assert.ok(line !== undefined, serve.banner);
    const args = line.split(' ').filter((a) => a !== '-w');
    assert.deepEqual(args.slice(0, 2), ['--kubeconfig=/dev/null', `--server=${serve.url}`]);
    const result = await run(kubectl.path, [...args, `--cache-dir=${join(dir, 'cache-banner')}`]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    assert.equal(result.stdout.trim().split('\n').length, 7);
  });

  test('get pods: the server-side Table, as kubectl prints it', async () => {
    const { code, stdout, stderr } = await k(['get', 'pods']);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4)),
      ['pod-0000', 'pod-0002', 'pod-0004'].map((name) => [name, '1/1', 'Running', '0']),
    );
    // AGE from creationTimestamp 2026-01-02T03:04:05Z: days (or years) on any later date.
    for (const line of lines.slice(1)) assert.match(line.split(/\s+/)[4]!, /^\d+[dy]/);
  });

  test('get pods -o wide: the priority-1 columns too', async () => {
    const { code, stdout, stderr } = await k(['get', 'pods', '-o', 'wide', '-n', 'demo']);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    assert.deepEqual(lines[1]!.split(/\s+/).filter((_, i) => i !== 4), ['pod-0001', '1/1', 'Running', '0', '10.0.0.1', 'node-1', '<none>', '<none>']);
    assert.equal(lines.length, 4);
  });

  test('wait --for=condition=Ready: the generated Pods report Ready as a kubelet would', async () => {
    const one = await k(['wait', '--for=condition=Ready', 'pod/pod-0002', '--timeout=20s']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^pod\/pod-0002 condition met$/m);
    const all = await k(['wait', '--for=condition=Ready', 'pods', '--all', '-n', 'demo', '--timeout=20s']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout.trim().split('\n').filter((l) => / condition met$/.test(l)).length, 3, all.stdout);
  });

  test('get pods -A --chunk-size=2: pages with limit and continue, one table', async () => {
    const { code, stdout, stderr } = await k(['get', 'pods', '-A', '--chunk-size=2', '-v=6']);
    assert.equal(code, 0, stderr);
    const requests = stderr.split('\n').filter((l) => /GET http.*\/api\/v1\/pods\?/.test(l));
    assert.equal(requests.length, 3, requests.join('\n'));
    assert.match(requests[0]!, /limit=2/);
    assert.match(requests[1]!, /continue=[^&\s]+/);
    assert.ok(requests.every((l) => / 200 OK /.test(l)));
    const rows = stdout.trim().split('\n');
    assert.match(rows[0]!, /^NAMESPACE\s+NAME\s+READY/);
    assert.deepEqual(
      rows.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join('/')),
      ['default/pod-0000', 'default/pod-0002', 'default/pod-0004', 'demo/pod-0001', 'demo/pod-0003', 'demo/pod-0005'],
    );
  });

  test('get pods -o json / -o yaml / -o name / -o jsonpath: the objects as stored', async () => {
    const json = await k(['get', 'pods', '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { kind: string; items: { kind: string; metadata: { name: string; resourceVersion: string }; spec: { containers: { image: string }[] } }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(
      list.items.map((p) => [p.kind, p.metadata.name, p.spec.containers[0]!.image]),
      ['pod-0000', 'pod-0002', 'pod-0004'].map((name) => ['Pod', name, 'nginx:1.27']),
    );
    assert.ok(list.items.every((p) => /^\d+$/.test(p.metadata.resourceVersion)));
    const yaml = await k(['get', 'pod', 'pod-0002', '-o', 'yaml']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^kind: Pod$/m);
    assert.match(yaml.stdout, /^ {2}name: pod-0002$/m);
    assert.match(yaml.stdout, /^ {2}podIP: 10\.0\.0\.2$/m);
    const names = await k(['get', 'pods', '-n', 'demo', '-o', 'name']);
    assert.equal(names.stdout, 'pod/pod-0001\npod/pod-0003\npod/pod-0005\n');
    const ip = await k(['get', 'pod', 'pod-0004', '-o', 'jsonpath={.status.podIP} {.metadata.labels.app}']);
    assert.equal(ip.stdout, '10.0.0.4 web');
  });

  test('get --raw: the API as is (a page with a continue token, discovery, health)', async () => {
    const page = await k(['get', '--raw', '/api/v1/namespaces/default/pods?limit=2']);
    assert.equal(page.code, 0, page.stderr);
    const body = JSON.parse(page.stdout) as { kind: string; metadata: { continue?: string; remainingItemCount?: number }; items: unknown[] };
    assert.equal(body.kind, 'PodList');
    assert.equal(body.items.length, 2);
    assert.equal(typeof body.metadata.continue, 'string');
    assert.equal(body.metadata.remainingItemCount, 1);
    const resources = JSON.parse((await k(['get', '--raw', '/api/v1'])).stdout) as { kind: string; resources: { name: string; verbs: string[] }[] };
    assert.equal(resources.kind, 'APIResourceList');
    assert.deepEqual(resources.resources.find((r) => r.name === 'pods')?.verbs, ['get', 'list', 'watch']);
    assert.equal((await k(['get', '--raw', '/readyz'])).stdout, 'ok');
  });

  test('short name, label and field selectors, one object by name', async () => {
    const byShortName = await k(['get', 'po', 'pod-0003', '-n', 'demo', '--no-headers']);
    assert.equal(byShortName.code, 0, byShortName.stderr);
    assert.match(byShortName.stdout, /^pod-0003\s+1\/1\s+Running\s+0\s+/);
    const labelled = await k(['get', 'pods', '-A', '-l', 'app=db', '-o', 'name']);
    assert.equal(labelled.stdout, 'pod/pod-0001\npod/pod-0003\npod/pod-0005\n');
    const fields = await k(['get', 'pods', '-A', '--field-selector', 'metadata.namespace=default,status.phase=Running', '-o', 'name']);
    assert.equal(fields.code, 0, fields.stderr);
    assert.equal(fields.stdout, 'pod/pod-0000\npod/pod-0002\npod/pod-0004\n');
  });

  test('get pods -w: the list, then watch events streamed as Tables', async () => {
    const lines = await firstLines(kubectl.path, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, 'get', 'pods', '-w'], 7);
    assert.match(lines[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    assert.deepEqual(lines.slice(1, 4).map((l) => l.split(/\s+/)[0]), ['pod-0000', 'pod-0002', 'pod-0004']);
    // Then the ticks (MODIFIED), in the same columns and no second header.
    for (const line of lines.slice(4)) assert.match(line, /^pod-000[024]\s+1\/1\s+Running\s+0\s+\d+[dy]/);
  });

  test('get pods -w --output-watch-events -o wide: event types and wide columns', async () => {
    const lines = await firstLines(kubectl.path, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, 'get', 'pods', '-n', 'demo', '-w', '--output-watch-events', '-o', 'wide'], 6);
    assert.match(lines[0]!, /^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/);
    assert.deepEqual(lines.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['ADDED pod-0001', 'ADDED pod-0003', 'ADDED pod-0005']);
    for (const line of lines.slice(4)) assert.match(line, /^MODIFIED\s+pod-000[135]\s+1\/1\s+Running\s+0\s+\S+\s+10\.0\.0\.[135]\s+node-[012]\s/);
  });

  test('get pods -w --request-timeout: bounded by the client, exits by itself', async () => {
    const started = performance.now();
    const result = await k(['get', 'pods', '-n', 'demo', '-w', '--request-timeout=2s'], 20_000);
    assert.ok(performance.now() - started < 15_000);
    assert.notEqual(result.signal, 'SIGKILL');
    assert.match(result.stdout, /^pod-0001\s/m);
  });

  test('other kinds from recorded events: the columns the API server prints for each (get ns,nodes,cm,secrets,svc,deploy,sts -o wide)', async () => {
    const file = join(dir, 'kinds.json');
    writeFileSync(file, KINDS.map((object) => JSON.stringify({ type: 'ADDED', object })).join('\n'));
    const kinds = await startServe(['--events', file]);
    try {
      const { code, stdout, stderr } = await run(kubectl.path, [
        '--kubeconfig=/dev/null',
        `--server=${kinds.url}`,
        `--cache-dir=${join(dir, 'cache-kinds')}`,
        'get',
        'ns,nodes,cm,secrets,svc,deploy,sts',
        '-n',
        'prod',
        '-o',
        'wide',
      ]);
      assert.equal(code, 0, stderr);
      const blocks = stdout.trim().split('\n\n').map((b) => b.split('\n').map((l) => l.trim().split(/\s{2,}/)));
      const byHeader = (blocks.map((b) => [b[0]!.join(' | '), b[1]!.filter((_, i) => b[0]![i] !== 'AGE').join(' | ')]));
      assert.deepEqual(byHeader, [
        ['NAME | STATUS | AGE', 'namespace/prod | Active'],
        ['NAME | STATUS | ROLES | AGE | VERSION | INTERNAL-IP | EXTERNAL-IP | OS-IMAGE | KERNEL-VERSION | CONTAINER-RUNTIME', 'node/node-1 | Ready,SchedulingDisabled | control-plane | v1.32.0 | 192.168.1.10 | <none> | <unknown> | <unknown> | <unknown>'],
        ['NAME | DATA | AGE', 'configmap/settings | 2'],
        ['NAME | TYPE | DATA | AGE', 'secret/token | Opaque | 1'],
        ['NAME | TYPE | CLUSTER-IP | EXTERNAL-IP | PORT(S) | AGE | SELECTOR', 'service/web | LoadBalancer | 10.96.0.10 | <pending> | 80:30080/TCP,443:30443/TCP | app=web'],
        ['NAME | READY | UP-TO-DATE | AVAILABLE | AGE | CONTAINERS | IMAGES | SELECTOR', 'deployment.apps/web | 2/3 | 3 | 2 | web,sidecar | nginx:1.27,envoy:1 | app=web,tier in (front)'],
        ['NAME | READY | AGE | CONTAINERS | IMAGES', 'statefulset.apps/db | 0/2 | pg | postgres:17'],
      ]);
    } finally {
      await kinds.stop();
    }
  });

  test('api-resources and version come from discovery', async () => {
    const resources = await k(['api-resources']);
    assert.equal(resources.code, 0, resources.stderr);
    assert.match(resources.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    const version = await k(['version', '-o', 'json']);
    assert.equal((JSON.parse(version.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion, 'v1.32.0+watchwire');
  });

  test('what the server does not serve: kubectl reports it and exits 1', async () => {
    const kind = await k(['get', 'deployments']);
    assert.equal(kind.code, 1);
    assert.match(kind.stderr, /the server doesn't have a resource type "deployments"/);
    const missing = await k(['get', 'pod', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /pods "nope" not found/);
    const write = await k(['delete', 'pod', 'pod-0000']);
    assert.equal(write.code, 1);
    assert.match(write.stderr, /MethodNotAllowed|not allowed|405/i);
  });
}

const CREATED = '2026-11-01T00:00:00Z';
/** One object of each kind with its own printer, in the shapes the API server stores them. */
const KINDS = [
  { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'prod', creationTimestamp: CREATED }, status: { phase: 'Active' } },
  {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { name: 'node-1', creationTimestamp: CREATED, labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '192.168.1.10' }], nodeInfo: { kubeletVersion: 'v1.32.0' } },
  },
  { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'prod', creationTimestamp: CREATED }, data: { a: '1' }, binaryData: { b: 'AA==' } },
  { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'token', namespace: 'prod', creationTimestamp: CREATED }, type: 'Opaque', data: { t: 'eA==' } },
  {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: 'web', namespace: 'prod', creationTimestamp: CREATED },
    spec: { type: 'LoadBalancer', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, nodePort: 30443 }], selector: { app: 'web' } },
  },
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'web', namespace: 'prod', creationTimestamp: CREATED },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'sidecar', image: 'envoy:1' }] } },
    },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', metadata: { name: 'db', namespace: 'prod', creationTimestamp: CREATED }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'pg', image: 'postgres:17' }] } } }, status: {} },
];

/** Runs a watching command until it printed `count` lines, then stops it (kubectl get -w never ends by itself). */
function firstLines(command: string, args: string[], count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${count} lines not seen in 20 s: ${out}${err}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      if (lines.length > count) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(lines.slice(0, count));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (out.split('\n').length <= count) reject(new Error(`kubectl exited (${code}) after ${out}${err}`));
    });
  });
}
