/**
 * The protobuf codec's two tiers (ProtobufObjectOptions.tier): the table
 * tier (one interpreter over generated tables) and the generated decoders
 * give the same objects, key order included, and the same errors (code and
 * message, with its byte offsets), on every upstream fixture, on generated
 * objects cut and corrupted under random limits, with field selections and
 * in both int64 modes; objects share hidden classes across the tiers; and
 * an 'auto' decoder moves from one tier to the other mid-stream without a
 * seam.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_LIMITS, type FieldSelection, compileFieldFilter } from 'watchwire';
import { type ProtobufTier, ProtobufSchemaRegistry, createProtobufCodec, decodeProtobufObject, encodeProtobufObject } from 'watchwire/protobuf';
import { builtinObject, fixturesAbsent, loadFixtures, pod, varint, watchFrame } from './helpers/protobuf-objects.js';

type Outcome = { ok: true; json: string; value: unknown } | { ok: false; code: string; message: string };

interface Limits {
  maxDepth?: number;
  maxCollectionLength?: number;
  maxStringBytes?: number;
}

function decodeWith(tier: ProtobufTier, bytes: Uint8Array, options: Limits & { int64?: 'number' | 'bigint' } = {}): Outcome {
  try {
    const value = decodeProtobufObject(bytes, { ...options, tier });
    return { ok: true, json: JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)), value };
  } catch (e) {
    const err = e as { code: string; message: string };
    return { ok: false, code: err.code, message: err.message };
  }
}

/** Both tiers agree: the same object (deep and in key order), or the same DecodeError. */
function assertTiersAgree(bytes: Uint8Array, options: Limits & { int64?: 'number' | 'bigint' } = {}, label = ''): Outcome {
  const table = decodeWith('table', bytes, options);
  const compiled = decodeWith('compiled', bytes, options);
  if (table.ok && compiled.ok) {
    assert.equal(table.json, compiled.json, label);
    assert.deepStrictEqual(table.value, compiled.value, label);
  } else assert.deepStrictEqual(table, compiled, label);
  return compiled;
}

// ---- an envelope of our own around a message body (the cut and corrupted bodies below) ----

function field(tag: number, bytes: Uint8Array | number[]): number[] {
  return [tag, ...varint(bytes.length), ...bytes];
}

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const enc = new TextEncoder();
  const typeMeta = [...field(10, enc.encode(apiVersion)), ...field(18, enc.encode(kind))];
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...field(10, typeMeta), ...field(18, raw)]);
}

/** The raw message body of an encoded object (Unknown field 2), read independently of the codec. */
function rawOf(object: Uint8Array): Uint8Array {
  let pos = 4;
  const read = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = object[pos++]!;
      value += (b & 127) * scale;
      if (b < 128) return value;
      scale *= 128;
    }
  };
  while (pos < object.length) {
    const tag = read();
    const length = read();
    if (tag === 18) return object.subarray(pos, pos + length);
    pos += length;
  }
  return new Uint8Array(0);
}

const SELECTIONS: FieldSelection[] = [
  { dropFields: ['metadata.managedFields'] },
  { dropFields: ['spec', 'status'] },
  { dropFields: ['metadata.managedFields.fieldsV1', 'metadata.labels', 'spec.containers.image', 'spec.template'] },
  { keepFields: ['status.phase'] },
  { keepFields: ['metadata.labels', 'spec.containers.name', 'spec.containers.ports', 'data'] },
  { keepFields: ['spec'], dropFields: ['spec.containers.env', 'spec.volumes'] },
];

/** The fixture Pod's protobuf, as a string literal for the scripts below. */
const POD_PB = JSON.stringify(new URL('../../shared/k8s/testdata/HEAD/core.v1.Pod.pb', import.meta.url).pathname);

