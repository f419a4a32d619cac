/**
 * `watchwire serve` and `npm start` as the start of a real client's
 * session: `serve --help`, a banner that names only the resources served
 * (with their kubectl command line), `--kubeconfig`, the server options as
 * flags, and the demo's kubectl view.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { CLI, run, startServe } from './real-clients.ts';

test('serve --help prints the serve options and exits 0; a bad flag is still a usage error', async () => {
  const help = await run(process.execPath, [CLI, 'serve', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^usage: watchwire serve \[options\]/);
  for (const flag of ['--pods', '--events', '--kubeconfig', '--history-limit', '--no-watch-list', '--continue-expire-after-pages', '--close-after-events']) {
    assert.ok(help.stdout.includes(flag), flag);
  }
  const bad = await run(process.execPath, [CLI, 'serve', '--nope']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option '--nope'/);
});

test('the banner names only resources with objects: recorded Deployments, no Pod URLs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watchwire-serve-'));
  try {
    const file = join(dir, 'events.json');
    const deployment = (name: string) => ({ type: 'ADDED', object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name, namespace: 'prod' } } });
    writeFileSync(file, `${JSON.stringify(deployment('api'))}\n${JSON.stringify(deployment('web'))}\n`);
    const serve = await startServe(['--events', file]);
    try {
      assert.doesNotMatch(serve.banner, /\/pods/);
      assert.match(serve.banner, new RegExp(`list: +${serve.url}/apis/apps/v1/deployments\n`));
      assert.match(serve.banner, new RegExp(`watch: +${serve.url}/apis/apps/v1/deployments\\?watch=1\n`));
      assert.match(serve.banner, new RegExp(`kubectl: kubectl --kubeconfig=/dev/null --server=${serve.url} get deployments.apps -A -w\n`));
      const list = (await (await fetch(`${serve.url}/apis/apps/v1/deployments`)).json()) as { items: { metadata: { name: string } }[] };
      assert.deepEqual(
        list.items.map((d) => d.metadata.name),
        ['api', 'web'],
      );
    } finally {
      await serve.stop();
    }
    const empty = await startServe(['--pods', '0']);
    try {
      assert.match(empty.banner, /no objects: give --pods N or --events FILE/);
      assert.doesNotMatch(empty.banner, /list:/);
    } finally {
      await empty.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--kubeconfig writes a kubeconfig for the server; the server options arrive as flags', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watchwire-serve-'));
  const kubeconfig = join(dir, 'config');
  const serve = await startServe(['--pods', '4', '--namespaces', 'a,b', '--kubeconfig', kubeconfig, '--no-watch-list', '--continue-expire-after-pages', '1']);
  try {
    const config = readFileSync(kubeconfig, 'utf8');
    assert.match(config, new RegExp(`^    server: ${serve.url}$`, 'm'));
    assert.match(config, /^current-context: watchwire$/m);
    assert.match(serve.banner, new RegExp(`KUBECONFIG=${kubeconfig} kubectl get pods -A`));
    // The file as the README uses it from client-node.
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const listed = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'a' });
    assert.equal(listed.items.length, 2);
    const pods = (await (await fetch(`${serve.url}/api/v1/pods`)).json()) as { items: { metadata: { namespace: string } }[] };
    assert.deepEqual(
      pods.items.map((p) => p.metadata.namespace),
      ['a', 'a', 'b', 'b'],
    );
    // --no-watch-list: a watch-list is refused as by a server without the feature.
    const watchList = await fetch(`${serve.url}/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    assert.equal(watchList.status, 422);
    await watchList.body?.cancel();
    // --continue-expire-after-pages 1: the first continue token is already expired.
    const first = (await (await fetch(`${serve.url}/api/v1/pods?limit=1`)).json()) as { metadata: { continue: string } };
    const next = await fetch(`${serve.url}/api/v1/pods?limit=1&continue=${encodeURIComponent(first.metadata.continue)}`);
    assert.equal(next.status, 410);
    assert.equal(((await next.json()) as { reason: string }).reason, 'Expired');
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo (npm start) ends with kubectl\'s view of the server: its request, the Table answer, the columns it prints', async () => {
  const { code, stdout, stderr } = await run(process.execPath, [CLI, 'demo'], { timeoutMs: 30_000 });
  assert.equal(code, 0, stderr);
  const view = stdout.slice(stdout.indexOf('kubectl get pods -n demo:'));
  assert.match(view, /Accept: application\/json;as=Table;v=v1;g=meta\.k8s\.io,/);
  assert.match(view, /-> 200 application\/json;as=Table;v=v1;g=meta\.k8s\.io/);
  const lines = view.split('\n');
  assert.match(lines[2]!, /^ {2}NAME {4}READY {3}STATUS {4}RESTARTS {3}AGE$/);
  assert.match(lines[3]!, /^ {2}web-0 {3}1\/1 {5}Running {3}0 {10}\d+[dy]/);
  assert.match(stdout, /kubectl --kubeconfig=\/dev\/null --server=http:\/\/127\.0\.0\.1:PORT get pods -A -w/);
});

test('serve --ui: the ui line keeps the form test/browser.test.ts reads (two spaces, "ui:", four spaces, the URL)', async () => {
  const serve = await startServe(['--ui', '--pods', '2']);
  try {
    assert.equal(/^ {2}ui: {4}(\S+)/m.exec(serve.banner)?.[1], `${serve.url}/`);
    const page = await fetch(`${serve.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    await page.body?.cancel();
  } finally {
    await serve.stop();
  }
});
