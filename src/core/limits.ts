/**
 * Limits every decoder honours, with finite defaults. Each is checked before
 * the memory it guards is allocated.
 */
export interface DecodeLimits {
  /** Largest frame (one event on the wire), in bytes. Default 16 MiB, as client-go. */
  maxFrameBytes: number;
  /** Deepest nesting of maps/arrays inside one event. */
  maxDepth: number;
  /** Most YAML aliases (`*ref`) in one document. */
  maxAliases: number;
  /** Most entries in one map or array (CBOR, protobuf declared counts). */
  maxCollectionLength: number;
  /** Longest string or byte string, in bytes. */
  maxStringBytes: number;
}

export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxDepth: 1000,
  maxAliases: 100,
  maxCollectionLength: 2_097_152,
  maxStringBytes: 16 * 1024 * 1024,
});

/** The limits named in `options` (other keys are ignored), defaults for the rest. */
export function resolveLimits(options: Partial<DecodeLimits> | undefined): DecodeLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof DecodeLimits)[]) {
    const value = options?.[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`limit ${name} must be a non-negative integer, got ${String(value)}`);
    }
    limits[name] = value;
  }
  return limits;
}
