/**
 * Which tier decodes a top-level message: the table tier (runtime/table.ts,
 * one small interpreter, fast to warm up) or the generated decoders (one
 * large function per message: faster once TurboFan has compiled them, which
 * costs a lot of CPU first). RULE: see Tiering.
 */
import { type Table, hasTable, tableOf } from './runtime/table.js';
import type { MessageDecoder } from './runtime/reader.js';

/**
 * ProtobufObjectOptions.tier: 'auto' (default) starts each top-level kind on
 * the table tier and moves it to the generated decoders once that pays
 * (Tiering); 'table' and 'compiled' keep one tier, for a process that knows
 * it is short-lived (a one-shot list or CLI run) or long-lived (an informer).
 * Both tiers give identical objects and errors.
 */
export type ProtobufTier = 'auto' | 'table' | 'compiled';

export class Tiering {
  /** Bytes of this kind decoded on the table tier so far (by every decoder of the registry). */
  bytes = 0;
  /** Set once `bytes` reaches `budget`: from then on the generated decoder decodes this kind. */
  compiled = false;
  private built: Table | undefined;
  private limit = -1;

  constructor(private readonly decoder: MessageDecoder) {}

  get table(): Table {
    return (this.built ??= tableOf(this.decoder));
  }

  /** The bytes after which the table tier has cost what warming the compiled tier up would. */
  get budget(): number {
    if (this.limit < 0) this.limit = budgetOf(this.table);
    return this.limit;
  }

  /** Counts `bytes` more decoded on the table tier; true while the table tier should decode them. */
  rent(bytes: number): boolean {
    if (this.compiled) return false;
    this.bytes += bytes;
    if (this.bytes > this.budget) this.compiled = true;
    return true;
  }
}

/** The tiering of a generated decoder, or undefined when it has no table (so it has one tier). */
export function tieringOf(decoder: MessageDecoder): Tiering | undefined {
  return hasTable(decoder) ? new Tiering(decoder) : undefined;
}

/** Fields a table reaches, each message type counted once: what the compiled tier has to compile for it. */
export function reachOf(t: Table): number {
  if (t.reach >= 0) return t.reach;
  const seen = new Set<Table>();
  const stack = [t];
  let fields = 0;
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    fields += x.outSlots.length;
    for (const k of x.kids) if (k !== undefined) stack.push(k);
  }
  t.reach = fields;
  return fields;
}

function budgetOf(t: Table): number {
  return reachOf(t) * BYTES_PER_FIELD;
}

/**
 * Bytes of table-tier decoding that cost as much as one reachable field's
 * share of the compiled tier's warm-up (ski rental: rent until the rent
 * paid equals the price of buying, then buy; never more than twice the
 * cost of the better choice made in hindsight). Measured on 4,000 fixture
 * Pods (13,589 bytes each, 633 reachable fields), Node 20, in-process CPU:
 * - buy: the generated decoders' warm-up, what their run costs over their
 *   warm rate: 655 ms total - 4,000 x 41 us = 490 ms, 0.77 ms per field;
 * - rent: the table tier's warm rate over the compiled one: 75 - 41 us per
 *   Pod = 2.5 ns per byte.
 * 0.77 ms / 2.5 ns = 310,000 bytes per field: a Pod moves after ~196 MB
 * (~14,000 fixture Pods), a ConfigMap (32 fields) after 10 MB.
 */
const BYTES_PER_FIELD = 310_000;
