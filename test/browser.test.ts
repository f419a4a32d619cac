/**
 * The library in a real browser: headless Chromium (the system binary, via
 * playwright-core) loads an esbuild bundle of `watchwire` + `watchwire/protobuf`
 * built for platform 'browser' without shims, watches the replay server with
 * fetch in JSON, protobuf and CBOR through a mid-frame connection drop and
 * resume, decodes a recorded YAML stream, and must get exactly the events
 * Node gets. Then the `serve --ui` inspector page in the same Chromium.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type KubeObject, type WatchEvent, encodeAll, watch, yamlCodec } from 'watchwire';
import { type ReplayServer, combineRoutes, generatePods, inspectorRoutes, startReplayServer } from 'watchwire/server';
import { bundleForBrowser, bundleInspector } from '../scripts/bundle-lib.ts';
import { type Chromium, chromiumSkipReason, launchChromium, summarisePng } from './helpers/browser.ts';

const START = '100';
const DROP_AFTER = 5;
const CONTENT_TYPES: Record<string, string> = { json: 'application/json', protobuf: 'application/vnd.kubernetes.protobuf', cbor: 'application/cbor-seq' };
const PAGE_ENTRY = new URL('./helpers/browser-page.ts', import.meta.url).pathname;

/** Pods in two namespaces, changed and deleted, one with a 96 KiB annotation (many fetch chunks per frame). */
function history(): WatchEvent[] {
  const pods = generatePods(8, ['default', 'demo']);
  const events: WatchEvent[] = pods.map((object) => ({ type: 'ADDED', object }));
  const big: KubeObject = { ...pods[1]!, metadata: { ...pods[1]!.metadata, annotations: { blob: 'x'.repeat(96 * 1024) } } };
  events.push({ type: 'MODIFIED', object: big });
  events.push({ type: 'MODIFIED', object: { ...pods[2]!, status: { phase: 'Succeeded' } } });
  events.push({ type: 'DELETED', object: pods[3]! });
  events.push({ type: 'MODIFIED', object: { ...pods[4]!, metadata: { ...pods[4]!.metadata, labels: { app: 'web', 'ünïcode': '✓' } } } });
  return events;
}

