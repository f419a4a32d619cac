/**
 * The peers' line-splitting + parsing paths, reproduced step for step from
 * their Watch implementations (versions pinned in package.json) so they can
 * run in memory on exactly the chunks watchwire gets. The HTTP suite drives
 * the real Watch classes; these isolate the decode path from the transport.
 *
 * - @kubernetes/client-node 2.0.1 `Watch.watch`: `Readable.fromWeb(body)` →
 *   `readline.createInterface` → on 'line': `JSON.parse`, callback(type,
 *   object, data); parse errors swallowed.
 * - kubernetes-fluent-client 3.11.11 `Watcher`: `Readable.from(body)` →
 *   on 'data' (async handler): `buffer += TextDecoder.decode(chunk, {stream})`,
 *   `buffer.split("\n")`, keep the last piece, and for each line
 *   `await processLine(line)` (JSON.parse, lastSeen, 410 check,
 *   `await callback(payload, phase)`).
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

export type PeerCallback = (type: string, object: { metadata?: { name?: string } }) => void;

interface RawEvent {
  type: string;
  object: { metadata?: { name?: string }; code?: number };
}

/** Zero-copy Buffer views: what a Node socket hands out. */
export function toBuffers(chunks: readonly Uint8Array[]): Buffer[] {
  return chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
}

/** @kubernetes/client-node's Watch line path on in-memory chunks. */
export function clientNodeLinePath(chunks: readonly Uint8Array[], callback: PeerCallback): Promise<void> {
  const body = Readable.from(toBuffers(chunks));
  const lines = createInterface(body);
  return new Promise((resolve, reject) => {
    body.on('error', reject);
    lines.on('close', () => resolve());
    lines.on('line', (line: string) => {
      try {
        const data = JSON.parse(line.toString()) as RawEvent;
        callback(data.type, data.object);
      } catch {
        // client-node ignores parse errors
      }
    });
  });
}

/** kubernetes-fluent-client's Watcher split path on in-memory chunks. */
export function fluentClientSplitPath(chunks: readonly Uint8Array[], callback: PeerCallback): Promise<void> {
  const stream = Readable.from(toBuffers(chunks));
  const decoder = new TextDecoder();
  let buffer = '';
  let lastSeen = 0;
  const handlers: Promise<void>[] = [];
  const processLine = async (line: string): Promise<void> => {
    try {
      const { object: payload, type: phase } = JSON.parse(line) as RawEvent;
      lastSeen = Date.now();
      if (phase === 'ERROR' && payload.code === 410) throw { name: 'TooOld' };
      await callback(phase, payload);
    } catch {
      // the Watcher emits DATA_ERROR and goes on
    }
  };
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      handlers.push(
        (async () => {
          buffer += decoder.decode(chunk, { stream: true });
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) await processLine(line);
        })(),
      );
    });
    stream.on('error', reject);
    stream.on('end', () => {
      void lastSeen;
      Promise.all(handlers).then(() => resolve(), reject);
    });
  });
}

/** The loop people write first: readline's async iterator and JSON.parse. */
export async function naiveReadlineLoop(chunks: readonly Uint8Array[], callback: PeerCallback): Promise<void> {
  const lines = createInterface({ input: Readable.from(toBuffers(chunks)), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const event = JSON.parse(line) as RawEvent;
    callback(event.type, event.object);
  }
}

/** Framing only: fluent-client's split approach, returning the lines found (synchronous, as its handler is up to the first await). */
export function fluentClientSplitOnly(chunks: readonly Uint8Array[]): number {
  const decoder = new TextDecoder();
  let buffer = '';
  let found = 0;
  for (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) found += line.length > 0 ? 1 : 0;
  }
  return found + (buffer.length > 0 ? 1 : 0);
}

/** Framing only: client-node's readline approach, resolving with the lines found. */
export function readlineSplitOnly(chunks: readonly Uint8Array[]): Promise<number> {
  const lines = createInterface(Readable.from(toBuffers(chunks)));
  let found = 0;
  return new Promise((resolve) => {
    lines.on('line', (line: string) => {
      if (line.length > 0) found++;
    });
    lines.on('close', () => resolve(found));
  });
}
