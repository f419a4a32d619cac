/**
 * A CBOR framer paired with its stream's decoder decodes the items that lie
 * whole in a chunk while framing them; one that is not paired walks every
 * item and leaves decoding to the decoder. Both must give the same events,
 * and the same errors at the same frame index and byte offset, however the
 * bytes are damaged or chunked, with or without a field selection
 * (fast-check, fixed seeds).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, StreamDecoder, cborCodec, compileFieldFilter, encodeAll, resolveLimits, type FieldSelection, type WatchEvent } from 'watchwire';

type Outcome = (string | { code: string; frameIndex: number; byteOffset: number; resumable: boolean })[];

function run(bytes: Uint8Array, cuts: number[], fused: boolean, objects: boolean, limits: { maxFrameBytes?: number; maxDepth?: number }, selection: FieldSelection = {}): Outcome {
  const out: Outcome = [];
  const onError = (e: DecodeError) => {
    out.push({ code: e.code, frameIndex: e.frameIndex, byteOffset: e.byteOffset, resumable: e.resumable });
    return 'skip' as const;
  };
  const sink = (value: unknown) => out.push(JSON.stringify(value));
  let decoder: StreamDecoder<unknown>;
  if (fused) {
    decoder = objects ? StreamDecoder.objects(cborCodec, sink, { ...limits, ...selection, onError }) : StreamDecoder.events(cborCodec, sink, { ...limits, ...selection, onError });
  } else {
    // Two limits objects: the codec pairs a framer only with a decoder made with the same one.
    const mode = objects ? cborCodec.objects! : cborCodec;
    const fieldFilter = compileFieldFilter(selection);
    const decoderOptions = fieldFilter === undefined ? {} : { fieldFilter };
    const parts = { mediaType: cborCodec.mediaType, framer: mode.createFramer(resolveLimits(limits)), decoder: mode.createDecoder(resolveLimits(limits), decoderOptions) as never };
    decoder = new StreamDecoder<unknown>(parts, sink, { onError });
  }
  try {
    let at = 0;
    for (const cut of [...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]) {
      decoder.push(bytes.subarray(at, cut));
      at = cut;
    }
    decoder.end();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    out.push(`stopped ${e.code} ${e.frameIndex} ${e.byteOffset}`);
  }
  return out;
}

function event(i: number): WatchEvent {
  return {
    type: i % 3 === 0 ? 'MODIFIED' : 'ADDED',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: `a${i % 4}`, tier: 'web' }, resourceVersion: String(1000 + i) },
      spec: { containers: [{ name: 'c', image: `img:${i}`, ports: [{ containerPort: 80 + i, protocol: 'TCP' }] }], nodeName: `node-${i % 3}` },
      status: { phase: 'Running', podIP: `10.0.0.${i % 250}`, conditions: [{ type: 'Ready', status: 'True' }] },
    },
  };
}

const events = Array.from({ length: 24 }, (_, i) => event(i));
const clean = encodeAll(cborCodec, events);

/** Damage: bytes overwritten (heads, lengths, UTF-8), bytes dropped, the end cut off. */
const damageArb = fc.record({
  writes: fc.array(fc.tuple(fc.nat(clean.length - 1), fc.constantFrom(0x00, 0x18, 0x1c, 0x1f, 0x5f, 0x7f, 0x9f, 0xa2, 0xbf, 0xc2, 0xd9, 0xf7, 0xff, 0xc3, 0x80)), { maxLength: 4 }),
  drop: fc.option(fc.tuple(fc.nat(clean.length - 1), fc.integer({ min: 1, max: 40 })), { nil: undefined }),
  truncate: fc.option(fc.nat(clean.length), { nil: undefined }),
});

function damaged(d: fc.RecordValue<{ writes: [number, number][]; drop: [number, number] | undefined; truncate: number | undefined }>): Uint8Array {
  let bytes = clean.slice();
  for (const [at, b] of d.writes) bytes[at] = b;
  if (d.drop !== undefined) bytes = Uint8Array.from([...bytes.subarray(0, d.drop[0]), ...bytes.subarray(d.drop[0] + d.drop[1])]);
  if (d.truncate !== undefined) bytes = bytes.subarray(0, d.truncate);
  return bytes;
}

test('undamaged: paired and unpaired framers give the same events, chunked anyhow', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(clean.length), { maxLength: 12 }), (cuts) => {
      const fused = run(clean, cuts, true, false, {});
      assert.deepStrictEqual(fused, run(clean, cuts, false, false, {}));
      assert.equal(fused.length, events.length);
    }),
    { seed: 1417, numRuns: 200 },
  );
});

test('damaged: the same events, and the same errors at the same frame index and byte offset (property)', () => {
  fc.assert(
    fc.property(
      damageArb,
      fc.array(fc.nat(clean.length), { maxLength: 8 }),
      fc.boolean(),
      fc.constantFrom({}, { maxFrameBytes: 300 }, { maxDepth: 4 }, { maxFrameBytes: 4096, maxDepth: 5 }),
      fc.constantFrom<FieldSelection>({}, { dropFields: ['metadata.labels', 'spec.containers'] }, { keepFields: ['metadata.name', 'status'] }),
      (damage, cuts, objects, limits, selection) => {
        const bytes = damaged(damage);
        assert.deepStrictEqual(run(bytes, cuts, true, objects, limits, selection), run(bytes, cuts, false, objects, limits, selection));
      },
    ),
    { seed: 1418, numRuns: 1500 },
  );
});

test('a paired framer whose frames go to another decoder stops decoding for it: the other decoder still decodes every frame', () => {
  const limits = resolveLimits({});
  const framer = cborCodec.createFramer(limits);
  const paired = cborCodec.createDecoder(limits);
  const other = cborCodec.createDecoder(resolveLimits({}));
  framer.push(clean);
  framer.end();
  const got: WatchEvent[] = [];
  for (let frame = framer.next(); frame !== undefined; frame = framer.next()) got.push(other.decode(frame));
  assert.deepStrictEqual(got, events);
  assert.ok(paired !== other);
});
