/**
 * IEEE 754 half precision, which CBOR uses for its shortest float head (f9).
 * cbor-x 1.6.8 reads f16 but never writes it (its encoder stops at f32), and
 * the API server writes the shortest exact width, so the encoder needs this.
 */

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** The half-precision bits that hold `x` exactly, or -1 when no f16 holds it. */
export function float16BitsOf(x: number): number {
  if (x !== x) return 0x7e00; // NaN: the canonical quiet NaN
  f32[0] = x;
  if (f32[0] !== x) return -1; // not even a float32
  const bits = f32Bits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127;
  const mantissa = bits & 0x7fffff;
  if (exponent === 128) return sign | 0x7c00; // ±Infinity (NaN handled above)
  if (exponent === -127 && mantissa === 0) return sign; // ±0
  if (exponent >= -14 && exponent <= 15) {
    // Normal half: 10 mantissa bits, the 13 low float32 bits must be zero.
    if ((mantissa & 0x1fff) !== 0) return -1;
    return sign | ((exponent + 15) << 10) | (mantissa >>> 13);
  }
  if (exponent >= -24 && exponent < -14) {
    // Subnormal half: |x| = k * 2^-24 with 0 < k < 1024.
    const k = Math.abs(x) * 2 ** 24;
    return Number.isInteger(k) ? sign | k : -1;
  }
  return -1;
}

/** 2^(e - 25) for each exponent field e of a normal half (1..30): a table, as `2 ** n` with a variable n is a call to pow. */
const SCALE = Array.from({ length: 31 }, (_, e) => 2 ** (e - 25));
const SUBNORMAL = 2 ** -24;

/** The number that half-precision `bits` (0..0xffff) stand for. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * SUBNORMAL;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * SCALE[exponent]!;
}
