/**
 * Hand-built CBOR for tests, independent of the encoder under test: heads,
 * byte/text strings, maps from entry lists (so duplicates and any key order
 * can be written), tags.
 */
import fc from 'fast-check';
import { DecodeError } from 'watchwire';

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** A head with the shortest argument (bigint for 8-byte ones). */
export function head(major: number, n: number | bigint): Uint8Array {
  const m = major << 5;
  const v = BigInt(n);
  if (v < 24n) return Uint8Array.from([m | Number(v)]);
  if (v < 0x100n) return Uint8Array.from([m | 24, Number(v)]);
  if (v < 0x10000n) return Uint8Array.from([m | 25, Number(v >> 8n), Number(v & 0xffn)]);
  if (v < 0x100000000n) return Uint8Array.from([m | 26, ...[24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn))]);
  return Uint8Array.from([m | 27, ...[56n, 48n, 40n, 32n, 24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn))]);
}

const enc = new TextEncoder();
/** A string as a byte string (Kubernetes style). */
export const bstr = (s: string | Uint8Array): Uint8Array => {
  const b = typeof s === 'string' ? enc.encode(s) : s;
  return cat(head(2, b.length), b);
};
/** A string as a text string. */
export const tstr = (s: string): Uint8Array => {
  const b = enc.encode(s);
  return cat(head(3, b.length), b);
};
export const SELF = Uint8Array.from([0xd9, 0xd9, 0xf7]);
export const tag = (n: number, item: Uint8Array): Uint8Array => cat(head(6, n), item);
export const array = (...items: Uint8Array[]): Uint8Array => cat(head(4, items.length), ...items);
/** A map from [key, value] items, written in the given order (duplicates allowed). */
export const map = (...entries: [Uint8Array, Uint8Array][]): Uint8Array => cat(head(5, entries.length), ...entries.flat());
export const uint = (n: number | bigint): Uint8Array => head(0, n);
export const nint = (n: number | bigint): Uint8Array => head(1, n); // stands for -1 - n
export const NULL = Uint8Array.from([0xf6]);

/** A Kubernetes-style event around an already encoded object map. */
export function eventBytes(type: string, object: Uint8Array): Uint8Array {
  return cat(SELF, map([bstr('type'), bstr(type)], [bstr('object'), object]));
}

/** Heads and pieces of CBOR, for structured garbage that gets past the first byte. */
export const cborSoup: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        SELF, hex('a2'), hex('a1'), hex('a0'), hex('80'), hex('82'), hex('9f'), hex('bf'), hex('ff'), hex('5f'), hex('7f'),
        hex('1c'), hex('3d'), hex('5e'), hex('fc'), hex('f7'), hex('f8 10'), hex('c2 41 01'), hex('d6'), hex('d5'), hex('d7'),
        hex('1b ff ff ff ff ff ff ff ff'), hex('3b 00 20 00 00 00 00 00 00'), hex('f9 7e 00'), hex('fa 47 c3 50 00'),
        hex('5a ff ff ff ff'), hex('9a 00 10 00 00'), hex('ba 7f ff ff ff'), bstr('type'), bstr('object'), bstr('ADDED'),
        bstr('__proto__'), tstr('kind'), hex('44 ff fe fd fc'),
      ),
      fc.uint8Array({ maxLength: 3 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => cat(...parts));

/** The DecodeError code `fn` throws, or undefined when it returns (anything else it throws is rethrown). */
export const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
};
