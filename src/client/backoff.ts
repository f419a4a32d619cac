/**
 * Exponential backoff with jitter between reconnections. The nominal delay
 * starts at `initialMs` and is multiplied by `factor` on each consecutive
 * failure up to `maxMs` (client-go's reflector: 800 ms → 30 s). Jitter
 * takes up to `jitter` of it away at random, so the delay drawn is in
 * [nominal × (1 − jitter), nominal]: it never exceeds the cap, and clients
 * that failed together do not come back together.
 */
export interface BackoffOptions {
  /** First nominal delay. Default 800 ms. */
  initialMs: number;
  /** Cap of the nominal delay. Default 30 000 ms. */
  maxMs: number;
  /** Growth per consecutive failure. Default 2. */
  factor: number;
  /** Fraction of the delay taken away at random, 0..1. Default 0.5. */
  jitter: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). Default Math.random. */
  random: () => number;
}

export const DEFAULT_BACKOFF: Readonly<Omit<BackoffOptions, 'random'>> = Object.freeze({
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
});

export class Backoff {
  readonly options: BackoffOptions;
  private failures = 0;

  constructor(options: Partial<BackoffOptions> = {}) {
    const merged: BackoffOptions = { ...DEFAULT_BACKOFF, random: Math.random, ...definedOnly(options) };
    for (const name of ['initialMs', 'maxMs', 'factor'] as const) {
      const v = merged[name];
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`backoff ${name} must be a finite number >= 0, got ${v}`);
    }
    if (!(merged.jitter >= 0 && merged.jitter <= 1)) throw new RangeError(`backoff jitter must be in [0, 1], got ${merged.jitter}`);
    if (merged.factor < 1) throw new RangeError(`backoff factor must be >= 1, got ${merged.factor}`);
    this.options = merged;
  }

  /** Consecutive failures counted so far. */
  get attempt(): number {
    return this.failures;
  }

  /** The nominal (un-jittered) delay for the next failure. */
  nominal(): number {
    const { initialMs, maxMs, factor } = this.options;
    // Capped exponent: factor ** failures overflows to Infinity long after the cap anyway.
    return Math.min(maxMs, initialMs * factor ** Math.min(this.failures, 64));
  }

  /** The delay to wait after one more failure; grows the next one. */
  next(): number {
    const nominal = this.nominal();
    this.failures++;
    const r = Math.min(Math.max(this.options.random(), 0), 1);
    return Math.round(nominal * (1 - this.options.jitter * r));
  }

  /** After a healthy stream: the next failure waits `initialMs` again. */
  reset(): void {
    this.failures = 0;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
