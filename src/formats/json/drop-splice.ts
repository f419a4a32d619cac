import type { FieldFilter } from '../../core/field-filter.js';

/**
 * Cuts the pairs a drop filter removes out of compact JSON text before
 * JSON.parse reads it, so their values are never parsed: a Pod's
 * managedFields is a third of its bytes and more than half of JSON.parse's
 * time on it (every FieldsV1 key is an object key). What is not found this
 * way is left to the post-pass, which the caller still runs, so the result is
 * the same either way; this only saves work.
 *
 * How a pair is found without parsing the text: `String.indexOf` of
 * `"key":` (native, fast), then a walk of the text before it that hops over
 * strings by their closing quotes and tracks the keys of the open objects,
 * to check the match is at a dropped path (arrays are transparent). A match
 * is a key and not text inside a string: inside a JSON string every `"` is
 * escaped, and this one closes a string right before the `:`, so it is a
 * real closing quote; its opening quote is real when an even number of
 * backslashes stands before it.
 */

/** The dropped paths of `filter` as keys from the root, or undefined when it is not a pure drop filter. */
export function droppedPaths(filter: FieldFilter, prefix: readonly string[] = []): string[][] | undefined {
  if (filter.mode !== 'drop') return undefined;
  const out: string[][] = [];
  for (const [key, child] of filter.children) {
    if (child === null) {
      out.push([...prefix, key]);
      continue;
    }
    const below = droppedPaths(child, [...prefix, key]);
    if (below === undefined) return undefined;
    out.push(...below);
  }
  return out;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * `text` without the pairs at `paths` that could be found (see above);
 * `text` itself when none was. `paths` are keys from the document root.
 */
export function spliceDropped(text: string, paths: readonly (readonly string[])[]): string {
  // Matches of every path's last key, in text order.
  const matches: { at: number; path: readonly string[] }[] = [];
  for (const path of paths) {
    const key = path[path.length - 1]!;
    const needle = JSON.stringify(key) + ':';
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) matches.push({ at, path });
  }
  if (matches.length === 0) return text;
  matches.sort((a, b) => a.at - b.at);

  /** Keys of the open containers from the root, `undefined` for arrays and for an object before its first key. */
  const keys: (string | undefined)[] = [];
  const isArray: boolean[] = [];
  let lastString = '';
  let i = 0;
  let kept = 0;
  const parts: string[] = [];
  let next = 0;
  while (next < matches.length) {
    const match = matches[next]!;
    if (match.at < i) {
      next++; // inside a pair already cut, or passed over
      continue;
    }
    // Walk up to the match.
    while (i < match.at) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const end = stringEnd(text, i);
        if (end < 0) return joined(parts, text, kept);
        lastString = text.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        keys.push(undefined);
        isArray.push(c === 0x5b);
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        keys.pop();
        isArray.pop();
      } else if (c === 0x3a /* : */ && keys.length > 0 && !isArray[isArray.length - 1]) {
        keys[keys.length - 1] = lastString;
      }
      i++;
    }
    next++;
    if (i !== match.at || !unescapedAt(text, match.at) || keys.length === 0 || isArray[isArray.length - 1]) continue;
    if (!atPath(keys, isArray, match.path)) continue;
    // The pair: from the key (with the comma before it, or after it when it is first) to the end of its value.
    const valueStart = match.at + JSON.stringify(match.path[match.path.length - 1]).length + 1;
    const valueEnd = valueEndAt(text, valueStart);
    if (valueEnd < 0) return joined(parts, text, kept);
    let from = match.at;
    let to = valueEnd;
    if (text.charCodeAt(from - 1) === 0x2c /* , */) from--;
    else if (text.charCodeAt(to) === 0x2c) to++;
    else if (text.charCodeAt(from - 1) !== 0x7b || text.charCodeAt(to) !== 0x7d) continue; // not compact: leave it to the post-pass
    parts.push(text.slice(kept, from));
    kept = to;
    i = to;
  }
  return joined(parts, text, kept);
}

function joined(parts: string[], text: string, kept: number): string {
  if (parts.length === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}

/** Whether the open containers (`keys`, arrays transparent) are the path's parents. */
function atPath(keys: readonly (string | undefined)[], isArray: readonly boolean[], path: readonly string[]): boolean {
  let p = path.length - 2;
  for (let k = keys.length - 2; k >= 0; k--) {
    // keys[k] is the key under which container k + 1 sits (arrays pass their parent's key through).
    if (isArray[k]) continue;
    if (p < 0 || keys[k] !== path[p]) return false;
    p--;
  }
  return p === -1;
}

/** The index of the quote closing the string whose opening quote is at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at !== -1 && !unescapedAt(text, at)) at = text.indexOf('"', at + 1);
  return at;
}

/** Whether the character at `at` is not escaped (an even number of backslashes before it). */
function unescapedAt(text: string, at: number): boolean {
  let n = 0;
  while (at - 1 - n >= 0 && text.charCodeAt(at - 1 - n) === BACKSLASH) n++;
  return n % 2 === 0;
}

/** The index just past the compact JSON value starting at `start`, or -1. */
function valueEndAt(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === QUOTE) {
    const end = stringEnd(text, start);
    return end < 0 ? -1 : end + 1;
  }
  if (c !== 0x7b && c !== 0x5b) {
    // A number, true, false or null: up to the next delimiter.
    let i = start;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === 0x2c || d === 0x7d || d === 0x5d) return i;
      i++;
    }
    return -1;
  }
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (d === 0x7b || d === 0x5b) depth++;
    else if (d === 0x7d || d === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}