/** The same watch in Node: the reference the browser must match. */
async function watchInNode(server: ReplayServer, format: string, count: number): Promise<{ events: WatchEvent[]; signals: string[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const signals: string[] = [];
  const events: WatchEvent[] = [];
  const w = watch({
    url: `${server.url}/api/v1/pods`,
    formats: [format],
    resourceVersion: START,
    signal: controller.signal,
    backoff: { initialMs: 20, random: () => 0.5 },
    stallTimeoutMs: 5_000,
    onSignal: (s) => signals.push(s.type),
  });
  try {
    for await (const event of w) {
      events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return { events, signals };
}

/** JSON's view of a value: what comes back from the page. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('browser (headless Chromium)', { skip: chromiumSkipReason ?? false, timeout: 90_000 }, () => {
  let dir: string;
  let server: ReplayServer;
  let chromium: Chromium;
  let page: Page;
  const source = history();
  let recordedYaml: Uint8Array = new Uint8Array(0);
  const pageErrors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watchwire-browser-'));
    // Built here, for the browser, from the package's exports: a Node built-in anywhere on the path fails the build.
    const [testBundle, inspector] = await Promise.all([
      bundleForBrowser({ entry: { file: PAGE_ENTRY }, outfile: join(dir, 'test-page.js') }),
      bundleInspector(join(dir, 'inspector.js')),
    ]);
    for (const bundle of [testBundle, inspector]) {
      assert.deepEqual(bundle.nodeGlobals.filter((g) => !g.module.includes('node_modules/protobufjs/')), [], 'free Node globals in the bundle');
    }
    const testScript = await readFile(join(dir, 'test-page.js'));
    const testPage = { body: '<!doctype html><meta charset="utf-8"><title>watchwire test</title><script type="module" src="/test-page.js"></script>', contentType: 'text/html; charset=utf-8' };
    server = await startReplayServer({
      events: source,
      initialResourceVersion: Number(START),
      bookmarkIntervalMs: 3_600_000,
      // Every watch from the start is cut in the middle of its sixth frame; the resumed one (a later resourceVersion) is not.
      faults: (request) => (request.kind === 'watch' && request.url.searchParams.get('resourceVersion') === START ? { dropAfterEvents: DROP_AFTER } : undefined),
      static: combineRoutes(
        (pathname) =>
          pathname === '/test'
            ? testPage
            : pathname === '/test-page.js'
              ? { body: testScript, contentType: 'text/javascript' }
              : pathname === '/recorded.yaml'
                ? { body: recordedYaml, contentType: 'application/yaml' }
                : undefined,
        inspectorRoutes({ bundle: join(dir, 'inspector.js') }),
      ),
    });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/test`);
    await page.waitForFunction(() => 'watchwireTest' in globalThis, undefined, { timeout: 15_000 });
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('the bundle runs without Node globals on the page', async () => {
    assert.deepEqual(await page.evaluate(() => (globalThis as any).watchwireTest.nodeGlobals()), []);
  });

  let jsonEvents: WatchEvent[] = [];
  for (const format of ['json', 'protobuf', 'cbor']) {
    test(`${format}: fetch watch through a mid-frame drop and resume equals Node's`, async () => {
      const count = source.length;
      const node = await watchInNode(server, format, count);
      assert.equal(node.events.length, count);
      assert.ok(node.signals.includes('resumed'), `node signals: ${node.signals.join(',')}`);
      const result = JSON.parse(
        await page.evaluate(
          (run) => (globalThis as any).watchwireTest.watchFormat(run),
          { format, path: '/api/v1/pods', resourceVersion: START, count, timeoutMs: 10_000 },
        ),
      ) as { events: WatchEvent[]; signals: string[]; contentType: string; stats: { connections: number }; fetchIsNative: boolean };
      assert.equal(result.fetchIsNative, true);
      assert.ok(result.contentType.startsWith(CONTENT_TYPES[format]!), result.contentType);
      assert.ok(result.signals.includes('resumed'), `browser signals: ${result.signals.join(',')}`);
      assert.ok(result.stats.connections >= 2, 'the drop made a second connection');
      assert.equal(result.events.length, count);
      assert.deepEqual(result.events, plain(node.events));
      // And they are the changes the server holds, in order.
      assert.deepEqual(
        result.events.map((e) => `${e.type} ${e.object.metadata?.namespace}/${e.object.metadata?.name}`),
        source.map((e) => `${e.type} ${e.object.metadata?.namespace}/${e.object.metadata?.name}`),
      );
      assert.equal(result.events[source.length - 4]!.object.metadata?.annotations?.blob?.length, 96 * 1024);
      if (format === 'json') jsonEvents = node.events;
    });
  }

  test('yaml: a recorded stream served as a file decodes to the same events', async () => {
    assert.ok(jsonEvents.length > 0, 'runs after the json watch');
    recordedYaml = encodeAll(yamlCodec, jsonEvents);
    const result = JSON.parse(await page.evaluate(() => (globalThis as any).watchwireTest.decodeRecorded('/recorded.yaml', 'yaml'))) as {
      viaIterator: WatchEvent[];
      viaPipe: WatchEvent[];
    };
    assert.deepEqual(result.viaIterator, plain(jsonEvents));
    assert.deepEqual(result.viaPipe, plain(jsonEvents));
  });

  test('serve --ui: the inspector fills its table, counters move, the screenshot is not blank', async () => {
    const ui = await chromium.context.newPage();
    ui.on('pageerror', (e) => pageErrors.push(`inspector: ${e.message}`));
    await ui.goto(`${server.url}/`);
    assert.equal(await ui.evaluate(() => crossOriginIsolated), true, 'COOP/COEP give the fine timer');
    await ui.click('#compare');
    await ui.selectOption('#format', 'negotiate');
    await ui.click('#start');
    // No resourceVersion: each of the 4 watches gets the current objects as ADDED.
    const current = server.store.list('/pods').length;
    await ui.waitForFunction((n) => document.querySelectorAll('#events tr').length >= n, 4 * current, { timeout: 15_000 });
    const counters = (): Promise<{ title: string; ct: string; values: Record<string, string> }[]> =>
      ui.$$eval('#counters .card', (cards) =>
        cards.map((card) => ({
          title: card.querySelector('h3')!.textContent!,
          ct: card.querySelector('.ct')!.textContent!,
          values: Object.fromEntries([...card.querySelectorAll('dd')].map((dd) => [(dd as HTMLElement).dataset.k!, dd.textContent!])),
        })),
      );
    const before = await counters();
    assert.deepEqual(
      before.map((c) => c.title),
      ['1 · protobuf', '2 · cbor', '3 · json', '4 · negotiate → protobuf'],
    );
    for (const card of before) {
      assert.equal(card.values.events, String(current), card.title);
      assert.ok(Number(card.values.bytes) > 0 && Number(card.values['decode-us']) >= 0, JSON.stringify(card));
    }
    // Live changes: every watch's counters move by three.
    const pods = server.store.list('/pods');
    for (const pod of pods.slice(0, 3)) server.append('MODIFIED', { ...pod, metadata: { ...pod.metadata, labels: { touched: 'yes' } } });
    await ui.waitForFunction(
      (n) => [...document.querySelectorAll('#counters dd[data-k="events"]')].every((dd) => Number(dd.textContent) === n),
      current + 3,
      { timeout: 15_000 },
    );
    const moved = await counters();
    for (let i = 0; i < moved.length; i++) assert.ok(Number(moved[i]!.values.bytes) > Number(before[i]!.values.bytes), moved[i]!.title);
    const byFormat = Object.fromEntries(moved.map((c) => [c.title, Number(c.values['bytes-per-event'])]));
    assert.ok(byFormat['1 · protobuf']! < byFormat['3 · json']!, `protobuf is smaller on the wire than JSON: ${JSON.stringify(byFormat)}`);
    const screenshot = join(dir, 'inspector.png');
    await ui.screenshot({ path: screenshot, fullPage: true });
    await ui.click('#stop-all');
    await ui.waitForFunction(() => [...document.querySelectorAll('.chip')].every((c) => (c as HTMLElement).dataset.state === 'stopped'));
    const png = summarisePng(await readFile(screenshot));
    assert.ok(png.width >= 1000 && png.height >= 600, `${png.width}x${png.height}`);
    assert.ok(png.colours > 50 && png.dominantShare < 0.9, `blank-looking screenshot: ${JSON.stringify(png)}`);
    if (process.env.WATCHWIRE_SCREENSHOT !== undefined) writeFileSync(process.env.WATCHWIRE_SCREENSHOT, await readFile(screenshot));
    await ui.close();
  });

  test('`watchwire serve --ui` (the CLI, dist/ as built) serves a working inspector', async () => {
    const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'serve', '--ui', '--pods', '5', '--tick-ms', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const ui = await chromium.context.newPage();
    ui.on('pageerror', (e) => pageErrors.push(`cli inspector: ${e.message}`));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const match = /^ {2}ui: {4}(\S+)/m.exec(out);
          if (match !== null) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`serve --ui exited ${code}: ${stderr}`)));
      });
      await ui.goto(url);
      await ui.click('#start');
      await ui.waitForFunction(() => document.querySelector('.card h3')?.textContent === '1 · negotiate → protobuf', undefined, { timeout: 15_000 });
      const events = (): Promise<number> => ui.$eval('#counters dd[data-k="events"]', (dd) => Number(dd.textContent));
      await ui.waitForFunction(() => document.querySelectorAll('#events tr').length >= 5, undefined, { timeout: 15_000 });
      const first = await events();
      // --tick-ms 100: live MODIFIED events keep coming.
      await ui.waitForFunction((n) => Number(document.querySelector('#counters dd[data-k="events"]')!.textContent) >= n + 3, first, { timeout: 15_000 });
    } finally {
      await ui.close();
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('no uncaught errors on the pages', () => {
    assert.deepEqual(pageErrors, []);
  });
});
