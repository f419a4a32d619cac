/**
 * Go's JSON forms of meta/v1 Time and MicroTime, computed from Unix seconds
 * without a Date object per value (a Pod carries a dozen timestamps, and the
 * Date range is narrower than Go's).
 */

const SECONDS_PER_DAY = 86400;

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** Civil date of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm). */
function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** RFC 3339 in UTC; `fraction` is the text after the seconds (e.g. `.123456`) or ''. */
function format(seconds: number, fraction: string): string {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  let rest = seconds - days * SECONDS_PER_DAY;
  const [y, mo, d] = civilFromDays(days);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const mi = Math.floor(rest / 60);
  const s = rest - mi * 60;
  const year = y < 0 ? '-' + pad(-y, 4) : pad(y, 4);
  return `${year}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fraction}Z`;
}

/** Recently formatted Times by their seconds: timestamps repeat within an object and across events. */
const timeCache = new Map<number, string>();

/** meta/v1 Time: whole seconds (Go drops sub-seconds when reading protobuf). */
export function formatTime(seconds: number): string {
  let text = timeCache.get(seconds);
  if (text === undefined) {
    if (timeCache.size >= 1024) timeCache.clear();
    text = format(seconds, '');
    timeCache.set(seconds, text);
  }
  return text;
}

/** meta/v1 MicroTime: exactly six fraction digits, nanoseconds truncated. */
export function formatMicroTime(seconds: number, nanos: number): string {
  return format(seconds, '.' + pad(Math.floor(nanos / 1000), 6));
}

const RFC3339 = /^(-?\d{4,})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses RFC 3339 into Unix seconds and nanoseconds; undefined if it is not RFC 3339. */
export function parseRfc3339(text: string): { seconds: number; nanos: number } | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  let seconds = days * SECONDS_PER_DAY + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  if (m[8] === undefined) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds -= m[9] === '-' ? -offset : offset;
  }
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  return { seconds, nanos };
}