/** Runs `script` (an ES module printing one JSON line) in a child Node with V8's natives syntax (%HaveSameMap); its output. */
function withNatives(script: string): unknown {
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

describe('protobuf tiers: the upstream fixtures', { skip: fixturesAbsent }, () => {
  const fixtures = loadFixtures();

  test('every fixture decodes to the same object on both tiers (and to its .json)', () => {
    assert.ok(fixtures.length >= 193, `${fixtures.length} fixtures`);
    for (const { name, pb, json } of fixtures) {
      const outcome = assertTiersAgree(pb, {}, name);
      assert.ok(outcome.ok, name);
      assert.deepStrictEqual(outcome.value, json, name);
      assertTiersAgree(pb, { int64: 'bigint' }, `${name} (int64 bigint)`);
    }
  });

  test('every fixture under field selections, events and objects: same on both tiers', () => {
    for (const selection of SELECTIONS) {
      const filter = compileFieldFilter(selection)!;
      const decoders = (['table', 'compiled'] as const).map((tier) => {
        const codec = createProtobufCodec({ tier });
        return { events: codec.createDecoder(DEFAULT_LIMITS, { fieldFilter: filter }), objects: codec.objects!.createDecoder(DEFAULT_LIMITS, { fieldFilter: filter }) };
      });
      for (const { name, pb } of fixtures) {
        const [table, compiled] = decoders.map((d) => [JSON.stringify(d.events.decode(watchFrame('MODIFIED', pb).subarray(4))), JSON.stringify(d.objects.decode(pb))]);
        assert.deepStrictEqual(table, compiled, `${name} ${JSON.stringify(selection)}`);
      }
    }
  });

  test('every fixture under tight limits: the same error (code, message and byte offset) or the same object', () => {
    const limits: Limits[] = [{ maxDepth: 3 }, { maxDepth: 6 }, { maxCollectionLength: 1 }, { maxCollectionLength: 2 }, { maxStringBytes: 4 }, { maxStringBytes: 16 }];
    let errors = 0;
    for (const { name, pb } of fixtures) {
      for (const l of limits) if (!assertTiersAgree(pb, l, `${name} ${JSON.stringify(l)}`).ok) errors++;
    }
    assert.ok(errors > fixtures.length, `only ${errors} limit errors: the limits are not exercised`);
  });

  test('every fixture cut short inside its message body: the same error on both tiers', () => {
    let checked = 0;
    for (const { name, pb } of fixtures) {
      const raw = rawOf(pb);
      const apiVersion = decodeProtobufObject(pb).apiVersion as string;
      const kind = decodeProtobufObject(pb).kind as string;
      // A dozen cuts spread over the body (every byte of 193 bodies would be slow for little more).
      for (let i = 1; i <= 12; i++) {
        const cut = Math.floor((raw.length * i) / 13);
        assertTiersAgree(envelope(apiVersion, kind, raw.subarray(0, cut)), {}, `${name} cut at ${cut}`);
        checked++;
      }
    }
    assert.equal(checked, fixtures.length * 12);
  });

  test('objects have the same hidden classes on both tiers (V8 %HaveSameMap over the whole fixture Pod)', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { decodeProtobufObject } from 'watchwire/protobuf';
      const pb = new Uint8Array(readFileSync(${POD_PB}));
      // Once first: whether a map field's object starts in dictionary mode depends on the string cache having seen its first key.
      decodeProtobufObject(pb, { tier: 'compiled' });
      const a = decodeProtobufObject(pb, { tier: 'table' });
      const b = decodeProtobufObject(pb, { tier: 'compiled' });
      let objects = 0, differ = [];
      (function walk(x, y, path) {
        if (x === null || typeof x !== 'object') return;
        objects++;
        if (!%HaveSameMap(x, y)) differ.push(path);
        for (const k of Object.keys(x)) walk(x[k], y[k], path + '.' + k);
      })(a, b, '');
      console.log(JSON.stringify({ objects, differ }));
    `;
    const { objects, differ } = withNatives(script) as { objects: number; differ: string[] };
    assert.ok(objects > 300, `${objects} objects`);
    assert.deepStrictEqual(differ, []);
  });

  test("message objects have hidden classes of their own, not JSON.parse's (V8 %HaveSameMap, fixture Pod, both tiers)", () => {
    // Objects built from `{}` share the one root hidden class with everything JSON.parse makes (FieldsV1 on every
    // managedFields entry) and grow its transitions; decoding distinct Pods ran 2x slower so (see the generator).
    // Map fields and raw JSON are JSON's own kind of object: not walked.
    const script = `
      import { readFileSync } from 'node:fs';
      import { decodeProtobufObject } from 'watchwire/protobuf';
      const pb = new Uint8Array(readFileSync(${POD_PB}));
      const skip = new Set(['labels', 'annotations', 'nodeSelector', 'limits', 'requests', 'overhead', 'allocatedResources', 'capacity', 'fieldsV1', 'volumeAttributes', 'options', 'attributes', 'data']);
      const out = {};
      for (const tier of ['table', 'compiled']) {
        const a = decodeProtobufObject(pb, { tier });
        const b = JSON.parse(JSON.stringify(a));
        let objects = 0;
        const shared = [];
        (function walk(x, y, path) {
          if (x === null || typeof x !== 'object') return;
          if (!Array.isArray(x) && Object.keys(x).length > 0) {
            objects++;
            if (%HaveSameMap(x, y)) shared.push(path);
          }
          for (const k of Object.keys(x)) if (!skip.has(k)) walk(x[k], y[k], path + '.' + k);
        })(a, b, '');
        out[tier] = { objects, shared };
      }
      console.log(JSON.stringify(out));
    `;
    const out = withNatives(script) as Record<string, { objects: number; shared: string[] }>;
    for (const tier of ['table', 'compiled']) {
      assert.ok(out[tier]!.objects > 300, `${tier}: ${out[tier]!.objects} objects`);
      assert.deepStrictEqual(out[tier]!.shared, [], `${tier}: objects built from {} (the root JSON.parse grows)`);
    }
  });

  test('map-field objects whose keys are known stay fast, on a root of their own, not the one {} starts from (labels, fixture Pod)', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { decodeProtobufObject } from 'watchwire/protobuf';
      const pb = new Uint8Array(readFileSync(${POD_PB}));
      // Once first: the string cache then knows the label keys, so the maps are fast objects, not dictionaries.
      decodeProtobufObject(pb);
      const out = {};
      for (const tier of ['table', 'compiled']) {
        const labels = decodeProtobufObject(pb, { tier }).metadata.labels;
        // Its twin built as any {} is (CBOR objects of sets seen once, a caller's own): the root everyone grows.
        const twin = {};
        for (const k of Object.keys(labels)) twin[k] = labels[k];
        out[tier] = { keys: Object.keys(labels).length, fast: %HasFastProperties(labels), shared: %HaveSameMap(labels, twin) };
      }
      console.log(JSON.stringify(out));
    `;
    const out = withNatives(script) as Record<string, { keys: number; fast: boolean; shared: boolean }>;
    for (const tier of ['table', 'compiled']) {
      assert.ok(out[tier]!.keys > 0, `${tier}: the fixture has labels`);
      assert.deepStrictEqual(out[tier], { keys: out[tier]!.keys, fast: true, shared: false }, tier);
    }
  });
});

