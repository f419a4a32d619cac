import { CORE_SCHEMA, load } from 'js-yaml';
import type { FrameDecoder } from '../../core/codec.js';
import { DecodeError, describeCause } from '../../core/errors.js';
import { type KubeObject, type WatchEvent, toKubeObject, toWatchEvent } from '../../core/event.js';
import type { DecodeLimits } from '../../core/limits.js';
import { utf8Decode } from '../../core/utf8.js';

/**
 * Parses one YAML document. CORE_SCHEMA creates no custom types and leaves
 * timestamps as strings (as the JSON form has them); aliases and nesting are
 * bounded so an alias bomb fails fast instead of expanding.
 */
export function parseYamlFrame(frame: Uint8Array, limits: DecodeLimits): unknown {
  const text = utf8Decode(frame);
  try {
    return load(text, { schema: CORE_SCHEMA, maxAliases: limits.maxAliases, maxDepth: limits.maxDepth });
  } catch (e) {
    const detail = describeCause(e);
    const code = /exceeded maxDepth/.test(detail)
      ? 'nesting-too-deep'
      : /exceeded maxAliases/.test(detail)
        ? 'limit-exceeded'
        : 'invalid-yaml';
    throw new DecodeError(code, detail, { cause: e });
  }
}

export function yamlEventDecoder(limits: DecodeLimits): FrameDecoder<WatchEvent> {
  return { decode: (frame) => toWatchEvent(parseYamlFrame(frame, limits)) };
}

export function yamlObjectDecoder(limits: DecodeLimits): FrameDecoder<KubeObject> {
  return { decode: (frame) => toKubeObject(parseYamlFrame(frame, limits)) };
}
