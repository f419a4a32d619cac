import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** The stream to read: FILE when given, else stdin. */
export function openInput(file: string | undefined): Readable {
  return file === undefined || file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 64 * 1024 });
}
