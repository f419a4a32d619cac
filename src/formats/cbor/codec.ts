import type { Codec } from '../../core/codec.js';
import { DecodeError } from '../../core/errors.js';
import { type KubeObject, toKubeObject } from '../../core/event.js';
import { type DecodeLimits, resolveLimits } from '../../core/limits.js';
import { createCborEventEncoder, createCborObjectEncoder, type CborEncoderOptions } from './encoder.js';
import { CborEventDecoder, type CborFrameDecoder, CborObjectDecoder } from './decoder.js';
import { CborSeqFramer } from './framer.js';
import { type CborDecodeOptions, CborItemReader } from './reader.js';

export interface CborCodecOptions extends CborDecodeOptions {
  /** How the codec's encoders write strings: `'kubernetes'` (byte strings, default) or `'plain'` (text strings). */
  strings?: CborEncoderOptions['strings'];
}

/** The media type of a CBOR watch stream (RFC 8742 sequence). */
export const CBOR_SEQ_MEDIA_TYPE = 'application/cbor-seq';
/** The media type of one CBOR item: an object, or an error Status before a stream. */
export const CBOR_MEDIA_TYPE = 'application/cbor';

/**
 * A CBOR codec with the given decode/encode options. The API server answers
 * `Accept: application/cbor` on a watch with `Content-Type: application/cbor-seq`;
 * a watch labelled plain `application/cbor` is refused by negotiation (as
 * client-go does): read a single `application/cbor` body with decodeCborObject.
 */
export function createCborCodec(options: CborCodecOptions = {}): Codec {
  const encoderOptions: CborEncoderOptions = options.strings === undefined ? {} : { strings: options.strings };
  // A framer and the decoder made next with the same limits object work as one (StreamDecoder
  // makes them so): the framer decodes the items it frames (see CborSeqFramer.decodeWith).
  const framers = new WeakMap<DecodeLimits, CborSeqFramer>();
  const framer = (limits: DecodeLimits) => {
    const made = new CborSeqFramer(limits.maxFrameBytes, limits.maxDepth);
    framers.set(limits, made);
    return made;
  };
  const paired = <D extends CborFrameDecoder<unknown>>(limits: DecodeLimits, decoder: D): D => {
    framers.get(limits)?.decodeWith(decoder);
    framers.delete(limits);
    return decoder;
  };
  return {
    name: 'cbor',
    mediaType: CBOR_SEQ_MEDIA_TYPE,
    accept: CBOR_MEDIA_TYPE,
    servable: true,
    createFramer: framer,
    createDecoder: (limits, decoderOptions) => paired(limits, new CborEventDecoder(limits, options, decoderOptions)),
    createEncoder: () => createCborEventEncoder(encoderOptions),
    objects: {
      mediaType: CBOR_MEDIA_TYPE,
      createFramer: framer,
      createDecoder: (limits, decoderOptions) => paired(limits, new CborObjectDecoder(limits, options, decoderOptions)),
      createEncoder: () => createCborObjectEncoder(encoderOptions),
    },
  };
}

/** `application/cbor-seq` watch streams with the default options. */
export const cborCodec: Codec = createCborCodec();

/**
 * Decodes one `application/cbor` body: the single item a server sends for an
 * error before a stream (a Status), or any single object. Throws DecodeError
 * (limits as in a stream; the whole body must be exactly one item).
 */
export function decodeCborObject(bytes: Uint8Array, options: CborDecodeOptions & Partial<DecodeLimits> = {}): KubeObject {
  const limits = resolveLimits(options);
  if (bytes.length > limits.maxFrameBytes) {
    throw new DecodeError('frame-too-large', `CBOR body of ${bytes.length} bytes, over maxFrameBytes (${limits.maxFrameBytes})`);
  }
  return toKubeObject(new CborItemReader(limits, options).decode(bytes));
}
