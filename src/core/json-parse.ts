/**
 * JSON text and bytes to values, safely on every engine: the one JSON parse
 * every layer uses (JSON frames, protobuf's raw JSON, LIST and Status bodies).
 *
 * It is JSON.parse behind a guard around a V8 bug (nodejs/node#63785, open in 2026; V8 13.x and
 * 14.x: Node 24, Node 26, current Chromium): JSON.parse may misread an object
 * key whose last character is written as an escape (`"ab\""`, `"\n"`) as one
 * ending in a backslash, when an earlier JSON.parse in the same process made
 * the key `"ab\\"` in an object of the same shape. One hostile stream could
 * so change keys in objects from another. Node 20 and 22 are not affected.
 *
 * Only keys ending in an escape are at risk. Finding them costs one native
 * indexOf for a frame with no backslash at all, and a hop per escape sequence
 * otherwise (about 9 % of a Pod's decode in the bench: annotations carry escaped JSON);
 * the few frames that have one are parsed by strictJsonParse.
 */
import { utf8Decode } from './utf8.js';
import { strictJsonParse } from './strict-json-parse.js';

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COLON = 0x3a;
const LETTER_U = 0x75;

/**
 * True when the JSON text in `bytes` has an object key whose last character
 * is escaped. Exact for valid JSON: a backslash may only start an escape
 * inside a string, so hopping from one escape to the next never loses step;
 * an escape followed by the closing quote and then a colon ends a key.
 */
export function hasKeyEndingInEscape(bytes: Uint8Array): boolean {
  let at = bytes.indexOf(BACKSLASH);
  while (at !== -1) {
    const after = bytes[at + 1] === LETTER_U ? at + 6 : at + 2;
    if (bytes[after] === QUOTE && colonFollows(bytes, after + 1)) return true;
    at = bytes.indexOf(BACKSLASH, after);
  }
  return false;
}

function colonFollows(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === COLON) return true;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  }
  return false;
}

/**
 * Whether parseJsonText checks for such keys. On by default except where the
 * engine is known to be older than the bug (V8 before 12.8: Node 20 and 22);
 * where the engine cannot be told (browsers, other runtimes) it stays on.
 * Tests and benchmarks may switch it to measure either path.
 */
export const v8KeyGuard = { enabled: engineMayHaveTheBug() };

function engineMayHaveTheBug(): boolean {
  // Read through globalThis: the formats stay free of Node globals.
  const v8 = (globalThis as { process?: { versions?: { v8?: unknown } } }).process?.versions?.v8;
  if (typeof v8 !== 'string') return true;
  const [major = 0, minor = 0] = v8.split('.').map(Number);
  return major > 12 || (major === 12 && minor >= 8);
}

/** JSON.parse, or the strict parser for the frames JSON.parse may misread; `text` is `bytes` decoded. */
export function parseJsonText(text: string, bytes: Uint8Array): unknown {
  return v8KeyGuard.enabled && hasKeyEndingInEscape(bytes) ? strictJsonParse(text) : JSON.parse(text);
}

/** The JSON document in UTF-8 `bytes` (invalid sequences become U+FFFD, as in Go), through the guard. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return parseJsonText(utf8Decode(bytes), bytes);
}
