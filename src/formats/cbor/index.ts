/** The public CBOR API (re-exported by the package entry). */
export { CBOR_MEDIA_TYPE, CBOR_SEQ_MEDIA_TYPE, cborCodec, createCborCodec, decodeCborObject } from './codec.js';
export type { CborCodecOptions } from './codec.js';
export { encodeCbor } from './encoder.js';
export type { CborEncoderOptions, CborStringStyle } from './encoder.js';
export { CborSeqFramer } from './framer.js';
export type { CborDecodeOptions } from './reader.js';
