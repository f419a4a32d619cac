/**
 * nodeFetch (watchwire/node): the node:http transport for the watch client.
 * Real servers on loopback: the replay server for the watch semantics, and a
 * raw node:http server where a test needs to see the socket.
 */
import assert from 'node:assert/strict';
import { Agent, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WatchHttpError, createRegistry, decodeStream, listObjects, watch, type WatchEvent } from 'watchwire';
import { createNodeFetch, nodeFetch } from 'watchwire/node';
import { FAST_BACKOFF, FORMATS, podsUrl, rvOf, serverChanges, watchPods, withServer } from './helpers/replay-client.ts';

/** A raw loopback server; `handler` answers every request. */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const format of FORMATS) {
  test(`watch through nodeFetch: ${format} negotiated, the server's changes delivered, headers sent`, async () => {
    await withServer({ generate: { pods: 6 } }, async (server) => {
      const { w, signals, collect } = watchPods(server, {
        fetch: nodeFetch,
        formats: [format],
        resourceVersion: '100',
        headers: { authorization: 'Bearer t' },
      });
      const events = await collect((_e, all) => all.length === 6);
      assert.equal(signals.of('connected')[0]!.format, format);
      assert.deepEqual(events, serverChanges(server, 100));
      assert.equal(server.requests[0]!.accept, w.acceptHeader);
    });
  });
}

test('nodeFetch: resume after mid-frame drops, without loss or duplicate', async () => {
  const plans = [{ dropAfterEvents: 0 }, { dropAfterEvents: 1, dropAtByte: 1 }, { dropAfterEvents: 3 }];
  await withServer({ generate: { pods: 8 }, faults: (r) => plans[r.index] }, async (server) => {
    const { w, signals, collect } = watchPods(server, { fetch: nodeFetch, formats: ['json'], resourceVersion: '100', backoff: FAST_BACKOFF });
    const events = await collect((e) => rvOf(e) === '108');
    assert.deepEqual(events, serverChanges(server, 100));
    assert.equal(signals.of('resumed').length, 3);
    assert.deepEqual(
      server.requests.map((r) => new URL(r.url, server.url).searchParams.get('resourceVersion')),
      ['100', '100', '101', '104'],
    );
    // The broken bodies surfaced as fetch's own mid-body error.
    const errors = signals.of('error').map((s) => s.error);
    assert.ok(errors.length === 3 && errors.every((e) => e instanceof TypeError && e.message === 'terminated'), String(errors));
  });
});

test('nodeFetch: HTTP error statuses are WatchHttpErrors with their Status; 429/500 retried', async () => {
  for (const format of FORMATS) {
    await withServer({ faults: { status: { code: 403, message: 'no (403)' } } }, async (server) => {
      await assert.rejects(
        async () => {
          for await (const _ of watch({ url: podsUrl(server), fetch: nodeFetch, formats: [format] })) assert.fail('no events expected');
        },
        (e: unknown) => e instanceof WatchHttpError && e.code === 403 && e.statusText === 'Forbidden' && e.status?.message === 'no (403)',
      );
    });
  }
  await withServer({
    generate: { pods: 2 },
    faults: (r) => (r.index === 0 ? { status: { code: 429, retryAfterSeconds: 1 } } : r.index === 1 ? { status: { code: 500 } } : undefined),
  }, async (server) => {
    const { w, signals, collect } = watchPods(server, { fetch: nodeFetch, resourceVersion: '100', backoff: { initialMs: 20, random: () => 0 } });
    const events = await collect((_e, all) => all.length === 2);
    assert.equal(events.length, 2);
    const errors = signals.of('error').map((s) => s.error as WatchHttpError);
    assert.deepEqual(errors.map((e) => [e.code, e.status?.reason, e.retryAfterMs]), [[429, 'TooManyRequests', 1000], [500, 'InternalError', undefined]]);
  });
});

test('nodeFetch: no server is fetch\'s TypeError("fetch failed") with the cause; maxRetries gives up with it', async () => {
  const gone = await rawServer(() => {});
  await gone.close();
  await assert.rejects(nodeFetch(`${gone.url}/x`, {}), (e: unknown) => e instanceof TypeError && e.message === 'fetch failed' && (e.cause as { code?: string }).code === 'ECONNREFUSED');
  await assert.rejects(
    async () => {
      for await (const _ of watch({ url: `${gone.url}/api/v1/pods`, fetch: nodeFetch, resourceVersion: '1', maxRetries: 1, backoff: FAST_BACKOFF })) assert.fail('no events');
    },
    (e: unknown) => e instanceof TypeError && e.message === 'fetch failed',
  );
});

