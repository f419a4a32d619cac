import type { FrameDecoder } from '../../core/codec.js';
import { DecodeError, describeCause } from '../../core/errors.js';
import { type KubeObject, type WatchEvent, toKubeObject, toWatchEvent } from '../../core/event.js';
import { utf8Decode } from '../../core/utf8.js';

/**
 * JSON.parse, with its SyntaxError turned into a DecodeError. JSON.parse
 * makes `__proto__` an own data property, so such keys stay plain data.
 */
export function parseJsonFrame(frame: Uint8Array): unknown {
  const text = utf8Decode(frame);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DecodeError('invalid-json', describeCause(e), { cause: e });
  }
}

export const jsonEventDecoder: FrameDecoder<WatchEvent> = {
  decode: (frame) => toWatchEvent(parseJsonFrame(frame)),
};

export const jsonObjectDecoder: FrameDecoder<KubeObject> = {
  decode: (frame) => toKubeObject(parseJsonFrame(frame)),
};
