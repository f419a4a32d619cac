/**
 * How integers beyond 2^53 (Go int64/uint64) come out of the binary formats.
 *
 * - `'number'` (default): a JS number, rounded to the nearest double beyond
 *   2^53, exactly what `JSON.parse` does with the JSON form of the same
 *   object, so every format gives the same value.
 * - `'bigint'`: a BigInt for any integer outside ±(2^53-1), lossless. Note that
 *   `JSON.stringify` cannot print BigInt; the CLI always uses `'number'`.
 */
export type Int64Mode = 'number' | 'bigint';

export const DEFAULT_INT64_MODE: Int64Mode = 'number';
