import type { Codec } from '../core/codec.js';
import type { WatchEvent } from '../core/event.js';
import { type DecodeStreamOptions, decodeStream } from './async-iterable.js';

/**
 * A Web stream pair that decodes bytes into events, for
 * `response.body.pipeThrough(createDecoderStream(codec))`.
 *
 * Built from a writable and a pull-driven readable rather than a
 * TransformStream: erroring a TransformStream discards the events still
 * queued, and watchwire delivers every event decoded before a fault.
 * The readable has no queue of its own (high-water mark 0), so nothing is
 * decoded before it is asked for.
 */
export function createDecoderStream(
  codec: Codec,
  options: DecodeStreamOptions = {},
): { writable: WritableStream<Uint8Array>; readable: ReadableStream<WatchEvent> } {
  const bytes = new ChunkHandoff();
  const events = decodeStream(bytes.iterable(), codec, options);
  let writer: WritableStreamDefaultController | undefined;
  // When the readable side stops (cancelled, or a decode error), error the writable too:
  // a pipe into it then cancels its source at once, instead of only at its next write,
  // which on a quiet watch may be minutes away (holding the connection open).
  const stop = (reason: unknown) => {
    bytes.fail(reason);
    writer?.error(reason);
  };
  const writable = new WritableStream<Uint8Array>({
    start: (controller) => {
      writer = controller;
    },
    write: (chunk) => bytes.put(chunk),
    close: () => bytes.close(),
    abort: (reason) => bytes.fail(reason),
  });
  const readable = new ReadableStream<WatchEvent>(
    {
      async pull(controller) {
        try {
          const result = await events.next();
          if (result.done) controller.close();
          else controller.enqueue(result.value);
        } catch (e) {
          stop(e);
          controller.error(e);
        }
      },
      async cancel(reason) {
        stop(reason ?? new Error('cancelled'));
        await events.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return { writable, readable };
}

/**
 * A one-slot handoff from a writer to an async iterator: `put` resolves once
 * the reader has taken the chunk, which is what gives the writable side its
 * backpressure.
 */
class ChunkHandoff {
  private waitingReader: ((r: IteratorResult<Uint8Array>) => void) | undefined;
  private waitingReaderFail: ((e: unknown) => void) | undefined;
  private pending: { chunk: Uint8Array; taken: () => void; failed: (e: unknown) => void } | undefined;
  private closed = false;
  private error: unknown;
  private hasError = false;

  put(chunk: Uint8Array): Promise<void> {
    if (this.hasError) return Promise.reject(this.error);
    return new Promise((taken, failed) => {
      if (this.waitingReader !== undefined) {
        const deliver = this.waitingReader;
        this.clearReader();
        deliver({ done: false, value: chunk });
        taken();
      } else {
        this.pending = { chunk, taken, failed };
      }
    });
  }

  close(): void {
    this.closed = true;
    if (this.waitingReader !== undefined) {
      const deliver = this.waitingReader;
      this.clearReader();
      deliver({ done: true, value: undefined });
    }
  }

  fail(e: unknown): void {
    if (this.hasError) return;
    this.hasError = true;
    this.error = e;
    this.pending?.failed(e);
    this.pending = undefined;
    const reject = this.waitingReaderFail;
    this.clearReader();
    reject?.(e);
  }

  async *iterable(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const result = await this.take();
      if (result.done) return;
      yield result.value;
    }
  }

  private take(): Promise<IteratorResult<Uint8Array>> {
    if (this.hasError) return Promise.reject(this.error);
    if (this.pending !== undefined) {
      const { chunk, taken } = this.pending;
      this.pending = undefined;
      taken();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waitingReader = resolve;
      this.waitingReaderFail = reject;
    });
  }

  private clearReader(): void {
    this.waitingReader = undefined;
    this.waitingReaderFail = undefined;
  }
}
