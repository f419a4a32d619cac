/**
 * Comparing resourceVersions. Kubernetes documents them as opaque strings
 * that clients must not compare; every API server in practice writes etcd
 * revisions, decimal integers that grow with each change. watchwire uses
 * order only when both versions are decimal integers (compared exactly, as
 * BigInt, so 64-bit revisions never round), and otherwise only equality.
 */

const DECIMAL = /^(0|[1-9]\d*)$/;

/** -1, 0 or 1 when both are decimal integers; 0 or undefined (unordered) otherwise. */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  if (a === b) return 0;
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
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
