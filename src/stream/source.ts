/** Byte sources the adapters accept: any async iterable, or a Web ReadableStream. */
export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === 'function';
}

/**
 * Iterates a byte source one chunk per pull. A ReadableStream is read with
 * its reader (not every browser makes it async-iterable), and cancelled and
 * released when the consumer stops early, so the connection is freed.
 *
 * No reference to a chunk is left while the next is awaited: a suspended
 * generator keeps alive what its registers last held (V8), and `yield*` or a
 * loop-scoped const kept each idle stream's last chunk.
 */
export async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  if (!isReadableStream(source)) {
    const iterator = source[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        let result: IteratorResult<Uint8Array> | undefined;
        try {
          result = await iterator.next();
        } catch (error) {
          // A source that failed is not asked to return (as yield* and for await do).
          done = true;
          throw error;
        }
        if (result.done === true) {
          done = true;
          return;
        }
        let value: Uint8Array | undefined = result.value;
        result = undefined;
        yield value;
        value = undefined;
      }
    } finally {
      if (!done) await iterator.return?.();
    }
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array> | undefined = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      let value: Uint8Array | undefined = result.value;
      result = undefined;
      yield value;
      value = undefined;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
