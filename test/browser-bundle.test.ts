/**
 * Browser bundles (esbuild, platform 'browser', no shims) of what users
 * import: each builds, references no Node global outside protobufjs's
 * guarded `typeof global` probe, stays under a generous size budget, and a
 * JSON-only import carries neither protobuf schemas nor YAML nor CBOR.
 * The Node-only subpaths refuse a browser build with a clear message.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SIZE_ENTRIES, bundleForBrowser } from '../scripts/bundle-lib.ts';

const KiB = 1024;
/** Generous ceilings (minified, gzip): about 1.5x today's sizes, to catch a schema or a dependency slipping in. */
const BUDGETS: Record<string, { bytes: number; gzip: number }> = {
  // 27 KiB (9.0 KiB gzip) in session 6: + decodeStream's 16 KiB steps and StreamDecoder.compact (an idle stream lets go of its chunk).
  'JSON decode (tree-shaken `watchwire`)': { bytes: 30 * KiB, gzip: 10 * KiB }, // 25.7 KiB: + decode-time field selection (field-filter, drop-splice),
  // 33.0 -> 37.6 KiB (11.2 -> 12.8 KiB gzip) in session 6: maps built by key-set shapes (with the template fallback where
  // code cannot be made from strings) and the framer decoding whole items as it cuts them: the CBOR speed of issue 14.
  'CBOR decode': { bytes: 40 * KiB, gzip: 14 * KiB },
  'YAML decode': { bytes: 100 * KiB, gzip: 32 * KiB },
  '`watchwire/protobuf` (all built-in schemas)': { bytes: 1400 * KiB, gzip: 170 * KiB },
  // Decode-only since the encoders moved to generated/encode/: 319 -> 228 KiB (61 -> 51 KiB gzip); our own wire reader
  // instead of protobufjs/minimal (its writer, long, RPC helpers): 188 KiB (40 KiB gzip). Tight, not 1.5x: issue 14 wants
  // <= 200 KiB; what is left is decoders (core-v1 ~130 KiB, meta ~21), their field-key tables and shapes.
  // Session 7: + the table tier (runtime/table.ts, 4 KiB, and a table per message, ~7 KiB), paid for in minified bytes by
  // shorter generated decoders (truthiness tests): 193.9 KiB, but gzip 40 -> 45.0 KiB (the tables are dense data that
  // gzip cannot shrink as it does the decoders' repeated code). Issue 14's target is on the minified size.
  // Session 9: every message its own constructor (plainShape for the 170 with 1-4 keys, which were `{}`): 196.6 KiB
  // (46.7 gzip), for 1.7x on distinct Pods (see scripts/generate-protobuf-schemas.ts). 1.4 KiB left under the target.
  '`watchwire/protobuf/core-v1` (core/v1 schemas only)': { bytes: 198 * KiB, gzip: 47.5 * KiB },
  'watch client, JSON only (`new Watch` + `jsonCodec`)': { bytes: 80 * KiB, gzip: 25 * KiB },
  'watch client, protobuf + JSON': { bytes: 1100 * KiB, gzip: 160 * KiB },
  'watch client (`watch`, every codec)': { bytes: 1550 * KiB, gzip: 215 * KiB },
  '`watchwire` (everything)': { bytes: 1550 * KiB, gzip: 220 * KiB },
};

/** protobufjs feature-detects Node with `typeof global !== "undefined" && global.process...`: guarded, needs no shim. */
const KNOWN_PROBES = new Set(['global in node_modules/protobufjs/src/util/minimal.js']);

describe('browser bundles', () => {
  for (const entry of SIZE_ENTRIES) {
    test(`${entry.name}: builds for the browser without Node built-ins, within budget`, async () => {
      const bundle = await bundleForBrowser({ entry: { contents: entry.contents } });
      const globals = bundle.nodeGlobals.map((g) => `${g.global} in ${g.module}`).filter((g) => !KNOWN_PROBES.has(g));
      assert.deepEqual(globals, []);
      const budget = BUDGETS[entry.name];
      assert.ok(budget !== undefined, `no budget for ${entry.name}`);
      assert.ok(bundle.bytes <= budget.bytes, `${bundle.bytes} bytes > ${budget.bytes}`);
      assert.ok(bundle.gzipBytes <= budget.gzip, `${bundle.gzipBytes} gzip bytes > ${budget.gzip}`);
    });
  }

  test('a JSON-only import does not pay for protobuf, YAML or CBOR', async () => {
    const bundle = await bundleForBrowser({ entry: { contents: SIZE_ENTRIES[0]!.contents } });
    const paths = bundle.inputs.map((i) => i.path);
    assert.ok(paths.some((p) => p.includes('formats/json/')), paths.join(', '));
    assert.deepEqual(
      paths.filter((p) => /protobuf|kubernetes\/generated|js-yaml|formats\/(yaml|cbor)\//.test(p)),
      [],
    );
  });

  for (const subpath of ['watchwire/node', 'watchwire/server']) {
    test(`${subpath} is Node only: a browser build says so`, async () => {
      await assert.rejects(bundleForBrowser({ entry: { contents: `export * from '${subpath}';` } }), (e: { errors?: { notes?: { text: string }[] }[] }) => {
        const text = JSON.stringify(e.errors);
        assert.match(text, /explicitly disabled by the package author/);
        return true;
      });
    });
  }
});
