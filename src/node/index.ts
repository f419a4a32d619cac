/**
 * `watchwire/node` (Node only): the adapters that need Node's own modules,
 * kept out of the browser-safe `watchwire` entry. Decoded events as Node
 * streams (streams.ts), and a fetch over node:http(s) for the watch client
 * (fetch.ts).
 */
export { createDecoderTransform, eventReadable } from './streams.js';
export { type NodeFetchOptions, createNodeFetch, nodeFetch } from './fetch.js';
export { canRequireModules, nodeGroupLoader, protobufSchemasOnDemand } from './protobuf-groups.js';
