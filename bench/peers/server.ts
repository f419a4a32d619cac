/**
 * A loopback HTTP server that answers any watch request (`?watch=true|1`) by
 * streaming the chosen corpus bytes in the chosen chunks (honouring
 * backpressure), and any other GET with an empty list (the LIST that
 * kubernetes-fluent-client sends before every watch). Used for the peers'
 * public-API runs until, and beside, watchwire's own replay server.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toBuffers } from './paths.js';

export interface CorpusServer {
  url: string;
  /** Sets what the next watch requests get. */
  serve(chunks: readonly Uint8Array[], contentType?: string): void;
  close(): Promise<void>;
}

export async function startCorpusServer(): Promise<CorpusServer> {
  let body: Buffer[] = [];
  let type = 'application/json';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const watch = url.searchParams.get('watch');
    if (watch !== 'true' && watch !== '1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}');
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    const chunks = body;
    let i = 0;
    const write = (): void => {
      while (i < chunks.length) {
        if (res.destroyed) return;
        if (!res.write(chunks[i++]!)) {
          res.once('drain', write);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => {});
    write();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(chunks, contentType = 'application/json') {
      body = toBuffers(chunks);
      type = contentType;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
