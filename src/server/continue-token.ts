/**
 * LIST continue tokens as the API server writes them: base64url (no padding)
 * of `{"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}`, where KEY is the
 * last returned object's key below the listed prefix (`ns/name` cluster-wide,
 * `name` in a namespace) and `rv` the snapshot's resourceVersion; `rv: -1`
 * (in the token an expired list hands out) means "continue at the latest".
 * Clients treat them as opaque; the messages of a bad token follow
 * apiserver's storage package.
 */

const TOKEN_VERSION = 'meta.k8s.io/v1';

export interface ContinueToken {
  /** The snapshot's resourceVersion, or -1 for "the latest". */
  resourceVersion: number;
  /** The key to start at (inclusive): the last returned key + `\u0000`. */
  start: string;
  /**
   * Only on a server told to expire tokens early: pages served so far and
   * when the first was (ms since the epoch). Upstream's decoder ignores
   * fields it does not know, and so do clients (the token is opaque).
   */
  pages?: number;
  issuedAt?: number;
}

export function encodeContinue(lastKey: string, resourceVersion: number, extra: Pick<ContinueToken, 'pages' | 'issuedAt'> = {}): string {
  const json = JSON.stringify({ v: TOKEN_VERSION, rv: resourceVersion, start: `${lastKey}\u0000`, ...(extra.pages === undefined ? {} : { p: extra.pages }), ...(extra.issuedAt === undefined ? {} : { t: extra.issuedAt }) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** The token, or an Error whose message says what an API server says (`continue key is not valid: ...`). */
export function decodeContinue(token: string): ContinueToken | Error {
  const invalid = (why: string): Error => new Error(`continue key is not valid: ${why}`);
  if (!/^[A-Za-z0-9_-]*$/.test(token)) return invalid('illegal base64 data');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (e) {
    return invalid((e as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null) return invalid('not a JSON object');
  const { v, rv, start, p, t } = parsed as Record<string, unknown>;
  if (v !== TOKEN_VERSION) return invalid(`server does not recognize this encoded version ${JSON.stringify(v ?? '')}`);
  if (typeof rv !== 'number' || !Number.isInteger(rv) || rv === 0) return invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof start !== 'string' || start === '') return invalid('encoded start key empty (version meta.k8s.io/v1)');
  // The API server refuses a key that path.Clean would change (a client climbing out of the listed prefix).
  if (start.startsWith('/') || start.split('/').some((part) => part === '..' || part === '.' || part === '')) return invalid(start);
  return { resourceVersion: rv, start, ...(typeof p === 'number' ? { pages: p } : {}), ...(typeof t === 'number' ? { issuedAt: t } : {}) };
}