describe('protobuf tiers: generated objects (properties, fixed seeds)', () => {
  test('objects, cut, corrupted, under random limits and int64 modes: same outcome on both tiers', () => {
    const limits = fc.record(
      { maxDepth: fc.integer({ min: 1, max: 12 }), maxCollectionLength: fc.integer({ min: 0, max: 6 }), maxStringBytes: fc.integer({ min: 0, max: 64 }), int64: fc.constantFrom('number' as const, 'bigint' as const) },
      { requiredKeys: [] },
    );
    const damage = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), value: fc.integer({ min: 0, max: 255 }) }),
    );
    let errors = 0;
    fc.assert(
      fc.property(builtinObject, damage, limits, (object, hurt, l) => {
        const encoded = encodeProtobufObject(object);
        let raw = Uint8Array.from(rawOf(encoded));
        if (hurt.kind === 'cut') raw = raw.subarray(0, Math.floor(raw.length * hurt.at));
        else if (hurt.kind === 'flip' && raw.length > 0) raw[Math.floor(raw.length * hurt.at)] = hurt.value;
        const outcome = assertTiersAgree(envelope(String(object.apiVersion), String(object.kind), raw), l);
        if (!outcome.ok) errors++;
      }),
      { seed: 2026, numRuns: 1500 },
    );
    assert.ok(errors > 100, `only ${errors} errors in 1500 runs: the damage is not exercised`);
  });

  test('int64 beyond 2^53 (bigint mode) decodes alike', () => {
    // A Pod whose activeDeadlineSeconds (int64) is past 2^53: the compiled tier's i64 and the table's give the same BigInt.
    const object = fc.sample(pod, { seed: 11, numRuns: 1 })[0]!;
    const spec = { ...(object.spec as object), activeDeadlineSeconds: 2n ** 60n + 7n };
    const bytes = encodeProtobufObject({ ...object, spec } as never);
    const outcome = assertTiersAgree(bytes, { int64: 'bigint' });
    assert.ok(outcome.ok);
    assert.equal((outcome.value as { spec: { activeDeadlineSeconds: unknown } }).spec.activeDeadlineSeconds, 2n ** 60n + 7n);
    assertTiersAgree(bytes, { int64: 'number' });
  });
});

