import type { Writable } from 'node:stream';

/**
 * Batches small writes into large ones and waits for `drain` when the pipe is
 * full, so a slow reader of stdout slows decoding instead of growing memory.
 */
export class BatchedOutput {
  private parts: (string | Uint8Array)[] = [];
  private size = 0;

  constructor(
    private readonly stream: Writable,
    private readonly batchBytes = 64 * 1024,
  ) {}

  async write(part: string | Uint8Array): Promise<void> {
    this.parts.push(part);
    this.size += part.length;
    if (this.size >= this.batchBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    this.size = 0;
    const data = parts.every((p) => typeof p === 'string') ? parts.join('') : Buffer.concat(parts.map(toBuffer));
    if (!this.stream.write(data)) await waitForDrain(this.stream);
  }
}

function toBuffer(part: string | Uint8Array): Buffer {
  return typeof part === 'string' ? Buffer.from(part) : Buffer.from(part.buffer, part.byteOffset, part.length);
}

function waitForDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: unknown) => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      if (e instanceof Error) reject(e);
      else resolve();
    };
    stream.once('drain', done);
    stream.once('error', done);
    stream.once('close', done);
  });
}
