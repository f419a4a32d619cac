/**
 * Protobuf groups loaded as a stream meets them: a registry with a
 * GroupLoader adds a group when a message of it is first decoded (its
 * encoders when one is first encoded), and decodes and encodes exactly what
 * the registry with every group does. The CLI's protobuf codec is one
 * (watchwire/node protobufSchemasOnDemand).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type KubeObject, type WatchEvent, createRegistry, decodeAll, encodeAll } from 'watchwire';
import { canRequireModules, nodeGroupLoader, protobufSchemasOnDemand } from 'watchwire/node';
import { type GroupLoader, ProtobufSchemaRegistry, createProtobufCodec, decodeProtobufObject, encodeProtobufObject, groupOfMessage, protobufCodec } from 'watchwire/protobuf';
import { GROUP_NAMES } from '../src/formats/protobuf/generated/groups.js';
import { ALL_GROUPS } from '../src/formats/protobuf/generated/all.js';
import { cliRegistry } from '../src/cli/codec-loader.js';
import { realisticPod } from './helpers/cbor-pods.js';

/** The base registry class (no groups to start with): what protobufSchemasOnDemand builds on. */
const EmptyRegistry = Object.getPrototypeOf(ProtobufSchemaRegistry) as typeof ProtobufSchemaRegistry;
const empty = (): ProtobufSchemaRegistry => new EmptyRegistry([]);

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', resourceVersion: '7', labels: { app: 'web' } },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
};
const events: WatchEvent[] = [
  { type: 'ADDED', object: realisticPod(1) as KubeObject },
  { type: 'MODIFIED', object: deployment },
  { type: 'ADDED', object: realisticPod(2) as KubeObject },
];
const stream = encodeAll(protobufCodec, events);

/** A loader over the generated groups already imported here, counting what it is asked. */
function countingLoader(): { loader: GroupLoader; asked: string[] } {
  const byName = new Map<string, (typeof ALL_GROUPS)[number]>();
  const visit = (g: (typeof ALL_GROUPS)[number]): void => {
    byName.set(g.name, g);
    g.requires.forEach(visit);
  };
  ALL_GROUPS.forEach(visit);
  const asked: string[] = [];
  return { asked, loader: { schemas: (name) => (asked.push(name), byName.get(name)) } };
}