test('nodeFetch: abort mid-stream rejects the pending read with the reason and releases the socket', async () => {
  let closed = 0;
  const server = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"1"}}}\n');
    req.socket.on('close', () => closed++);
  });
  const agent = new Agent({ keepAlive: true });
  try {
    const fetchFn = createNodeFetch({ agent });
    const controller = new AbortController();
    const response = await fetchFn(`${server.url}/api/v1/pods?watch=1`, { signal: controller.signal });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.equal(first.done, false);
    const pending = reader.read();
    const reason = new Error('stop now');
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    await assert.rejects(reader.read(), (e) => e === reason);
    await tick(50);
    assert.equal(closed, 1, 'the server saw the connection close');
    assert.deepEqual([Object.keys(agent.sockets).length, Object.keys(agent.freeSockets).length], [0, 0], 'no socket kept by the agent');
    // Aborting before the response: the fetch itself rejects with the reason.
    const early = new AbortController();
    early.abort(reason);
    await assert.rejects(fetchFn(`${server.url}/x`, { signal: early.signal }), (e) => e === reason);
  } finally {
    agent.destroy();
    await server.close();
  }
});

test('nodeFetch: aborting the watch, or breaking out of it, closes the server side', async () => {
  await withServer({ generate: { pods: 3 } }, async (server) => {
    for await (const _ of watch({ url: podsUrl(server), fetch: nodeFetch, resourceVersion: '100' })) break;
    await tick(50);
    assert.equal(server.activeWatches, 0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const all: WatchEvent[] = [];
    for await (const event of watch({ url: podsUrl(server), fetch: nodeFetch, resourceVersion: '100', signal: controller.signal })) all.push(event);
    assert.equal(all.length, 3);
    await tick(50);
    assert.equal(server.activeWatches, 0);
  });
});

test('nodeFetch: stall detection aborts the connection and resumes', async () => {
  await withServer({ generate: { pods: 4 }, faults: (r) => (r.index === 0 ? { stallAfterEvents: 2 } : undefined) }, async (server) => {
    const { w, signals, collect } = watchPods(server, { fetch: nodeFetch, resourceVersion: '100', stallTimeoutMs: 100, backoff: FAST_BACKOFF });
    const events = await collect((e) => rvOf(e) === '104');
    assert.deepEqual(events, serverChanges(server, 100));
    assert.equal(signals.of('stalled').length, 1);
    assert.equal(signals.of('resumed')[0]!.resourceVersion, '102');
  });
});

test('nodeFetch: a reader that does not read pauses the socket (bounded buffering)', async () => {
  let written = 0;
  let finished = false;
  const block = Buffer.alloc(64 * 1024, 0x20);
  const server = await rawServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = (): void => {
      while (written < 256 * 1024 * 1024) {
        written += block.length;
        if (!res.write(block)) {
          res.once('drain', pump);
          return;
        }
      }
      finished = true;
      res.end();
    };
    pump();
  });
  try {
    const response = await nodeFetch(`${server.url}/big`, {});
    await tick(300);
    assert.equal(finished, false);
    // The client holds at most its high-water mark plus what the kernel and Node buffer.
    assert.ok(written < 32 * 1024 * 1024, `server wrote ${written} bytes to a reader that read nothing`);
    const reader = response.body!.getReader();
    let got = 0;
    for (let i = 0; i < 64; i++) {
      const { value } = await reader.read();
      got += value!.length;
    }
    assert.ok(got >= 64 * 1024);
    await reader.cancel();
  } finally {
    await server.close();
  }
});

test('nodeFetch: a body cut mid-way is TypeError("terminated"); decodeStream reads a nodeFetch body', async () => {
  const line = '{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"1"}}}\n';
  const server = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/cut') {
      res.write(line, () => res.socket?.destroy());
      return;
    }
    res.end(line + line);
  });
  try {
    const codec = createRegistry().get('json');
    const cut = await nodeFetch(`${server.url}/cut`, {});
    const seen: WatchEvent[] = [];
    await assert.rejects(
      async () => {
        for await (const event of decodeStream(cut.body!, codec)) seen.push(event);
      },
      (e: unknown) => e instanceof TypeError && e.message === 'terminated',
    );
    assert.equal(seen.length, 1);
    const whole = await nodeFetch(`${server.url}/whole`, {});
    const events: WatchEvent[] = [];
    for await (const event of decodeStream(whole.body!, codec)) events.push(event);
    assert.equal(events.length, 2);
    assert.equal(whole.bodyUsed, true);
    // The rest of a Response: text/json, and a real ReadableStream on demand.
    assert.equal(await (await nodeFetch(`${server.url}/whole`, {})).text(), line + line);
    const piped = (await nodeFetch(`${server.url}/whole`, {})).body!.pipeThrough(new TextDecoderStream());
    let text = '';
    for await (const part of piped) text += part;
    assert.equal(text, line + line);
  } finally {
    await server.close();
  }
});

test('nodeFetch: listObjects through it (json(), pagination), then watch from the list version', async () => {
  await withServer({ generate: { pods: 5 } }, async (server) => {
    const list = await listObjects({ url: podsUrl(server), fetch: nodeFetch, pageSize: 2 });
    assert.equal(list.items.length, 5);
    assert.equal(list.items[0]!.kind, 'Pod');
    assert.equal(list.resourceVersion, String(server.resourceVersion));
  });
});
