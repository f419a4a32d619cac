/**
 * Content negotiation: media types, Accept headers, the per-instance codec
 * registry, and a codec of the user's own (netstrings of JSON events, for
 * protocol experiments) that registers, negotiates, round-trips and obeys the
 * same codec laws as the built-in ones.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ByteQueue,
  type Codec,
  CodecRegistry,
  DecodeError,
  type DecodeLimits,
  type Framer,
  NegotiationError,
  createRegistry,
  decodeAll,
  decodeStream,
  encodeAll,
  jsonCodec,
  jsonDocumentsCodec,
  parseAccept,
  parseMediaType,
  toWatchEvent,
  yamlCodec,
} from 'watchwire';
import { codecLaws, tokenSoup } from './helpers/codec-laws.js';
import { JSON_TOKENS, utf8 } from './helpers/generators.js';

// ---------------------------------------------------------------------------
// A user's codec: `<byte length>:<JSON event>,` per event (D. J. Bernstein's netstrings).

const COLON = 0x3a;
const COMMA = 0x2c;
const MAX_HEADER = 10;

class NetstringFramer implements Framer {
  frameOffset = 0;
  private readonly queue = new ByteQueue();
  /** Stream offset of the queue's first byte. */
  private consumed = 0;
  private ended = false;
  /** Bytes of a skipped frame still to drop as they arrive. */
  private skipping = 0;
  /** Size (header, payload, comma) of the frame last refused. */
  private refused = 0;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): void {
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, chunk.length);
      this.skipping -= n;
      this.consumed += n;
      chunk = chunk.subarray(n);
    }
    this.queue.push(chunk);
  }

  end(): void {
    this.ended = true;
  }

  next(): Uint8Array | undefined {
    this.frameOffset = this.consumed;
    if (this.skipping > 0 || this.queue.length === 0) return undefined;
    const colon = this.queue.indexOf(COLON, 0);
    if (colon === -1 || colon > MAX_HEADER) {
      if (colon > MAX_HEADER || this.queue.length > MAX_HEADER) throw new DecodeError('bad-magic', 'netstring header is not a length');
      if (this.ended) throw new DecodeError('truncated', 'input ended inside a netstring header');
      return undefined;
    }
    let length = 0;
    for (let i = 0; i < colon; i++) {
      const digit = this.queue.byteAt(i) - 0x30;
      if (digit < 0 || digit > 9) throw new DecodeError('bad-magic', 'netstring header is not a length');
      length = length * 10 + digit;
    }
    if (colon === 0) throw new DecodeError('bad-magic', 'netstring header is empty');
    if (length > this.maxFrameBytes) {
      this.refused = colon + 1 + length + 1;
      throw new DecodeError('frame-too-large', `netstring of ${length} bytes`, { resumable: true });
    }
    const size = colon + 1 + length + 1;
    if (this.queue.length < size) {
      if (this.ended) throw new DecodeError('truncated', `input ended inside a ${length}-byte netstring`);
      return undefined;
    }
    if (this.queue.byteAt(size - 1) !== COMMA) throw new DecodeError('bad-magic', 'netstring does not end with ","');
    this.queue.drop(colon + 1);
    const frame = this.queue.take(length);
    this.queue.drop(1);
    this.consumed += size;
    return frame;
  }

  skip(): void {
    const held = Math.min(this.refused, this.queue.length);
    this.queue.drop(held);
    this.consumed += held;
    this.skipping = this.refused - held;
  }
}

const netstringCodec: Codec = {
  name: 'netstring',
  mediaType: 'application/x-netstring',
  accept: 'application/x-netstring',
  servable: true,
  createFramer: (limits: DecodeLimits) => new NetstringFramer(limits.maxFrameBytes),
  createDecoder: () => ({
    decode(frame) {
      let doc: unknown;
      try {
        doc = JSON.parse(new TextDecoder().decode(frame));
      } catch (e) {
        throw new DecodeError('invalid-json', String(e));
      }
      return toWatchEvent(doc);
    },
  }),
  createEncoder: () => ({
    encode(event) {
      const json = utf8(JSON.stringify({ type: event.type, object: event.object }));
      return new Uint8Array([...utf8(`${json.length}:`), ...json, COMMA]);
    },
  }),
};

// ---------------------------------------------------------------------------

describe('media types', () => {
  test('parseMediaType: case, spaces, parameters, quotes', () => {
    assert.deepStrictEqual(parseMediaType('Application/JSON'), { essence: 'application/json', params: Object.assign(Object.create(null), {}) });
    const m = parseMediaType(' application/vnd.kubernetes.protobuf ; Stream=watch;charset="utf-8" ; q=0.5 ');
    assert.equal(m.essence, 'application/vnd.kubernetes.protobuf');
    assert.deepStrictEqual({ ...m.params }, { stream: 'watch', charset: 'utf-8', q: '0.5' });
    const quoted = parseMediaType('text/plain; a="x;y, z"; b="q\\"r"');
    assert.deepStrictEqual({ ...quoted.params }, { a: 'x;y, z', b: 'q"r' });
    // A parameter named __proto__ is plain data.
    const proto = parseMediaType('text/plain; __proto__=x');
    assert.equal(proto.params.__proto__, 'x');
    assert.equal(({} as Record<string, unknown>).x, undefined);
    for (const bad of ['json', '', 'application/', '/json', 'a b/c']) assert.throws(() => parseMediaType(bad), NegotiationError, bad);
  });

  test('parseAccept orders by q (stable for equal q), defaults q to 1, clamps and drops bad q', () => {
    const entries = parseAccept('application/json;q=0.5, application/vnd.kubernetes.protobuf;stream=watch, */*;q=0.1, application/yaml;q=0.5, text/x;q=7, text/y;q=abc');
    assert.deepStrictEqual(
      entries.map((e) => [e.mediaType.essence, e.q]),
      [
        ['application/vnd.kubernetes.protobuf', 1],
        ['text/x', 1],
        ['application/json', 0.5],
        ['application/yaml', 0.5],
        ['*/*', 0.1],
        ['text/y', 0],
      ],
    );
    assert.equal(entries[0]!.mediaType.params.stream, 'watch');
    assert.equal(entries[0]!.mediaType.params.q, undefined);
    assert.deepStrictEqual(parseAccept(' , '), []);
  });
});