describe('protobuf: groups loaded on demand', () => {
  test('groupOfMessage names the generated group of every built-in message, and GROUP_NAMES lists every group', () => {
    const seen = new Set<string>();
    const visit = (group: (typeof ALL_GROUPS)[number]): void => {
      if (seen.has(group.name)) return;
      seen.add(group.name);
      for (const name of group.messages.keys()) assert.equal(groupOfMessage(name), group.name, name);
      group.requires.forEach(visit);
    };
    ALL_GROUPS.forEach(visit);
    assert.deepEqual([...seen].sort(), [...GROUP_NAMES]);
    for (const outside of ['example.widgets.v1.Widget', 'k8s.io.api.core.Pod', 'k8s.io.api.core.v1.sub.Pod', 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.x.Y']) assert.equal(groupOfMessage(outside), undefined, outside);
  });

  test('a registry with a loader adds the groups a stream needs, when it needs them, and decodes what the full registry does', () => {
    const { loader, asked } = countingLoader();
    const schemas = empty().addLoader(loader);
    const codec = createProtobufCodec({ schemas });
    assert.deepEqual(schemas.groups, []);
    const onePod = encodeAll(protobufCodec, events.slice(0, 1));
    assert.deepEqual(decodeAll(codec, onePod), decodeAll(protobufCodec, onePod));
    assert.deepEqual(schemas.groups, ['core-v1', 'meta'], 'a Pod: core/v1 and what it requires, nothing else');
    assert.deepEqual(decodeAll(codec, stream), decodeAll(protobufCodec, stream));
    assert.deepEqual(schemas.groups, ['apps-v1', 'core-v1', 'meta']);
    assert.deepEqual(asked, ['core-v1', 'apps-v1'], 'each group asked for once; meta came with core-v1');
  });

  test('a kind whose group the loader does not have is refused as without a loader, and asked for once', () => {
    const { loader, asked } = countingLoader();
    const refusing: GroupLoader = { schemas: (name) => (name === 'apps-v1' ? (asked.push(name), undefined) : loader.schemas(name)) };
    const bytes = encodeProtobufObject(deployment);
    const without = captured(() => decodeProtobufObject(bytes, { schemas: empty().addGroup(ALL_GROUPS.find((g) => g.name === 'core-v1')!) }));
    const schemas = empty().addLoader(refusing);
    for (let i = 0; i < 3; i++) assert.deepEqual(captured(() => decodeProtobufObject(bytes, { schemas })), without);
    assert.equal(asked.filter((g) => g === 'apps-v1').length, 1);
    assert.ok(without instanceof Error);
  });

  test('nodeGroupLoader: a Pod loads core-v1 and meta, encoders come with the first encode, and bytes and objects equal the full registry', { skip: canRequireModules() ? false : 'this Node has no require(esm) (before 20.19 / 22.12)' }, async () => {
    const schemas = await protobufSchemasOnDemand();
    const codec = createProtobufCodec({ schemas });
    const pod = decodeProtobufObject(encodeProtobufObject(events[0]!.object), { schemas });
    assert.deepEqual(pod, decodeProtobufObject(encodeProtobufObject(events[0]!.object)));
    assert.deepEqual(schemas.groups, ['core-v1', 'meta']);
    assert.deepEqual(encodeAll(codec, events), stream, 'encoders loaded on first use write the same bytes');
    assert.deepEqual(decodeAll(codec, stream), decodeAll(protobufCodec, stream));
    assert.deepEqual(schemas.groups, ['apps-v1', 'core-v1', 'meta']);
    assert.equal(nodeGroupLoader.schemas('no-such-v1'), undefined);
    assert.equal(nodeGroupLoader.encoders!('no-such-v1'), undefined);
  });

  test('protobufSchemasOnDemand gives a fresh registry each call (adding to one does not change another)', async () => {
    const a = await protobufSchemasOnDemand();
    const b = await protobufSchemasOnDemand();
    if (!canRequireModules()) return assert.equal(a, b, 'without require(esm): the shared full registry');
    assert.notEqual(a, b);
    decodeProtobufObject(encodeProtobufObject(deployment), { schemas: a });
    assert.deepEqual(b.groups, []);
  });
});

test('bundled into an app (esbuild, platform node, ES module and CommonJS), protobufSchemasOnDemand still decodes: the group paths do not resolve there, so every group is loaded first', async () => {
  // Inside the package, so that `watchwire` resolves to it by its own name, as the tests import it.
  const dir = mkdtempSync(fileURLToPath(new URL('../.tmp-bundle-', import.meta.url)));
  try {
    const entry = join(dir, 'app.mjs');
    writeFileSync(
      entry,
      [
        "import { decodeAll } from 'watchwire';",
        "import { protobufSchemasOnDemand } from 'watchwire/node';",
        "import { createProtobufCodec } from 'watchwire/protobuf';",
        "import { readFileSync } from 'node:fs';",
        // No top-level await: a CommonJS bundle cannot have one.
        'async function main() {',
        '  const codec = createProtobufCodec({ schemas: await protobufSchemasOnDemand() });',
        '  process.stdout.write(JSON.stringify(decodeAll(codec, readFileSync(0))));',
        '}',
        'main();',
      ].join('\n'),
    );
    const expected = JSON.parse(JSON.stringify(decodeAll(protobufCodec, stream))) as unknown;
    for (const format of ['esm', 'cjs'] as const) {
      const outfile = join(dir, 'out', format === 'esm' ? 'app.mjs' : 'app.cjs');
      // logLevel silent: esbuild warns that import.meta is empty in CommonJS, the case this covers.
      await build({ entryPoints: [entry], bundle: true, platform: 'node', format, outfile, logLevel: 'silent' });
      const run = spawnSync(process.execPath, [outfile], { input: stream, encoding: 'utf8' });
      assert.equal(run.status, 0, `${format}: ${run.stderr}`);
      assert.deepStrictEqual(JSON.parse(run.stdout), expected, format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI registry (watch) has the codecs of createRegistry in its order, and its protobuf decodes as the full one', async () => {
  const cli = await cliRegistry();
  assert.deepEqual(cli.list().map((c) => [c.name, c.mediaType]), createRegistry().list().map((c) => [c.name, c.mediaType]));
  assert.deepEqual(decodeAll(cli.get('protobuf'), stream), decodeAll(protobufCodec, stream));
});

function captured(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return e;
  }
}
