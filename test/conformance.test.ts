/**
 * Conformance against the upstream k8s.io/api round-trip fixtures in
 * ../shared/k8s/testdata/HEAD (skipped, with the reason shown, when absent):
 * every .json fixture wrapped as an event decodes equal to itself as JSON
 * lines and as pretty-printed JSON documents back to back; every .yaml fixture
 * read in objects mode deep-equals its .json twin, alone and as one stream.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type KubeObject, type WatchEvent, jsonCodec, jsonDocumentsCodec, yamlCodec } from 'watchwire';
import { decodeChunks } from './helpers/codec-laws.js';
import { EVENT_TYPES, chunksOfSize, utf8 } from './helpers/generators.js';

const HEAD = fileURLToPath(new URL('../../shared/k8s/testdata/HEAD/', import.meta.url));
const absent = !existsSync(HEAD);
const skip = absent ? `fixtures not found at ${HEAD} (../shared is not part of the repository)` : false;

const names = absent ? [] : readdirSync(HEAD).filter((f) => f.endsWith('.json')).sort();
const fixture = (name: string) => JSON.parse(readFileSync(HEAD + name, 'utf8')) as KubeObject;
const events = (): WatchEvent[] => names.map((name, i) => ({ type: EVENT_TYPES[i % EVENT_TYPES.length]!, object: fixture(name) }));

describe('conformance: k8s.io/api fixtures', () => {
  test('there are fixtures to check', { skip }, () => {
    assert.ok(names.length >= 190, `${names.length} .json fixtures`);
  });

  test('every .json fixture as an event decodes equal to itself: JSON lines', { skip }, () => {
    const list = events();
    const bytes = utf8(list.map((e) => JSON.stringify(e) + '\n').join(''));
    for (const size of [bytes.length, 4096, 61]) {
      const got = decodeChunks(jsonCodec, chunksOfSize(bytes, size));
      assert.equal(got.error, undefined);
      assert.equal(got.values.length, list.length);
      got.values.forEach((value, i) => assert.deepStrictEqual(value, list[i], names[i]));
    }
  });

  test('every .json fixture as an event decodes equal to itself: pretty JSON documents back to back', { skip }, () => {
    const list = events();
    const bytes = utf8(list.map((e) => JSON.stringify(e, null, 2)).join(''));
    for (const size of [bytes.length, 4096, 61]) {
      const got = decodeChunks(jsonDocumentsCodec, chunksOfSize(bytes, size));
      assert.equal(got.error, undefined);
      assert.equal(got.values.length, list.length);
      got.values.forEach((value, i) => assert.deepStrictEqual(value, list[i], names[i]));
    }
  });

  test('every .yaml fixture in objects mode deep-equals its .json twin', { skip }, () => {
    const twins = names.filter((n) => existsSync(HEAD + n.replace(/\.json$/, '.yaml')));
    assert.ok(twins.length >= 190, `${twins.length} .yaml twins`);
    const texts: string[] = [];
    for (const name of twins) {
      const yaml = readFileSync(HEAD + name.replace(/\.json$/, '.yaml'), 'utf8');
      texts.push(yaml);
      const got = decodeChunks<KubeObject>(yamlCodec, [utf8(yaml)], { mode: 'objects' });
      assert.equal(got.error, undefined, `${name}: ${JSON.stringify(got.error)}`);
      assert.deepStrictEqual(got.values, [fixture(name)], name);
    }
    // All of them as one kubectl-style stream, in small chunks.
    const stream = utf8(texts.map((t, i) => (i === 0 ? '' : '---\n') + (t.endsWith('\n') ? t : `${t}\n`)).join(''));
    const all = decodeChunks<KubeObject>(yamlCodec, chunksOfSize(stream, 1000), { mode: 'objects' });
    assert.equal(all.error, undefined);
    assert.deepStrictEqual(all.values, twins.map(fixture));
  });
});