describe("protobuf tiers: 'auto' moves from the table tier to the generated decoders", () => {
  test('the switch happens when the table-tier bytes pass the budget, and the objects do not change across it', () => {
    const registry = new ProtobufSchemaRegistry();
    const tiers = registry.resolve('v1', 'Pod')!.tiers!;
    const pods = fc.sample(pod, { seed: 99, numRuns: 8 });
    const frames = pods.map((p) => watchFrame('MODIFIED', encodeProtobufObject(p)));
    // Their types seen first (the budget counts the types decoded), then three Pods' bodies short of it: the 4th switches.
    const table = createProtobufCodec({ schemas: registry, tier: 'table' }).createDecoder(DEFAULT_LIMITS);
    for (const frame of frames) table.decode(frame.subarray(4));
    assert.ok(tiers.budget > 0 && !tiers.compiled);
    const bodies = pods.map((p) => rawOf(encodeProtobufObject(p)).length);
    tiers.bytes = tiers.budget - (bodies[0]! + bodies[1]! + bodies[2]!);
    const auto = createProtobufCodec({ schemas: registry }).createDecoder(DEFAULT_LIMITS);
    const reference = createProtobufCodec({ schemas: registry, tier: 'compiled' }).createDecoder(DEFAULT_LIMITS);
    const seen: boolean[] = [];
    for (const frame of frames) {
      const event = auto.decode(frame.subarray(4));
      seen.push(tiers.compiled);
      assert.equal(JSON.stringify(event), JSON.stringify(reference.decode(frame.subarray(4))));
    }
    assert.equal(seen[0], false, 'the first Pod is on the table tier');
    assert.equal(seen.at(-1), true, 'the last Pod is on the generated decoders');
    const switchedAt = seen.indexOf(true);
    assert.equal(switchedAt, 3);
    // Bytes stop counting once compiled: the table tier is not rented any more.
    const after = tiers.bytes;
    auto.decode(frames[0]!.subarray(4));
    assert.equal(tiers.bytes, after);
  });

  test("a forced tier is not counted toward the switch ('table' and 'compiled' leave the budget alone)", () => {
    const registry = new ProtobufSchemaRegistry();
    const tiers = registry.resolve('v1', 'Pod')!.tiers!;
    const frame = watchFrame('ADDED', encodeProtobufObject(fc.sample(pod, { seed: 5, numRuns: 1 })[0]!)).subarray(4);
    for (const tier of ['table', 'compiled'] as const) createProtobufCodec({ schemas: registry, tier }).createDecoder(DEFAULT_LIMITS).decode(frame);
    assert.equal(tiers.bytes, 0);
    createProtobufCodec({ schemas: registry }).createDecoder(DEFAULT_LIMITS).decode(frame);
    assert.ok(tiers.bytes > 0);
  });

  test('expectedBytes: a stream known to reach the budget moves after its first object; a shorter one rents as before', () => {
    const pods = fc.sample(pod, { seed: 41, numRuns: 6 });
    const frames = pods.map((p) => watchFrame('MODIFIED', encodeProtobufObject(p)).subarray(4));
    const run = (expectedBytes: number | undefined) => {
      const registry = new ProtobufSchemaRegistry();
      const tiers = registry.resolve('v1', 'Pod')!.tiers!;
      const decoder = createProtobufCodec({ schemas: registry, ...(expectedBytes === undefined ? {} : { expectedBytes }) }).createDecoder(DEFAULT_LIMITS);
      const reference = createProtobufCodec({ schemas: registry, tier: 'compiled' }).createDecoder(DEFAULT_LIMITS);
      const seen: boolean[] = [];
      for (const frame of frames) {
        assert.equal(JSON.stringify(decoder.decode(frame)), JSON.stringify(reference.decode(frame)));
        seen.push(tiers.compiled);
      }
      return { seen, budget: tiers.budget };
    };
    // The budget these Pods' types give (a Pod's is hundreds of MB): the hint is compared with it.
    const { budget } = run(undefined);
    assert.ok(budget > 1e6, `budget ${budget}`);
    assert.deepStrictEqual(run(undefined).seen, [false, false, false, false, false, false], 'unknown length: the table tier rents');
    assert.deepStrictEqual(run(budget - 1).seen, [false, false, false, false, false, false], 'short of the budget: the table tier rents');
    assert.deepStrictEqual(run(budget).seen, [false, true, true, true, true, true], 'at the budget: compiled from the second object on');
  });

  test('the budget follows the message types a kind has decoded: a Pod with containers and volumes waits longer than a ConfigMap', () => {
    const registry = new ProtobufSchemaRegistry();
    const decoder = createProtobufCodec({ schemas: registry, tier: 'table' }).objects!.createDecoder(DEFAULT_LIMITS);
    const configMap = registry.resolve('v1', 'ConfigMap')!.tiers!;
    const podTiers = registry.resolve('v1', 'Pod')!.tiers!;
    const pods = fc.sample(pod, { seed: 12, numRuns: 20 });
    for (const p of pods) decoder.decode(encodeProtobufObject(p));
    decoder.decode(encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }));
    assert.ok(configMap.budget > 0);
    assert.ok(podTiers.budget > 5 * configMap.budget, `${podTiers.budget} vs ${configMap.budget}`);
  });
});
