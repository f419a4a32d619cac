/**
 * Go time.Duration text (`"1m30s"`, `"500ms"`, `"0s"`) from int64 nanoseconds
 * and back, as meta/v1 Duration's JSON form. BigInt because durations use the
 * whole int64 range and this is not a hot path.
 */

/** Fraction digits of `v` at `prec` places, trailing zeros dropped, as Go's fmtFrac. */
function fraction(v: bigint, prec: number): [text: string, rest: bigint] {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) digits = String(digit) + digits;
    v /= 10n;
  }
  return [print ? '.' + digits : '', v];
}

export function formatDuration(nanos: bigint): string {
  const negative = nanos < 0n;
  let u = negative ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let unit: string;
    let prec: number;
    if (u < 1000n) [unit, prec] = ['ns', 0];
    else if (u < 1_000_000n) [unit, prec] = ['\u00b5s', 3];
    else [unit, prec] = ['ms', 6];
    const [frac, whole] = fraction(u, prec);
    out = String(whole) + frac + unit;
  } else {
    const [frac, whole] = fraction(u, 9);
    u = whole;
    out = String(u % 60n) + frac + 's';
    u /= 60n;
    if (u > 0n) {
      out = String(u % 60n) + 'm' + out;
      u /= 60n;
      if (u > 0n) out = String(u) + 'h' + out;
    }
  }
  return negative ? '-' + out : out;
}

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  '\u00b5s': 1000n,
  '\u03bcs': 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go time.ParseDuration; undefined when the text is not a duration. */
export function parseDuration(text: string): bigint | undefined {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?([a-z\u00b5\u03bc]+)/;
  while (s !== '') {
    const m = part.exec(s);
    if (m === null || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNITS[m[3]!];
    if (unit === undefined) return undefined;
    total += BigInt(m[1] || '0') * unit;
    const frac = m[2] ?? '';
    if (frac !== '') total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    s = s.slice(m[0].length);
  }
  return negative ? -total : total;
}
