import type { Codec } from '../core/codec.js';
import { NegotiationError } from '../core/errors.js';
import { createRegistry } from '../formats/index.js';
import { UsageError } from './usage.js';

/** The codec named on the command line (short name or media type); a usage error otherwise. */
export function codecFor(type: string | undefined, flag: string): Codec {
  if (type === undefined) throw new UsageError(`${flag} TYPE is required`);
  try {
    return createRegistry().get(type);
  } catch (e) {
    if (e instanceof NegotiationError) {
      const names = createRegistry()
        .list()
        .map((c) => c.name);
      throw new UsageError(`unknown content type ${JSON.stringify(type)} (known: ${names.join(', ')})`);
    }
    throw e;
  }
}
