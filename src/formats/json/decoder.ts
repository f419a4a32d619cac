import type { DecoderOptions, FrameDecoder } from '../../core/codec.js';
import { DecodeError, describeCause } from '../../core/errors.js';
import { type KubeObject, type WatchEvent, toKubeObject, toWatchEvent } from '../../core/event.js';
import { type FieldFilter, applyFieldFilter, filterEvent, filtersEventType } from '../../core/field-filter.js';
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
import { parseJsonBytes, parseJsonText } from '../../core/json-parse.js';
import { utf8Decode } from '../../core/utf8.js';
import { droppedPaths, spliceDropped } from './drop-splice.js';

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
 * JSON frames to events. With a filter that only drops fields, the dropped
 * pairs that can be found in the text are cut out before JSON.parse reads it
 * (see drop-splice.ts: on the bench's Pods, dropping managedFields this way
 * decodes faster than decoding everything); then the post-pass applies the
 * whole filter to what was parsed, which finds nothing left to do when the
 * cut found everything. A keepFields filter is the post-pass alone
 * (JSON.parse cannot be told to skip; a reviver would cost a call per value).
 */
export class JsonEventDecoder implements FrameDecoder<WatchEvent> {
  private readonly maxDepth: number;
  private readonly filter: FieldFilter | undefined;
  /** The dropped paths from the event's root (`object.…`), when the filter only drops. */
  private readonly cut: string[][] | undefined;

  constructor(limits: DecodeLimits = DEFAULT_LIMITS, options: DecoderOptions = {}) {
    this.maxDepth = limits.maxDepth;
    this.filter = options.fieldFilter;
    this.cut = this.filter === undefined ? undefined : droppedPaths(this.filter)?.map((path) => ['object', ...path]);
  }

  decode(frame: Uint8Array): WatchEvent {
    const filter = this.filter;
    if (filter === undefined) return toWatchEvent(parseJsonFrame(frame, this.maxDepth));
    const event = toWatchEvent(this.cut === undefined ? parseJsonFrame(frame, this.maxDepth) : parseCut(frame, this.maxDepth, this.cut));
    return filterEvent(event, filter);
  }
}

/**
 * The frame parsed with the pairs at `paths` cut out first; for an event
 * (`isEvent`), only when its type is one the filter applies to.
 */
function parseCut(frame: Uint8Array, maxDepth: number, paths: readonly string[][], isEvent = true): unknown {
  checkDepth(frame, maxDepth);
  const text = utf8Decode(frame);
  // Only ADDED/MODIFIED/DELETED objects are filtered: read the type first (it comes first from a server).
  const type = isEvent ? /^\{"type":"([A-Z]+)"/.exec(text.slice(0, 24))?.[1] : 'ADDED';
  const cut = type !== undefined && filtersEventType(type) ? spliceDropped(text, paths) : text;
  try {
    // The guard looks at the frame's bytes: a superset of what is left after the cut.
    return parseJsonText(cut, frame);
  } catch (e) {
    throw new DecodeError('invalid-json', describeCause(e), { cause: e });
  }
}

/** JSON documents that are bare objects (objects mode); a filter applies to each whole object, cut as for events. */
export class JsonObjectDecoder implements FrameDecoder<KubeObject> {
  private readonly maxDepth: number;
  private readonly filter: FieldFilter | undefined;
  private readonly cut: string[][] | undefined;

  constructor(limits: DecodeLimits = DEFAULT_LIMITS, options: DecoderOptions = {}) {
    this.maxDepth = limits.maxDepth;
    this.filter = options.fieldFilter;
    this.cut = this.filter === undefined ? undefined : droppedPaths(this.filter);
  }

  decode(frame: Uint8Array): KubeObject {
    if (this.filter === undefined) return toKubeObject(parseJsonFrame(frame, this.maxDepth));
    const object = toKubeObject(this.cut === undefined ? parseJsonFrame(frame, this.maxDepth) : parseCut(frame, this.maxDepth, this.cut, false));
    return applyFieldFilter(object, this.filter) as KubeObject;
  }
}
