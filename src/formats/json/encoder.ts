import type { Encoder } from '../../core/codec.js';
import type { KubeObject, WatchEvent } from '../../core/event.js';
import { utf8Encode } from '../../core/utf8.js';

/** One compact JSON document and `\n` per event, as the API server writes. */
export const jsonLinesEncoder: Encoder<WatchEvent> = {
  // Written as {type, object} whatever key order the caller's object has.
  encode: (event) => utf8Encode(JSON.stringify({ type: event.type, object: event.object }) + '\n'),
};

/** One compact JSON document and `\n` per object. */
export const jsonObjectEncoder: Encoder<KubeObject> = {
  encode: (object) => utf8Encode(JSON.stringify(object) + '\n'),
};
