import { createReadStream, fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Bytes per read from a file (FILE, or a file redirected to stdin). Node's
 * default 64 KiB costs a thread-pool round trip per 64 KiB, with the main
 * thread idle in between (12 % of `decode --output none` on a 128 MB stream),
 * and cuts every other 32 KB event in two, which the framer must then copy.
 */
export const READ_BYTES = 1024 * 1024;

/** The stream to read: FILE when given, else stdin. */
export function openInput(file: string | undefined): Readable {
  if (file !== undefined && file !== '-') return createReadStream(file, { highWaterMark: READ_BYTES });
  // `decode < file`: stdin is the file itself, read as FILE would be. A pipe or a
  // terminal is read as Node reads it (a pipe holds 64 KiB at most anyway).
  if (inputBytes(undefined) !== undefined) return createReadStream('', { fd: 0, highWaterMark: READ_BYTES, autoClose: false });
  return process.stdin;
}

/** The size of what openInput reads when it is a regular file (FILE, or a file on stdin), else undefined (a pipe, a terminal). */
export function inputBytes(file: string | undefined): number | undefined {
  try {
    const stat = file !== undefined && file !== '-' ? statSync(file) : fstatSync(0);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined; // openInput reports a FILE that cannot be read
  }
}
