import { CORE_SCHEMA, load } from 'js-yaml';
import type { DecoderOptions, FrameDecoder } from '../../core/codec.js';
import { DecodeError, type DecodeErrorCode, describeCause } from '../../core/errors.js';
import { type KubeObject, type WatchEvent, toKubeObject, toWatchEvent } from '../../core/event.js';
import { type FieldFilter, applyFieldFilter, filterEvent } from '../../core/field-filter.js';
import type { DecodeLimits } from '../../core/limits.js';
import { utf8Decode } from '../../core/utf8.js';

/**
 * Parses one YAML document. CORE_SCHEMA creates no custom types and leaves
 * timestamps as strings (as the JSON form has them); aliases and nesting are
 * bounded so an alias bomb fails fast instead of expanding.
 */
export function parseYamlFrame(frame: Uint8Array, limits: DecodeLimits): unknown {
  const text = utf8Decode(frame);
  let doc: unknown;
  try {
    doc = load(text, { schema: CORE_SCHEMA, maxAliases: limits.maxAliases, maxDepth: limits.maxDepth });
  } catch (e) {
    const detail = describeCause(e);
    throw new DecodeError(yamlErrorCode(detail), detail, { cause: e });
  }
  if (text.includes('*')) checkExpansion(doc, Math.max(EXPANSION_PER_BYTE * frame.length, MIN_EXPANSION));
  return doc;
}

/** The code for a js-yaml error, by its message: the same codes the other formats give for the same fault. */
function yamlErrorCode(detail: string): DecodeErrorCode {
  if (/exceeded maxDepth/.test(detail)) return 'nesting-too-deep';
  if (/exceeded maxAliases/.test(detail)) return 'limit-exceeded';
  if (/duplicated mapping key/.test(detail)) return 'duplicate-key';
  return 'invalid-yaml';
}

/** How many values a document may expand to through aliases: generous for honest YAML, far below any bomb. */
const EXPANSION_PER_BYTE = 16;
const MIN_EXPANSION = 1_000_000;

/**
 * maxAliases alone does not stop an alias bomb: 9 levels of 9 aliases (81 in
 * all) make 9^9 values. js-yaml shares the aliased objects, so the document
 * is small in memory, but every consumer that walks it (JSON.stringify, a
 * deep compare, a re-encode) sees the full expansion and hangs. Counts the
 * values as a walk would see them, each shared subtree measured once.
 */
function checkExpansion(doc: unknown, budget: number): void {
  const sizes = new Map<object, number>();
  const size = (value: unknown): number => {
    if (typeof value !== 'object' || value === null) return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    let total = 1;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      total += size(child);
      if (total > budget) break;
    }
    sizes.set(value, total);
    return total;
  };
  const total = size(doc);
  if (total > budget) {
    throw new DecodeError('limit-exceeded', `aliases expand the document to more than ${budget} values`);
  }
}

/** YAML documents to events; a field filter is a post-pass (js-yaml builds every value first). */
export class YamlEventDecoder implements FrameDecoder<WatchEvent> {
  private readonly filter: FieldFilter | undefined;

  constructor(
    private readonly limits: DecodeLimits,
    options: DecoderOptions = {},
  ) {
    this.filter = options.fieldFilter;
  }

  decode(frame: Uint8Array): WatchEvent {
    const event = toWatchEvent(parseYamlFrame(frame, this.limits));
    return this.filter === undefined ? event : filterEvent(event, this.filter);
  }
}

/** YAML documents that are bare objects (objects mode); a filter applies to each whole object. */
export class YamlObjectDecoder implements FrameDecoder<KubeObject> {
  private readonly filter: FieldFilter | undefined;

  constructor(
    private readonly limits: DecodeLimits,
    options: DecoderOptions = {},
  ) {
    this.filter = options.fieldFilter;
  }

  decode(frame: Uint8Array): KubeObject {
    const object = toKubeObject(parseYamlFrame(frame, this.limits));
    return this.filter === undefined ? object : (applyFieldFilter(object, this.filter) as KubeObject);
  }
}
