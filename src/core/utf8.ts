/**
 * UTF-8 helpers shared by the formats. One decoder and one encoder per module:
 * constructing them per frame is measurable on the hot path.
 */
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Decodes UTF-8, replacing invalid sequences with U+FFFD as Go's JSON decoder does. */
export function utf8Decode(bytes: Uint8Array): string {
  return lenient.decode(bytes);
}

/** Decodes UTF-8; returns undefined when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}
