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

/**
 * THE RULE (ski rental: rent until what the renting has cost reaches the
 * price of buying, then buy; this never costs more than twice the better
 * choice made in hindsight, whatever the process's length). Renting is the
 * table tier: each byte it decodes costs more than the compiled tier would
 * once warm. Buying is the compiled tier's warm-up: TurboFan compiles each
 * generated decoder a kind's messages run through, a cost that grows with
 * the decoders' size, i.e. with the fields of the message types decoded.
 * So a kind moves once its table-tier bytes reach BYTES_PER_FIELD x the
 * fields of the message types it has decoded so far (Table.seen, reachable
 * from it): a kind whose objects are small and simple (a ConfigMap: 3 types,
 * 25 fields) moves after a few MB, a full Pod (150 types, 633 fields) after
 * about 200 MB. The price is counted again when the bytes reach it (new
 * types seen since raise it), so the walk over the types runs a few times,
 * not per object.
 */
export class Tiering {
  /** Bytes of this kind decoded on the table tier so far (by every decoder of the registry). */
  bytes = 0;
  /** Set once `bytes` reaches `budget`: from then on the generated decoder decodes this kind. */
  compiled = false;
  private built: Table | undefined;
  /** The budget as last counted (0: not yet: counted after the first object, when its types are seen). */
  private limit = 0;

  constructor(private readonly decoder: MessageDecoder) {}

  get table(): Table {
    return (this.built ??= tableOf(this.decoder));
  }

  /** The bytes after which the table tier has cost what warming the compiled tier up for the types decoded so far would. */
  get budget(): number {
    return seenFields(this.table) * BYTES_PER_FIELD;
  }

  /**
   * Counts `bytes` more decoded on the table tier; true while the table tier
   * should decode them. `expected`: the bytes the caller expects to decode
   * in all (0: unknown; see ProtobufObjectOptions.expectedBytes). Renting
   * until the rent reaches the price is for a length not known in advance;
   * when it is, and it reaches the price, buying at once costs less (the
   * rent paid first is the rule's worst case: up to twice the better tier).
   * So, once the first object has shown the kind's types, a stream expected
   * to reach the budget moves at once.
   */
  rent(bytes: number, expected = 0): boolean {
    if (this.compiled) return false;
    if (this.bytes >= this.limit || expected >= this.limit) {
      const limit = this.budget;
      if (this.limit > 0 && (this.bytes >= limit || expected >= limit)) {
        this.compiled = true;
        return false;
      }
      this.limit = Math.max(limit, 1);
    }
    this.bytes += bytes;
    return true;
  }
}

/** The tiering of a generated decoder, or undefined when it has no table (so it has one tier). */
export function tieringOf(decoder: MessageDecoder): Tiering | undefined {
  return hasTable(decoder) ? new Tiering(decoder) : undefined;
}

/** Fields of the message types reachable from `t` through types decoded on the table tier (each type once). */
export function seenFields(t: Table): number {
  const seen = new Set<Table>();
  const stack = [t];
  let fields = 0;
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x) || !x.seen) continue;
    seen.add(x);
    fields += x.outSlots.length;
    for (const k of x.kids) if (k !== undefined) stack.push(k);
  }
  return fields;
}

/**
 * Bytes of table-tier decoding that cost as much as one field's share of the
 * compiled tier's warm-up. Measured on 4,000 fixture Pods (13,589 bytes each,
 * every field set: 633 fields in the types decoded), Node 20, in-process CPU:
 * - buy: the generated decoders' warm-up, what their run costs over their
 *   warm rate: 655 ms total - 4,000 x 41 us = 490 ms, 0.77 ms per field;
 * - rent: the table tier's warm rate over the compiled one: 75 - 41 us per
 *   Pod = 2.5 ns per byte.
 * 0.77 ms / 2.5 ns = 310,000 bytes per field.
 */
const BYTES_PER_FIELD = 310_000;
