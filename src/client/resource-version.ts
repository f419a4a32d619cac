/**
 * Comparing resourceVersions. Kubernetes documents them as opaque strings
 * that clients must not compare; every API server in practice writes etcd
 * revisions, decimal integers that grow with each change. watchwire uses
 * order only when both versions are decimal integers (compared exactly, so
 * 64-bit revisions never round), and otherwise only equality.
 */

/** A decimal integer without leading zeros ("0" itself allowed). */
function isDecimal(s: string): boolean {
  if (s.length === 0) return false;
  if (s.charCodeAt(0) === 0x30) return s.length === 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * -1, 0 or 1 when both are decimal integers; 0 or undefined (unordered) otherwise.
 * Without leading zeros the longer number is the larger, and equal lengths
 * compare as strings: exact at any size, with no BigInt per event.
 */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  if (a === b) return 0;
  if (!isDecimal(a) || !isDecimal(b)) return undefined;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : 1;
}

/**
 * True when an event at `candidate` may be delivered after one at `last`:
 * strictly newer when both are integers; anything but equal otherwise
 * (opaque versions cannot be ordered, so only an exact repeat is known to be
 * a duplicate).
 */
export function isNewerResourceVersion(candidate: string, last: string | undefined): boolean {
  if (last === undefined) return true;
  const order = compareResourceVersions(candidate, last);
  return order === undefined ? true : order > 0;
}
