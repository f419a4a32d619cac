import type { Codec } from '../../core/codec.js';
import { JsonEventDecoder, JsonObjectDecoder } from './decoder.js';
import { JsonDocumentsFramer } from './documents-framer.js';
import { jsonLinesEncoder, jsonObjectEncoder } from './encoder.js';
import { LineFramer } from './lines-framer.js';

const objects: Codec['objects'] = {
  mediaType: 'application/json',
  // Bare objects come from files (kubectl output), compact or pretty-printed.
  createFramer: (limits) => new JsonDocumentsFramer(limits.maxFrameBytes, limits.maxDepth),
  createDecoder: (limits, options) => new JsonObjectDecoder(limits, options),
  createEncoder: () => jsonObjectEncoder,
};

/** `application/json` watch streams: one compact event per line, as the API server writes them. */
export const jsonCodec: Codec = {
  name: 'json',
  mediaType: 'application/json',
  accept: 'application/json',
  servable: true,
  createFramer: (limits) => new LineFramer(limits.maxFrameBytes),
  createDecoder: (limits, options) => new JsonEventDecoder(limits, options),
  createEncoder: () => jsonLinesEncoder,
  objects,
};

/**
 * Events as JSON documents back to back, pretty-printed or not, as
 * `kubectl get -w -o json --output-watch-events` prints them. Reads the same
 * media type as `json`; found by name, never picked by negotiation.
 */
export const jsonDocumentsCodec: Codec = {
  name: 'json-documents',
  mediaType: 'application/json',
  accept: 'application/json',
  servable: true,
  createFramer: (limits) => new JsonDocumentsFramer(limits.maxFrameBytes, limits.maxDepth),
  createDecoder: (limits, options) => new JsonEventDecoder(limits, options),
  createEncoder: () => jsonLinesEncoder,
  objects,
};