describe('CodecRegistry', () => {
  const registry = () => new CodecRegistry([jsonCodec, yamlCodec, jsonDocumentsCodec]);

  test('get by short name or media type', () => {
    const r = registry();
    assert.equal(r.get('json'), jsonCodec);
    assert.equal(r.get(' YAML '), yamlCodec);
    assert.equal(r.get('json-documents'), jsonDocumentsCodec);
    assert.equal(r.get('application/json'), jsonCodec);
    assert.equal(r.get('application/yaml'), yamlCodec);
  });

  test('forContentType picks by the response Content-Type (parameters, case, aliases)', () => {
    const r = registry();
    assert.equal(r.forContentType('application/json; charset=utf-8'), jsonCodec);
    assert.equal(r.forContentType('APPLICATION/YAML'), yamlCodec);
    assert.equal(r.forContentType('text/yaml'), yamlCodec);
    assert.equal(r.forContentType('application/x-yaml'), yamlCodec);
  });

  test('an unknown Content-Type is a NegotiationError naming what was offered and what is supported', () => {
    const r = registry();
    for (const offered of ['text/html; charset=utf-8', 'garbage', '']) {
      assert.throws(
        () => r.forContentType(offered),
        (e) =>
          e instanceof NegotiationError &&
          e.offered === offered &&
          e.supported.includes('application/json') &&
          e.supported.includes('application/yaml') &&
          e.message.includes(JSON.stringify(offered)) &&
          e.message.includes('application/yaml'),
        offered,
      );
    }
  });

  test('plain application/cbor is refused with its hint; protobuf and CBOR say they are not available here', () => {
    const r = registry();
    assert.throws(() => r.forContentType('application/cbor'), (e) => e instanceof NegotiationError && /cbor-seq/.test(e.message) && /client-go/.test(e.message));
    for (const name of ['protobuf', 'cbor', 'application/vnd.kubernetes.protobuf;stream=watch', 'application/cbor-seq']) {
      assert.throws(
        () => r.get(name),
        (e) => e instanceof NegotiationError && e.offered === name && /not available/.test(e.message) && e.supported.includes('application/json'),
        name,
      );
    }
    assert.throws(() => r.accept(['protobuf', 'json']), NegotiationError);
  });

  test('accept() builds the Accept header from preferences with falling q, once per media type', () => {
    const r = registry().register(netstringCodec);
    assert.equal(r.accept(['netstring', 'json', 'yaml']), 'application/x-netstring, application/json;q=0.9, application/yaml;q=0.8');
    assert.equal(r.accept(['json', 'json-documents', 'application/json']), 'application/json');
    assert.throws(() => r.accept([]), NegotiationError);
    // What the header asks for parses back in the same order.
    assert.deepStrictEqual(
      parseAccept(r.accept(['yaml', 'netstring', 'json'])).map((e) => e.mediaType.essence),
      ['application/yaml', 'application/x-netstring', 'application/json'],
    );
  });

  test('registries do not share state; a codec with the same name replaces the earlier one', () => {
    const a = createRegistry();
    const b = createRegistry();
    a.register(netstringCodec);
    assert.equal(a.get('netstring'), netstringCodec);
    assert.throws(() => b.get('netstring'), NegotiationError);
    assert.throws(() => createRegistry().forContentType('application/x-netstring'), NegotiationError);
    const replacement = { ...netstringCodec, mediaType: 'application/x-netstring2' };
    a.register(replacement);
    assert.equal(a.get('netstring'), replacement);
    assert.equal(a.list().filter((c) => c.name === 'netstring').length, 1);
    assert.ok(createRegistry().list().some((c) => c === jsonCodec));
    assert.ok(createRegistry().list().some((c) => c === yamlCodec));
  });
});

describe("a user's own codec (application/x-netstring)", () => {
  const events = [
    { type: 'ADDED' as const, object: { kind: 'Pod', metadata: { name: 'é' } } },
    { type: 'DELETED' as const, object: { kind: 'Pod', metadata: { name: 'b' } } },
  ];

  test('registers, negotiates by Content-Type and round-trips, also through decodeStream', async () => {
    const r = createRegistry([netstringCodec]);
    const codec = r.forContentType('Application/X-Netstring; v=1');
    assert.equal(codec, netstringCodec);
    const bytes = encodeAll(codec, events);
    assert.ok(new TextDecoder().decode(bytes).startsWith(`${utf8(JSON.stringify(events[0])).length}:{"type":"ADDED"`));
    assert.deepStrictEqual(decodeAll(codec, bytes), events);
    const got = [];
    for await (const e of decodeStream((async function* () { for (const b of bytes) yield new Uint8Array([b]); })(), codec)) got.push(e);
    assert.deepStrictEqual(got, events);
  });
});

codecLaws(netstringCodec, {
  seed: 4,
  numRuns: 40,
  frameSlack: 6,
  badFrame: { bytes: utf8('10:{"type":1},'), code: 'not-an-event' },
  garbage: tokenSoup(['1', '2', '0', '9', ':', ',', '10:', '2:{}', ...JSON_TOKENS]),
});
