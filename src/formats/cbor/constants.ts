/** CBOR tags and heads that Kubernetes CBOR uses. */

/** Self-described CBOR (RFC 8949 §3.4.6): a marker, no meaning; the API server puts it on every item and object. */
export const TAG_SELF_DESCRIBED = 55799;
/** Expected conversion of the byte string to base64url without padding (RFC 8949 §3.4.5.2). */
export const TAG_BASE64URL = 21;
/** Expected conversion to base64 with padding: Go `[]byte` in Kubernetes CBOR. */
export const TAG_BASE64 = 22;
/** Expected conversion to lower-case hex. */
export const TAG_BASE16 = 23;

export const SELF_DESCRIBED_HEAD: Readonly<Uint8Array> = new Uint8Array([0xd9, 0xd9, 0xf7]);
