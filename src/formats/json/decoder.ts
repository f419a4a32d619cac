import type { DecoderOptions, FrameDecoder } from '../../core/codec.js';
import { DecodeError, describeCause } from '../../core/errors.js';
import { type KubeObject, type WatchEvent, toKubeObject, toWatchEvent } from '../../core/event.js';
import { type FieldFilter, applyFieldFilter, filterEvent } from '../../core/field-filter.js';
import { DEFAULT_LIMITS, type DecodeLimits } from '../../core/limits.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  countOpensBound,
  depthCheckedFrames,
} from './bytes.js';
import { parseJsonBytes } from '../../core/json-parse.js';

/**
 * Refuses JSON nested deeper than `maxDepth`. JSON.parse itself copes with
 * deep input, but every later consumer (JSON.stringify, structuredClone, a
 * recursive walk) overflows the stack on it, far from the frame that caused it.
 *
 * Cheap answers first, because this runs on every frame: a valid JSON text
 * nested D deep has at least 2D bytes (each open has its close; an invalid
 * one never gets past JSON.parse), a framer may have checked the frame
 * already, and a frame with at most maxDepth brackets cannot nest deeper.
 */
function checkDepth(frame: Uint8Array, maxDepth: number): void {
  if (frame.length < 2 * (maxDepth + 1)) return;
  const checked = depthCheckedFrames.get(frame);
  if (checked !== undefined && checked <= maxDepth) return;
  if (countOpensBound(frame) <= maxDepth) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < frame.length; i++) {
    const b = frame[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > maxDepth) throw new DecodeError('nesting-too-deep', `JSON nested deeper than ${maxDepth} levels`);
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--;
    }
  }
}

/**
 * JSON.parse, with its SyntaxError turned into a DecodeError. JSON.parse
 * makes `__proto__` an own data property, so such keys stay plain data.
 */
export function parseJsonFrame(frame: Uint8Array, maxDepth: number = DEFAULT_LIMITS.maxDepth): unknown {
  checkDepth(frame, maxDepth);
  try {
    return parseJsonBytes(frame);
  } catch (e) {
    throw new DecodeError('invalid-json', describeCause(e), { cause: e });
  }
}

/**
 * JSON frames to events. A field filter is a post-pass over the parsed
 * object (JSON.parse cannot be told to skip anything): it copies only the
 * objects on the selected paths, a few percent of a Pod's decode (see
 * bench/RESULTS.md, "dropFields" rows); a reviver would cost a call per value.
 */
export class JsonEventDecoder implements FrameDecoder<WatchEvent> {
  private readonly maxDepth: number;
  private readonly filter: FieldFilter | undefined;

  constructor(limits: DecodeLimits = DEFAULT_LIMITS, options: DecoderOptions = {}) {
    this.maxDepth = limits.maxDepth;
    this.filter = options.fieldFilter;
  }

  decode(frame: Uint8Array): WatchEvent {
    const event = toWatchEvent(parseJsonFrame(frame, this.maxDepth));
    return this.filter === undefined ? event : filterEvent(event, this.filter);
  }
}

/** JSON documents that are bare objects (objects mode); a filter applies to each whole object. */
export class JsonObjectDecoder implements FrameDecoder<KubeObject> {
  private readonly maxDepth: number;
  private readonly filter: FieldFilter | undefined;

  constructor(limits: DecodeLimits = DEFAULT_LIMITS, options: DecoderOptions = {}) {
    this.maxDepth = limits.maxDepth;
    this.filter = options.fieldFilter;
  }

  decode(frame: Uint8Array): KubeObject {
    const object = toKubeObject(parseJsonFrame(frame, this.maxDepth));
    return this.filter === undefined ? object : (applyFieldFilter(object, this.filter) as KubeObject);
  }
}
