import type { Codec } from './core/codec.js';
import { NegotiationError } from './core/errors.js';

/** A parsed media type: `type/subtype` (lower-cased) and its parameters. */
export interface MediaType {
  /** `type/subtype`, lower-case. */
  essence: string;
  /** Parameter names lower-case; values as written, unquoted. */
  params: Record<string, string>;
}

/** Parses `type/subtype; name=value; ...` (RFC 9110), tolerating case and spaces. */
export function parseMediaType(text: string): MediaType {
  const [head = '', ...rest] = splitOutsideQuotes(text, ';');
  const essence = head.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+*-]+$/.test(essence) && essence !== '*/*') {
    throw new NegotiationError(text, [], `not a media type: ${JSON.stringify(text)}`);
  }
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    if (name) params[name] = value;
  }
  return { essence, params };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** One entry of an `Accept` header, with its q-value (default 1). */
export interface AcceptEntry {
  mediaType: MediaType;
  q: number;
}

/** Parses an `Accept` header into entries, best first (stable for equal q). */
export function parseAccept(header: string): AcceptEntry[] {
  const entries: AcceptEntry[] = [];
  for (const item of splitOutsideQuotes(header, ',')) {
    if (!item.trim()) continue;
    const mediaType = parseMediaType(item);
    const q = mediaType.params.q === undefined ? 1 : Number(mediaType.params.q);
    delete mediaType.params.q;
    entries.push({ mediaType, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 });
  }
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.q - a.entry.q || a.index - b.index)
    .map(({ entry }) => entry);
}

/** Why some Content-Types are refused even though they look close to a codec's. */
const REFUSAL_HINTS: Readonly<Record<string, string>> = {
  'application/vnd.kubernetes.protobuf': 'protobuf is not available in this registry: register a protobuf codec',
  'application/cbor-seq': 'CBOR is not available in this registry: register a CBOR codec',
  'application/cbor':
    'a watch must be served as application/cbor-seq; plain application/cbor holds one item (an error Status), and client-go refuses it for watches too',
};

/** Short names of the formats watchwire knows, for lookups in a registry that lacks them. */
const WELL_KNOWN_NAMES: Readonly<Record<string, string>> = {
  json: 'application/json',
  yaml: 'application/yaml',
  protobuf: 'application/vnd.kubernetes.protobuf;stream=watch',
  cbor: 'application/cbor-seq',
};

/**
 * The codecs one client, server or CLI run can use, by short name and media
 * type. Each instance has its own set: registering a codec never changes
 * another registry.
 */
export class CodecRegistry {
  private readonly codecs: Codec[] = [];

  constructor(codecs: Iterable<Codec> = []) {
    for (const codec of codecs) this.register(codec);
  }

  /** Adds a codec; a later codec with the same name replaces the earlier one. */
  register(codec: Codec): this {
    const at = this.codecs.findIndex((c) => c.name === codec.name);
    if (at === -1) this.codecs.push(codec);
    else this.codecs[at] = codec;
    return this;
  }

  list(): readonly Codec[] {
    return this.codecs;
  }

  /** By short name (`json`) or media type (`application/json`); NegotiationError when absent. */
  get(nameOrMediaType: string): Codec {
    const name = nameOrMediaType.trim().toLowerCase();
    const byName = this.codecs.find((c) => c.name === name);
    if (byName !== undefined) return byName;
    // A well-known short name not registered here: look it up by its media type, so the
    // error says the format is not available rather than "not a media type".
    const known = Object.hasOwn(WELL_KNOWN_NAMES, name) ? WELL_KNOWN_NAMES[name] : undefined;
    return this.lookup(known ?? nameOrMediaType, nameOrMediaType);
  }

  /**
   * The codec that reads a response with this Content-Type. The response, not
   * the request, decides: a server may answer JSON to a protobuf request (it
   * does for custom resources).
   */
  forContentType(contentType: string): Codec {
    return this.lookup(contentType, contentType);
  }

  private lookup(contentType: string, offered: string): Codec {
    const supported = this.codecs.map((c) => c.mediaType);
    const listed = [...new Set(supported)].join(', ') || '(none)';
    let essence: string;
    try {
      essence = parseMediaType(contentType).essence;
    } catch {
      // Name what is supported even when what was offered is not a media type at all.
      throw new NegotiationError(offered, supported, `no codec for ${JSON.stringify(offered)} (not a media type or a codec name); supported: ${listed}`);
    }
    const codec = this.codecs.find(
      (c) => parseMediaType(c.mediaType).essence === essence || (c.alsoReads ?? []).includes(essence),
    );
    if (codec !== undefined) return codec;
    const hint = Object.hasOwn(REFUSAL_HINTS, essence) ? REFUSAL_HINTS[essence] : undefined;
    throw new NegotiationError(
      offered,
      supported,
      `no codec for Content-Type ${JSON.stringify(offered)}${hint ? ` (${hint})` : ''}; supported: ${listed}`,
    );
  }

  /**
   * The codec that reads one object (not a stream) sent with this
   * Content-Type: a LIST answer, the Status of a refused request. Found by
   * the media type of its objects mode first (`application/cbor` is CBOR's,
   * though its streams are `application/cbor-seq`), then as forContentType
   * finds it. NegotiationError when no codec with an objects mode reads it.
   */
  forObjectContentType(contentType: string): Codec {
    let essence: string | undefined;
    try {
      essence = parseMediaType(contentType).essence;
    } catch {
      // Not a media type: forContentType below says so, naming what is supported.
    }
    if (essence !== undefined) {
      const byObjects = this.codecs.find((c) => c.objects?.mediaType !== undefined && parseMediaType(c.objects.mediaType).essence === essence);
      if (byObjects !== undefined) return byObjects;
    }
    const codec = this.forContentType(contentType);
    if (codec.objects === undefined) {
      throw new NegotiationError(contentType, this.codecs.map((c) => c.mediaType), `codec ${codec.name} reads ${JSON.stringify(contentType)} streams only, not single objects`);
    }
    return codec;
  }

  /**
   * An `Accept` header for one object (a LIST) in the given formats, best
   * first, falling q-values as in `accept`: each format's objects media type
   * (`protobuf, json` gives `application/vnd.kubernetes.protobuf, application/json;q=0.9`).
   */
  acceptObjects(preferences: readonly string[]): string {
    if (preferences.length === 0) throw new NegotiationError('', this.codecs.map((c) => c.mediaType), 'no formats to ask for');
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const preference of preferences) {
      const codec = this.get(preference);
      const mediaType = codec.objects?.mediaType ?? parseMediaType(codec.accept).essence;
      if (seen.has(mediaType)) continue;
      seen.add(mediaType);
      const q = Math.max(1 - parts.length / 10, 0.1);
      parts.push(q === 1 ? mediaType : `${mediaType};q=${q.toFixed(1)}`);
    }
    return parts.join(', ');
  }

  /**
   * An `Accept` header asking for the given formats in order of preference
   * (names or media types), with falling q-values: `protobuf, json` gives
   * `application/vnd.kubernetes.protobuf;stream=watch, application/json;q=0.9`.
   */
  accept(preferences: readonly string[]): string {
    if (preferences.length === 0) throw new NegotiationError('', this.codecs.map((c) => c.mediaType), 'no formats to ask for');
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const preference of preferences) {
      const codec = this.get(preference);
      if (seen.has(codec.accept)) continue;
      seen.add(codec.accept);
      const q = Math.max(1 - parts.length / 10, 0.1);
      parts.push(q === 1 ? codec.accept : `${codec.accept};q=${q.toFixed(1)}`);
    }
    return parts.join(', ');
  }
}
